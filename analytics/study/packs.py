"""Study intervals packed per (source, officer): the storage format and its numpy algebra.

A year of a province's records is millions of intervals but only tens of thousands of
(source, officer) pairs, so each pair's intervals are stored as one blob of ``RECORD``s
(``StudyPack.records``). Writing and reading them is then a few thousand rows for the
database, and deduplication (the same officer/time/kind/activity is stored once) is a sort in
numpy rather than a unique index probed row by row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RECORD = np.dtype(
    [
        ("start", "<i8"),  # Unix seconds (UTC)
        ("end", "<i8"),
        ("activity", "<i4"),  # study_activity.id
        ("row", "<i4"),  # the file's row (header = 1), or the tracker's sequence number
        ("online", "u1"),  # 1 online, 0 offline
    ]
)


@dataclass(frozen=True)
class Intervals:
    """Intervals of many officers: ``officer`` (officer table ids) alongside ``records``."""

    officer: np.ndarray  # int64
    records: np.ndarray  # RECORD

    def __len__(self) -> int:
        return int(self.officer.size)

    @staticmethod
    def empty() -> Intervals:
        return Intervals(np.empty(0, dtype=np.int64), np.empty(0, dtype=RECORD))

    @staticmethod
    def concat(parts: list[Intervals]) -> Intervals:
        if not parts:
            return Intervals.empty()
        return Intervals(
            np.concatenate([p.officer for p in parts]),
            np.concatenate([p.records for p in parts]),
        )

    def take(self, positions: np.ndarray) -> Intervals:
        return Intervals(self.officer[positions], self.records[positions])

    def triple(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(officer, start, end) as int64 arrays: what the compliance arithmetic takes."""
        return (
            self.officer,
            self.records["start"].astype(np.int64),
            self.records["end"].astype(np.int64),
        )


def records(
    start: np.ndarray, end: np.ndarray, activity: np.ndarray, row: np.ndarray, online: np.ndarray
) -> np.ndarray:
    result = np.empty(len(start), dtype=RECORD)
    result["start"], result["end"], result["activity"] = start, end, activity
    result["row"], result["online"] = row, online
    return result


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=RECORD)


def pack(items: np.ndarray) -> bytes:
    return np.ascontiguousarray(items, dtype=RECORD).tobytes()


def _packed_keys(found: Intervals) -> tuple[np.ndarray, np.ndarray] | None:
    """Two int64 keys that order and compare like (officer, start, end, activity, online),
    or None when the values do not fit them."""
    officer, recs = found.officer, found.records
    start, end = recs["start"].astype(np.int64), recs["end"].astype(np.int64)
    base, duration = int(start.min()), end - start
    if (
        officer.min() < 0
        or officer.max() >= 1 << 30
        or int(start.max()) - base >= 1 << 33
        or duration.min() < 0
        or duration.max() >= 1 << 38
        or recs["activity"].min() < 0
    ):
        return None
    first = (officer << 33) | (start - base)
    second = (duration << 25) | (recs["activity"].astype(np.int64) << 1) | recs["online"]
    return first, second


def new_in(stored: Intervals, incoming: Intervals) -> np.ndarray:
    """Positions in ``incoming`` of the rows to store, in key order: of equal rows (same
    officer, start, end, activity and kind) only the first, and none equal to a stored row."""
    both = Intervals.concat([stored, incoming]) if len(stored) else incoming
    if len(both) == 0:
        return np.empty(0, dtype=np.int64)
    keys = _packed_keys(both)
    if keys is None:
        recs = both.records
        fields = [both.officer, recs["start"], recs["end"], recs["activity"], recs["online"]]
        order = np.lexsort(fields[::-1])
    else:
        # one stable sort by the first key (fast on files that come sorted by officer), then
        # the rows tied on it (same officer and start: few) sorted by the second
        first, second = keys
        order = np.argsort(first, kind="stable")
        ordered_first = first[order]  # unchanged by reordering ties, which share it
        same = ordered_first[1:] == ordered_first[:-1]
        tied = np.zeros(order.size, dtype=bool)
        tied[1:] |= same
        tied[:-1] |= same
        if tied.any():
            sub = order[tied]
            order[tied] = sub[np.lexsort((second[sub], first[sub]))]
        fields = [second]
    differs = np.zeros(max(order.size - 1, 0), dtype=bool) if keys is None else ~same
    for field in fields:
        ordered = field[order]
        differs |= ordered[1:] != ordered[:-1]
    leads = np.concatenate(([True], differs))  # the first row of each group of equal rows
    # a group whose first row is stored has nothing new (stored rows come first: stable sort)
    keep = leads & (order >= len(stored))
    return order[keep] - len(stored)


def by_officer(found: Intervals) -> list[tuple[int, np.ndarray]]:
    """(officer, its records) for each officer, from intervals sorted by officer."""
    if len(found) == 0:
        return []
    cuts = np.flatnonzero(found.officer[1:] != found.officer[:-1]) + 1
    starts = np.concatenate(([0], cuts))
    stops = np.concatenate((cuts, [len(found)]))
    return [
        (int(found.officer[a]), found.records[a:b])
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True)
    ]
