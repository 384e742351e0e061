"""Single-user exchange guardrails: a closed exam can no longer be fetched or submitted.

The workspace's generated ``nbgrader_config.py`` points nbgrader's ``ExchangeFactory`` at the
two classes below, so JupyterLab's Assignments tab and ``nbgrader fetch_assignment/submit``
refuse, with a Chinese message, an exam whose closing time (``fazhi exam create --closes``)
has passed. Law modules and cases have no closing time and are never refused. The multi-user
deployment enforces the same rule in its exchange service (``fazhi.hub``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment
from nbgrader.exchange.default.submit import ExchangeSubmit
from sqlalchemy import select

from fazhi.settings import load_settings
from fazhi.tabular import LOCAL_TZ


@dataclass(frozen=True)
class Deadline:
    """An exam's title and closing time (aware), as the officer is told about it."""

    title: str
    closes: dt.datetime | None

    def closed(self, now: dt.datetime) -> bool:
        return self.closes is not None and now >= self.closes

    def closes_text(self) -> str:
        """The closing time in Beijing time, e.g. ``2026-11-10 18:00``; empty without one."""
        return f"{self.closes.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}" if self.closes else ""


def exam_deadlines(workspace: Path | str) -> dict[str, Deadline]:
    """Exam name -> deadline for every exam of the workspace's fazhi database."""
    from fazhi import db
    from fazhi.models.exam import Exam

    settings = load_settings(workspace)
    with db.session_scope(settings) as session:
        rows = session.execute(select(Exam.name, Exam.title, Exam.closes)).all()
    found = {}
    for name, title, closes in rows:
        if closes is not None and closes.tzinfo is None:
            closes = closes.replace(tzinfo=dt.UTC)  # SQLite drops the zone; stored as UTC
        found[name] = Deadline(title, closes)
    return found


def closed_message(workspace: Path | str, assignment: str, action: str) -> str | None:
    """Why ``action`` (获取/提交) of ``assignment`` is refused now, or None when it is allowed."""
    deadline = exam_deadlines(workspace).get(assignment)
    if deadline is None or not deadline.closed(dt.datetime.now(dt.UTC)):
        return None
    return (
        f"考试“{deadline.title}”（{assignment}）已于 {deadline.closes_text()}（北京时间）截止，"
        f"不能再{action}。如有特殊情况，请联系培训管理员。"
    )


class GuardedFetchAssignment(ExchangeFetchAssignment):
    """nbgrader's fetch, refused for an exam that has closed."""

    def init_src(self) -> None:
        message = closed_message(self.coursedir.root, self.coursedir.assignment_id, "获取")
        if message:
            self.fail(message)
        super().init_src()


class GuardedSubmit(ExchangeSubmit):
    """nbgrader's submit, refused for an exam that has closed."""

    def init_dest(self) -> None:
        message = closed_message(self.coursedir.root, self.coursedir.assignment_id, "提交")
        if message:
            self.fail(message)
        super().init_dest()
