"""Mock-court arithmetic: weighted scores, trimmed means, rounding, ICC(2,1), judge deviation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from fazhi.mockcourt.scoring import (
    exact,
    icc_2_1,
    judge_deviations,
    judge_score,
    round2,
    session_score,
)

RUBRIC = {"事实认定": 25, "法律适用": 25, "程序规范": 20, "庭审表达": 20, "文书质量": 10}


def test_weighted_judge_score() -> None:
    """Is a judge's score Σ weight × score / 100 with the default rubric?"""
    scores = {"事实认定": 80, "法律适用": 90, "程序规范": 70, "庭审表达": 60, "文书质量": 100}
    # 25·80 + 25·90 + 20·70 + 20·60 + 10·100 = 2000 + 2250 + 1400 + 1200 + 1000 = 7850
    assert judge_score(RUBRIC, scores) == Fraction(7850, 100)


def test_weighted_score_is_exact_with_decimals() -> None:
    """Are decimal scores weighted exactly (no binary-float cents)?"""
    scores = {"事实认定": 85.5, "法律适用": 90.25, "程序规范": 77, "庭审表达": 88.75, "文书质量": 0}
    # 25·85.5 + 25·90.25 + 20·77 + 20·88.75 = 2137.5 + 2256.25 + 1540 + 1775 = 7708.75
    assert judge_score(RUBRIC, scores) == Fraction("77.0875")


def test_judge_score_refuses_a_missing_dimension() -> None:
    """Does a sheet without every rubric dimension fail rather than count the missing as 0?"""
    with pytest.raises(ValueError, match="文书质量"):
        judge_score(RUBRIC, {"事实认定": 80, "法律适用": 80, "程序规范": 80, "庭审表达": 80})


def test_four_judges_plain_mean() -> None:
    """With 4 judges (fewer than 5), is the session score the plain mean?"""
    assert session_score([exact(x) for x in (70, 80, 90, 100)], 5) == 85


def test_five_judges_drop_highest_and_lowest() -> None:
    """With 5 judges, are the single highest and lowest dropped before averaging?"""
    # drop 60 and 100 → (70 + 80 + 90) / 3 = 80; the plain mean would also be 80, so skew it:
    assert session_score([exact(x) for x in (60, 70, 80, 90, 100)], 5) == 80
    assert session_score([exact(x) for x in (10, 70, 80, 90, 100)], 5) == 80  # plain mean 70


def test_six_judges_drop_only_one_of_tied_extremes() -> None:
    """With 6 judges and tied extremes, is only one highest and one lowest dropped?"""
    # drop one 70 and one 100 → (70 + 80 + 90 + 100) / 4 = 85
    assert session_score([exact(x) for x in (70, 70, 80, 90, 100, 100)], 5) == 85


def test_trimming_threshold_comes_from_the_rules() -> None:
    """Does a rules threshold of 4 trim a 4-judge panel, and never a panel under 3?"""
    assert session_score([exact(x) for x in (70, 80, 90, 100)], 4) == 85  # 80, 90 left
    assert session_score([exact(x) for x in (40, 80, 90, 100)], 4) == 85  # plain mean 77.5
    assert session_score([exact(x) for x in (70, 90)], 2) == 80  # nothing left to average


def test_round_half_up_to_two_decimals() -> None:
    """Are scores rounded half up like a trainer would, even where binary floats round down?"""
    assert round2(Fraction("85.125")) == Decimal("85.13")
    assert round2(Fraction("2.675")) == Decimal("2.68")  # round(2.675, 2) == 2.67 in floats
    assert round2(Fraction(1, 3) * 100) == Decimal("33.33")
    assert round2(Fraction("-4.005")) == Decimal("-4.01")
    assert str(round2(Fraction(80))) == "80.00"


def test_icc_hand_computed_example() -> None:
    """Does ICC(2,1) match a two-way ANOVA computed by hand?"""
    matrix = [[80, 84, 82], [70, 76, 70], [90, 94, 92], [60, 66, 60]]
    # n = 4 participants, k = 3 judges.
    # Row means 82, 72, 92, 62; column means 75, 80, 76; grand mean 77.
    # SS_rows  = k·Σ(row mean − 77)² = 3·(25 + 25 + 225 + 225)       = 1500
    # SS_cols  = n·Σ(col mean − 77)² = 4·(4 + 9 + 1)                 = 56
    # SS_total = Σ(x − 77)² = (9+49+25) + (49+1+49) + (169+289+225) + (289+121+289) = 1564
    # SS_error = 1564 − 1500 − 56 = 8
    # BMS = 1500/3 = 500; JMS = 56/2 = 28; EMS = 8/(3·2) = 4/3
    # ICC(2,1) = (BMS − EMS) / (BMS + (k−1)·EMS + k·(JMS − EMS)/n)
    #          = (500 − 4/3) / (500 + 8/3 + 3·(80/3)/4) = (1496/3) / (1568/3) = 187/196
    assert icc_2_1(matrix) == pytest.approx(187 / 196, abs=1e-12)


def test_icc_matches_shrout_fleiss_table() -> None:
    """Does ICC(2,1) reproduce Shrout & Fleiss (1979), Table 2 (6 targets, 4 judges): 0.29?"""
    matrix = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    assert round(icc_2_1(matrix), 2) == 0.29  # type: ignore[arg-type]


def test_icc_undefined_cases() -> None:
    """Is ICC None for one participant, one judge, or no variance at all?"""
    assert icc_2_1([[80, 90, 85]]) is None
    assert icc_2_1([[80], [90]]) is None
    assert icc_2_1([[80, 80], [80, 80]]) is None


def test_systematically_lenient_judge_is_flagged() -> None:
    """Is a judge 12 points above the rest on every participant flagged 偏高, and no one else?"""
    scores = {
        p: {"甲": exact(base), "乙": exact(base + 2), "丙": exact(base - 2), "丁": exact(base + 12)}
        for p, base in (("CG1", 70), ("CG2", 80), ("CG3", 60))
    }
    found = {d.judge: d for d in judge_deviations(scores, threshold=10)}
    # 丁: 12 − mean(0, 2, −2) = 12 on each participant → 12
    assert found["丁"].mean_deviation == 12 and found["丁"].flag == "偏高"
    # 甲: 0 − mean(2, −2, 12) = −4
    assert found["甲"].mean_deviation == -4 and found["甲"].flag == ""
    assert found["丙"].flag == "" and found["乙"].flag == ""
    strict = judge_deviations(
        {p: {**by, "丁": by["甲"] - 15} for p, by in scores.items()}, threshold=10
    )
    assert {d.judge: d.flag for d in strict}["丁"] == "偏低"


def test_deviation_needs_a_panel_and_several_participants() -> None:
    """Is no one flagged with only two judges, or on a single participant?"""
    two = {"CG1": {"甲": exact(60), "乙": exact(90)}, "CG2": {"甲": exact(50), "乙": exact(95)}}
    assert all(d.flag == "" and d.compared == 0 for d in judge_deviations(two))
    one = {"CG1": {"甲": exact(60), "乙": exact(60), "丙": exact(90)}}
    assert all(d.flag == "" for d in judge_deviations(one))
