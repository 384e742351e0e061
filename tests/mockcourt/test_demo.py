"""The mock-court demo step on the demo bureau's roster."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi import db
from fazhi.demo_bureau import demo_roster, write_roster_csv
from fazhi.mockcourt.demo import DEMO_FILE, populate
from fazhi.mockcourt.results import session_results
from fazhi.roster import parse_roster, store_roster
from fazhi.settings import Settings

pytestmark = pytest.mark.db


def test_demo_sessions(workspace: Settings, counts) -> None:
    """Does the demo import 3–4 sessions of this year with 3–7 judges, trends and a flag?"""
    today = dt.date(2026, 11, 20)
    roster = write_roster_csv(demo_roster(today), workspace.workspace / "名册.csv")
    with db.session_scope(workspace) as session:
        store_roster(session, parse_roster(roster))
    summary = populate(workspace, today)
    assert summary.startswith("模拟法庭：4 场")
    assert (workspace.workspace / DEMO_FILE).read_bytes().decode("gb18030").startswith("场次,")
    assert (workspace.workspace / "模拟法庭评分.ipynb").exists()
    with db.session_scope(workspace) as session:
        results = session_results(session)
    assert 3 <= len(results) <= 4
    for result in results:
        assert result.date.year == today.year and result.date <= today
        assert 3 <= max(p.judges for p in result.participants) <= 7
        assert result.case_title and result.case_summary and result.case_file
        roles = {p.role for p in result.participants}
        assert {"负责人出庭应诉", "代理人", "执法人员"} <= roles
    appearances: dict[str, int] = {}
    for result in results:
        for p in result.participants:
            appearances[p.officer_id] = appearances.get(p.officer_id, 0) + 1
    assert sum(n > 1 for n in appearances.values()) >= 4  # trends to show
    assert any(d.flag for r in results for d in r.deviations)
    before = counts(workspace)
    assert populate(workspace, today) == summary  # re-running changes nothing
    assert counts(workspace) == before == (4, 80, 400)
