"""Study seconds per officer and Asia/Shanghai day: the sufficient statistic of compliance.

Every compliance period (ISO week, calendar year, a dashboard's date range) is a run of whole
local days, and the union of an officer's intervals clipped to a run of days is the sum of
its clips to each day. So reports need only these per-day seconds, which the database keeps
per officer and year (``StudyYear``) and every writer of intervals refreshes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fazhi.analytics.periods import Weeks, local_midnight
from fazhi.analytics.study.intervals import seconds_in_periods, union

_BLOB = np.dtype("<i4")
CELL_BYTES = _BLOB.itemsize  # one day in a ``StudyYear.seconds`` blob


def day_bounds(first: dt.date, days: int) -> np.ndarray:
    """Unix seconds of each local midnight from ``first`` (``days`` + 1 values)."""
    return np.array(
        [local_midnight(first + dt.timedelta(days=i)) for i in range(days + 1)], dtype=np.int64
    )


@dataclass(frozen=True)
class Daily:
    """Seconds of study per officer (row ↔ ``ids``, officer table ids) and day from ``first``."""

    ids: np.ndarray
    first: dt.date
    seconds: np.ndarray  # officers × days

    @property
    def days(self) -> int:
        return int(self.seconds.shape[1])

    def aligned(self, ids: np.ndarray) -> Daily:
        """The rows for ``ids`` in that order (officers without records get zeros)."""
        if np.array_equal(self.ids, ids):
            return self
        index = _index(self.ids, ids)
        rows = np.zeros((len(ids), self.days), dtype=np.float64)
        found = index >= 0
        rows[found] = self.seconds[index[found]]
        return Daily(np.asarray(ids, dtype=np.int64), self.first, rows)

    def total(self, start: dt.date, stop: dt.date) -> np.ndarray:
        """Seconds per officer from ``start`` up to (not including) ``stop``."""
        a = min(max((start - self.first).days, 0), self.days)
        b = min(max((stop - self.first).days, 0), self.days)
        return self.seconds[:, a:b].sum(axis=1)

    def weekly(self, weeks: Weeks) -> np.ndarray:
        """Seconds per officer and week (officers × weeks)."""
        a = (weeks.mondays[0] - self.first).days if len(weeks) else 0
        if len(weeks) and a >= 0 and a + 7 * len(weeks) <= self.days:  # all inside: one sum
            block = self.seconds[:, a : a + 7 * len(weeks)]
            return block.reshape(block.shape[0], len(weeks), 7).sum(axis=2)
        result = np.zeros((self.seconds.shape[0], len(weeks)), dtype=np.float64)
        for i, monday in enumerate(weeks.mondays):
            result[:, i] = self.total(monday, monday + dt.timedelta(days=7))
        return result


def _ranks(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct ids, each id's position among them); a file's rows usually come sorted."""
    if ids.size and bool(np.all(ids[1:] >= ids[:-1])):
        first = np.ones(ids.size, dtype=bool)
        first[1:] = ids[1:] != ids[:-1]
        return ids[first], np.cumsum(first) - 1
    distinct, position = np.unique(ids, return_inverse=True)
    return distinct, position.reshape(-1)


def _index(known: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    return pd.Index(known).get_indexer(np.asarray(wanted, dtype=np.int64))


def daily_from_intervals(
    ids: np.ndarray, start: np.ndarray, end: np.ndarray, first: dt.date, days: int
) -> Daily:
    """Per-day seconds of the union of each officer's intervals (officer table ids)."""
    officers, position = _ranks(np.asarray(ids, dtype=np.int64))
    spans = union(position, start, end)
    seconds = seconds_in_periods(spans, day_bounds(first, days), len(officers))
    return Daily(officers, first, seconds)


def year_blobs(seconds: np.ndarray) -> list[bytes]:
    """Each officer's per-day seconds of one year (a row of officers × days), as stored in
    ``StudyYear.seconds``."""
    whole = np.ascontiguousarray(np.rint(seconds).astype(_BLOB)).tobytes()
    size = seconds.shape[1] * CELL_BYTES
    return [whole[i : i + size] for i in range(0, len(whole), size)] if size else []


def blob_seconds(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=_BLOB).astype(np.float64)
