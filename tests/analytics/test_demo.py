"""The demo step: a simulated year true to life, imported through the real import."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi import db
from fazhi.analytics.dashboard import HR_NOTEBOOK, OFFICER_NOTEBOOK
from fazhi.analytics.dataset import load_compliance
from fazhi.analytics.demo import OFFLINE_FILE, ONLINE_FILE, populate
from fazhi.cli.demo import _roster_step
from fazhi.rules import load_rules
from fazhi.settings import Settings

pytestmark = pytest.mark.db
TODAY = dt.date(2026, 11, 20)


def test_demo_year_has_every_situation(workspace: Settings) -> None:
    """Does the demo year hold compliant and non-compliant officers, overlaps and 中心组学法?"""
    _roster_step(workspace, TODAY)
    summary = populate(workspace, TODAY)
    assert "学习记录" in summary and HR_NOTEBOOK in summary
    assert (workspace.workspace / HR_NOTEBOOK).exists() and (
        workspace.workspace / OFFICER_NOTEBOOK
    ).exists()
    offline = (workspace.workspace / OFFLINE_FILE).read_bytes().decode("gb18030")
    assert offline.startswith("工号,开始时间") and "中心组学法" in offline and "庭审观摩" in offline
    assert (workspace.workspace / ONLINE_FILE).read_text("utf-8-sig").startswith("officer_id,start")
    with db.session_scope(workspace) as session:
        result = load_compliance(session, rules=load_rules(None), year=2026, as_of=TODAY)
    table = result.summary
    assert 0.3 < table["compliant"].mean() < 0.9
    leaders = table[table["role"] == "leader"]["central_group_sessions"]
    assert leaders.max() >= 5 and leaders.min() < 6
    staff_weeks = result.week_minutes[(result.roster["role"] == "staff").to_numpy()]
    assert (staff_weeks > 90).mean() > 0.5  # overlapping online study counted once, not doubled
