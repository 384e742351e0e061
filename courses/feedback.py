"""Case-exercise feedback in the same clean Chinese form as exam feedback.

Stock ``nbgrader generate_feedback`` shows the notebook itself: English labels, Python code,
0.0/4.0 for a written part nobody has graded yet. ``fazhi course feedback CASE`` instead
writes, per officer with a graded submission, a page listing each part: the officer's
answer, the correct answer, the score (待评阅 while the written reasoning awaits a trainer),
解析 and 依据; it is filed where nbgrader keeps feedback and released with nbgrader's own
``release_feedback``, so officers fetch it from the Assignments tab as usual.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.errors import UserError
from fazhi.gradebook import open_gradebook
from fazhi.kernel.answers import answer_value, load_sheet, sheet_path
from fazhi.kernel.scoring import normalise_choice
from fazhi.models import Officer
from fazhi.nbgrader_api import check_result, nbgrader_api
from fazhi.notebook import essay_answer
from fazhi.paths import confined
from fazhi.settings import Settings

from .case import Case, HandlingCase, ReviewCase
from .compile import basis_options, review_checklist

UNANSWERED = "（未作答）"


@dataclass(frozen=True)
class CaseFeedbackItem:
    """One part of the case as the feedback page shows it (text, never HTML)."""

    title: str
    points: float
    question: str
    given: str
    key: str
    score: float | None  # None: 待评阅
    key_label: str = "正确答案"
    options: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (解析 | 依据 | ..., text)

    @property
    def css(self) -> str:
        if self.score is None:
            return "wait"
        return "ok" if self.score >= self.points - 1e-9 else "part" if self.score > 0 else "no"


def _notes(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    return [(label, text.strip()) for label, text in pairs if text and text.strip()]


def _given(value: Any) -> str:
    return UNANSWERED if value in (None, "", []) else str(value)


def _number(value: float) -> str:
    return f"{value:g}"


def _handling_items(
    case: HandlingCase, sheet: Mapping[str, Any], grades: Mapping[str, float | None], essay: str
) -> list[CaseFeedbackItem]:
    def value(part: str) -> Any:
        return answer_value(dict(sheet), f"{case.id}-{part}")

    def score(part: str) -> float | None:
        return grades.get(f"{case.id}-{part}")

    items = [
        CaseFeedbackItem(
            title="一、程序选择",
            points=case.procedure.points,
            question="本案应当适用哪种程序？",
            given=_given(value("procedure")),
            key=case.procedure.answer,
            score=score("procedure"),
            notes=_notes(("解析", case.procedure.explanation), ("依据", case.procedure.basis)),
        )
    ]
    options, key = basis_options(case)
    chosen = normalise_choice(value("legal_basis") or "")
    items.append(
        CaseFeedbackItem(
            title="二、法律依据",
            points=case.legal_basis.points,
            question="请选出本案应当适用的全部条文（全部选对得满分，少选得一半，选错不得分）：",
            options=[f"{letter}．{text}" for letter, text in options.items()],
            given="、".join(chosen) if chosen else UNANSWERED,
            key="、".join(key),
            score=score("legal_basis"),
            notes=_notes(("解析", case.legal_basis.explanation), ("依据", case.legal_basis.basis)),
        )
    )
    items.append(
        CaseFeedbackItem(
            title="三、情节认定",
            points=case.circumstance.points,
            question="本案当事人的违法情节应当认定为：",
            given=_given(value("circumstance")),
            key=case.circumstance.answer,
            score=score("circumstance"),
            notes=_notes(
                ("解析", case.circumstance.explanation), ("依据", case.circumstance.basis)
            ),
        )
    )
    number = 4
    if case.fine is not None:
        fine = case.fine
        given = value("fine")
        band = (
            f"{_number(fine.low)} 元"
            if fine.low == fine.high
            else f"{_number(fine.low)}～{_number(fine.high)} 元"
        )
        items.append(
            CaseFeedbackItem(
                title="四、罚款数额",
                points=fine.points,
                question="对当事人的罚款数额（元）：",
                given=UNANSWERED if given in (None, "") else f"{given} 元",
                key=band,
                key_label="正确范围",
                score=score("fine"),
                notes=_notes(("解析", fine.explanation), ("依据", fine.basis)),
            )
        )
        number = 5
    written = case.reasoning
    graded = score("reasoning")
    items.append(
        CaseFeedbackItem(
            title=f"{'一二三四五六'[number - 1]}、处理理由（人工评阅）",
            points=written.points,
            question=written.prompt.strip(),
            given=essay.strip() or UNANSWERED,
            key="",
            score=graded,
            # the mark scheme is shown once a trainer has graded the answer
            notes=[]
            if graded is None
            else _notes(("评分要点", written.rubric), ("参考答案", written.reference)),
        )
    )
    return items


def _review_items(
    case: ReviewCase, sheet: Mapping[str, Any], grades: Mapping[str, float | None]
) -> list[CaseFeedbackItem]:
    item_id = f"{case.id}-review"
    statements, defects = review_checklist(case)
    marked = answer_value(dict(sheet), item_id)
    ticked = sorted(int(i) for i in marked) if isinstance(marked, list) else []
    by_text = {entry.text: entry for entry in case.checklist}
    notes = []
    for number, text in enumerate(statements, start=1):
        entry = by_text[text]
        verdict = "存在问题" if entry.defect else "无误"
        basis = f"（依据：{entry.basis}）" if entry.basis else ""
        notes.append((f"第 {number} 项（{verdict}）", f"{entry.explanation}{basis}"))

    def listed(indices: list[int]) -> str:
        return "、".join(f"第 {i + 1} 项" for i in indices)

    return [
        CaseFeedbackItem(
            title="评查清单",
            points=case.points,
            question="勾选案卷中确实存在的问题：",
            options=[f"{n}．{text}" for n, text in enumerate(statements, start=1)],
            given=listed(ticked) if ticked else UNANSWERED,
            key=listed(defects),
            key_label="存在问题的项目",
            score=grades.get(item_id),
            notes=notes,
        )
    ]


def case_feedback_items(
    case: Case, sheet: Mapping[str, Any], grades: Mapping[str, float | None], essay: str = ""
) -> list[CaseFeedbackItem]:
    """Each part of ``case`` with the officer's answer (``sheet``) and score (``grades`` by
    grade id; None while a trainer has still to grade it)."""
    if isinstance(case, ReviewCase):
        return _review_items(case, sheet, grades)
    return _handling_items(case, sheet, grades, essay)


def case_feedback_html(
    case: Case, *, officer_id: str, name: str, items: list[CaseFeedbackItem]
) -> str:
    from fazhi.reporting.pages import render

    kind = "案卷评查" if isinstance(case, ReviewCase) else "案例练习"
    scored = [item.score for item in items if item.score is not None]
    return render(
        "case_feedback.html.j2",
        title=f"{case.title} 成绩反馈",
        heading=f"{kind}：{case.title}",
        officer_id=officer_id,
        name=name,
        score=sum(scored),
        max_score=case.points,
        pending=len(scored) < len(items),
        items=items,
    )


def _essay(notebook: Path, grade_id: str) -> str:
    if not notebook.exists():
        return ""
    for cell in nbformat.read(notebook, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == grade_id and meta.get("solution"):
            return essay_answer(str(cell.source)).strip()  # as typed, stub -> ""
    return ""


def graded_parts(settings: Settings, assignment: str) -> dict[str, dict[str, float | None]]:
    """Officer -> {grade id: score, None while it awaits manual grading} from the gradebook."""
    from nbgrader.api import MissingEntry

    found: dict[str, dict[str, float | None]] = {}
    with open_gradebook(settings) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            return {}
        for submission in gradebook.assignment_submissions(assignment):
            grades: dict[str, float | None] = {}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    waiting = grade.needs_manual_grade
                    grades[grade.name] = None if waiting else float(grade.score or 0)
            found[submission.student_id] = grades
    return found


def release_case_feedback(session: Session, settings: Settings, *, case: Case) -> int:
    """Write every graded officer's feedback on ``case`` and release it; returns how many."""
    officers = {o.officer_id: o for o in session.scalars(select(Officer))}
    written = 0
    for officer_id, grades in sorted(graded_parts(settings, case.id).items()):
        graded = confined(settings.workspace / "autograded", officer_id, case.id)
        if not graded.is_dir():
            continue
        officer = officers.get(officer_id)
        sheet = load_sheet(sheet_path(case.id, graded))
        essay = _essay(graded / f"{case.id}.ipynb", f"{case.id}-reasoning")
        items = case_feedback_items(case, sheet, grades, essay)
        page = case_feedback_html(
            case,
            officer_id=officer_id,
            name=officer.name if officer else officer_id,
            items=items,
        )
        target = confined(settings.workspace / "feedback", officer_id, case.id)
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{case.id}.html").write_text(page, encoding="utf-8")
        for name in ("timestamp.txt", "submission_secret.txt"):
            if (graded / name).exists():
                shutil.copyfile(graded / name, target / name)
        written += 1
    if not written:
        raise UserError(
            f"案例“{case.id}”还没有已评分的提交："
            f"先收取并评分（nbgrader collect、fazhi grade {case.id}）"
        )
    api = nbgrader_api(settings=settings)
    check_result(api.release_feedback(case.id), what="发布成绩反馈")
    return written
