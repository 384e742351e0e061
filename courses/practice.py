"""Bank questions as a module's practice self-checks, looked up when the module is built.

Each ```bank block of a module is replaced by the *current* version of the questions it
names (or draws by 知识点, in bank order), so a question a trainer adds or edits in Excel and
imports with ``fazhi bank import`` shows in the module the next time it is built or
released. Essay questions are left out: practice mode cannot check a written answer.
Everything is read from the workspace database through the base models; nothing is written.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from sqlalchemy.orm import Session

from fazhi import db
from fazhi.kernel.scoring import CHOICE_LETTERS
from fazhi.models.bank import Bank, QuestionVersion, current_questions, find_bank
from fazhi.settings import Settings

from .bankblock import BankBlock
from .compile import Content
from .located import Problems
from .module import Module, Question, Section

PRACTICE_TYPES = ("single", "multiple", "truefalse", "fill")


def _same(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def practice_question(version: QuestionVersion, *, line: int) -> Question:
    """A bank question as a module self-check (same id, key, 解析 and 法律依据)."""
    return Question(
        id=version.code,
        type=version.type,
        stem=version.stem,
        options={CHOICE_LETTERS[i]: text for i, text in enumerate(version.options)},
        answer=version.answer,
        basis=version.basis,
        explanation=version.explanation,
        line=line,
    )


def _chosen(
    block: BankBlock, bank: Bank, placed: set[str], problems: Problems
) -> list[QuestionVersion]:
    current = {version.code: version for version in current_questions(bank)}
    if block.codes:
        chosen = []
        for code in block.codes:
            if code not in current:
                problems.add(
                    block.line, "questions", f"题库“{bank.name}”中没有题号“{code}”（或该题已停用）"
                )
            elif code in placed:
                problems.add(block.line, "questions", f"题号“{code}”在本模块中已经出现过")
            else:
                chosen.append(current[code])
        return chosen
    topics = {_same(topic) for topic in block.topics}
    matching = [
        version
        for version in current.values()
        if _same(version.topic) in topics
        and (not block.difficulty or version.difficulty == block.difficulty)
        and version.type in PRACTICE_TYPES
        and version.code not in placed
    ]
    if not matching:
        wanted = "、".join(block.topics)
        if block.difficulty:
            wanted += f"（难度 {block.difficulty}）"
        problems.add(block.line, "topics", f"题库“{bank.name}”中没有知识点为 {wanted} 的可练习题目")
    return matching[: block.count]


def with_bank_questions(*, module: Module, session: Session) -> Module:
    """``module`` with every ```bank block replaced by its bank questions (essays skipped).

    Unknown banks or 题号 and empty draws are reported together with file, line and field.
    A topic draw skips questions the module already shows, so two draws never repeat one.
    """
    if not module.bank_blocks:
        return module
    problems = Problems(module.path)
    placed = {question.id for question in module.questions}
    banks: dict[str, Bank | None] = {}
    blocks: list[Section | Question | BankBlock] = []
    for block in module.blocks:
        if not isinstance(block, BankBlock):
            blocks.append(block)
            continue
        if block.bank not in banks:
            banks[block.bank] = find_bank(session, block.bank)
        bank = banks[block.bank]
        if bank is None:
            problems.add(
                block.line, "bank", f"没有名为“{block.bank}”的题库（fazhi bank list 列出已有题库）"
            )
            continue
        for version in _chosen(block, bank, placed, problems):
            if version.type in PRACTICE_TYPES:
                placed.add(version.code)
                blocks.append(practice_question(version, line=block.line))
    problems.raise_any()
    return dataclasses.replace(module, blocks=tuple(blocks))


def resolve_content(*, settings: Settings, content: Content) -> Content:
    """``content`` ready to compile: a module's bank blocks filled from the workspace database."""
    if not isinstance(content, Module) or not content.bank_blocks:
        return content
    with db.session_scope(settings) as session:
        return with_bank_questions(module=content, session=session)


def check_bank_questions(*, content: Content, settings: Settings | None) -> str:
    """Look up a module's bank questions as a build would (raising the same errors).

    Returns a note when they cannot be checked here (no workspace), else "".
    """
    if not isinstance(content, Module) or not content.bank_blocks:
        return ""
    if settings is None:
        return f"提示：{content.id} 引用了题库中的题目；不在工作区中，未核对题库（请加 -w 工作区）"
    resolve_content(settings=settings, content=content)
    return ""
