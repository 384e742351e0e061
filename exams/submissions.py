"""``fazhi exam import-answers``: answer sheets (paper exams, card scanners) → nbgrader submissions.

Each officer's rows become exactly what ``nbgrader submit`` + ``collect`` would leave after the
officer had clicked the same answers: ``submitted/<officer>/<exam>/`` holding the released
notebook (and ``paper.json``), ``<exam>.answers.json`` (the widgets' file, with the officer
recorded) and nbgrader's ``timestamp.txt``/``submission_secret.txt``. Responses use the
bank's option letters (as the widgets store them), whatever order a paper showed.

All-or-nothing: every row is checked first; any error (unknown officer or question, a
response that cannot be an answer) names file, row and column, and nothing is written.
Folders are built out of sight and appear in ``submitted/`` only when the caller's
transaction commits (``publish``), so a killed import leaves no submission behind.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.errors import InputErrors, UserError
from fazhi.identifiers import normalise_officer_id, officer_key
from fazhi.kernel.answers import save_sheet, sheet_path
from fazhi.kernel.paper import OFFICER_KEY
from fazhi.kernel.scoring import normalise_choice, normalise_truefalse
from fazhi.models import Officer
from fazhi.models.bank import QuestionVersion
from fazhi.models.exam import Exam
from fazhi.notebook import essay_markdown
from fazhi.paths import confined
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ, Column, Problems, cell_text, parse_rows, read_table

from .compile import slots_of
from .draws import officer_paper, record_papers
from .exam import aware, get_exam
from .publish import StagedBatch, recover
from .results import makeup_eligible
from .timestamps import TIMESTAMP_FORMAT

COLUMNS = [
    Column("officer_id", "工号", parse=normalise_officer_id, blank_ok=False, max_length=64),
    Column("question_id", "题号", parse=cell_text, blank_ok=False, max_length=64),
    Column("response", "作答", parse=cell_text, max_length=20000),  # essays are long
]
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
        if version.type == "single" and len(letters) > 1:
            raise ValueError(f"作答“{raw}”选了 {len(letters)} 项，单选题只能选一项")
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
    table = read_table(path, COLUMNS, lazy=True)
    officers = {officer_key(o.officer_id): o.officer_id for o in session.scalars(select(Officer))}
    eligible = makeup_eligible(session, settings, exam) if exam.makeup_of else None
    problems = Problems(table.path)
    answers: dict[str, dict[str, Any]] = defaultdict(dict)
    seen: dict[tuple[str, str], int] = {}
    papers: dict[str, dict[str, QuestionVersion]] = {}
    for row, values in parse_rows(table, COLUMNS, problems):
        code = values["question_id"]
        raw = values.get("response") or ""

        def fail(column: str, message: str, row=row) -> None:  # type: ignore[no-untyped-def]
            problems.add(table.error(row, _BY_NAME[column], message))

        officer_id = officers.get(values["officer_id"])
        if officer_id is None:
            fail("officer_id", f"名册中没有工号“{values['officer_id']}”")
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
            fail("question_id", f"题号“{code}”不在{where}中")
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
    problems.raise_any()
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
    for code, value in sitting.answers.items():  # essays too, as the text box saves them
        sheet["answers"][code] = {"value": value, "at": moment}
    save_sheet(sheet_path(exam.name, folder), sheet)
    written = {essays[c]: v for c, v in sitting.answers.items() if c in essays}
    if written:
        nb = nbformat.read(notebook_path, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in written and cell.metadata["nbgrader"].get("solution"):
                cell.source = essay_markdown(str(written[grade_id]))  # shown as plain text
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


YEAR_BEFORE = dt.timedelta(days=366)


def _check_handed_in(exam: Exam, at: dt.datetime) -> None:
    """Refuse a hand-in time before the exam opened (with no opening time: more than a year
    before it closed, or was created): a mistyped year would file every sheet elsewhere."""
    opens, closes = aware(exam.opens), aware(exam.closes)
    if opens is not None:
        earliest, what = opens, "开考时间"
    elif closes is not None:
        earliest, what = closes - YEAR_BEFORE, "截止时间一年以前"
    else:
        earliest, what = aware(exam.created_at) - YEAR_BEFORE, "创建时间一年以前"  # type: ignore[operator]
    if at < earliest:
        raise UserError(
            f"--at 交卷时间 {at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} 早于考试“{exam.name}”的"
            f"{what}（{earliest.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}）：请检查年份"
        )


def import_answers(
    session: Session, settings: Settings, *, exam: str, path: Path | str, at: dt.datetime | None
) -> int:
    """Validate ``path`` completely, then write one submission per officer; returns how many.

    ``at`` is when the answer sheets were handed in (nbgrader's submission time); default
    now. Importing again replaces an officer's earlier submission, as resubmitting does.
    """
    record = get_exam(session, exam)
    release = confined(settings.workspace / "release", exam)
    if not (release / f"{exam}.ipynb").exists():
        raise UserError(f"考试“{exam}”尚未生成试卷：请先运行 fazhi exam release {exam}")
    moment = at or dt.datetime.now(dt.UTC)
    closes = aware(record.closes)
    if at is None and closes is not None and moment > closes:
        raise UserError(
            f"考试“{exam}”已于 {closes.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} 截止："
            "请用 --at 指定答题卡的交卷时间（否则全部记为迟交）"
        )
    if at is not None:
        _check_handed_in(record, at)
    recover(settings.workspace)
    sittings = parse_answer_sheets(session, settings, record, path)
    record_papers(session, record, [s.officer for s in sittings])
    batch = StagedBatch(settings.workspace)
    try:
        for sitting in sittings:
            folder = batch.folder_for(sitting.officer, exam)
            essays = _essay_cells(record, sitting.officer)
            _write_submission(folder, record, release, sitting, essays, moment)
    except BaseException:
        shutil.rmtree(batch.folder, ignore_errors=True)
        raise
    batch.publish_on_commit(session)
    return len(sittings)
