"""``fazhi exam list``: every exam with the stage it has reached, as a trainer asks it.

The stage is read from what exists, not from a stored status: the release time, the opening
and closing times, and nbgrader's folders in the workspace (``submitted/``, ``autograded/``,
``feedback/``), so it can never disagree with what officers see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fazhi.models.exam import Exam
from fazhi.settings import Settings

from .compile import max_score
from .exam import aware

STATE_LABELS = {
    "draft": "草稿（未发布）",
    "scheduled": "已发布，未开考",
    "open": "进行中",
    "closed": "已截止，待评分",
    "graded": "已评分",
    "feedback": "已发布成绩反馈",
}


@dataclass(frozen=True)
class ExamListing:
    name: str
    title: str
    mode: str  # all | blueprint
    state: str  # a key of STATE_LABELS
    opens: dt.datetime | None  # aware UTC
    closes: dt.datetime | None
    questions: int
    max_score: float
    submitted: int  # officers with a collected submission
    graded: int  # officers whose submission was graded
    feedback: int  # officers whose feedback was released

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def _officers_with(workspace: Path, folder: str, exam: str) -> int:
    """How many officers have ``<workspace>/<folder>/<officer>/<exam>/``."""
    root = workspace / folder
    if not root.is_dir():
        return 0
    return sum(1 for officer in root.iterdir() if (officer / exam).is_dir())


def exam_state(exam: Exam, *, graded: int, feedback: int, now: dt.datetime) -> str:
    """The stage ``exam`` has reached at ``now``; see STATE_LABELS."""
    if feedback:
        return "feedback"
    if graded:
        return "graded"
    if exam.released_at is None:
        return "draft"
    opens, closes = aware(exam.opens), aware(exam.closes)
    if opens is not None and now < opens:
        return "scheduled"
    if closes is not None and now >= closes:
        return "closed"
    return "open"


def list_exams(
    session: Session, settings: Settings, *, now: dt.datetime | None = None
) -> list[ExamListing]:
    """Every exam, by opening time then name, with its stage and head counts."""
    moment = now or dt.datetime.now(dt.UTC)
    exams = session.scalars(select(Exam).options(selectinload(Exam.sections))).all()
    listings = []
    for exam in exams:
        graded = _officers_with(settings.workspace, "autograded", exam.name)
        feedback = _officers_with(settings.workspace, "feedback", exam.name)
        listings.append(
            ExamListing(
                name=exam.name,
                title=exam.title,
                mode=exam.mode,
                state=exam_state(exam, graded=graded, feedback=feedback, now=moment),
                opens=aware(exam.opens),
                closes=aware(exam.closes),
                questions=sum(section.count for section in exam.sections),
                max_score=max_score(exam),
                submitted=_officers_with(settings.workspace, "submitted", exam.name),
                graded=graded,
                feedback=feedback,
            )
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(listings, key=lambda item: (item.opens or far, item.name))


def closed_already(exam: Exam, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """The closing time when ``exam`` has already closed at ``now`` (else None)."""
    closes = aware(exam.closes)
    moment = now or dt.datetime.now(dt.UTC)
    return closes if closes is not None and moment >= closes else None
