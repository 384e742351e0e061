"""The demo step's choices (the full demo runs in tests/base/test_demo.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi.exams.demo import demo_period


@pytest.mark.parametrize(
    ("today", "period"),
    [
        (dt.date(2026, 11, 22), (2026, 10, 5)),
        (dt.date(2026, 2, 11), (2026, 2, 1)),
        (dt.date(2026, 2, 10), (2025, 12, 6)),  # the February exam is still open that day
        (dt.date(2026, 1, 5), (2025, 12, 6)),
    ],
)
def test_demo_uses_the_latest_closed_bimonthly_exam(
    today: dt.date, period: tuple[int, int, int]
) -> None:
    """Does the demo pick the most recent bimonthly exam whose window has closed?"""
    assert demo_period(today, 2) == period
