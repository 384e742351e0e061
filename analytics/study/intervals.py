"""Union of study intervals per officer, and the seconds of that union inside given periods.

Pure numpy on integer Unix seconds, so that a year of a province's records (millions of
intervals) is computed in a fraction of a second. Intervals are half-open [start, end).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spans:
    """Disjoint intervals sorted by (officer, start); ``officer`` is a row position."""

    officer: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __len__(self) -> int:
        return int(self.officer.size)


def _int64(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def union(officer: object, start: object, end: object) -> Spans:
    """Merge each officer's overlapping (or touching) intervals: overlaps count once."""
    officer, start, end = _int64(officer), _int64(start), _int64(end)
    keep = end > start
    officer, start, end = officer[keep], start[keep], end[keep]
    if officer.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return Spans(empty, empty, empty)
    same = officer[1:] == officer[:-1]
    if not np.all((officer[1:] > officer[:-1]) | (same & (start[1:] >= start[:-1]))):
        order = np.lexsort((start, officer))
        officer, start, end = officer[order], start[order], end[order]
    # Running maximum of `end` within each officer: shift each officer's ends into its own
    # band (officer rank × span) so one cumulative maximum never crosses officers.
    low = int(end.min())
    band = int(end.max()) - low + 1
    rank = np.concatenate(([0], np.cumsum(officer[1:] != officer[:-1])))
    running = np.maximum.accumulate(rank * band + (end - low)) - rank * band + low
    new = np.ones(officer.size, dtype=bool)
    new[1:] = (officer[1:] != officer[:-1]) | (start[1:] > running[:-1])
    first = np.flatnonzero(new)
    return Spans(officer[first], start[first], np.maximum.reduceat(end, first))


def seconds_in_periods(spans: Spans, bounds: np.ndarray, officers: int) -> np.ndarray:
    """Seconds of each officer's spans inside each period: an (officers × periods) array.

    ``bounds`` are the periods' consecutive boundaries (len = periods + 1), e.g. ISO weeks;
    a span crossing a boundary (midnight Sunday → Monday) is split between the periods.
    """
    bounds = _int64(bounds)
    periods = bounds.size - 1
    if periods <= 0 or len(spans) == 0:
        return np.zeros((officers, max(periods, 0)), dtype=np.float64)
    start = np.maximum(spans.start, bounds[0])
    end = np.minimum(spans.end, bounds[-1])
    inside = end > start
    officer, start, end = spans.officer[inside], start[inside], end[inside]
    steps = np.unique(np.diff(bounds))
    if steps.size == 1:  # equal periods (days or weeks without a clock change): arithmetic
        first = (start - bounds[0]) // steps[0]
        last = (end - bounds[0] - 1) // steps[0]
    else:
        first = np.searchsorted(bounds, start, side="right") - 1
        last = np.searchsorted(bounds, end, side="left") - 1
    # most spans lie inside one period; only the others are split at the boundaries
    split = np.flatnonzero(last > first)
    counts = last[split] - first[split] + 1
    row = np.repeat(split, counts)
    step = np.arange(row.size) - np.repeat(np.cumsum(counts) - counts, counts)
    period = first[row] + step
    pieces = np.minimum(end[row], bounds[period + 1]) - np.maximum(start[row], bounds[period])
    whole = last == first
    keys = np.concatenate(
        [officer[whole] * periods + first[whole], officer[row] * periods + period]
    )
    seconds = np.concatenate([(end - start)[whole], pieces]).astype(np.float64)
    return np.bincount(keys, weights=seconds, minlength=officers * periods).reshape(
        officers, periods
    )
