"""Paths built from names that came from a file or a user stay inside the folder they name."""

from __future__ import annotations

from pathlib import Path

from fazhi.errors import UserError


class PathEscape(UserError):
    """A name would lead outside the folder it belongs in (``..``, ``/``, a link)."""


def confined(base: Path | str, *parts: str) -> Path:
    """``base/part/...``, refused unless each part is one plain name and the resolved path
    stays under the resolved ``base`` (so a symlink planted inside cannot lead out either)."""
    root = Path(base).resolve()
    for part in parts:
        text = str(part)
        if not text or text in {".", ".."} or "/" in text or "\\" in text or "\0" in text:
            raise PathEscape(f"不允许的名称“{text}”：不能为空、不能含 / 或 \\，也不能是 . 或 ..")
    target = root.joinpath(*parts)
    resolved = target.resolve()
    if resolved != root and root not in resolved.parents:
        raise PathEscape(f"路径“{target}”超出了目录 {root}")
    return target
