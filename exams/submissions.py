"""``fazhi exam import-answers``: answer sheets (paper exams, card scanners) → nbgrader submissions.

Each officer's rows become exactly what ``nbgrader submit`` + ``collect`` would leave after the
officer had clicked the same answers: ``submitted/<officer>/<exam>/`` holding the released
notebook (and ``paper.json``), ``<exam>.answers.json`` (the widgets' file, with the officer
recorded) and nbgrader's ``timestamp.txt``/``submission_secret.txt``. Responses use the
bank's option letters (as the widgets store them), whatever order a paper showed.

All-or-nothing: every row is checked first; any error (unknown officer or question, a
response that cannot be an answer) names file, row and column, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.errors import InputError, InputErrors, UserError
from fazhi.kernel.answers import save_sheet, sheet_path
from fazhi.kernel.paper import OFFICER_KEY
from fazhi.kernel.scoring import normalise_choice, normalise_truefalse
from fazhi.models import Officer
from fazhi.models.bank import QuestionVersion
from fazhi.models.exam import Exam
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ, Column, cell_text, read_table

from .compile import slots_of
from .draws import officer_paper, record_papers
from .exam import aware, get_exam
from .results import makeup_eligible
from .timestamps import TIMESTAMP_FORMAT

COLUMNS = [Column("officer_id", "工号"), Column("question_id", "题号"), Column("response", "作答")]
_BY_NAME = {c.name: c for c in COLUMNS}


@dataclass(frozen=True)
class Sitting:
    officer: str
    answers: dict[str, Any]  # 题号 -> stored value (choice/truefalse/fill) or essay text


def _value(version: QuestionVersion, raw: str) -> Any:
    """The value the widget would have stored for ``raw``; ValueError when it cannot be one."""
    if version.type in ("single", "multiple"):
        letters = normalise_choice(raw)
        allowed = "ABCDEF"[: len(version.options)]
        if not letters or any(x not in allowed for x in letters):
            raise ValueError(f"作答“{raw}”不是本题的选项（本题选项为 {allowed[0]}–{allowed[-1]}）")
        return letters
    if version.type == "truefalse":
        verdict = normalise_truefalse(raw)
        if verdict is None:
            raise ValueError(f"判断题作答“{raw}”无法识别，应为 正确/错误、对/错、√/× 或 T/F")
        return "正确" if verdict else "错误"
    return raw


def parse_answer_sheets(
    session: Session, settings: Settings, exam: Exam, path: Path | str
) -> list[Sitting]:
    """Validate every row against the roster and each officer's own paper."""
    table = read_table(path, COLUMNS)
    officers = {o.officer_id: o for o in session.scalars(select(Officer))}
    eligible = makeup_eligible(session, settings, exam) if exam.makeup_of else None
    errors: list[InputError] = []
    answers: dict[str, dict[str, Any]] = defaultdict(dict)
    seen: dict[tuple[str, str], int] = {}
    papers: dict[str, dict[str, QuestionVersion]] = {}
    for row in table.rows:
        officer_id = cell_text(row.values.get("officer_id"))
        code = cell_text(row.values.get("question_id"))
        raw = cell_text(row.values.get("response"))

        def fail(column: str, message: str, row=row) -> None:  # type: ignore[no-untyped-def]
            errors.append(table.error(row, _BY_NAME[column], message))

        if officer_id not in officers:
            fail("officer_id", f"名册中没有工号“{officer_id}”" if officer_id else "工号不能为空")
            continue
        if eligible is not None and officer_id not in eligible:
            fail("officer_id", f"{officer_id} 不需要参加本场补考（原考试已及格，或当时不在岗）")
            continue
        if officer_id not in papers:
            papers[officer_id] = {
                item.version.code: item.version for item in officer_paper(exam, officer_id)
            }
        version = papers[officer_id].get(code)
        if version is None:
            where = "该考生的试卷" if exam.mode == "blueprint" else f"考试“{exam.name}”"
            fail("question_id", f"题号“{code}”不在{where}中" if code else "题号不能为空")
            continue
        if (officer_id, code) in seen:
            fail("question_id", f"{officer_id} 的题号“{code}”与第 {seen[officer_id, code]} 行重复")
            continue
        seen[officer_id, code] = row.line
        if not raw:
            answers[officer_id]  # an officer who left everything blank still handed in
            continue
        try:
            answers[officer_id][code] = _value(version, raw)
        except ValueError as err:
            fail("response", str(err))
    if errors:
        raise InputErrors(errors)
    if not answers:
        raise InputErrors([table.error(None, None, "文件中没有任何作答记录")])
    return [Sitting(officer, found) for officer, found in answers.items()]


def _write_submission(
    folder: Path,
    exam: Exam,
    release: Path,
    sitting: Sitting,
    essays: dict[str, str],
    at: dt.datetime,
) -> None:
    """One officer's submission folder, as ``nbgrader collect`` leaves it."""
    shutil.copytree(release, folder)
    notebook_path = folder / f"{exam.name}.ipynb"
    moment = at.astimezone(dt.UTC).isoformat(timespec="seconds")
    sheet: dict[str, Any] = {"sheet": exam.name, "started_at": moment, OFFICER_KEY: sitting.officer}
    sheet["answers"] = {}
    for code, value in sitting.answers.items():
        if code in essays:
            continue
        sheet["answers"][code] = {"value": value, "at": moment}
    save_sheet(sheet_path(exam.name, folder), sheet)
    written = {essays[c]: v for c, v in sitting.answers.items() if c in essays}
    if written:
        nb = nbformat.read(notebook_path, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in written and cell.metadata["nbgrader"].get("solution"):
                cell.source = str(written[grade_id])
        nbformat.write(nb, notebook_path)
    (folder / "timestamp.txt").write_text(at.astimezone(LOCAL_TZ).strftime(TIMESTAMP_FORMAT))
    (folder / "submission_secret.txt").write_text(secrets.token_hex(64))


def _essay_cells(exam: Exam, officer: str) -> dict[str, str]:
    """题号 of the officer's essay questions -> grade id of the answer cell."""
    cells = {}
    for item, slot in zip(officer_paper(exam, officer), slots_of(exam), strict=True):
        if item.version.type == "essay":
            cells[item.version.code] = slot.code
    return cells


def import_answers(
    session: Session, settings: Settings, *, exam: str, path: Path | str, at: dt.datetime | None
) -> int:
    """Validate ``path`` completely, then write one submission per officer; returns how many.

    ``at`` is when the answer sheets were handed in (nbgrader's submission time); default
    now. Importing again replaces an officer's earlier submission, as resubmitting does.
    """
    record = get_exam(session, exam)
    release = settings.workspace / "release" / exam
    if not (release / f"{exam}.ipynb").exists():
        raise UserError(f"考试“{exam}”尚未生成试卷：请先运行 fazhi exam release {exam}")
    moment = at or dt.datetime.now(dt.UTC)
    closes = aware(record.closes)
    if at is None and closes is not None and moment > closes:
        raise UserError(
            f"考试“{exam}”已于 {closes.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} 截止："
            "请用 --at 指定答题卡的交卷时间（否则全部记为迟交）"
        )
    sittings = parse_answer_sheets(session, settings, record, path)
    record_papers(session, record, [s.officer for s in sittings])
    submitted = settings.workspace / "submitted"
    submitted.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=submitted, prefix=".import-") as staging:
        built = []
        for sitting in sittings:
            folder = Path(staging) / sitting.officer
            essays = _essay_cells(record, sitting.officer)
            _write_submission(folder, record, release, sitting, essays, moment)
            built.append((folder, submitted / sitting.officer / exam))
        for folder, target in built:
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            folder.rename(target)
    return len(sittings)
