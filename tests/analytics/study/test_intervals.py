"""Union of study intervals and their seconds per period (pure numpy)."""

from __future__ import annotations

import numpy as np

from fazhi.analytics.study.intervals import seconds_in_periods, union


def brute_force(officer, start, end, bounds, officers):  # type: ignore[no-untyped-def]
    horizon = int(max(end.max(), bounds[-1])) + 1
    result = np.zeros((officers, len(bounds) - 1))
    for k in range(officers):
        covered = np.zeros(horizon, dtype=bool)
        for a, b in zip(start[officer == k], end[officer == k], strict=True):
            covered[a:b] = True
        cumulative = np.concatenate([[0], np.cumsum(covered)])
        result[k] = cumulative[bounds[1:]] - cumulative[bounds[:-1]]
    return result


def test_overlapping_nested_touching_and_duplicate_intervals_merge() -> None:
    """Do overlapping, nested, touching and repeated intervals merge into one span each?"""
    spans = union(
        [0, 0, 0, 0, 0, 1, 0],
        [10, 15, 12, 30, 50, 10, 10],
        [20, 25, 14, 50, 60, 11, 20],
    )
    assert spans.officer.tolist() == [0, 0, 1]
    assert spans.start.tolist() == [10, 30, 10]
    assert spans.end.tolist() == [25, 60, 11]


def test_spans_are_split_at_period_boundaries() -> None:
    """Is a span crossing boundaries split between the periods it touches?"""
    spans = union([0, 1], [5, 0], [25, 8])
    seconds = seconds_in_periods(spans, np.array([0, 8, 16, 32]), 2)
    assert seconds.tolist() == [[3, 8, 9], [8, 0, 0]]


def test_empty_and_zero_length_intervals_count_nothing() -> None:
    """Do no intervals, and zero-length ones, give zero seconds?"""
    assert seconds_in_periods(union([], [], []), np.array([0, 10]), 2).tolist() == [[0], [0]]
    assert seconds_in_periods(union([0], [5], [5]), np.array([0, 10]), 1).tolist() == [[0]]


def test_union_seconds_equal_a_brute_force_count() -> None:
    """Does the vectorised computation agree with counting covered seconds one by one?"""
    rng = np.random.default_rng(5)
    officer = rng.integers(0, 12, 3000)
    start = rng.integers(0, 200_000, 3000)
    end = start + rng.integers(0, 9_000, 3000)
    bounds = np.arange(0, 215_000, 6_007)
    expected = brute_force(officer, start, end, bounds, 12)
    assert np.array_equal(seconds_in_periods(union(officer, start, end), bounds, 12), expected)
    shuffled = rng.permutation(officer.size)  # input order does not matter
    spans = union(officer[shuffled], start[shuffled], end[shuffled])
    assert np.array_equal(seconds_in_periods(spans, bounds, 12), expected)
