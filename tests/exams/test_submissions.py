"""import-answers: answer sheets become nbgrader submissions; every bad row is named and
nothing is written."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import parse_utc
from sqlalchemy import func, select

from fazhi import db
from fazhi.exams.draws import officer_paper
from fazhi.exams.exam import get_exam
from fazhi.models.exam import Paper
from fazhi.notebook import essay_answer
from fazhi.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow]
HEADER = ["工号", "题号", "作答"]
BLUEPRINT = [
    "--count",
    "单选=2",
    "--count",
    "多选=1",
    "--count",
    "判断=1",
    "--count",
    "填空=1",
    "--count",
    "简答=1",
]


@pytest.fixture
def released(workspace, cli, test_bank, roster) -> str:  # type: ignore[no-untyped-def]
    """Blueprint exam ``s1`` on the test bank, released (no window)."""
    assert (
        cli(
            "exam", "create", "s1", "--bank", test_bank, *BLUEPRINT, "-w", workspace.workspace
        ).exit_code
        == 0
    )
    result = cli("exam", "release", "s1", "-w", workspace.workspace)
    assert result.exit_code == 0, result.output
    return "s1"


def paper_codes(settings: Settings, exam: str, officer: str) -> dict[str, str]:
    """题号 -> type of the officer's paper."""
    with db.session_scope(settings) as session:
        return {
            i.version.code: i.version.type for i in officer_paper(get_exam(session, exam), officer)
        }


def answered(settings: Settings, exam: str, officer: str, keys: dict[str, str]) -> list[list[str]]:
    return [[officer, code, keys[code]] for code in paper_codes(settings, exam, officer)]


def nothing_written(settings: Settings) -> bool:
    with db.session_scope(settings) as session:
        papers = session.scalar(select(func.count()).select_from(Paper))
    submitted = [
        p for p in (settings.workspace / "submitted").iterdir() if not p.name.startswith(".")
    ]
    return papers == 0 and submitted == []


def test_bad_rows_are_named_and_nothing_written(
    workspace, cli, released, keys, tmp_path, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Are an unknown officer or question, a question not on the officer's paper, a response
    that cannot be an answer and a repeated row each refused with file, row and column?"""
    good = answered(workspace, released, "CG001", keys)
    mine = paper_codes(workspace, released, "CG001")
    not_mine = next(code for code in keys if code not in mine)
    single = next(code for code, kind in mine.items() if kind == "single")
    truefalse = next(code for code, kind in mine.items() if kind == "truefalse")
    cases = [  # (row replacing the officer's row for that question, column, message)
        (["CG999", single, "B"], "工号", "名册中没有工号“CG999”"),
        (["", single, "B"], "工号", "工号不能为空"),
        (["CG001", "ZZ-9", "B"], "题号", "题号“ZZ-9”不在该考生的试卷中"),
        (["CG001", not_mine, "B"], "题号", f"题号“{not_mine}”不在该考生的试卷中"),
        (["CG001", single, "G"], "作答", "不是本题的选项"),
        (["CG001", truefalse, "也许"], "作答", "判断题作答“也许”无法识别"),
    ]
    duplicate = (["CG001", single, "A"], "题号", f"CG001 的题号“{single}”与第 2 行重复")
    for row, column, expected in [*cases, duplicate]:
        kept = good if row is duplicate[0] else [r for r in good if r[1] != row[1]]
        path = csv_file(tmp_path / "答题卡.csv", HEADER, [*kept, row])
        result = cli("exam", "import-answers", released, path, "-w", workspace.workspace)
        line = len(kept) + 2
        assert result.exit_code == 2, row
        assert "答题卡.csv" in result.stderr and f"第 {line} 行" in result.stderr, result.stderr
        assert column in result.stderr and expected in result.stderr, result.stderr
        assert nothing_written(workspace)


def test_sheets_become_submissions(workspace, cli, released, keys, tmp_path, csv_file) -> None:  # type: ignore[no-untyped-def]
    """Does each officer get nbgrader's submission folder: notebook, paper, answers (canonical,
    officer recorded), timestamp nbgrader reads correctly, and the essay in its answer cell?"""
    forms = {
        "single": str.lower,
        "multiple": lambda k: "，".join(k).translate({ord(c): ord(c) + 0xFEE0 for c in "ABCD"}),
        "truefalse": lambda k: "√" if k == "正确" else "×",
    }
    rows = []
    for officer in ("CG001", "CG002"):
        for code, kind in paper_codes(workspace, released, officer).items():
            key = keys[code]
            rows.append(
                [
                    officer,
                    code,
                    forms.get(kind, lambda k: k)(key)
                    if kind != "essay"
                    else "我的答案：应当告知。",
                ]
            )
    rows.append(
        ["CG003", next(iter(paper_codes(workspace, released, "CG003"))), ""]
    )  # handed in blank
    path = csv_file(tmp_path / "cards.csv", HEADER, rows, "gb18030")
    result = cli(
        "exam",
        "import-answers",
        released,
        path,
        "--at",
        "2026-03-02 10:30",
        "-w",
        workspace.workspace,
    )
    assert result.exit_code == 0, result.output
    assert "已导入 3 人" in result.stdout
    folder = workspace.workspace / "submitted" / "CG001" / released
    assert sorted(p.name for p in folder.iterdir()) == [
        "paper.json", "s1.answers.json", "s1.ipynb", "submission_secret.txt", "timestamp.txt",
    ]  # fmt: skip
    assert parse_utc((folder / "timestamp.txt").read_text()) == dt.datetime(2026, 3, 2, 2, 30)
    sheet = json.loads((folder / "s1.answers.json").read_text(encoding="utf-8"))
    assert sheet["officer"] == "CG001" and sheet["started_at"] == "2026-03-02T02:30:00+00:00"
    kinds = paper_codes(workspace, released, "CG001")
    stored = {code: entry["value"] for code, entry in sheet["answers"].items()}
    essay_text = "我的答案：应当告知。"  # also saved in the sheet, as the text box saves it
    assert stored == {c: keys[c] if k != "essay" else essay_text for c, k in kinds.items()}
    essay = next(code for code, kind in kinds.items() if kind == "essay")
    nb = nbformat.read(folder / "s1.ipynb", as_version=4)
    with db.session_scope(workspace) as session:
        slot = next(
            i.slot.code
            for i in officer_paper(get_exam(session, released), "CG001")
            if i.version.code == essay
        )
    answer_cell = next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == slot)
    assert essay_answer(answer_cell.source) == essay_text  # as plain text (fenced)
    blank = json.loads(
        (workspace.workspace / "submitted" / "CG003" / released / "s1.answers.json").read_text(
            encoding="utf-8"
        )
    )
    assert blank["answers"] == {} and blank["officer"] == "CG003"
    with db.session_scope(workspace) as session:
        assert session.scalar(select(func.count()).select_from(Paper)) == 3
    again = cli(
        "exam",
        "import-answers",
        released,
        csv_file(tmp_path / "again.csv", HEADER, rows[:1]),
        "--at",
        "2026-03-02 11:00",
        "-w",
        workspace.workspace,
    )
    assert again.exit_code == 0
    resubmitted = json.loads((folder / "s1.answers.json").read_text(encoding="utf-8"))
    assert len(resubmitted["answers"]) == 1  # a re-import replaces, as resubmitting does


def test_preconditions(workspace, cli, test_bank, roster, keys, tmp_path, csv_file) -> None:  # type: ignore[no-untyped-def]
    """Is an unreleased exam refused, and a closed one unless --at says when cards came in?"""
    cli(
        "exam",
        "create",
        "c1",
        "--bank",
        test_bank,
        "--all",
        "--closes",
        "2020-01-10 18:00",
        "-w",
        workspace.workspace,
    )
    path = csv_file(tmp_path / "c.csv", HEADER, [["CG001", "T-01", "B"]])
    early = cli("exam", "import-answers", "c1", path, "-w", workspace.workspace)
    assert early.exit_code == 2 and "fazhi exam release c1" in early.stderr
    cli("exam", "release", "c1", "-w", workspace.workspace)
    closed = cli("exam", "import-answers", "c1", path, "-w", workspace.workspace)
    assert (
        closed.exit_code == 2
        and "2020-01-10 18:00 截止" in closed.stderr
        and "--at" in closed.stderr
    )
    assert nothing_written(workspace)
    ok = cli(
        "exam", "import-answers", "c1", path, "--at", "2020-01-10 17:00", "-w", workspace.workspace
    )
    assert ok.exit_code == 0, ok.output
    assert (workspace.workspace / "submitted" / "CG001" / "c1" / "c1.ipynb").exists()
    assert not Path(workspace.workspace / "submitted" / "CG002").exists()
