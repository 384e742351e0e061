"""Counted requirements (rules.toml ``[[counted]]``): 中心组学法, 庭审观摩 … by year, quarter."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from fazhi.errors import UserError
from fazhi.rules import CountedRule, load_rules

from .helpers import RULES, evaluate_rows, officer, roster, ts


def _days(officer_number: int, *days: str) -> pd.DataFrame:
    return pd.DataFrame([(officer_number, ts(f"{d} 09:00")) for d in days], columns=["id", "start"])


def test_default_rule_is_six_central_group_sessions_for_leaders() -> None:
    """Do the default rules count 中心组学法 ≥ 6 a year for leaders only, as a flag that does
    not change the documented ``compliant`` (no ``[[counted]]`` written by the bureau)?"""
    (rule,) = RULES.counted
    assert (rule.name, rule.activities, rule.roles, rule.per_year, rule.binding) == (
        "中心组学法",
        ("中心组学法",),
        ("leader",),
        6,
        False,
    )


def test_leader_short_of_central_group_sessions_is_flagged() -> None:
    """Is a leader with 5 of 6 sessions at year end flagged, with the reason in Chinese, and
    one with 6 not?"""
    people = roster(officer("SHORT", role="leader"), officer("FULL", role="leader"))
    days = ["2026-01-08", "2026-03-05", "2026-05-07", "2026-07-02", "2026-09-03", "2026-11-05"]
    starts = pd.concat([_days(1, *days[:5]), _days(1, days[0]), _days(2, *days)])
    result = evaluate_rows(people, [], as_of="2026-12-31", counted={"中心组学法": starts})
    summary = result.summary.set_index("officer_id")
    assert summary.loc["SHORT", "central_group_sessions"] == 5
    assert not summary.loc["SHORT", "counted_ok"]
    assert summary.loc["SHORT", "counted_shortfalls"] == "中心组学法 5/6 次"
    assert summary.loc["FULL", "counted_ok"] and summary.loc["FULL", "counted_shortfalls"] == ""
    # weekly minutes are missing for both: compare with the counted rule alone
    assert summary.loc["SHORT", "compliant"] == summary.loc["FULL", "compliant"] == False  # noqa: E712


def test_counted_requirement_alone_decides_compliance() -> None:
    """With no weeks or hours due (not enforcement, report in week 1), does the counted rule
    alone turn a leader non-compliant while staff stay compliant?"""
    people = roster(officer("L", role="leader"), officer("S"))
    rules = dataclasses.replace(
        RULES, counted=(CountedRule("中心组学法", ("中心组学法",), ("leader",), per_year=365),)
    )
    result = evaluate_rows(people, [], as_of="2026-01-02", rules=rules)
    summary = result.summary.set_index("officer_id")
    assert summary.loc["L", "counted_shortfalls"] == (
        "中心组学法 0/2 次（全年 365 次，按在岗天数折算至报告日期）"
    )
    assert not summary.loc["L", "compliant"] and summary.loc["S", "compliant"]
    assert pd.isna(summary.loc["S", "central_group_sessions"])


def test_a_report_only_rule_flags_without_deciding_compliance() -> None:
    """Does a non-binding counted rule (the default 中心组学法, or ``binding = false``) flag the
    shortfall while ``compliant`` keeps the documented four conditions?"""
    people = roster(officer("L", role="leader"), officer("S"))
    flag_only = CountedRule("中心组学法", ("中心组学法",), ("leader",), per_year=365, binding=False)
    result = evaluate_rows(
        people, [], as_of="2026-01-02", rules=dataclasses.replace(RULES, counted=(flag_only,))
    )
    summary = result.summary.set_index("officer_id")
    assert not summary.loc["L", "counted_ok"]
    assert summary.loc["L", "counted_shortfalls"].startswith("中心组学法 0/2 次")
    assert summary.loc["L", "compliant"] and summary.loc["S", "compliant"]


def test_per_quarter_rule_checks_each_ended_quarter() -> None:
    """Does a per-quarter rule for everyone flag each ended quarter short of sessions, and not
    the quarter still running?"""
    people = roster(officer("A"), officer("B", since="2026-02-01"))
    rules = dataclasses.replace(
        RULES, counted=(CountedRule("庭审观摩", ("庭审观摩", "旁听庭审"), per_quarter=1),)
    )
    starts = _days(1, "2026-02-10")
    result = evaluate_rows(
        people, [], as_of="2026-08-15", rules=rules, counted={"庭审观摩": starts}
    )
    summary = result.summary.set_index("officer_id")
    assert summary.loc["A", "counted_shortfalls"] == "庭审观摩 第二季度 0/1 次"
    # B joined in February: the first quarter is not due
    assert summary.loc["B", "counted_shortfalls"] == "庭审观摩 第二季度 0/1 次"


def test_rules_file_counted_entries(tmp_path: Path) -> None:
    """Are ``[[counted]]`` entries read from rules.toml, and a bad one refused with a message?"""
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[counted]]\nname = "中心组学法"\nactivity = "中心组学法"\nroles = ["leader"]\n'
        "per_year = 4\n"
        '[[counted]]\nname = "专题讲座"\nactivity = ["专题讲座", "法治讲座"]\nper_quarter = 1\n'
        "binding = false\n",
        encoding="utf-8",
    )
    rules = load_rules(path)
    got = [(r.name, r.activities, r.per_year, r.per_quarter, r.binding) for r in rules.counted]
    assert got == [
        ("中心组学法", ("中心组学法",), 4, 0, True),
        ("专题讲座", ("专题讲座", "法治讲座"), 0, 1, False),
    ]
    path.write_text('[[counted]]\nactivity = "x"\nroles = ["boss"]\nper_year = 1\n', "utf-8")
    with pytest.raises(UserError, match="roles"):
        load_rules(path)
    path.write_text('[[counted]]\nactivity = "x"\nper_year = 1\nbinding = "yes"\n', "utf-8")
    with pytest.raises(UserError, match="binding"):
        load_rules(path)
