"""Practice-mode feedback for a law module's self-check: right, partly right or wrong, with
the key, the 解析 and the article. Exams never build a ``Practice``."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from fazhi.kernel.progress import CORRECT_COLOUR, PARTIAL_COLOUR, WRONG_COLOUR, status_html
from fazhi.kernel.scoring import score_answer


@dataclass(frozen=True)
class Practice:
    """What practice feedback compares against (never present in exam mode)."""

    score: dict[str, Any]  # keyword arguments of score_answer, with points=1
    answer_text: str
    explanation: str
    basis: str


def feedback_html(item_id: str, value: Any, practice: Practice) -> str:
    """Right/partly/wrong, the key, 解析 and the article (practice mode only)."""
    if value in (None, "", []):
        return status_html("请先作答，再核对答案。", PARTIAL_COLOUR)
    sheet = {"answers": {item_id: {"value": value}}}
    fraction = score_answer(sheet, item_id, **practice.score)
    if fraction >= 1:
        verdict, colour = "✓ 回答正确", CORRECT_COLOUR
    elif fraction > 0:
        fewer = "（少选）" if practice.score["kind"] == "multiple" else ""
        verdict, colour = f"◐ 部分正确{fewer}", PARTIAL_COLOUR
    else:
        verdict, colour = "✗ 回答错误", WRONG_COLOUR
    lines = [
        f'<b style="color:{colour}">{verdict}</b>',
        f"<b>正确答案：</b>{html.escape(practice.answer_text)}",
    ]
    if practice.explanation:
        lines.append(f"<b>解析：</b>{html.escape(practice.explanation)}")
    if practice.basis:
        lines.append(f"<b>法律依据：</b>{html.escape(practice.basis)}")
    body = "<br>".join(lines)
    return (
        f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0;'
        f'line-height:1.6">{body}</div>'
    )
