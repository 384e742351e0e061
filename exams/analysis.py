"""What the exam reports show: score rows per officer and item statistics per question.

Scores come from nbgrader's gradebook (after ``nbgrader autograde`` or ``fazhi grade``) via
``results.sync_results``. For an original exam each officer's row is the result that counts
(the better of the exam and its makeups; ``attempt`` says which); for a makeup, its own
sittings. Officers who had to sit and did not appear with an empty score.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fazhi.errors import UserError
from fazhi.models import Officer
from fazhi.models.exam import Exam, ExamResult
from fazhi.settings import Settings

from .compile import max_score, slots_of
from .draws import officer_paper
from .itemstats import ItemStat, cronbach_alpha, item_statistics
from .results import (
    better,
    family,
    gradebook_sittings,
    makeup_eligible,
    required_officers,
    sync_results,
)

SCORE_COLUMNS = ["officer_id", "name", "unit", "score", "max", "passed", "attempt", "late"]
ITEM_COLUMNS = [
    "question_id",
    "facility",
    "discrimination",
    "discriminative_efficiency",
    "answered",
]
# The human-facing item table (HTML, XLSX): Chinese labels, percentages, the question text.
ITEM_LABELS = ["题号", "题目", "难度（得分率）", "区分度", "区分效率", "作答人数", "提示"]
MIN_ANSWERS = 30  # below this an item's statistics are too noisy to act on
WEAK_DISCRIMINATION = 0.2
FEW_ANSWERS_NOTE = f"作答不足 {MIN_ANSWERS} 人，仅供参考"
WEAK_NOTE = f"区分度低于 {WEAK_DISCRIMINATION:g}，建议复查"


@dataclass(frozen=True)
class ScoreRow:
    officer_id: str
    name: str
    unit: str
    score: float | None  # None: did not sit
    max: float
    passed: bool
    attempt: int | None
    late: bool


def score_rows(session: Session, settings: Settings, exam: Exam) -> list[ScoreRow]:
    members = [exam] if exam.makeup_of else family(exam)
    results: dict[str, list[ExamResult]] = {}
    for member in members:
        for result in sync_results(session, settings, member):
            results.setdefault(result.officer.officer_id, []).append(result)
    expected = (
        makeup_eligible(session, settings, exam)
        if exam.makeup_of
        else required_officers(session, exam)
    )
    officers = {
        o.officer_id: o
        for o in session.scalars(select(Officer).options(selectinload(Officer.unit)))
    }
    rows = []
    for officer_id in sorted(expected | set(results)):
        officer = officers[officer_id]
        counted = better(results.get(officer_id, []))
        rows.append(
            ScoreRow(
                officer_id=officer_id,
                name=officer.name,
                unit=officer.unit.path,
                score=None if counted is None else counted.score,
                max=counted.max_score if counted else max_score(exam),
                passed=bool(counted and counted.passed),
                attempt=counted.attempt if counted else None,
                late=bool(counted and counted.late),
            )
        )
    return rows


@dataclass(frozen=True)
class ItemReport:
    items: list[ItemStat]
    alpha: float | None
    totals: list[float]  # each included officer's total (for the histogram)
    max_score: float
    officers: int
    stems: dict[str, str]  # 题号 -> question text

    def few_answers(self) -> list[str]:
        """题号 of items answered by fewer than MIN_ANSWERS officers."""
        return [s.question_id for s in self.items if s.answered < MIN_ANSWERS]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def item_notes(stat: ItemStat) -> str:
    notes = []
    if stat.answered < MIN_ANSWERS:
        notes.append(FEW_ANSWERS_NOTE)
    if stat.discrimination is not None and stat.discrimination < WEAK_DISCRIMINATION:
        notes.append(WEAK_NOTE)
    return "；".join(notes)


def item_display_rows(report: ItemReport) -> list[list[str]]:
    """The item table as trainers read it (ITEM_LABELS): percentages, two decimals, notes."""
    return [
        [
            s.question_id,
            report.stems.get(s.question_id, ""),
            _percent(s.facility),
            "" if s.discrimination is None else f"{s.discrimination:.2f}",
            _percent(s.discriminative_efficiency),
            str(s.answered),
            item_notes(s),
        ]
        for s in report.items
    ]


def first_attempt_scores(
    session: Session, settings: Settings, exam: Exam
) -> dict[str, dict[str, float]]:
    """Officer -> {grade id: score} for sittings of ``exam`` that are the officer's first.

    An officer who sat an earlier exam of the family (the original, for a makeup) is left out.
    """
    sittings = gradebook_sittings(settings, exam.name)
    earlier: set[str] = set()
    current = exam.makeup_of
    while current is not None:
        earlier |= set(gradebook_sittings(settings, current.name))
        current = current.makeup_of
    roster = set(session.scalars(select(Officer.officer_id)))
    return {
        officer: sitting.items
        for officer, sitting in sittings.items()
        if officer in roster and officer not in earlier
    }


def item_report(session: Session, settings: Settings, exam: Exam) -> ItemReport:
    """docs/contract.md's item statistics over officers' first graded attempt of ``exam``."""
    slots = slots_of(exam)
    slot_scores = {
        officer: {s.code: float(items.get(s.code, 0.0)) for s in slots}
        for officer, items in first_attempt_scores(session, settings, exam).items()
    }
    if not slot_scores:
        raise UserError(
            f"考试“{exam.name}”还没有已评分的提交，无法做试题分析"
            f"（先收取并评分：fazhi grade {exam.name}）"
        )
    question_scores: dict[str, dict[str, float]] = {}
    maxima: dict[str, float] = {}
    for officer, scores in slot_scores.items():
        mine = question_scores.setdefault(officer, {})
        for item in officer_paper(exam, officer):
            mine[item.version.code] = scores[item.slot.code]
            maxima.setdefault(item.version.code, float(item.slot.section.points))
    order = [c.version.code for s in exam.sections for c in s.candidates]
    ordered = {code: maxima[code] for code in order if code in maxima}
    return ItemReport(
        items=item_statistics(question_scores, ordered),
        alpha=cronbach_alpha(slot_scores),
        totals=[sum(scores.values()) for scores in slot_scores.values()],
        max_score=max_score(exam),
        officers=len(slot_scores),
        stems={c.version.code: c.version.stem for s in exam.sections for c in s.candidates},
    )
