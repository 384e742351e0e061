"""Question banks: import (encodings, header languages, XLSX), validation, export round trip,
versioning, and the bundled banks of a fresh workspace."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from fazhi import db
from fazhi.cli.setup import initialise
from fazhi.exams.bank import parse_bank
from fazhi.exams.exam import ExamPlan, create_exam, get_exam
from fazhi.models.bank import Bank, Question, QuestionVersion
from fazhi.settings import Settings

pytestmark = pytest.mark.db


def listed(cli, workspace: Settings) -> dict[str, int]:  # type: ignore[no-untyped-def]
    result = cli("bank", "list", "--workspace", workspace.workspace)
    assert result.exit_code == 0, result.output
    return {
        name: int(count)
        for name, count, *_ in (line.split("\t") for line in result.stdout.splitlines())
    }


def version_count(settings: Settings) -> int:
    with db.session_scope(settings) as session:
        return session.scalar(select(func.count()).select_from(QuestionVersion)) or 0


def test_import_chinese_headers_gb18030(
    workspace, cli, tmp_path, bank_rows, zh_header, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Does a GB18030 CSV with Chinese headers import, and does `bank list` show it?"""
    path = csv_file(tmp_path / "题库.csv", zh_header, bank_rows, "gb18030")
    result = cli("bank", "import", path, "--bank", "处罚法", "--workspace", workspace.workspace)
    assert result.exit_code == 0, result.output
    assert "新增 13 题" in result.stdout
    assert listed(cli, workspace)["处罚法"] == 13
    with db.session_scope(workspace) as session:
        versions = {
            v.code: v for v in session.scalars(select(QuestionVersion)) if v.code.startswith("T-")
        }
        assert versions["T-06"].answer == "ACD" and versions["T-06"].options[3] == "丁项"
        assert versions["T-11"].answer == "二百|200" and versions["T-11"].type == "fill"
        assert versions["T-13"].points == 5.0 and versions["T-13"].difficulty == "难"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_import_english_headers_utf8(
    workspace, cli, tmp_path, bank_rows, en_header, csv_file, encoding
) -> None:  # type: ignore[no-untyped-def]
    """Do UTF-8 files with and without BOM and English headers import, with Chinese 题型 words?"""
    bank_rows[0][1] = "单选"
    bank_rows[5][1] = "多选题"
    bank_rows[8][1] = "判断"
    bank_rows[5][9] = "ａ，ｃ，Ｄ"  # full-width, separated, mixed case
    path = csv_file(tmp_path / "bank.csv", en_header, bank_rows, encoding)
    assert cli("bank", "import", path, "--bank", "t", "-w", workspace.workspace).exit_code == 0
    with db.session_scope(workspace) as session:
        types = {v.code: (v.type, v.answer) for v in session.scalars(select(QuestionVersion))}
    assert types["T-01"] == ("single", "B")
    assert types["T-06"] == ("multiple", "ACD")
    assert types["T-09"] == ("truefalse", "正确")


def test_import_xlsx(workspace, cli, tmp_path, bank_rows, zh_header, xlsx_file) -> None:  # type: ignore[no-untyped-def]
    """Does an XLSX bank import, numbers in 分值 and 答案 cells included?"""
    rows = [[*row[:10], float(row[10]), *row[11:]] for row in bank_rows]
    rows[10][9] = 200  # a fill answer Excel stored as a number
    path = xlsx_file(tmp_path / "bank.xlsx", zh_header, rows)
    result = cli("bank", "import", path, "--bank", "t", "-w", workspace.workspace)
    assert result.exit_code == 0, result.output
    with db.session_scope(workspace) as session:
        fill = next(v for v in session.scalars(select(QuestionVersion)) if v.code == "T-11")
    assert fill.answer == "200"


BAD_CASES = [
    pytest.param(2, "答案", "", "答案不能为空", id="missing-answer"),
    pytest.param(3, "答案", "E", "没有对应的选项", id="answer-letter-without-option"),
    pytest.param(7, "答案", "A", "只有一个选项", id="multiple-with-one-letter"),
    pytest.param(4, "题号", "T-01", "与第 2 行重复", id="duplicate-id"),
    pytest.param(5, "分值", "0", "必须是正数", id="zero-points"),
    pytest.param(6, "分值", "-2", "必须是正数", id="negative-points"),
    pytest.param(8, "题型", "选择题", "无法识别的题型", id="unknown-type"),
    pytest.param(9, "法律依据", "", "法律依据不能为空", id="missing-basis"),
    pytest.param(10, "答案", "也许", "无法识别", id="truefalse-answer"),
    pytest.param(2, "选项C", "", "选项应从 A 起连续填写", id="option-gap"),
    pytest.param(2, "分值", "一分", "不是数字", id="points-not-a-number"),
    pytest.param(3, "题号", "处罚-1", "只能包含英文字母", id="id-not-ascii"),
    pytest.param(11, "难度", "很难", "应为 易、中 或 难", id="difficulty"),
]


@pytest.mark.parametrize(("line", "column", "value", "expected"), BAD_CASES)
def test_bad_rows_are_refused_and_nothing_written(  # type: ignore[no-untyped-def]
    workspace, cli, tmp_path, bank_rows, zh_header, csv_file, line, column, value, expected
) -> None:
    """Is each bad cell reported with file, row and column, and is nothing written?"""
    before = version_count(workspace)
    bank_rows[line - 2][zh_header.index(column)] = value
    path = csv_file(tmp_path / "坏题库.csv", zh_header, bank_rows)
    result = cli("bank", "import", path, "--bank", "bad", "-w", workspace.workspace)
    assert result.exit_code == 2
    message = result.stderr
    assert "坏题库.csv" in message and f"第 {line} 行" in message and column in message, message
    assert expected in message
    assert "Traceback" not in message
    assert "bad" not in listed(cli, workspace)
    assert version_count(workspace) == before


def test_all_errors_reported_together(workspace, tmp_path, bank_rows, zh_header, csv_file) -> None:  # type: ignore[no-untyped-def]
    """Are several bad rows reported in one message, each with its row?"""
    from fazhi.errors import InputErrors

    bank_rows[0][9] = ""
    bank_rows[4][11] = ""
    with pytest.raises(InputErrors) as caught:
        parse_bank(csv_file(tmp_path / "b.csv", zh_header, bank_rows))
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (2, "答案(answer)"),
        (6, "法律依据(basis)"),
    ]


def test_missing_column_is_named(workspace, cli, tmp_path, bank_rows, zh_header, csv_file) -> None:  # type: ignore[no-untyped-def]
    """Is a missing required column (法律依据) named?"""
    index = zh_header.index("法律依据")
    header = zh_header[:index] + zh_header[index + 1 :]
    rows = [row[:index] + row[index + 1 :] for row in bank_rows]
    result = cli(
        "bank",
        "import",
        csv_file(tmp_path / "m.csv", header, rows),
        "--bank",
        "m",
        "-w",
        workspace.workspace,
    )
    assert result.exit_code == 2
    assert "缺少必需的列" in result.stderr and "法律依据(basis)" in result.stderr


def test_bad_file_leaves_existing_bank_unchanged(
    workspace, cli, test_bank, tmp_path, bank_rows, en_header, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Does a failing re-import leave the bank's questions and versions exactly as they were?"""
    before = version_count(workspace)
    bank_rows[0][2] = "改过的题干"
    bank_rows[12][10] = "0"
    result = cli(
        "bank",
        "import",
        csv_file(tmp_path / "x.csv", en_header, bank_rows),
        "--bank",
        test_bank,
        "-w",
        workspace.workspace,
    )
    assert result.exit_code == 2
    assert version_count(workspace) == before
    with db.session_scope(workspace) as session:
        stem = session.scalar(
            select(QuestionVersion.stem).join(Question).where(Question.code == "T-01")
        )
    assert stem == "T-01 的题干（single）"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_import_round_trip(workspace, cli, test_bank, tmp_path, suffix) -> None:  # type: ignore[no-untyped-def]
    """Does an exported bank import again unchanged — also into a new bank, field for field?"""
    out = tmp_path / f"导出{suffix}"
    result = cli("bank", "export", test_bank, "--out", out, "-w", workspace.workspace)
    assert result.exit_code == 0, result.output
    again = cli("bank", "import", out, "--bank", test_bank, "-w", workspace.workspace)
    assert "新增 0 题，修改 0 题" in again.stdout and "未变 13 题" in again.stdout
    assert cli("bank", "import", out, "--bank", "copy", "-w", workspace.workspace).exit_code == 0
    with db.session_scope(workspace) as session:
        banks = {b.name: b for b in session.scalars(select(Bank))}
        original = [q.current for q in banks[test_bank].questions]
        copied = [q.current for q in banks["copy"].questions]
        fields = (
            "code",
            "type",
            "stem",
            "options",
            "answer",
            "points",
            "basis",
            "topic",
            "difficulty",
            "explanation",
        )
        assert [[getattr(v, f) for f in fields] for v in copied] == [
            [getattr(v, f) for f in fields] for v in original
        ]


def test_round_trip_through_excel(workspace, cli, test_bank, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """After Excel re-saves the export (XLSX re-written; CSV saved as GBK), is nothing changed?"""
    xlsx = tmp_path / "bank.xlsx"
    cli("bank", "export", test_bank, "--out", xlsx, "-w", workspace.workspace)
    book = load_workbook(xlsx)
    assert [c.value for c in book.active[1]][:3] == ["题号", "题型", "题干"]
    assert book.active["K2"].value == 1  # 分值 stays a number, 题号 and 答案 text
    resaved = tmp_path / "resaved.xlsx"
    book.save(resaved)
    result = cli("bank", "import", resaved, "--bank", test_bank, "-w", workspace.workspace)
    assert "未变 13 题" in result.stdout, result.output
    exported = tmp_path / "bank.csv"
    cli("bank", "export", test_bank, "--out", exported, "-w", workspace.workspace)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(exported.read_text(encoding="utf-8-sig").encode("gb18030"))
    result = cli("bank", "import", gbk, "--bank", test_bank, "-w", workspace.workspace)
    assert "未变 13 题" in result.stdout, result.output


def test_export_refuses_unknown_bank_and_format(workspace, cli, test_bank, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Are an unknown bank and an unknown file type refused with a message?"""
    missing = cli("bank", "export", "nope", "--out", tmp_path / "x.csv", "-w", workspace.workspace)
    assert missing.exit_code == 2 and "没有名为“nope”的题库" in missing.stderr
    odd = cli("bank", "export", test_bank, "--out", tmp_path / "x.txt", "-w", workspace.workspace)
    assert odd.exit_code == 2 and ".csv 或 .xlsx" in odd.stderr
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.txt").exists()


def test_editing_creates_a_version_and_exams_keep_theirs(
    workspace, cli, test_bank, tmp_path, bank_rows, en_header, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Does an edit add a version, leaving an exam set earlier on the old version and key?"""
    with db.session_scope(workspace) as session:
        create_exam(session, ExamPlan(name="before", banks=[test_bank], all_questions=True))
    bank_rows[0][9] = "C"
    bank_rows[0][2] = "修改后的题干"
    edited = bank_rows[:12]  # T-13 removed from the file
    result = cli(
        "bank",
        "import",
        csv_file(tmp_path / "v2.csv", en_header, edited),
        "--bank",
        test_bank,
        "-w",
        workspace.workspace,
    )
    assert "修改 1 题" in result.stdout and "停用 1 题" in result.stdout, result.output
    assert listed(cli, workspace)[test_bank] == 12
    with db.session_scope(workspace) as session:
        create_exam(session, ExamPlan(name="after", banks=[test_bank], all_questions=True))
        old = get_exam(session, "before").sections[0].candidates[0].version
        new = get_exam(session, "after").sections[0].candidates[0].version
        assert (old.version, old.answer, old.stem) == (1, "B", "T-01 的题干（single）")
        assert (new.version, new.answer, new.stem) == (2, "C", "修改后的题干")
        assert len(get_exam(session, "after").sections) == 12
    revived = cli(
        "bank",
        "import",
        csv_file(tmp_path / "v3.csv", en_header, bank_rows),
        "--bank",
        test_bank,
        "-w",
        workspace.workspace,
    )
    assert "修改 1 题" in revived.stdout and listed(cli, workspace)[test_bank] == 13


def bundled_files() -> dict[str, Path]:
    folder = Path(str(resources.files("fazhi.exams").joinpath("banks")))
    return {p.stem: p for p in sorted(folder.glob("*.csv"))}


def test_fresh_workspace_lists_bundled_banks_idempotently(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    """Does `fazhi init` import every bundled bank (name = file stem), and a second init nothing?"""
    expected = {name: len(parse_bank(path).questions) for name, path in bundled_files().items()}
    assert expected and listed(cli, workspace) == expected
    before = version_count(workspace)
    initialise(workspace.workspace)
    assert version_count(workspace) == before
    assert listed(cli, workspace) == expected


def test_trainer_edits_of_a_bundled_bank_survive_init(workspace, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Once a trainer imports their own version of a bundled bank, does init leave it alone?"""
    name = next(iter(bundled_files()))
    exported = tmp_path / "mine.xlsx"
    cli("bank", "export", name, "--out", exported, "-w", workspace.workspace)
    book = load_workbook(exported)
    book.active["C2"] = "培训科修改过的题干"
    book.save(exported)
    assert (
        "修改 1 题"
        in cli("bank", "import", exported, "--bank", name, "-w", workspace.workspace).stdout
    )
    initialise(workspace.workspace)
    with db.session_scope(workspace) as session:
        bank = session.scalar(select(Bank).where(Bank.name == name))
        assert bank is not None and bank.origin == "file"
        assert bank.questions[0].current.stem == "培训科修改过的题干"


def test_bundled_banks_are_complete() -> None:
    """Does every bundled bank validate, 题号 unique across banks, 解析/知识点/难度 given?"""
    owners: dict[str, str] = {}
    for name, path in bundled_files().items():
        for question in parse_bank(path).questions:
            assert question.code not in owners, (
                f"{question.code} in {owners.get(question.code)} and {name}"
            )
            owners[question.code] = name
            assert question.explanation and question.topic and question.difficulty, question.code
    assert len(owners) >= 200
