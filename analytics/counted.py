"""Counted requirements (``[[counted]]`` in rules.toml): 中心组学法, 庭审观摩, 专题讲座 …

A session is a distinct Asia/Shanghai day with a record of one of the rule's activities.
``per_year``: the year's sessions up to the report date must reach ``per_year`` × the
officer's active days from 1 January to the report date (or 31 December) / days in the year,
rounded down — the whole number at year end, like the annual hours. ``per_quarter``: every
calendar quarter that has ended by the report date, with the officer active on all its days,
must have ``per_quarter`` sessions. Pure functions of data frames, like the engine.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fazhi.analytics.periods import days_in_year, local_days
from fazhi.rules import CountedRule

QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
_FAR_PAST = np.datetime64("0001-01-01", "D")
_FAR_FUTURE = np.datetime64("9999-12-31", "D")


@dataclass(frozen=True)
class CountedResult:
    """Per rule: sessions (year to date), required to date, whether met, and reasons."""

    rules: tuple[CountedRule, ...]
    counts: dict[str, np.ndarray]  # rule name → sessions per officer (−1 = rule not applicable)
    required: dict[str, np.ndarray]  # rule name → sessions required to date per officer
    ok: np.ndarray  # per officer: every applicable rule met
    binding_ok: np.ndarray  # per officer: every applicable binding rule met (decides compliant)
    shortfalls: list[str]  # per officer: the reasons in Chinese, "；"-joined ("" when met)


def _dates(series: pd.Series, missing: np.datetime64) -> np.ndarray:
    values = pd.to_datetime(series, errors="coerce").to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(values), missing, values)


def _session_days(roster: pd.DataFrame, starts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(roster position, local day) of each distinct officer-day in ``starts`` (id, start)."""
    if starts.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype="datetime64[D]")
    position = pd.Index(roster["id"]).get_indexer(starts["id"].to_numpy())
    day = local_days(starts["start"].to_numpy())
    frame = pd.DataFrame({"p": position, "d": day})[position >= 0].drop_duplicates()
    return frame["p"].to_numpy(np.int64), frame["d"].to_numpy().astype("datetime64[D]")


def _quarters(year: int) -> list[tuple[np.datetime64, np.datetime64]]:
    firsts = [dt.date(year, m, 1) for m in (1, 4, 7, 10)] + [dt.date(year + 1, 1, 1)]
    return [
        (np.datetime64(a, "D"), np.datetime64(b, "D") - np.timedelta64(1, "D"))
        for a, b in itertools.pairwise(firsts)
    ]


def evaluate_counted(
    roster: pd.DataFrame,
    rules: tuple[CountedRule, ...],
    starts: dict[str, pd.DataFrame],
    year: int,
    as_of: dt.date,
) -> CountedResult:
    """Evaluate every counted rule for ``roster`` (id, role, active_from, active_to) in
    ``year`` as of ``as_of``; ``starts``: rule name → (officer table id, start) records."""
    size = len(roster)
    since = _dates(roster["active_from"], _FAR_PAST)
    until = _dates(roster["active_to"], _FAR_FUTURE)
    report = np.datetime64(as_of, "D")
    first = np.datetime64(dt.date(year, 1, 1), "D")
    last = min(report, np.datetime64(dt.date(year, 12, 31), "D"))
    active_days = np.maximum(
        (np.minimum(until, last) - np.maximum(since, first)).astype(np.int64) + 1, 0
    )
    ok = np.ones(size, dtype=bool)
    binding_ok = np.ones(size, dtype=bool)
    reasons: list[list[str]] = [[] for _ in range(size)]
    counts: dict[str, np.ndarray] = {}
    required: dict[str, np.ndarray] = {}
    roles = roster["role"].to_numpy()
    for rule in rules:
        applies = np.array([rule.applies_to(r) for r in roles], dtype=bool)
        position, day = _session_days(
            roster, starts.get(rule.name, pd.DataFrame(columns=["id", "start"]))
        )
        in_year = (day >= first) & (day <= last)
        count = np.bincount(position[in_year], minlength=size).astype(np.int64)
        needed = np.zeros(size, dtype=np.int64)
        if rule.per_year:
            needed = (rule.per_year * active_days) // days_in_year(year)
            short = applies & (count < needed)
            ok &= ~short
            if rule.binding:
                binding_ok &= ~short
            for i in np.flatnonzero(short):
                text = f"{rule.name} {count[i]}/{needed[i]} 次"
                if needed[i] != rule.per_year:
                    text += f"（全年 {rule.per_year} 次，按在岗天数折算至报告日期）"
                reasons[i].append(text)
        if rule.per_quarter:
            for number, (start, end) in enumerate(_quarters(year)):
                if end > report:
                    break
                due = applies & (since <= start) & (until >= end)
                inside = (day >= start) & (day <= end)
                got = np.bincount(position[inside], minlength=size)
                short = due & (got < rule.per_quarter)
                ok &= ~short
                if rule.binding:
                    binding_ok &= ~short
                for i in np.flatnonzero(short):
                    reasons[i].append(
                        f"{rule.name} {QUARTER_NAMES[number]} {got[i]}/{rule.per_quarter} 次"
                    )
        counts[rule.name] = np.where(applies, count, -1)
        required[rule.name] = np.where(applies, needed, 0)
    return CountedResult(
        rules=rules,
        counts=counts,
        required=required,
        ok=ok,
        binding_ok=binding_ok,
        shortfalls=["；".join(r) for r in reasons],
    )
