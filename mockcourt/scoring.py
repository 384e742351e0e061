"""Mock-court arithmetic (docs/contract.md §Mock court), exact: scores are decimals with ≤ 2 places.

Everything is computed with ``Fraction`` so that a session score rounds to 2 decimals the
way a trainer checking by hand would (half up), never off by a binary-float cent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from fazhi.rules import load_rules

Number = int | float | str | Decimal | Fraction

# A judge is flagged when, over at least MIN_FLAG_PARTICIPANTS participants, their score
# differs from the mean of the other judges' scores by the rules' deviation_threshold points
# or more on average (same sign: systematically lenient or severe). Compared only where at
# least MIN_OTHER_JUDGES other judges scored the participant, so "the others" is a panel, not
# one person.
MIN_FLAG_PARTICIPANTS = 2
MIN_OTHER_JUDGES = 2


def exact(value: Number) -> Fraction:
    """The decimal a user wrote, exactly (a float is read as its shortest decimal form)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value)))


def round2(value: Fraction) -> Decimal:
    """Round half away from zero to 2 decimals (85.125 → 85.13), as done by hand."""
    whole = int(abs(value) * 100 + Fraction(1, 2))
    rounded = Decimal(whole).scaleb(-2)
    return -rounded if value < 0 else rounded


def judge_score(weights: Mapping[str, Number], scores: Mapping[str, Number]) -> Fraction:
    """Σ weight × score / 100 over the rubric's dimensions (weights sum to 100)."""
    missing = [name for name in weights if name not in scores]
    if missing:
        raise ValueError(f"缺少评分维度：{'、'.join(missing)}")
    return sum((exact(w) * exact(scores[name]) for name, w in weights.items()), Fraction(0)) / 100


def session_score(judge_scores: Sequence[Fraction], drop_extremes_from: int) -> Fraction:
    """Mean of the judges' scores; with ``drop_extremes_from`` or more judges (and at least 3),
    the single highest and the single lowest are dropped first (去掉一个最高分和一个最低分)."""
    if not judge_scores:
        raise ValueError("没有评委评分")
    ordered = sorted(judge_scores)
    if trims(len(ordered), drop_extremes_from):
        ordered = ordered[1:-1]
    return sum(ordered, Fraction(0)) / len(ordered)


def trims(judges: int, drop_extremes_from: int) -> bool:
    """Whether a panel of ``judges`` has its highest and lowest score dropped."""
    return judges >= max(drop_extremes_from, 3)


def icc_2_1(matrix: Sequence[Sequence[Number]]) -> float | None:
    """ICC(2,1) of Shrout & Fleiss (1979): two-way random effects, absolute agreement, single
    rater. ``matrix[i][j]`` is judge j's score for participant i (complete, n ≥ 2, k ≥ 2).

    ICC = (BMS − EMS) / (BMS + (k − 1)·EMS + k·(JMS − EMS)/n), with BMS the between-
    participants mean square, JMS the between-judges mean square and EMS the residual mean
    square of the two-way ANOVA. None when undefined (too few rows/columns, or no variance).
    """
    n = len(matrix)
    k = len(matrix[0]) if n else 0
    if n < 2 or k < 2:
        return None
    if any(len(row) != k for row in matrix):
        raise ValueError("评分矩阵不完整")
    cells = [[exact(x) for x in row] for row in matrix]
    grand = sum((sum(row) for row in cells), Fraction(0)) / (n * k)
    row_means = [sum(row) / k for row in cells]
    col_means = [sum(row[j] for row in cells) / n for j in range(k)]
    ss_rows = k * sum((m - grand) ** 2 for m in row_means)
    ss_cols = n * sum((m - grand) ** 2 for m in col_means)
    ss_total = sum((x - grand) ** 2 for row in cells for x in row)
    ss_error = ss_total - ss_rows - ss_cols
    bms = ss_rows / (n - 1)
    jms = ss_cols / (k - 1)
    ems = ss_error / ((n - 1) * (k - 1))
    denominator = bms + (k - 1) * ems + k * (jms - ems) / n
    if denominator == 0:
        return None
    return float((bms - ems) / denominator)


@dataclass(frozen=True)
class JudgeDeviation:
    """How far one judge's scores sit from the rest of the panel, on average."""

    judge: str
    compared: int  # participants compared (each also scored by ≥ MIN_OTHER_JUDGES others)
    mean_deviation: Fraction | None  # judge − mean of the others, averaged; None if compared 0
    flag: str  # "偏高" (lenient), "偏低" (severe) or ""


def judge_deviations(
    scores: Mapping[str, Mapping[str, Fraction]],
    *,
    threshold: Number | None = None,
) -> list[JudgeDeviation]:
    """Per judge (in name order): mean deviation from the other judges and the flag.

    ``scores[participant][judge]`` is the judge's weighted score for the participant.
    ``threshold`` is the rules file's ``mockcourt.deviation_threshold`` (None: the default
    rules').
    """
    limit = exact(load_rules().deviation_threshold if threshold is None else threshold)
    judges = sorted({judge for by_judge in scores.values() for judge in by_judge})
    result = []
    for judge in judges:
        deltas = []
        for by_judge in scores.values():
            if judge not in by_judge:
                continue
            others = [s for other, s in by_judge.items() if other != judge]
            if len(others) >= MIN_OTHER_JUDGES:
                deltas.append(by_judge[judge] - sum(others, Fraction(0)) / len(others))
        mean = sum(deltas, Fraction(0)) / len(deltas) if deltas else None
        flag = ""
        if mean is not None and len(deltas) >= MIN_FLAG_PARTICIPANTS and abs(mean) >= limit:
            flag = "偏高" if mean > 0 else "偏低"
        result.append(JudgeDeviation(judge, len(deltas), mean, flag))
    return result
