"""The answer sheet file an officer's widgets write beside the notebook.

``<sheet>.answers.json`` lives in the notebook's directory, so it survives kernel restarts,
travels with ``nbgrader submit`` (which copies the assignment directory) and is read by the
hidden test cells under ``nbgrader autograde`` and by fazhi's fast grader alike.

Format: ``{"sheet": ..., "started_at": ISO, "answers": {item_id: {"value": ..., "at": ISO}}}``
with times in UTC. Writes are atomic (temporary file + rename).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

SUFFIX = ".answers.json"


def sheet_path(sheet: str, directory: Path | str = ".") -> Path:
    return Path(directory) / f"{sheet}{SUFFIX}"


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def load_sheet(path: Path) -> dict[str, Any]:
    """The sheet at ``path``; an empty sheet when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"answers": {}}
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        return {"answers": {}}
    return data


def save_sheet(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".answers-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
    os.replace(tmp, path)


def record_answer(path: Path, item_id: str, value: Any, *, at: str | None = None) -> None:
    """Store one answer (overwriting the earlier one) with the time it was given."""
    data = load_sheet(path)
    data.setdefault("sheet", path.name.removesuffix(SUFFIX))
    data.setdefault("started_at", at or now_iso())
    data["answers"][item_id] = {"value": value, "at": at or now_iso()}
    save_sheet(path, data)


def answer_value(data: dict[str, Any], item_id: str) -> Any:
    entry = data.get("answers", {}).get(item_id)
    return entry.get("value") if isinstance(entry, dict) else None
