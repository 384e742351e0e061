"""The HR dashboard's filters and export, and the officer's own page (no kernel)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fazhi import db
from fazhi.analytics.my_page import officer_page
from fazhi.analytics.views import Filter, export_view, officer_mask, restrict_weeks, view_tables
from fazhi.rules import load_rules
from fazhi.settings import Settings

from .helpers import STUDY_HEADER_ZH, evaluate_rows, import_roster, officer, roster, write_csv

PEOPLE = roster(
    officer("A1", unit="局/东城大队/一中队", name="王伟", role="leader"),
    officer("A2", unit="局/东城大队/二中队", name="李娜"),
    officer("B1", unit="局/东城大队二", name="张敏"),
    officer("C1", unit="局/西城大队", name="王芳"),
)


def test_filters_select_units_with_sub_units_roles_and_names() -> None:
    """Does a unit select itself and its sub-units only, and do role and search narrow it?"""
    result = evaluate_rows(PEOPLE, [], as_of="2026-03-31")
    ids = lambda view: result.roster["officer_id"][officer_mask(result, view)].tolist()  # noqa: E731
    assert ids(Filter(unit="局/东城大队")) == ["A1", "A2"]
    assert ids(Filter(unit="局/东城大队", role="staff")) == ["A2"]
    assert ids(Filter(search="王")) == ["A1", "C1"]
    assert ids(Filter(search="B1")) == ["B1"]
    assert ids(Filter()) == ["A1", "A2", "B1", "C1"]


def test_date_range_keeps_the_overlapping_weeks_and_exports(tmp_path: Path) -> None:
    """Does a date range keep the weeks it touches, and does the export hold every table?"""
    rows = [
        ("A2", "2026-02-03 09:00", "2026-02-03 10:00"),
        ("A2", "2026-03-03 09:00", "2026-03-03 09:30"),
    ]
    result = evaluate_rows(PEOPLE, rows, as_of="2026-03-31")
    ranged = restrict_weeks(result, dt.date(2026, 2, 4), dt.date(2026, 2, 16))
    assert ranged.weeks.labels == ["2026-W06", "2026-W07", "2026-W08"]
    view = Filter(unit="局/东城大队/二中队", start=dt.date(2026, 2, 1), end=dt.date(2026, 3, 8))
    tables = view_tables(result, view, 90)
    person = tables["人员"].iloc[0]
    assert person["工号"] == "A2" and person["所选期间学习分钟"] == 90.0
    assert person["所选期间须达标周数"] == 6 and person["所选期间达标周数"] == 1  # W05..W10
    assert set(tables["每周明细"]["周次"]) == {f"2026-W{w:02d}" for w in range(5, 11)}
    path = export_view(tables, tmp_path / "out" / "看板.xlsx")
    assert load_workbook(path).sheetnames == [
        "人员",
        "单位汇总",
        "未达标人员",
        "执法证到期",
        "每周明细",
    ]


@pytest.mark.db
def test_officer_page_shows_what_is_still_owed(workspace: Settings, cli, tmp_path: Path) -> None:
    """Does my page show my weeks, the minutes I still owe this year and my certificate?"""
    import_roster(cli, workspace, tmp_path)
    rows = [
        ["CG002", "2026-01-05 09:00", "2026-01-05 10:00", "线下", "集中学习"],
        ["CG002", "2026-01-13 09:00", "2026-01-13 09:20", "线上", "在线学法"],
    ]
    cli(
        "study",
        "import",
        write_csv(tmp_path / "s.csv", STUDY_HEADER_ZH, rows),
        "--workspace",
        workspace.workspace,
    )
    with db.session_scope(workspace) as session:
        page = officer_page(
            session, officer_id="CG002", rules=load_rules(None), today=dt.date(2026, 1, 14)
        )
    assert page.name == "李娜" and page.cert_status == "warning"
    assert page.weeks["week"].tolist() == ["2026-W01", "2026-W02", "2026-W03"]
    assert page.weeks["minutes"].tolist() == [0.0, 60.0, 20.0]
    assert page.missed_weeks == ["2026-W01"]
    assert page.this_week_left == 40.0
    assert page.annual_year_required == 2700.0 and page.annual_left == 2620.0
    assert page.central_group_sessions is None and page.exams.empty
