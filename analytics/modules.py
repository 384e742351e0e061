"""The module ids a study activity can name: the workspace's nbgrader assignments and the
bundled law modules (front-matter ``id`` of ``courses/modules/*.md``, docs/content-format.md)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml


def bundled_module_ids() -> set[str]:
    ids: set[str] = set()
    folder = resources.files("fazhi.courses").joinpath("modules")
    if not folder.is_dir():
        return ids
    for entry in folder.iterdir():
        if not entry.name.endswith(".md"):
            continue
        text = entry.read_text(encoding="utf-8")
        if text.startswith("---"):
            front = yaml.safe_load(text.split("---", 2)[1]) or {}
            if isinstance(front, dict) and front.get("id"):
                ids.add(str(front["id"]))
    return ids


def known_module_ids(workspace: Path) -> set[str]:
    """Assignment folders under ``source/`` and ``release/``, plus the bundled modules."""
    ids = bundled_module_ids()
    for folder in ("source", "release"):
        root = workspace / folder
        if root.is_dir():
            ids.update(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    return ids
