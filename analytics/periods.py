"""Calendar arithmetic in Asia/Shanghai: ISO weeks, calendar years, local days ↔ Unix seconds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fazhi.tabular import LOCAL_TZ


def local_midnight(day: dt.date) -> int:
    """Unix seconds of ``day`` 00:00 in Asia/Shanghai."""
    return int(dt.datetime.combine(day, dt.time(), LOCAL_TZ).timestamp())


def local_days(timestamps: np.ndarray) -> np.ndarray:
    """The Asia/Shanghai calendar day of each Unix timestamp, as numpy datetime64[D]."""
    moments = pd.to_datetime(np.asarray(timestamps, dtype=np.int64), unit="s", utc=True)
    local = moments.tz_convert(LOCAL_TZ).tz_localize(None)
    return local.values.astype("datetime64[D]")


def week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Weeks:
    """Consecutive ISO weeks: Mondays, labels, and boundaries in Unix seconds (len + 1)."""

    mondays: list[dt.date]
    labels: list[str]
    bounds: np.ndarray

    @property
    def sundays(self) -> list[dt.date]:
        return [m + dt.timedelta(days=6) for m in self.mondays]

    def __len__(self) -> int:
        return len(self.mondays)


def weeks_between(first_monday: dt.date, stop_monday: dt.date) -> Weeks:
    """ISO weeks from ``first_monday`` up to (not including) ``stop_monday``."""
    count = max(0, (stop_monday - first_monday).days // 7)
    mondays = [first_monday + dt.timedelta(weeks=i) for i in range(count)]
    bounds = np.array(
        [local_midnight(first_monday + dt.timedelta(weeks=i)) for i in range(count + 1)],
        dtype=np.int64,
    )
    return Weeks(mondays, [week_label(m) for m in mondays], bounds)


def iso_year_weeks(year: int) -> Weeks:
    """The ISO weeks of ISO year ``year`` (52 or 53; week 1 may start in December)."""
    return weeks_between(
        dt.date.fromisocalendar(year, 1, 1), dt.date.fromisocalendar(year + 1, 1, 1)
    )


def days_in_year(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


def report_days(year: int) -> tuple[dt.date, dt.date]:
    """[first, stop) days covering both the ISO weeks and the calendar year ``year``."""
    first = min(dt.date.fromisocalendar(year, 1, 1), dt.date(year, 1, 1))
    stop = max(dt.date.fromisocalendar(year + 1, 1, 1), dt.date(year + 1, 1, 1))
    return first, stop
