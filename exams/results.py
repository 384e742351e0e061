"""Results from nbgrader's gradebook: sittings, pass/late, makeups and the result that counts.

The gradebook (written by ``nbgrader autograde`` or ``fazhi grade``, plus manual grades from
formgrader) is the source of truth; ``sync_results`` is the one function that copies each
officer's sitting into ``ExamResult`` so reports can read it from fazhi's own database. The
library calls it where results are read or written: ``sync_all_results`` before a compliance
report, ``sync_graded_exam`` after ``fazhi grade``, the exam reports per exam.

Rules (docs/exams.md): score = nbgrader's score minus its late penalty; a sitting passes when
it was submitted by the closing time and score ≥ pass mark × maximum. Officers absent from
or failing an exam may sit its makeup; the better result counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.errors import UserError
from fazhi.models import Officer
from fazhi.models.exam import Exam, ExamResult
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ

from .draws import record_papers
from .exam import attempt_of, aware, root_of

TOLERANCE = 1e-9


@dataclass(frozen=True)
class GradedSitting:
    officer: str
    score: float  # after nbgrader's late penalty
    max_score: float
    submitted_at: dt.datetime | None  # aware UTC
    seconds_late: float
    items: dict[str, float] = field(default_factory=dict)  # grade id -> score
    needs_manual_grade: bool = False

    @property
    def late(self) -> bool:
        return self.seconds_late > 0


def gradebook_sittings(settings: Settings, exam: str) -> dict[str, GradedSitting]:
    """Every graded submission of ``exam`` in nbgrader's gradebook, by officer."""
    return recorded_sittings(settings, exam) or {}


def recorded_sittings(settings: Settings, exam: str) -> dict[str, GradedSitting] | None:
    """Like ``gradebook_sittings``, but None when the gradebook has no record of ``exam``."""
    # nbgrader is slow to import: only a workspace with exams pays for it
    from nbgrader.api import MissingEntry

    from fazhi.gradebook import open_gradebook

    found: dict[str, GradedSitting] = {}
    with open_gradebook(settings) as gradebook:
        try:
            gradebook.find_assignment(exam)
        except MissingEntry:
            return None
        for submission in gradebook.assignment_submissions(exam):
            items = {}
            penalty = 0.0
            for notebook in submission.notebooks:
                penalty += float(notebook.late_submission_penalty or 0)
                for grade in notebook.grades:
                    items[grade.name] = float(grade.score or 0)
            timestamp = submission.timestamp
            found[submission.student_id] = GradedSitting(
                officer=submission.student_id,
                score=max(0.0, float(submission.score) - penalty),
                max_score=float(submission.max_score),
                submitted_at=timestamp.replace(tzinfo=dt.UTC) if timestamp else None,
                seconds_late=float(submission.total_seconds_late or 0),
                items=items,
                needs_manual_grade=bool(submission.needs_manual_grade),
            )
    return found


def passes(exam: Exam, score: float, max_score: float, late: bool) -> bool:
    return not late and score + TOLERANCE >= exam.pass_mark * max_score


def _officers(session: Session) -> dict[str, Officer]:
    return {o.officer_id: o for o in session.scalars(select(Officer))}


def required_officers(session: Session, exam: Exam) -> set[str]:
    """Officers who must sit ``exam``'s original: active on its closing (local) date and in
    its audience (``fazhi.audience``; none stored = everyone)."""
    from fazhi.audience import audience_members

    closes = aware(root_of(exam).closes)
    day = closes.astimezone(LOCAL_TZ).date() if closes else None
    members = audience_members(session, "exam", root_of(exam).name, day)
    return {
        officer_id
        for officer_id, officer in _officers(session).items()
        if (day is None or officer.active_on(day)) and (members is None or officer_id in members)
    }


def earlier_attempts(exam: Exam) -> list[Exam]:
    """The original and any makeups before ``exam``, oldest first."""
    chain = []
    current = exam.makeup_of
    while current is not None:
        chain.append(current)
        current = current.makeup_of
    return list(reversed(chain))


def makeup_eligible(session: Session, settings: Settings, exam: Exam) -> set[str]:
    """Officers who may sit makeup ``exam``: required, and not passed in any earlier attempt."""
    passed: set[str] = set()
    for earlier in earlier_attempts(exam):
        passed |= {
            r.officer.officer_id for r in sync_results(session, settings, earlier) if r.passed
        }
    return required_officers(session, exam) - passed


def sync_results(session: Session, settings: Settings, exam: Exam) -> list[ExamResult]:
    """Copy the gradebook's sittings of ``exam`` into ExamResult (added, updated, removed).

    Sittings of officers not on the roster, and makeup sittings of officers who were not
    eligible for the makeup, are left out. An exam the gradebook has no record of (never
    generated or graded through nbgrader) keeps the results already in fazhi's database.
    """
    sittings = recorded_sittings(settings, exam.name)
    if sittings is None:
        return list(session.scalars(select(ExamResult).where(ExamResult.exam_id == exam.id)))
    officers = _officers(session)
    allowed = makeup_eligible(session, settings, exam) if exam.makeup_of else None
    existing = {
        r.officer.officer_id: r
        for r in session.scalars(select(ExamResult).where(ExamResult.exam_id == exam.id))
    }
    attempt = attempt_of(exam)
    now = dt.datetime.now(dt.UTC)
    results = []
    for officer_id, sitting in sorted(sittings.items()):
        if officer_id not in officers or (allowed is not None and officer_id not in allowed):
            continue
        result = existing.pop(officer_id, None)
        if result is None:
            result = ExamResult(exam_id=exam.id, officer=officers[officer_id])
            session.add(result)
        result.attempt = attempt
        result.score = sitting.score
        result.max_score = sitting.max_score
        result.late = sitting.late
        result.passed = passes(exam, sitting.score, sitting.max_score, sitting.late)
        result.submitted_at = sitting.submitted_at
        result.graded_at = now
        results.append(result)
    for stale in existing.values():
        session.delete(stale)
    record_papers(session, exam, [r.officer.officer_id for r in results])
    session.flush()
    return results


def family(exam: Exam) -> list[Exam]:
    """``exam`` and its makeups (and theirs), in attempt order."""
    members, queue = [], [exam]
    while queue:
        current = queue.pop(0)
        members.append(current)
        queue.extend(sorted(current.makeups, key=lambda e: e.name))
    return members


def better(results: Iterable[ExamResult]) -> ExamResult | None:
    """The result that counts: the highest score (a pass beats a late sitting); ties → earlier."""
    ordered = sorted(results, key=lambda r: (not r.passed, -r.score, r.attempt))
    return ordered[0] if ordered else None


def sync_all_results(
    session: Session, settings: Settings, *, names: Iterable[str] | None = None
) -> dict[str, int]:
    """Sync every exam (or those named), originals before makeups; returns results per exam.

    A workspace without exams returns at once, without importing nbgrader.
    """
    # a Core probe: an ORM query would configure every mapper (~0.1 s) for nothing
    if names is None and session.scalar(select(Exam.__table__.c.id).limit(1)) is None:
        return {}
    exams = list(session.scalars(select(Exam).order_by(Exam.id)))
    if names is not None:
        wanted = set(names)
        unknown = wanted - {e.name for e in exams}
        if unknown:
            raise UserError(f"没有这些考试：{'、'.join(sorted(unknown))}")
        exams = [e for e in exams if e.name in wanted]
    return {exam.name: len(sync_results(session, settings, exam)) for exam in exams}


def sync_graded_exam(workspace: Path, assignment: str) -> int | None:
    """After grading ``assignment`` in ``workspace``: sync every exam's results when it is a
    fazhi exam; the number of results of ``assignment``, or None (a plain nbgrader course, or
    an assignment that is not an exam)."""
    from fazhi import db
    from fazhi.settings import CONFIG_FILE, load_settings

    if not (workspace / CONFIG_FILE).exists():
        return None  # a plain nbgrader course: its gradebook is all there is
    settings = load_settings(workspace)
    with db.session_scope(settings) as session:
        if session.scalar(select(Exam.id).where(Exam.name == assignment)) is None:
            return None
        return sync_all_results(session, settings).get(assignment, 0)
