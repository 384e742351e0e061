"""Submissions filed under an id that is not on the roster: graded by nbgrader, not by fazhi.

Such a submission (e.g. under the OS user ``root`` when the officer was not set) is left out
of fazhi's results and feedback; ``fazhi grade`` and ``fazhi exam feedback`` say so.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.models import Officer
from fazhi.settings import Settings


def unknown_submitters(session: Session, settings: Settings, assignment: str) -> list[str]:
    """Ids with a folder ``submitted/<id>/<assignment>/`` who are not in the roster, sorted."""
    folder = settings.workspace / "submitted"
    if not folder.is_dir():
        return []
    ids = sorted(path.name for path in folder.iterdir() if (path / assignment).is_dir())
    known = set(session.scalars(select(Officer.officer_id).where(Officer.officer_id.in_(ids))))
    return [officer for officer in ids if officer not in known]


def unknown_submitters_warning(session: Session, settings: Settings, assignment: str) -> str:
    """A Chinese warning naming the unknown submitters of ``assignment``; empty when none."""
    unknown = unknown_submitters(session, settings, assignment)
    if not unknown:
        return ""
    return (
        f"警告：{assignment} 有 {len(unknown)} 份提交的提交者不在人员名册中："
        f"{'、'.join(unknown)}。这些提交不计入 fazhi 的成绩和反馈；请核对人员名册，"
        '或提交者身份（单用户模式为 fazhi.toml 的 officer = "工号"）。'
    )
