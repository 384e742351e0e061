"""Workspace set-up as the CLI does it: the base's init plus the features' bundled content."""

from __future__ import annotations

from pathlib import Path

from fazhi import db
from fazhi.workspace import init_workspace


def initialise(directory: Path, *, course_id: str | None = None) -> str:
    """Create or adopt the workspace and import the bundled banks; returns a summary."""
    from fazhi.exams.store import import_bundled_banks, list_banks

    settings = init_workspace(directory, course_id=course_id)
    with db.session_scope(settings) as session:
        imported = import_bundled_banks(session)
        banks = list_banks(session)
    updated = f"，本次导入或更新 {len(imported)} 个" if imported else ""
    return (
        f"工作区已就绪：{settings.workspace}（课程 {settings.course_id}）；"
        f"题库 {len(banks)} 个，共 {sum(n for _, n in banks)} 题{updated}"
    )
