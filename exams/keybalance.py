"""Are a bank's answer letters fair? Warnings for ``fazhi bank import`` (never an error).

A bank whose single-choice keys are mostly A, or whose multiple-choice keys are mostly the
leading options (AB, ABC), rewards guessing wherever options appear in bank order (practice
modules, printed banks). Exams shuffle options per officer, but the bank itself should be
balanced: the trainer is told which letters dominate so they can reorder options.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from fazhi.kernel.scoring import CHOICE_LETTERS

from .bank import BankQuestion

MIN_QUESTIONS = 8  # fewer questions of a type: too few to call a pattern
MAX_LETTER_SHARE = 0.4  # a single-choice letter holding more of the keys (fair: 1/options)
MAX_LEADING_SHARE = 0.4  # multiple-choice keys that are the first options (fair: ~1/5)


def _leading(answer: str, options: int) -> bool:
    """Is the key the first len(answer) options, short of all of them (AB, ABC of ABCD)?"""
    return len(answer) < options and answer == CHOICE_LETTERS[: len(answer)]


def key_skew_warnings(questions: Sequence[BankQuestion]) -> list[str]:
    """Chinese warnings about skewed key letters; empty when the keys look balanced."""
    warnings = []
    singles = [q for q in questions if q.type == "single"]
    if len(singles) >= MIN_QUESTIONS:
        counts = Counter(q.answer for q in singles)
        letter, count = max(sorted(counts.items()), key=lambda pair: pair[1])
        if count / len(singles) > MAX_LETTER_SHARE:
            spread = "、".join(f"{x} {counts.get(x, 0)} 题" for x in sorted(set(counts) | {"A"}))
            warnings.append(
                f"单选题答案分布不均：{len(singles)} 题中答案为 {letter} 的有 {count} 题"
                f"（{count / len(singles):.0%}；{spread}）。请调整选项顺序，"
                "使正确答案在各字母间大致均匀，以免“总选同一个字母”也能得分。"
            )
    multiples = [q for q in questions if q.type == "multiple"]
    if len(multiples) >= MIN_QUESTIONS:
        leading = [q for q in multiples if _leading(q.answer, len(q.options))]
        if len(leading) / len(multiples) > MAX_LEADING_SHARE:
            examples = "、".join(sorted({q.answer for q in leading}))
            warnings.append(
                f"多选题答案偏向前面的选项：{len(multiples)} 题中有 {len(leading)} 题"
                f"（{len(leading) / len(multiples):.0%}）的答案是开头连续的几项（{examples}）。"
                "请调整选项顺序，使正确选项分散在各位置。"
            )
    return warnings
