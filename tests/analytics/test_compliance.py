"""The compliance engine against docs/contract.md §Compliance, case by case (pure, no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from fazhi.analytics.compliance import SUMMARY_COLUMNS, WEEKLY_COLUMNS

from .helpers import RULES, evaluate_rows, officer, roster


def week(result, officer_id: str, label: str) -> dict:  # type: ignore[no-untyped-def]
    weekly = result.weekly
    rows = weekly[(weekly["officer_id"] == officer_id) & (weekly["week"] == label)]
    return rows.iloc[0].to_dict() if len(rows) else {}


def row(result, officer_id: str) -> dict:  # type: ignore[no-untyped-def]
    return result.summary.set_index("officer_id").loc[officer_id].to_dict()


def test_overlapping_intervals_count_once() -> None:
    """Do an online and an offline record that overlap count their union, not their sum?"""
    people = roster(officer("A"))
    result = evaluate_rows(
        people,
        [
            ("A", "2026-01-07 15:00", "2026-01-07 16:30"),  # 集中学习
            ("A", "2026-01-07 15:40", "2026-01-07 16:15"),  # a module during it
            ("A", "2026-01-07 16:00", "2026-01-07 16:45"),
            ("A", "2026-01-07 15:00", "2026-01-07 16:30"),  # the same sheet twice
        ],
    )
    assert week(result, "A", "2026-W02")["minutes"] == 105.0
    assert row(result, "A")["annual_minutes"] == 105.0


def test_midnight_and_sunday_to_monday_are_split() -> None:
    """Is an interval across Sunday midnight split between the two ISO weeks (local time)?"""
    people = roster(officer("A"))
    result = evaluate_rows(
        people,
        [
            ("A", "2026-01-11 23:30", "2026-01-12 00:45"),  # Sunday → Monday
            ("A", "2026-01-13 23:50", "2026-01-14 00:10"),  # Tuesday → Wednesday
        ],
    )
    assert week(result, "A", "2026-W02")["minutes"] == 30.0
    assert week(result, "A", "2026-W03")["minutes"] == 65.0


def test_a_week_exactly_at_the_minimum_is_compliant() -> None:
    """Is exactly 60 minutes compliant for staff, and one second less not?"""
    people = roster(officer("A"), officer("B"))
    result = evaluate_rows(
        people,
        [
            ("A", "2026-02-02 09:00", "2026-02-02 10:00"),
            ("B", "2026-02-02 09:00", "2026-02-02 09:30"),
            ("B", "2026-02-03 09:00", "2026-02-03 09:29:59"),
        ],
    )
    assert week(result, "A", "2026-W06") == {
        "officer_id": "A",
        "week": "2026-W06",
        "minutes": 60.0,
        "required_minutes": 60.0,
        "ok": True,
    }
    b = week(result, "B", "2026-W06")
    assert b["minutes"] == 59.98 and not b["ok"]


def test_leaders_need_120_minutes_and_staff_60() -> None:
    """Does the same 90 minutes satisfy a staff member but not a leader?"""
    people = roster(officer("L", role="leader"), officer("S"))
    rows = [(o, "2026-03-04 15:00", "2026-03-04 16:30") for o in ("L", "S")]
    result = evaluate_rows(people, rows)
    assert week(result, "L", "2026-W10")["required_minutes"] == 120.0
    assert not week(result, "L", "2026-W10")["ok"]
    assert week(result, "S", "2026-W10")["required_minutes"] == 60.0
    assert week(result, "S", "2026-W10")["ok"]


def test_required_weeks_for_joiners_and_leavers() -> None:
    """Is a week required only when the officer was active on all seven days?"""
    people = roster(
        officer("MON", since="2026-03-02"),  # joined on a Monday
        officer("TUE", since="2026-03-03"),  # joined on a Tuesday
        officer("SUN", until="2026-03-08"),  # left on a Sunday
        officer("SAT", until="2026-03-07"),  # left on a Saturday
    )
    result = evaluate_rows(people, [], as_of="2026-03-31")
    assert week(result, "MON", "2026-W10")  # 2026-03-02 .. 03-08
    assert not week(result, "TUE", "2026-W10") and week(result, "TUE", "2026-W11")
    assert week(result, "SUN", "2026-W10") and not week(result, "SUN", "2026-W11")
    assert not week(result, "SAT", "2026-W10") and week(result, "SAT", "2026-W09")
    required = result.summary.set_index("officer_id")["required_weeks"].to_dict()
    # as of 31 March the last ended week is W13 (Sunday 29 March)
    assert required == {"MON": 4, "TUE": 3, "SAT": 9, "SUN": 10}


def test_only_weeks_ended_by_the_report_date_are_required() -> None:
    """Is a week whose Sunday is the report date required, and the week after not?"""
    people = roster(officer("A"))
    on_sunday = evaluate_rows(people, [], as_of="2026-01-18")
    assert on_sunday.weekly["week"].tolist() == ["2026-W01", "2026-W02", "2026-W03"]
    on_saturday = evaluate_rows(people, [], as_of="2026-01-17")
    assert on_saturday.weekly["week"].tolist() == ["2026-W01", "2026-W02"]


def test_year_means_iso_weeks_for_weekly_and_calendar_year_for_annual() -> None:
    """Does --year 2026 start with 2026-W01 (29 Dec 2025) but count annual minutes from 1 Jan?"""
    people = roster(officer("A", enforcement=True, cert="2030-01-01"))
    result = evaluate_rows(
        people,
        [
            ("A", "2025-12-29 09:00", "2025-12-29 11:00"),  # ISO 2026-W01, calendar 2025
            ("A", "2026-12-31 09:00", "2026-12-31 10:00"),  # calendar 2026, ISO 2026-W53
        ],
        as_of="2027-01-10",
    )
    assert result.weeks.labels[0] == "2026-W01" and result.weeks.mondays[0] == dt.date(2025, 12, 29)
    assert result.weeks.labels[-1] == "2026-W53"
    assert week(result, "A", "2026-W01")["minutes"] == 120.0
    assert week(result, "A", "2026-W53")["minutes"] == 60.0
    assert row(result, "A")["annual_minutes"] == 60.0


def test_annual_requirement_is_pro_rated_by_active_days() -> None:
    """Is 60 学时 × 45 min pro-rated by active days up to the report date, 0 for non-enforcement?"""
    people = roster(
        officer("FULL", enforcement=True, cert="2030-01-01"),
        officer("JOINED", enforcement=True, cert="2030-01-01", since="2026-07-01"),
        officer("LEFT", enforcement=True, cert="2030-01-01", until="2026-03-31"),
        officer("OFFICE", enforcement=False),
    )
    year_end = evaluate_rows(people, [], as_of="2026-12-31").summary.set_index("officer_id")
    assert year_end.loc["FULL", "annual_required_minutes"] == 2700.0
    assert year_end.loc["JOINED", "annual_required_minutes"] == round(2700 * 184 / 365, 2)
    assert year_end.loc["LEFT", "annual_required_minutes"] == round(2700 * 90 / 365, 2)
    assert year_end.loc["OFFICE", "annual_required_minutes"] == 0.0
    assert bool(year_end.loc["OFFICE", "annual_ok"]) and not bool(year_end.loc["FULL", "annual_ok"])
    mid_year = evaluate_rows(people, [], as_of="2026-04-10").summary.set_index("officer_id")
    assert mid_year.loc["FULL", "annual_required_minutes"] == round(2700 * 100 / 365, 2)
    assert mid_year.loc["JOINED", "annual_required_minutes"] == 0.0
    leap = evaluate_rows(roster(officer("A", enforcement=True)), [], year=2028, as_of="2028-03-01")
    assert leap.summary.iloc[0]["annual_required_minutes"] == round(2700 * 61 / 366, 2)


def test_annual_minutes_reaching_the_requirement_are_compliant() -> None:
    """Are the calendar year's minutes compared with the pro-rated requirement?"""
    people = roster(officer("A", enforcement=True, cert="2030-01-01", since="2026-12-01"))
    # required: 2700 × 31 / 365 = 229.32 minutes
    enough = [("A", f"2026-12-{d:02d} 09:00", f"2026-12-{d:02d} 10:00") for d in range(1, 5)]
    assert bool(row(evaluate_rows(people, enough), "A")["annual_ok"])
    short = [*enough[:3], ("A", "2026-12-04 09:00", "2026-12-04 09:49")]
    result = row(evaluate_rows(people, short), "A")
    assert result["annual_minutes"] == 229.0 and not result["annual_ok"]


@pytest.mark.parametrize(
    ("expiry", "status"),
    [
        ("2026-06-29", "expired"),
        ("2026-06-30", "warning"),
        ("2026-09-28", "warning"),  # report date + 90 days
        ("2026-09-29", "valid"),
        (None, "missing"),
    ],
)
def test_certificate_states_on_the_report_date(expiry: str | None, status: str) -> None:
    """Is the 执法证 expired / warning (within 90 days) / valid / missing on the report date?"""
    people = roster(officer("A", enforcement=True, cert=expiry), officer("B", cert=expiry))
    summary = evaluate_rows(people, [], as_of="2026-06-30").summary.set_index("officer_id")
    assert summary.loc["A", "cert_status"] == status
    assert summary.loc["B", "cert_status"] == "n/a"


def test_certificate_warning_days_come_from_the_rules() -> None:
    """Does a shorter warning period in the rules file move the boundary?"""
    people = roster(officer("A", enforcement=True, cert="2026-08-01"))
    rules = dataclasses.replace(RULES, cert_warning_days=30)
    result = evaluate_rows(people, [], as_of="2026-06-30", rules=rules)
    assert result.summary.iloc[0]["cert_status"] == "valid"


def test_exams_required_of_officers_active_on_the_closing_date() -> None:
    """Must an officer active on the closing date pass the exam or its makeup?"""
    people = roster(
        officer("PASS"), officer("MAKEUP"), officer("FAIL"), officer("LATE", since="2026-03-01")
    )
    exams = pd.DataFrame(
        [
            ("E1", dt.date(2026, 2, 28), None),
            ("E1-补考", dt.date(2026, 3, 15), "E1"),
            ("E2", dt.date(2026, 4, 30), None),  # after the report date
            ("E0", dt.date(2025, 12, 28), None),  # previous year
        ],
        columns=["exam", "closes", "makeup_of"],
    )
    passes = pd.DataFrame(
        [("E1", "PASS"), ("E1-补考", "MAKEUP"), ("E0", "FAIL")], columns=["exam", "officer_id"]
    )
    result = evaluate_rows(people, [], as_of="2026-04-01", exams=exams, passes=passes)
    summary = result.summary.set_index("officer_id")
    assert summary["exams_required"].to_dict() == {"FAIL": 1, "LATE": 0, "MAKEUP": 1, "PASS": 1}
    assert summary["exams_passed"].to_dict() == {"FAIL": 0, "LATE": 0, "MAKEUP": 1, "PASS": 1}


def test_leaders_central_group_sessions_are_distinct_days() -> None:
    """Are a leader's 中心组学法 records counted as sessions (one per day), staff left empty?"""
    from .helpers import ts

    people = roster(officer("L", role="leader"), officer("S"))
    starts = pd.DataFrame(
        [
            (1, ts("2026-01-08 09:00")),
            (1, ts("2026-01-08 10:00")),  # same meeting, second record
            (1, ts("2026-03-05 09:00")),
            (1, ts("2026-09-03 09:00")),  # after the report date
            (2, ts("2026-01-08 09:00")),
        ],
        columns=["id", "start"],
    )
    result = evaluate_rows(people, [], as_of="2026-06-30", central_group=starts)
    sessions = result.summary.set_index("officer_id")["central_group_sessions"]
    assert sessions["L"] == 2 and pd.isna(sessions["S"])


def test_compliant_needs_every_rule() -> None:
    """Is an officer compliant only with every week, the annual hours, exams and certificate?"""
    mondays = ["2025-12-29", "2026-01-05", "2026-01-12", "2026-01-19"]  # W01..W04
    week_rows = lambda o: [(o, f"{d} 09:00", f"{d} 10:00") for d in mondays]  # noqa: E731
    people = roster(
        officer("OK"),
        officer("MISSED"),
        officer("NOCERT", enforcement=True),
        officer("CERT", enforcement=True, cert="2027-01-01"),
    )
    rows = week_rows("OK") + week_rows("MISSED")[:3] + week_rows("NOCERT") + week_rows("CERT")
    # enforcement officers also need 2700 × 25 / 365 = 184.93 minutes in calendar 2026
    rows += [(o, "2026-01-06 09:00", "2026-01-06 10:00") for o in ("NOCERT", "CERT")]
    result = evaluate_rows(people, rows, as_of="2026-01-25")
    summary = result.summary.set_index("officer_id")
    assert summary["compliant"].to_dict() == {
        "CERT": True,
        "MISSED": False,
        "NOCERT": False,
        "OK": True,
    }
    assert list(result.summary.columns[: len(SUMMARY_COLUMNS)]) == SUMMARY_COLUMNS
    assert list(result.weekly.columns) == WEEKLY_COLUMNS
