"""Scoring rules of docs/contract.md §Scoring — one pure function per item kind.

Used by the hidden test cells that stock ``nbgrader autograde`` runs, by fazhi's fast grader
and by practice-mode feedback, so the three can never disagree.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from typing import Any

CHOICE_LETTERS = "ABCDEF"
TRUE_WORDS = {"正确", "对", "√", "✓", "✔", "T", "TRUE", "是", "Y", "YES"}
FALSE_WORDS = {"错误", "错", "×", "✗", "✘", "X", "F", "FALSE", "否", "N", "NO"}


def _nfkc(text: object) -> str:
    return unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()


def normalise_choice(response: object) -> str:
    """Option letters, case-insensitive, any order, half- or full-width → sorted, e.g. ``ACD``.

    Separators (spaces, commas, 、) are ignored; anything else makes the response invalid ("").
    """
    if isinstance(response, (list, tuple, set)):
        response = "".join(str(r) for r in response)
    letters = set()
    for char in _nfkc(response).upper():
        if char in CHOICE_LETTERS:
            letters.add(char)
        elif char in " ,;、，；/":
            continue
        else:
            return ""
    return "".join(sorted(letters))


def normalise_truefalse(response: object) -> bool | None:
    """正确/错误, 对/错, √/×, T/F (and true/false) → True/False; None when unanswered or unclear."""
    if isinstance(response, bool):
        return response
    text = _nfkc(response).upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def normalise_fill(text: object) -> str:
    """NFKC, all whitespace removed, case folded: the comparison form of a fill answer."""
    return "".join(_nfkc(text).split()).casefold()


def score_single(response: object, key: str, points: float) -> float:
    return float(points) if normalise_choice(response) == normalise_choice(key) != "" else 0.0


def score_multiple(response: object, key: str, points: float) -> float:
    """Exact set: full; non-empty strict subset of the key: half; any wrong option: 0."""
    given, correct = set(normalise_choice(response)), set(normalise_choice(key))
    if not given or not given <= correct:
        return 0.0
    return float(points) if given == correct else float(points) / 2


def score_truefalse(response: object, key: object, points: float) -> float:
    given, correct = normalise_truefalse(response), normalise_truefalse(key)
    return float(points) if given is not None and given == correct else 0.0


def accepted_answers(key: str | Iterable[str]) -> list[str]:
    """Fill keys list accepted variants separated by ``|``."""
    variants = key.split("|") if isinstance(key, str) else list(key)
    return [v for v in variants if normalise_fill(v)]


def score_fill(response: object, key: str | Iterable[str], points: float) -> float:
    given = normalise_fill(response)
    ok = given != "" and any(given == normalise_fill(v) for v in accepted_answers(key))
    return float(points) if ok else 0.0


def parse_number(response: object) -> float | None:
    text = _nfkc(response).replace(",", "").replace("元", "").strip()
    try:
        return float(text) if text else None
    except ValueError:
        return None


def score_range(response: object, low: float, high: float, points: float) -> float:
    """Numeric answers (e.g. a fine in yuan): full points inside [low, high], else 0."""
    value = parse_number(response)
    return float(points) if value is not None and low <= value <= high else 0.0


def score_exact(response: object, key: str, points: float) -> float:
    """A choice among labelled alternatives (e.g. 简易程序/一般程序): exact text after NFKC."""
    given = _nfkc(response)
    return float(points) if given and given == _nfkc(key) else 0.0


def score_review(marked: Iterable[int], defects: Iterable[int], points: float) -> float:
    """案卷评查: points × max(0, hits − false marks) / number of planted defects."""
    marked_set, defect_set = set(marked), set(defects)
    if not defect_set:
        return 0.0
    hits = len(marked_set & defect_set)
    false_marks = len(marked_set - defect_set)
    return float(points) * max(0, hits - false_marks) / len(defect_set)


def score_item(kind: str, response: object, key: object, points: float) -> float:
    """Dispatch on the bank's 题型; essays are graded by hand and score 0 here."""
    if kind == "single":
        return score_single(response, str(key), points)
    if kind == "multiple":
        return score_multiple(response, str(key), points)
    if kind == "truefalse":
        return score_truefalse(response, key, points)
    if kind == "fill":
        return score_fill(response, key, points)  # type: ignore[arg-type]
    if kind == "essay":
        return 0.0
    raise ValueError(f"unknown item kind {kind!r}")


def _parse_utc(text: object) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def counted_response(
    sheet: dict[str, Any], item_id: str, *, limit_minutes: float | None = None
) -> Any:
    """The response that counts: None when unanswered or given after the time limit.

    The limit runs from the sheet's ``started_at`` (when the officer opened the paper); an
    answer recorded later than ``started_at + limit_minutes`` does not count.
    """
    entry = sheet.get("answers", {}).get(item_id)
    if not isinstance(entry, dict):
        return None
    if limit_minutes is not None:
        started, at = _parse_utc(sheet.get("started_at")), _parse_utc(entry.get("at"))
        if started is None or at is None:
            return None
        if at > started + dt.timedelta(minutes=limit_minutes):
            return None
    return entry.get("value")


def score_answer(
    sheet: dict[str, Any],
    item_id: str,
    *,
    kind: str,
    points: float,
    key: Any = None,
    low: float | None = None,
    high: float | None = None,
    limit_minutes: float | None = None,
) -> float:
    """Score one item of an answer sheet: the single function behind every hidden test cell.

    ``kind``: a bank 题型 (single, multiple, truefalse, fill), ``exact`` (one labelled
    alternative, e.g. 简易程序), ``range`` (a number within [low, high]) or ``review``
    (indices of marked defects against the planted ones in ``key``).
    """
    response = counted_response(sheet, item_id, limit_minutes=limit_minutes)
    if response is None or response == "" or response == []:
        return 0.0
    if kind == "exact":
        return score_exact(response, str(key), points)
    if kind == "range":
        if low is None or high is None:
            raise ValueError("range items need low and high")
        return score_range(response, low, high, points)
    if kind == "review":
        return score_review(response, key, points)
    return score_item(kind, response, key, points)
