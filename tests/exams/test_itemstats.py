"""Item statistics against values computed by hand (docs/contract.md's exact formulas)."""

from __future__ import annotations

import math

import pytest

from fazhi.exams.itemstats import cronbach_alpha, item_statistics

# Four officers, three items (q2 is worth 2 points); totals 4, 2, 3, 0.
SCORES = {
    "A": {"q1": 1.0, "q2": 2.0, "q3": 1.0},
    "B": {"q1": 1.0, "q2": 1.0, "q3": 0.0},
    "C": {"q1": 0.0, "q2": 2.0, "q3": 1.0},
    "D": {"q1": 0.0, "q2": 0.0, "q3": 0.0},
}
MAXIMA = {"q1": 1.0, "q2": 2.0, "q3": 1.0}


def test_facility_discrimination_efficiency_by_hand() -> None:
    """Do facility, discrimination (r with the rest score) and efficiency match hand values?

    q1: x = 1,1,0,0; rest = 3,1,3,0 → cov = 1/6, var x = 1/3, var rest = 9/4,
        r = (1/6)/√(3/4) = 1/(3√3); sorted cov = 5/6 → efficiency 0.2.
    q2: x = 2,1,2,0; rest = 2,1,1,0 → r = 2/√5.5; sorted x 0,1,2,2 with 0,1,1,2 → 1.0.
    q3: x = 1,0,1,0; rest = 3,2,2,0 → r = 1.5/√4.75; efficiency 1.0.
    """
    stats = {s.question_id: s for s in item_statistics(SCORES, MAXIMA)}
    assert stats["q1"].facility == pytest.approx(0.5)
    assert stats["q1"].discrimination == pytest.approx(1 / (3 * math.sqrt(3)), abs=1e-12)
    assert stats["q1"].discriminative_efficiency == pytest.approx(0.2, abs=1e-12)
    assert stats["q2"].facility == pytest.approx(5 / 8)
    assert stats["q2"].discrimination == pytest.approx(2 / math.sqrt(5.5), abs=1e-12)
    assert stats["q2"].discriminative_efficiency == pytest.approx(1.0)
    assert stats["q3"].discrimination == pytest.approx(1.5 / math.sqrt(4.75), abs=1e-12)
    assert [s.answered for s in stats.values()] == [4, 4, 4]


def test_cronbach_alpha_by_hand() -> None:
    """α = k/(k−1)(1 − Σvar(item)/var(total)) = 3/2 · (1 − (4.75/3)/(8.75/3)) = 6/8.75."""
    assert cronbach_alpha(SCORES) == pytest.approx(6 / 8.75, abs=1e-12)


def test_items_on_some_papers_only() -> None:
    """With per-officer papers, are an item's statistics over the officers who had it?"""
    scores = {
        "A": {"q1": 1.0, "x": 1.0},
        "B": {"q1": 0.0, "x": 0.0},
        "C": {"q1": 1.0, "y": 0.0},
        "D": {"q1": 0.0, "y": 1.0},
    }
    stats = {s.question_id: s for s in item_statistics(scores, {"q1": 1.0, "x": 1.0, "y": 1.0})}
    assert (stats["x"].answered, stats["x"].facility) == (2, 0.5)
    # x: scores 1, 0 with rest 1, 0 → perfectly discriminating
    assert stats["x"].discrimination == pytest.approx(1.0)
    # y: scores 0, 1 with rest 1, 0 → r = -1
    assert stats["y"].discrimination == pytest.approx(-1.0)
    assert stats["y"].discriminative_efficiency == pytest.approx(-1.0)


def test_undefined_statistics_are_empty() -> None:
    """Are r, efficiency and α undefined (None) for one officer or a constant item?"""
    one = item_statistics({"A": {"q": 1.0, "r": 0.0}}, {"q": 1.0, "r": 1.0})
    assert one[0].facility == 1.0 and one[0].discrimination is None
    assert one[0].discriminative_efficiency is None
    constant = item_statistics(
        {"A": {"q": 1.0, "r": 1.0}, "B": {"q": 1.0, "r": 0.0}}, {"q": 1.0, "r": 1.0}
    )
    assert constant[0].discrimination is None
    assert cronbach_alpha({"A": {"q": 1.0, "r": 1.0}}) is None
    assert cronbach_alpha({"A": {"q": 1.0}, "B": {"q": 0.0}}) is None
