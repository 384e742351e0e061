"""What an officer's widgets would write: answer sheets for a per-officer exam paper."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path
from typing import Any

from fazhi.kernel.paper import draw_paper


def exam_keys(source_notebook: Path) -> dict[str, str]:
    """题号 -> key, read from the hidden scoring calls of the trainer's source notebook."""
    keys: dict[str, str] = {}
    for cell in json.loads(source_notebook.read_text("utf-8"))["cells"]:
        text = "".join(cell["source"])
        if "keys=" not in text:
            continue
        code = "\n".join(line for line in text.splitlines() if not line.startswith("###"))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.keyword) and node.arg == "keys":
                keys.update(ast.literal_eval(node.value))
    return keys


def answer_sheet(
    spec: dict[str, Any], officer: str, keys: dict[str, str], correct: int
) -> dict[str, Any]:
    """The sheet of ``officer`` with the first ``correct`` slots right and the rest wrong."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    answers = {}
    for index, (_slot, code) in enumerate(sorted(draw_paper(spec, officer).items())):
        key = keys[code]
        value = key if index < correct else wrong(key)
        answers[code] = {"value": value, "at": now}
    return {"sheet": spec["exam"], "started_at": now, "officer": officer, "answers": answers}


def wrong(key: str) -> str:
    if key in ("正确", "错误"):
        return "错误" if key == "正确" else "正确"
    return "B" if key != "B" else "C"
