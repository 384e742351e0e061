"""The compliance engine: docs/contract.md §Compliance, exactly, as a pure function of data frames.

Inputs are the roster, per-day study seconds (``Daily``: the union of each officer's
intervals clipped to each Asia/Shanghai day), exams and their passes, and the rules; no
database, no files. Everything per officer and week is vectorised with numpy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fazhi.analytics.counted import CountedResult, evaluate_counted
from fazhi.analytics.periods import Weeks, days_in_year, iso_year_weeks, local_days, report_days
from fazhi.analytics.study.daily import Daily, daily_from_intervals
from fazhi.audience import AudienceRule
from fazhi.rules import Rules

WEEKLY_COLUMNS = ["officer_id", "week", "minutes", "required_minutes", "ok"]
SUMMARY_COLUMNS = [
    "officer_id",
    "name",
    "unit",
    "role",
    "required_weeks",
    "compliant_weeks",
    "annual_minutes",
    "annual_required_minutes",
    "annual_ok",
    "exams_required",
    "exams_passed",
    "cert_status",
    "compliant",
]
# after the contract's columns: the counted requirements (rules.toml ``[[counted]]``)
EXTRA_COLUMNS = ["central_group_sessions", "counted_ok", "counted_shortfalls"]
CERT_OK = ("valid", "warning", "n/a")
_FAR_PAST = np.datetime64("0001-01-01", "D")
_FAR_FUTURE = np.datetime64("9999-12-31", "D")


@dataclass(frozen=True)
class Compliance:
    """The result: the two report tables plus the per-week matrices the figures draw on."""

    year: int
    as_of: dt.date
    roster: pd.DataFrame  # sorted by officer_id; row i ↔ row i of the matrices
    weeks: Weeks
    week_minutes: np.ndarray  # officers × ISO weeks of the year
    required: np.ndarray  # officers × weeks: the week is required of the officer
    required_minutes: np.ndarray  # per officer
    summary: pd.DataFrame
    exam_detail: pd.DataFrame  # officer_id, exam, closes, passed (required exams only)
    counted: CountedResult | None = None

    @property
    def weekly(self) -> pd.DataFrame:
        """One row per officer and required week (``report compliance --weekly``)."""
        officer, week = np.nonzero(self.required)
        minutes = self.week_minutes[officer, week]
        needed = self.required_minutes[officer]
        return pd.DataFrame(
            {
                "officer_id": self.roster["officer_id"].to_numpy()[officer],
                "week": np.asarray(self.weeks.labels, dtype=object)[week],
                "minutes": np.round(minutes, 2),
                "required_minutes": needed,
                "ok": minutes * 60 >= needed * 60 - 1e-6,
            },
            columns=WEEKLY_COLUMNS,
        )


def _dates(series: pd.Series, missing: np.datetime64) -> np.ndarray:
    values = pd.to_datetime(series, errors="coerce").to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(values), missing, values)


def _positions(roster: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    return pd.Index(roster["id"]).get_indexer(ids)


def study_daily(intervals: pd.DataFrame, year: int) -> Daily:
    """Per-day seconds for ``year``'s report from intervals (id, start, end in Unix seconds)."""
    first, stop = report_days(year)
    return daily_from_intervals(
        intervals["id"].to_numpy(),
        intervals["start"].to_numpy(),
        intervals["end"].to_numpy(),
        first,
        (stop - first).days,
    )


def active_matrix(roster: pd.DataFrame, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """officers × periods: the officer was active on every day from ``first`` to ``last``."""
    since = _dates(roster["active_from"], _FAR_PAST)[:, None]
    until = _dates(roster["active_to"], _FAR_FUTURE)[:, None]
    return (since <= first[None, :]) & (until >= last[None, :])


def _active_days(roster: pd.DataFrame, first: dt.date, last: dt.date) -> np.ndarray:
    if last < first:
        return np.zeros(len(roster), dtype=np.int64)
    since = np.maximum(_dates(roster["active_from"], _FAR_PAST), np.datetime64(first, "D"))
    until = np.minimum(_dates(roster["active_to"], _FAR_FUTURE), np.datetime64(last, "D"))
    return np.maximum((until - since).astype(np.int64) + 1, 0)


def certificate_status(roster: pd.DataFrame, as_of: dt.date, warning_days: int) -> np.ndarray:
    """valid / warning / expired / missing / revoked for enforcement officers, n/a for the
    others; ``revoked`` when the roster has a ``cert_revoked`` date on or before ``as_of``."""
    expiry = pd.to_datetime(roster["cert_expiry"], errors="coerce").to_numpy()
    expiry = expiry.astype("datetime64[D]")
    report = np.datetime64(as_of, "D")
    status = np.where(
        np.isnat(expiry),
        "missing",
        np.where(
            expiry < report,
            "expired",
            np.where(expiry <= report + np.timedelta64(warning_days, "D"), "warning", "valid"),
        ),
    )
    if "cert_revoked" in roster:
        revoked = pd.to_datetime(roster["cert_revoked"], errors="coerce").to_numpy()
        revoked = revoked.astype("datetime64[D]")
        status = np.where(~np.isnat(revoked) & (revoked <= report), "revoked", status)
    return np.where(roster["enforcement"].to_numpy(dtype=bool), status, "n/a").astype(object)


def _exam_roots(exams: pd.DataFrame) -> dict[str, str]:
    parent = dict(zip(exams["exam"], exams["makeup_of"], strict=True))
    roots: dict[str, str] = {}
    for exam in parent:
        root, seen = exam, {exam}
        while isinstance(parent.get(root), str) and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        roots[exam] = root
    return roots


def exam_requirements(
    roster: pd.DataFrame,
    exams: pd.DataFrame,
    passes: pd.DataFrame,
    year: int,
    as_of: dt.date,
    audiences: dict[str, AudienceRule] | None = None,
) -> pd.DataFrame:
    """Required exams per officer (active on the closing date, in the year, ≤ report date,
    and in the exam's audience when it has one).

    ``exams``: exam, closes (local date), makeup_of (the original's name or None);
    ``passes``: exam, officer_id — a pass of the exam or of any makeup of it counts.
    """
    columns = ["officer_id", "exam", "closes", "passed"]
    if exams.empty:
        return pd.DataFrame(columns=columns)
    roots = _exam_roots(exams)
    closes = pd.to_datetime(exams["closes"]).dt.date
    originals = exams[
        exams["makeup_of"].isna()
        & (closes >= dt.date(year, 1, 1))
        & (closes <= min(as_of, dt.date(year, 12, 31)))
    ]
    if originals.empty:
        return pd.DataFrame(columns=columns)
    day = _dates(originals["closes"], _FAR_PAST)
    active = active_matrix(roster, day, day)
    for column, (name, closes_on) in enumerate(
        zip(originals["exam"], pd.to_datetime(originals["closes"]).dt.date, strict=True)
    ):
        rule = (audiences or {}).get(name)
        if rule is not None:
            active[:, column] &= rule.members(roster, closes_on)
    officer, exam = np.nonzero(active)
    detail = pd.DataFrame(
        {
            "officer_id": roster["officer_id"].to_numpy()[officer],
            "exam": originals["exam"].to_numpy()[exam],
            "closes": pd.to_datetime(originals["closes"]).dt.date.to_numpy()[exam],
        }
    )
    passed = {
        (roots.get(e, e), o) for e, o in zip(passes["exam"], passes["officer_id"], strict=True)
    }
    detail["passed"] = [
        (e, o) in passed for e, o in zip(detail["exam"], detail["officer_id"], strict=True)
    ]
    return detail


def central_group_sessions(
    roster: pd.DataFrame, starts: pd.DataFrame, year: int, as_of: dt.date
) -> pd.Series:
    """Leaders' 中心组学法 sessions: distinct days with such a record in the year to date."""
    counts = np.zeros(len(roster), dtype=np.int64)
    if not starts.empty:
        position = _positions(roster, starts["id"].to_numpy())
        day = local_days(starts["start"].to_numpy())
        first, last = np.datetime64(dt.date(year, 1, 1), "D"), np.datetime64(as_of, "D")
        keep = (position >= 0) & (day >= first) & (day <= last)
        unique = pd.DataFrame({"p": position[keep], "d": day[keep]}).drop_duplicates()
        counts = np.bincount(unique["p"].to_numpy(), minlength=len(roster))
    result = pd.Series(counts, dtype="Int64")
    result[roster["role"].to_numpy() != "leader"] = pd.NA
    return result


def evaluate(
    *,
    roster: pd.DataFrame,
    daily: Daily,
    rules: Rules,
    year: int,
    as_of: dt.date,
    exams: pd.DataFrame | None = None,
    passes: pd.DataFrame | None = None,
    central_group: pd.DataFrame | None = None,
    counted: dict[str, pd.DataFrame] | None = None,
    audiences: dict[str, AudienceRule] | None = None,
) -> Compliance:
    """Evaluate every officer in ``roster`` for ``year`` as of the report date ``as_of``.

    ``roster``: id, officer_id, name, unit, role, enforcement, cert_expiry, active_from,
    active_to (and optionally cert_revoked). ``daily`` must cover ``report_days(year)``.
    ``counted``: rule name → (id, start) records of its activities (a rule counting the
    central-group activity falls back to ``central_group``); ``audiences``: exam → audience.
    """
    roster = roster.sort_values("officer_id", kind="stable").reset_index(drop=True)
    daily = daily.aligned(roster["id"].to_numpy())
    weeks = iso_year_weeks(year)
    week_minutes = daily.weekly(weeks) / 60
    mondays = np.array(weeks.mondays, dtype="datetime64[D]")
    sundays = mondays + np.timedelta64(6, "D")
    ended = sundays <= np.datetime64(as_of, "D")
    required = active_matrix(roster, mondays, sundays) & ended[None, :]
    weekly_needed = np.where(
        roster["role"].to_numpy() == "leader",
        rules.leader_weekly_minutes,
        rules.staff_weekly_minutes,
    ).astype(np.float64)
    week_ok = week_minutes * 60 >= weekly_needed[:, None] * 60 - 1e-6

    annual_minutes = daily.total(dt.date(year, 1, 1), dt.date(year + 1, 1, 1)) / 60
    last_day = min(as_of, dt.date(year, 12, 31))
    active_days = _active_days(roster, dt.date(year, 1, 1), last_day)
    enforcement = roster["enforcement"].to_numpy(dtype=bool)
    annual_needed = np.where(
        enforcement, rules.annual_minutes * active_days / days_in_year(year), 0.0
    )
    annual_ok = annual_minutes >= annual_needed - 1e-9

    exam_detail = exam_requirements(
        roster,
        exams if exams is not None else pd.DataFrame(columns=["exam", "closes", "makeup_of"]),
        passes if passes is not None else pd.DataFrame(columns=["exam", "officer_id"]),
        year,
        as_of,
        audiences,
    )
    per_officer = exam_detail.groupby("officer_id")["passed"].agg(["size", "sum"])
    exams_required = roster["officer_id"].map(per_officer["size"]).fillna(0).astype(int)
    exams_passed = roster["officer_id"].map(per_officer["sum"]).fillna(0).astype(int)

    cert = certificate_status(roster, as_of, rules.cert_warning_days)
    no_starts = pd.DataFrame(columns=["id", "start"])
    starts = dict(counted or {})
    for rule in rules.counted:
        if rule.name not in starts and rules.central_group_activity in rule.activities:
            starts[rule.name] = central_group if central_group is not None else no_starts
    counted_result = evaluate_counted(roster, rules.counted, starts, year, as_of)
    required_weeks = required.sum(axis=1)
    compliant_weeks = (required & week_ok).sum(axis=1)
    compliant = (
        (compliant_weeks == required_weeks)
        & annual_ok
        & (exams_passed.to_numpy() >= exams_required.to_numpy())
        & np.isin(cert, CERT_OK)
        & counted_result.binding_ok
    )
    summary = pd.DataFrame(
        {
            "officer_id": roster["officer_id"],
            "name": roster["name"],
            "unit": roster["unit"],
            "role": roster["role"],
            "required_weeks": required_weeks,
            "compliant_weeks": compliant_weeks,
            "annual_minutes": np.round(annual_minutes, 2),
            "annual_required_minutes": np.round(annual_needed, 2),
            "annual_ok": annual_ok,
            "exams_required": exams_required,
            "exams_passed": exams_passed,
            "cert_status": cert,
            "compliant": compliant,
            "central_group_sessions": _central_group_column(
                roster, rules, counted_result, central_group, year, as_of
            ),
            "counted_ok": counted_result.ok,
            "counted_shortfalls": counted_result.shortfalls,
        }
    )
    return Compliance(
        year=year,
        as_of=as_of,
        roster=roster,
        weeks=weeks,
        week_minutes=week_minutes,
        required=required,
        required_minutes=weekly_needed,
        summary=summary,
        exam_detail=exam_detail,
        counted=counted_result,
    )


def _central_group_column(
    roster: pd.DataFrame,
    rules: Rules,
    counted: CountedResult,
    central_group: pd.DataFrame | None,
    year: int,
    as_of: dt.date,
) -> pd.Series:
    """``central_group_sessions``: the counted rule of the central-group activity (empty for
    officers it does not apply to); without such a rule, leaders' sessions as before."""
    for rule in rules.counted:
        if rules.central_group_activity in rule.activities:
            values = counted.counts[rule.name]
            column = pd.Series(values, dtype="Int64")
            column[values < 0] = pd.NA
            return column
    return central_group_sessions(
        roster,
        central_group if central_group is not None else pd.DataFrame(columns=["id", "start"]),
        year,
        as_of,
    )
