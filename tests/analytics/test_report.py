"""`fazhi report compliance`: the contract's columns and values on SQLite and PostgreSQL, and the
HTML/XLSX sections (roll-ups, figures, reasons, expiries, exams, mock courts)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from fazhi import db
from fazhi.models import Officer
from fazhi.models.exam import Exam, ExamResult
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ

from .helpers import STUDY_HEADER_ZH, import_roster, write_csv

pytestmark = pytest.mark.db

STUDY = [
    # CG001 leader: 90 + 40 (overlapping 20) = 110 min in W03 → short of 120
    ["CG001", "2026-01-14 15:00", "2026-01-14 16:30", "线下", "集中学习"],
    ["CG001", "2026-01-14 16:10", "2026-01-14 16:50", "线上", "m01-penalty-basics"],
    ["CG001", "2026-01-08 09:00", "2026-01-08 11:00", "线下", "中心组学法"],
    # CG002 staff: exactly 60 in W03, across Sunday → Monday into W04
    ["CG002", "2026-01-12 09:00", "2026-01-12 10:00", "线上", "在线学法"],
    ["CG002", "2026-01-25 23:30", "2026-01-26 00:30", "线上", "在线学法"],
    # CG003 joined Wednesday 14 January: W04 is the first required week
    ["CG003", "2026-01-19 09:00", "2026-01-19 10:05", "线下", "庭审观摩"],
]
AS_OF = "2026-01-31"


def prepare(cli, workspace: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Roster, study records, and exam results recorded straight in fazhi's database: the
    gradebook has no record of these exams, so the report's sync must keep them."""
    import_roster(cli, workspace, tmp_path)
    path = write_csv(tmp_path / "学习.csv", STUDY_HEADER_ZH, STUDY)
    assert cli("study", "import", path, "--workspace", workspace.workspace).exit_code == 0
    with db.session_scope(workspace) as session:
        ids = dict(session.execute(select(Officer.officer_id, Officer.id)).all())
        # stored in UTC, as the exams package does (SQLite keeps no offset)
        closes = dt.datetime(2026, 1, 20, 18, tzinfo=LOCAL_TZ).astimezone(dt.UTC)
        now = dt.datetime(2026, 1, 21, tzinfo=dt.UTC)
        exam = Exam(
            name="2026-01月考",
            title="一月法律知识考试",
            mode="all",
            seed=1,
            closes=closes,
            pass_mark=0.6,
            blueprint=[],
            created_at=now,
        )
        makeup = Exam(
            name="2026-01月考补考",
            title="一月补考",
            mode="all",
            seed=1,
            closes=closes + dt.timedelta(days=5),
            pass_mark=0.6,
            blueprint=[],
            created_at=now,
            makeup_of=exam,
        )
        session.add_all([exam, makeup])
        session.flush()
        for officer, sat, score in (
            ("CG001", exam, 90),
            ("CG002", exam, 40),
            ("CG002", makeup, 70),
        ):
            session.add(
                ExamResult(
                    exam_id=sat.id,
                    officer_id=ids[officer],
                    attempt=1 if sat is exam else 2,
                    score=score,
                    max_score=100,
                    passed=score >= 60,
                    late=False,
                    graded_at=now,
                )
            )


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_summary_csv_columns_and_values(workspace: Settings, cli, tmp_path: Path) -> None:
    """Does the per-officer CSV have the contract's columns and exact values, on each backend?"""
    prepare(cli, workspace, tmp_path)
    out = tmp_path / "合规.csv"
    result = cli(
        "report",
        "compliance",
        "--year",
        "2026",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        "--out",
        out,
        "--workspace",
        workspace.workspace,
    )
    assert result.exit_code == 0, result.output
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "officer_id,name,unit,role,required_weeks,compliant_weeks,annual_minutes,"
        "annual_required_minutes,annual_ok,exams_required,exams_passed,cert_status,compliant,"
        "central_group_sessions,counted_ok,counted_shortfalls"
    )
    rows = {r["officer_id"]: r for r in read_csv(out)}
    assert rows["CG001"] == {
        "officer_id": "CG001",
        "name": "王伟",
        "unit": "某市城管局/东城大队/一中队",
        "role": "leader",
        "required_weeks": "4",
        "compliant_weeks": "1",
        "annual_minutes": "230.00",
        "annual_required_minutes": "229.32",
        "annual_ok": "true",
        "exams_required": "1",
        "exams_passed": "1",
        "cert_status": "valid",
        "compliant": "false",
        "central_group_sessions": "1",
        "counted_ok": "true",  # 6 a year pro-rated to late January: 0 due yet
        "counted_shortfalls": "",
    }
    assert rows["CG002"]["compliant_weeks"] == "1" and rows["CG002"]["exams_passed"] == "1"
    assert rows["CG002"]["cert_status"] == "warning"
    assert rows["CG002"]["annual_minutes"] == "120.00"
    assert rows["CG003"]["required_weeks"] == "1" and rows["CG003"]["cert_status"] == "n/a"
    assert (
        rows["CG003"]["annual_required_minutes"] == "0.00"
        and rows["CG003"]["exams_required"] == "1"
    )
    assert rows["CG003"]["central_group_sessions"] == ""
    # left Tuesday 20 January: W01–W03 required; no certificate on record; still active on
    # the exam's closing day (20 January)
    assert rows["CG004"]["required_weeks"] == "3" and rows["CG004"]["cert_status"] == "missing"
    assert rows["CG004"]["exams_required"] == "1" and rows["CG004"]["exams_passed"] == "0"
    assert rows["CG004"]["annual_required_minutes"] == f"{2700 * 20 / 365:.2f}"


def test_weekly_csv_rows(workspace: Settings, cli, tmp_path: Path) -> None:
    """Does --weekly give one row per officer and required week with minutes and ok?"""
    prepare(cli, workspace, tmp_path)
    out = tmp_path / "weekly.csv"
    cli(
        "report",
        "compliance",
        "--year",
        "2026",
        "--as-of",
        AS_OF,
        "--weekly",
        "--out",
        out,
        "--workspace",
        workspace.workspace,
    )
    rows = read_csv(out)
    assert list(rows[0]) == ["officer_id", "week", "minutes", "required_minutes", "ok"]
    by_key = {(r["officer_id"], r["week"]): r for r in rows}
    assert by_key[("CG001", "2026-W03")] == {
        "officer_id": "CG001",
        "week": "2026-W03",
        "minutes": "110.00",
        "required_minutes": "120.00",
        "ok": "false",
    }
    assert by_key[("CG002", "2026-W03")]["ok"] == "true"
    assert by_key[("CG002", "2026-W03")]["minutes"] == "60.00"
    assert by_key[("CG002", "2026-W04")]["minutes"] == "30.00"
    assert ("CG002", "2026-W05") not in by_key  # its Sunday is after the report date
    assert [w for o, w in by_key if o == "CG003"] == ["2026-W04"]
    assert len(rows) == 4 + 4 + 1 + 3


def test_html_and_xlsx_have_every_section(workspace: Settings, cli, tmp_path: Path) -> None:
    """Do the HTML and XLSX forms carry the contract table and HR's sections?"""
    prepare(cli, workspace, tmp_path)
    html_out, xlsx_out = tmp_path / "r.html", tmp_path / "r.xlsx"
    for fmt, out in (("html", html_out), ("xlsx", xlsx_out)):
        result = cli(
            "report",
            "compliance",
            "--year",
            "2026",
            "--as-of",
            AS_OF,
            "--format",
            fmt,
            "--out",
            out,
            "--workspace",
            workspace.workspace,
        )
        assert result.exit_code == 0, result.output
    page = html_out.read_text(encoding="utf-8")
    for heading in (
        "单位汇总",
        "每周学法热力图",
        "各单位每周达标率",
        "未达标人员及原因",
        "90 天内到期的执法证",
        "考试成绩",
        "模拟法庭成绩",
    ):
        assert heading in page
    assert page.count("data:image/png;base64,") == 2
    assert "每周学法未达标 3 周（应达标 4 周）" in page and "无执法证记录" in page
    assert "一月法律知识考试" in page and "一月补考" in page
    book = load_workbook(xlsx_out)
    assert book.sheetnames[:6] == [
        "合规汇总",
        "单位汇总",
        "未达标人员",
        "执法证到期",
        "考试成绩",
        "模拟法庭",
    ]
    header = [c.value for c in book["合规汇总"][1]]
    assert header[:3] == ["officer_id", "name", "unit"] and header[12] == "compliant"
    rollup = {
        r[0].strip("　"): r[2:] for r in book["单位汇总"].iter_rows(min_row=2, values_only=True)
    }
    assert rollup["某市城管局"] == (4, 0, 0.0) and rollup["一中队"] == (2, 0, 0.0)
    assert [r[0] for r in book["执法证到期"].iter_rows(min_row=2, values_only=True)] == ["CG002"]
    assert len(book["图表"]._images) == 2


def test_bad_report_date_and_empty_workspace(workspace: Settings, cli, tmp_path: Path) -> None:
    """Is a malformed --as-of refused, and does an empty workspace give a header-only CSV?"""
    bad = cli(
        "report",
        "compliance",
        "--year",
        "2026",
        "--as-of",
        "31/01/2026x",
        "--out",
        tmp_path / "x.csv",
        "--workspace",
        workspace.workspace,
    )
    assert bad.exit_code == 2 and "--as-of" in bad.stderr
    out = tmp_path / "empty.csv"
    ok = cli(
        "report",
        "compliance",
        "--year",
        "2026",
        "--as-of",
        AS_OF,
        "--out",
        out,
        "--workspace",
        workspace.workspace,
    )
    assert ok.exit_code == 0, ok.output
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("officer_id,name,unit")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
