"""Item statistics (Moodle's definitions, docs/contract.md §Item statistics) — pure functions.

Input: for each officer (first graded attempt), the score of every item on their paper and
each item's maximum. With per-officer papers an item (question) appears on some papers only;
its statistics are over the officers whose paper held it. Cronbach's alpha is over the
paper's slots, which every officer has.

- facility = mean item score / item max
- discrimination = Pearson r(item score, rest of test) with rest = total − item
- discriminative efficiency = cov(item, rest) / cov(sorted item, sorted rest): the
  discrimination reached as a fraction of the most the score distributions allow (Moodle)
- alpha = k/(k−1) · (1 − Σ var(slot) / var(total))
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ItemStat:
    question_id: str
    facility: float | None
    discrimination: float | None
    discriminative_efficiency: float | None
    answered: int  # officers whose paper held the item


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def covariance(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Sample covariance (n − 1); callers need n ≥ 2."""
    mx, my = mean(xs), mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def variance(xs: Sequence[float]) -> float:
    return covariance(xs, xs)


def _clean(value: float) -> float:
    """Round away floating-point noise (1e-17) so reports show exact fractions."""
    return round(value, 12) + 0.0


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 2:
        return None
    vx, vy = variance(xs), variance(ys)
    if vx <= 1e-15 or vy <= 1e-15:
        return None
    return _clean(covariance(xs, ys) / math.sqrt(vx * vy))


def discriminative_efficiency(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 2:
        return None
    best = covariance(sorted(xs), sorted(ys))
    if abs(best) <= 1e-15:
        return None
    return _clean(covariance(xs, ys) / best)


def item_statistics(
    scores: Mapping[str, Mapping[str, float]], maxima: Mapping[str, float]
) -> list[ItemStat]:
    """Per item, in ``maxima`` order. ``scores``: officer -> {item: score} for their paper."""
    totals = {officer: sum(items.values()) for officer, items in scores.items()}
    stats = []
    for item, maximum in maxima.items():
        holders = [o for o in scores if item in scores[o]]
        xs = [float(scores[o][item]) for o in holders]
        rest = [totals[o] - scores[o][item] for o in holders]
        facility = _clean(mean(xs) / maximum) if xs and maximum > 0 else None
        stats.append(
            ItemStat(
                question_id=item,
                facility=facility,
                discrimination=pearson(xs, rest),
                discriminative_efficiency=discriminative_efficiency(xs, rest),
                answered=len(holders),
            )
        )
    return stats


def cronbach_alpha(slot_scores: Mapping[str, Mapping[str, float]]) -> float | None:
    """Alpha over the slots every officer has; None with fewer than 2 officers or slots."""
    officers = list(slot_scores)
    if len(officers) < 2:
        return None
    slots = sorted(set.intersection(*(set(slot_scores[o]) for o in officers)))
    k = len(slots)
    if k < 2:
        return None
    totals = [sum(slot_scores[o][s] for s in slots) for o in officers]
    total_variance = variance(totals)
    if total_variance <= 1e-15:
        return None
    item_variance = sum(variance([slot_scores[o][s] for o in officers]) for s in slots)
    return _clean(k / (k - 1) * (1 - item_variance / total_variance))
