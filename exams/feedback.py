"""Per-officer feedback (HTML, Chinese): each item's result, the correct answer, 解析 and basis.

Written as nbgrader's feedback file (``feedback/<officer>/<exam>/<exam>.html`` beside the
submission's ``timestamp.txt``/``submission_secret.txt``) and released with nbgrader's own
``release_feedback``, so officers fetch it from the Assignments tab. Refused before the exam
closes: the keys must not reach anyone still sitting it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.errors import UserError
from fazhi.kernel.answers import load_sheet, sheet_path
from fazhi.kernel.paper import TYPE_LABELS
from fazhi.kernel.scoring import CHOICE_LETTERS, counted_response
from fazhi.models import Officer
from fazhi.models.exam import Exam
from fazhi.nbgrader_api import check_result, nbgrader_api
from fazhi.notebook import essay_answer
from fazhi.paths import confined
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ

from .draws import PaperItem, officer_paper
from .exam import aware, get_exam
from .results import GradedSitting, gradebook_sittings, passes


@dataclass(frozen=True)
class FeedbackItem:
    """One item of the officer's paper as the feedback page shows it (text, not HTML)."""

    number: int
    type_label: str
    points: float
    stem: str
    options: list[str]  # "A．…" in the order this officer saw them
    given: str
    key: str
    verdict: str
    css: str  # ok / part / no
    explanation: str
    basis: str


def _shown(item: PaperItem, value: Any) -> str:
    """A stored choice answer in the letters this officer saw."""
    if not item.options:
        return str(value)
    letters = [x for x in str(value) if x in CHOICE_LETTERS]
    return "".join(
        sorted(CHOICE_LETTERS[item.options.index(x)] for x in letters if x in item.options)
    )


def _essay_text(notebook: Path, grade_id: str) -> str:
    if not notebook.exists():
        return ""
    for cell in nbformat.read(notebook, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == grade_id and meta.get("solution"):
            return essay_answer(str(cell.source))  # the essay as typed, without its fence
    return ""


def _item(
    exam: Exam, item: PaperItem, sheet: dict, score: float | None, essay: str
) -> FeedbackItem:
    version, points = item.version, float(item.slot.section.points)
    texts = version.options
    options = [
        f"{CHOICE_LETTERS[i]}．{texts[CHOICE_LETTERS.index(c)]}" for i, c in enumerate(item.options)
    ]
    if version.type == "essay":
        given = essay.strip() or "（未作答）"
        key = version.answer
    else:
        raw = sheet.get("answers", {}).get(version.code, {})
        counted = counted_response(sheet, version.code, limit_minutes=exam.minutes)
        given = _shown(item, counted) if counted not in (None, "", []) else "（未作答）"
        if raw and counted is None:
            given = f"{_shown(item, raw.get('value'))}（超出答题时限，不计分）"
        key = _shown(item, version.answer) if item.options else version.answer.replace("|", " 或 ")
    if score is None:
        verdict, css = "待评阅", "part"
    else:
        css = "ok" if score >= points else "part" if score > 0 else "no"
        verdict = f"得分 {score:g} / {points:g}"
    return FeedbackItem(
        number=item.slot.number,
        type_label=TYPE_LABELS[version.type],
        points=points,
        stem=version.stem,
        options=options,
        given=given,
        key=key,
        verdict=verdict,
        css=css,
        explanation=version.explanation,
        basis=version.basis,
    )


def feedback_html(exam: Exam, officer: Officer, sitting: GradedSitting, folder: Path) -> str:
    """The officer's feedback page from the autograded submission in ``folder``."""
    from fazhi.reporting.pages import render

    sheet = load_sheet(sheet_path(exam.name, folder))
    notebook = folder / f"{exam.name}.ipynb"
    items = []
    for item in officer_paper(exam, officer.officer_id):
        grade = sitting.items.get(item.slot.code)
        manual = item.version.type == "essay" and sitting.needs_manual_grade
        essay = _essay_text(notebook, item.slot.code) if item.version.type == "essay" else ""
        items.append(_item(exam, item, sheet, None if manual else grade, essay))
    return render(
        "feedback.html.j2",
        title=f"{exam.title} 成绩反馈",
        exam_title=exam.title,
        officer=officer,
        sitting=sitting,
        passed=passes(exam, sitting.score, sitting.max_score, sitting.late),
        items=items,
    )


def release_feedback(
    session: Session, settings: Settings, *, exam: str, now: dt.datetime | None = None
) -> int:
    """Write every graded officer's feedback and release it; refused before the exam closes."""
    record = get_exam(session, exam)
    closes = aware(record.closes)
    moment = now or dt.datetime.now(dt.UTC)
    if closes is not None and moment < closes:
        raise UserError(
            f"考试“{exam}”于 {closes.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} 截止，"
            "截止之后才能发布成绩反馈（反馈含正确答案和解析）"
        )
    officers = {o.officer_id: o for o in session.scalars(select(Officer))}
    written = 0
    for officer_id, sitting in sorted(gradebook_sittings(settings, exam).items()):
        if officer_id not in officers:
            continue
        graded = confined(settings.workspace / "autograded", officer_id, exam)
        if not graded.is_dir():
            continue
        target = confined(settings.workspace / "feedback", officer_id, exam)
        target.mkdir(parents=True, exist_ok=True)
        page = feedback_html(record, officers[officer_id], sitting, graded)
        (target / f"{exam}.html").write_text(page, encoding="utf-8")
        for name in ("timestamp.txt", "submission_secret.txt"):
            if (graded / name).exists():
                shutil.copyfile(graded / name, target / name)
        written += 1
    if written:
        api = nbgrader_api(settings=settings)
        check_result(api.release_feedback(exam), what="发布成绩反馈")
    return written
