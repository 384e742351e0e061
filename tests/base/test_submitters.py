"""Submitters graded by nbgrader but unknown to fazhi's roster are named, in Chinese."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fazhi import db
from fazhi.roster import parse_roster, store_roster
from fazhi.settings import Settings
from fazhi.submitters import unknown_submitters, unknown_submitters_warning

HEADER = ["工号", "姓名", "单位", "职务类别", "执法人员", "执法证有效期至", "入职日期", "离职日期"]


@pytest.mark.db
def test_unknown_submitters_are_named(workspace: Settings, tmp_path: Path) -> None:
    """Does a submission filed under the OS user (not on the roster) get named in a warning,
    while roster officers and other assignments' submitters do not?"""
    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow(["CG0001", "张三", "某市城管局/一中队", "一般干部", "是", "", "", ""])
    with db.session_scope(workspace) as session:
        store_roster(session, parse_roster(roster))
    for officer, assignment in [("CG0001", "e1"), ("root", "e1"), ("ghost", "e2")]:
        (workspace.workspace / "submitted" / officer / assignment).mkdir(parents=True)
    with db.session_scope(workspace) as session:
        assert unknown_submitters(session, workspace, "e1") == ["root"]
        warning = unknown_submitters_warning(session, workspace, "e1")
        assert warning.startswith("警告：e1 有 1 份提交的提交者不在人员名册中：root。")
        assert 'officer = "工号"' in warning
        assert unknown_submitters_warning(session, workspace, "e3") == ""
