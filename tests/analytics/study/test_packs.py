"""Packed study intervals: deduplication against a plain-Python reference, and round trips."""

from __future__ import annotations

import numpy as np
import pytest

from fazhi.analytics.study.packs import RECORD, Intervals, by_officer, new_in, pack, records, unpack


def random_intervals(rng: np.random.Generator, count: int, *, wide: bool = False) -> Intervals:
    """Intervals with many exact duplicates and many rows sharing an officer and start."""
    start = 1_767_000_000 + rng.integers(0, 40, count) * 1800
    if wide:  # starts 300 years apart: too wide for the packed sort keys
        start[0] = -2_000_000_000
        start[-1] = 8_000_000_000
    return Intervals(
        rng.integers(1, 6, count).astype(np.int64),
        records(
            start,
            start + rng.integers(0, 4, count) * 600,
            rng.integers(1, 4, count),
            np.arange(count) + 2,
            rng.integers(0, 2, count),
        ),
    )


def reference_new_in(stored: Intervals, incoming: Intervals) -> list[int]:
    def key(found: Intervals, i: int) -> tuple[int, ...]:
        r = found.records[i]
        return (
            int(found.officer[i]),
            int(r["start"]),
            int(r["end"]),
            int(r["activity"]),
            int(r["online"]),
        )

    seen = {key(stored, i) for i in range(len(stored))}
    kept = []
    for i in range(len(incoming)):
        if key(incoming, i) not in seen:
            seen.add(key(incoming, i))
            kept.append(i)
    return sorted(kept, key=lambda i: (key(incoming, i), i))


@pytest.mark.parametrize("wide", [False, True], ids=["packed-keys", "lexsort"])
@pytest.mark.parametrize("seed", range(5))
def test_new_rows_are_first_of_their_kind_and_not_stored(seed: int, wide: bool) -> None:
    """Does deduplication keep exactly the first of equal rows, none equal to a stored row,
    in key order — with both sort strategies?"""
    rng = np.random.default_rng(seed)
    stored = random_intervals(rng, 300)
    incoming = random_intervals(rng, 500, wide=wide)
    assert new_in(stored, incoming).tolist() == reference_new_in(stored, incoming)
    assert new_in(Intervals.empty(), Intervals.empty()).tolist() == []
    assert new_in(incoming, incoming).tolist() == []


def test_packs_round_trip_by_officer() -> None:
    """Do records survive packing, and are intervals split by officer in order?"""
    rng = np.random.default_rng(1)
    found = random_intervals(rng, 50)
    found = found.take(np.argsort(found.officer, kind="stable"))
    parts = by_officer(found)
    assert [o for o, _ in parts] == sorted(set(found.officer.tolist()))
    assert sum(len(items) for _, items in parts) == 50
    for _, items in parts:
        assert unpack(pack(items)).tobytes() == items.tobytes()
    assert RECORD.itemsize == 25
