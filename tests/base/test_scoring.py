"""docs/contract.md §Scoring, shared by hidden tests, the fast grader and practice feedback."""

from __future__ import annotations

import pytest

from fazhi.kernel import scoring


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("ACD", 4.0),
        ("dca", 4.0),
        ("ＡＣＤ", 4.0),
        ("A、C", 2.0),
        ("A", 2.0),
        ("AB", 0.0),
        ("ABCD", 0.0),
        ("", 0.0),
        (None, 0.0),
        ("A?", 0.0),
    ],
)
def test_multiple_choice(response: object, expected: float) -> None:
    """Does a strict subset earn half, any wrong option zero, and letters normalise?"""
    assert scoring.score_multiple(response, "ACD", 4) == expected


@pytest.mark.parametrize(
    ("response", "expected"),
    [("b", 1.0), ("Ｂ", 1.0), (" B ", 1.0), ("C", 0.0), ("BC", 0.0), ("", 0.0)],
)
def test_single_choice(response: str, expected: float) -> None:
    """Is a single choice all or nothing, case- and width-insensitive?"""
    assert scoring.score_single(response, "B", 1) == expected


@pytest.mark.parametrize("word", ["正确", "对", "√", "T", "t", "true"])
def test_truefalse_true_forms(word: str) -> None:
    """Are all the true forms of docs/contract.md accepted for 正确?"""
    assert scoring.score_truefalse(word, "正确", 1) == 1.0
    assert scoring.score_truefalse(word, "错误", 1) == 0.0


@pytest.mark.parametrize("word", ["错误", "错", "×", "F", "false"])
def test_truefalse_false_forms(word: str) -> None:
    """Are all the false forms accepted for 错误, and unclear answers worth nothing?"""
    assert scoring.score_truefalse(word, "错", 1) == 1.0
    assert scoring.score_truefalse("也许", "错误", 1) == 0.0
    assert scoring.score_truefalse("", "错误", 1) == 0.0


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("二百", 2.0),
        ("200", 2.0),
        ("２００", 2.0),
        (" 2 0 0 ", 2.0),
        ("二 百", 2.0),
        ("２００元", 0.0),
        ("", 0.0),
    ],
)
def test_fill_normalisation(response: str, expected: float) -> None:
    """Do NFKC, whitespace stripping and full-width digits match accepted variants?"""
    assert scoring.score_fill(response, "二百|200", 2) == expected


def test_fill_ignores_case() -> None:
    """Is case ignored in fill answers?"""
    assert scoring.score_fill("icc", "ICC", 1) == 1.0


def test_review_score() -> None:
    """Does a case-file review score hits minus false marks over the planted defects?"""
    assert scoring.score_review([0, 1, 2], [0, 1, 2], 6) == 6.0
    assert scoring.score_review([0, 1], [0, 1, 2], 6) == 4.0
    assert scoring.score_review([0, 1, 5], [0, 1, 2], 6) == 2.0
    assert scoring.score_review([4, 5], [0, 1, 2], 6) == 0.0


def test_range_and_exact() -> None:
    """Is a fine inside the range full marks, and a procedure choice exact?"""
    assert scoring.score_range("2,500", 2000, 3500, 2) == 2.0
    assert scoring.score_range("3600", 2000, 3500, 2) == 0.0
    assert scoring.score_range("", 2000, 3500, 2) == 0.0
    assert scoring.score_exact("一般程序", "一般程序", 2) == 2.0
    assert scoring.score_exact("简易程序", "一般程序", 2) == 0.0


def test_answers_after_time_limit_do_not_count() -> None:
    """Does an answer recorded after started_at + limit score nothing?"""
    sheet = {
        "started_at": "2026-03-02T01:00:00+00:00",
        "answers": {
            "q1": {"value": "B", "at": "2026-03-02T01:29:59+00:00"},
            "q2": {"value": "B", "at": "2026-03-02T01:30:01+00:00"},
        },
    }
    assert (
        scoring.score_answer(sheet, "q1", kind="single", key="B", points=1, limit_minutes=30) == 1
    )
    assert (
        scoring.score_answer(sheet, "q2", kind="single", key="B", points=1, limit_minutes=30) == 0
    )
    assert scoring.score_answer(sheet, "q2", kind="single", key="B", points=1) == 1
    assert scoring.score_answer(sheet, "q3", kind="single", key="B", points=1) == 0
