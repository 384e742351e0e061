"""```bank blocks in a law module: self-check questions taken from a workspace question bank.

A block names a bank and either the 题号 to show or the 知识点 to draw from::

    ```bank
    bank: penalty
    topics: [简易程序]
    count: 2
    ```

Parsing only checks the block's form (no database is needed to check a module); the
questions are looked up when the module is built in a workspace (``practice.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fazhi.models.bank import DIFFICULTIES

from .located import Located, Problems, text_field, unknown_fields

FENCE_INFO = "bank"
FIELDS = {"bank", "questions", "topics", "difficulty", "count"}


@dataclass(frozen=True)
class BankBlock:
    """Where and which bank questions a module shows; resolved at build time."""

    bank: str
    codes: tuple[str, ...]  # explicit 题号, in the order shown
    topics: tuple[str, ...]  # or: every current question of these 知识点, in bank order
    difficulty: str  # "" = any
    count: int | None  # at most this many of the topic's questions; None = all
    line: int


def _texts(
    doc: Located, problems: Problems, data: dict, name: str, example: str
) -> tuple[str, ...]:
    """A list of non-empty texts (a single text is a list of one)."""
    value: Any = data.get(name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        problems.add(doc.line(name), name, f"{name} 应为非空列表，如 {example}")
        return ()
    texts = []
    for index, item in enumerate(value):
        if isinstance(item, int | float) and not isinstance(item, bool):
            message = f'“{item}”应加引号写成文字（如 "001"），以免丢掉前导零'
            problems.add(doc.line(name, index), name, message)
        elif not isinstance(item, str) or not item.strip():
            problems.add(doc.line(name, index), name, f"{name} 中有空项")
        else:
            texts.append(item.strip())
    return tuple(texts)


def parse_bank_block(doc: Located, problems: Problems) -> BankBlock | None:
    """The block's fields, every problem recorded with its line and field."""
    data = doc.data
    if not isinstance(data, dict):
        problems.add(doc.first_line, None, "题库块应为“字段: 值”的 YAML")
        return None
    unknown_fields(doc, problems, data, FIELDS)
    codes: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    if ("questions" in data) == ("topics" in data):
        problems.add(
            doc.first_line, None, "题库块应写 questions（题号列表）或 topics（知识点列表）之一"
        )
    elif "questions" in data:
        codes = _texts(doc, problems, data, "questions", "[PEN-001, PEN-007]")
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            problems.add(doc.line("questions"), "questions", f"题号重复：{'、'.join(repeated)}")
        for name in ("count", "difficulty"):
            if name in data:
                problems.add(doc.line(name), name, f"{name} 只用于按知识点取题（topics）")
    else:
        topics = _texts(doc, problems, data, "topics", "[简易程序, 听证]")
    difficulty = text_field(doc, problems, data, "difficulty", required=False)
    if difficulty and difficulty not in DIFFICULTIES:
        message = f"难度应为 易、中 或 难，实际为“{difficulty}”"
        problems.add(doc.line("difficulty"), "difficulty", message)
    count = data.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        problems.add(doc.line("count"), "count", f"题数 count 应为正整数，实际为 {count!r}")
        count = None
    return BankBlock(
        bank=text_field(doc, problems, data, "bank"),
        codes=codes,
        topics=topics,
        difficulty=difficulty,
        count=count,
        line=doc.line("bank"),
    )
