"""Law modules: Markdown with YAML front matter and fenced ``question`` and ``bank`` blocks.

The format is documented in docs/content-format.md §2 and docs/courses.md. Parsing checks
everything a trainer can get wrong and reports all problems of a file at once, each with
its file, line and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fazhi.errors import InputError
from fazhi.kernel.scoring import CHOICE_LETTERS, accepted_answers, normalise_truefalse
from fazhi.nbgrader_markers import marker_lines
from fazhi.nbgrader_markers import message as marker_message

from .bankblock import FENCE_INFO as BANK_FENCE
from .bankblock import BankBlock, parse_bank_block
from .located import (
    Located,
    Problems,
    citation_field,
    id_field,
    load_yaml,
    text_field,
    unknown_fields,
)

QUESTION_TYPES = ("single", "multiple", "truefalse", "fill")
FRONT_MATTER_FIELDS = {"id", "title", "law", "minutes", "topics"}
QUESTION_FIELDS = {"id", "type", "stem", "options", "answer", "basis", "explanation"}
# Bank columns a trainer may copy along; a module does not use them.
IGNORED_QUESTION_FIELDS = {"points", "topic", "difficulty"}
MIN_OPTIONS = {"single": 3, "multiple": 4}

_HEADING = re.compile(r"^#{1,2}\s+\S")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


@dataclass(frozen=True)
class Section:
    """One ``#``/``##`` section of teaching text (text before the first heading included)."""

    text: str
    line: int


@dataclass(frozen=True)
class Question:
    """A self-check question (practice mode: immediate feedback, never graded)."""

    id: str
    type: str
    stem: str
    options: dict[str, str]
    answer: str
    basis: str
    explanation: str
    line: int


@dataclass(frozen=True)
class Module:
    """A parsed, valid law module; ``blocks`` keep the file's order of sections and questions.

    ``BankBlock`` entries stand for bank questions still to be looked up in a workspace
    (``practice.with_bank_questions``); a module without them compiles on its own.
    """

    path: Path
    id: str
    title: str
    law: str
    minutes: float
    topics: tuple[str, ...]
    blocks: tuple[Section | Question | BankBlock, ...]

    @property
    def questions(self) -> list[Question]:
        return [b for b in self.blocks if isinstance(b, Question)]

    @property
    def bank_blocks(self) -> list[BankBlock]:
        return [b for b in self.blocks if isinstance(b, BankBlock)]

    @property
    def sections(self) -> list[Section]:
        return [b for b in self.blocks if isinstance(b, Section)]


def _split_front_matter(path: Path, lines: list[str]) -> tuple[int, int]:
    """(first, last) line indices of the front matter between the ``---`` lines."""
    if not lines or lines[0].strip() != "---":
        raise InputError(path, "文件应以 YAML 头信息开始（第一行为 ---）", row=1)
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return 1, index
    raise InputError(path, "YAML 头信息没有结束行 ---", row=1)


def _parse_front_matter(doc: Located, problems: Problems) -> dict[str, object]:
    data = doc.data
    if not isinstance(data, dict):
        problems.add(doc.first_line, None, "YAML 头信息应为“字段: 值”的形式")
        return {}
    unknown_fields(doc, problems, data, FRONT_MATTER_FIELDS)
    minutes = data.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
        problems.add(
            doc.line("minutes"), "minutes", f"学习时长 minutes 应为正数，实际为 {minutes!r}"
        )
        minutes = 0
    topics = data.get("topics")
    if (
        not isinstance(topics, list)
        or not topics
        or not all(isinstance(t, str) and t.strip() for t in topics)
    ):
        problems.add(
            doc.line("topics"), "topics", "知识点 topics 应为非空列表，如 [简易程序, 听证]"
        )
        topics = []
    return {
        "id": id_field(doc, problems, data, "id"),
        "title": text_field(doc, problems, data, "title"),
        "law": text_field(doc, problems, data, "law"),
        "minutes": float(minutes),
        "topics": tuple(t.strip() for t in topics),
    }


def _parse_options(doc: Located, problems: Problems, data: dict, qtype: str) -> dict[str, str]:
    options = data.get("options")
    if qtype not in MIN_OPTIONS:
        if options:
            problems.add(doc.line("options"), "options", f"{qtype} 题不应有选项 options")
        return {}
    if not isinstance(options, dict) or not options:
        problems.add(doc.line("options"), "options", "选择题缺少选项 options（A: …、B: …）")
        return {}
    letters = [str(k).strip().upper() for k in options]
    expected = list(CHOICE_LETTERS[: len(letters)])
    if letters != expected:
        problems.add(
            doc.line("options"),
            "options",
            f"选项字母应依次为 {''.join(expected)}（最多 A–F），实际为 {''.join(letters)}",
        )
        return {}
    if len(letters) < MIN_OPTIONS[qtype]:
        problems.add(
            doc.line("options"), "options", f"{qtype} 题至少需要 {MIN_OPTIONS[qtype]} 个选项"
        )
    result = {}
    for raw_key, letter in zip(options, letters, strict=True):
        result[letter] = text_field(doc, problems, options, "options", str(raw_key))
    return result


def _parse_answer(doc: Located, problems: Problems, data: dict, qtype: str, options: dict) -> str:
    answer = text_field(doc, problems, data, "answer")
    if not answer:
        return ""
    line = doc.line("answer")
    if qtype in MIN_OPTIONS:
        letters = answer.upper()
        if not set(letters) <= set(options) or len(set(letters)) != len(letters):
            problems.add(line, "answer", f"答案“{answer}”含有不存在或重复的选项字母")
            return ""
        if qtype == "single" and len(letters) != 1:
            problems.add(line, "answer", f"单选题答案应为一个字母，实际为“{answer}”")
        if qtype == "multiple" and len(letters) < 2:
            problems.add(line, "answer", f"多选题答案至少两个字母，实际为“{answer}”")
        return "".join(sorted(letters))
    if qtype == "truefalse":
        verdict = normalise_truefalse(answer)
        if verdict is None or answer not in ("正确", "错误"):
            problems.add(line, "answer", f"判断题答案应为 正确 或 错误，实际为“{answer}”")
            return ""
        return answer
    if not accepted_answers(answer):
        problems.add(line, "answer", "填空题答案为空（多个可接受答案用 | 分隔）")
    return answer


def _parse_question(doc: Located, problems: Problems) -> Question | None:
    data = doc.data
    if not isinstance(data, dict):
        problems.add(doc.first_line, None, "题目块应为“字段: 值”的 YAML")
        return None
    unknown_fields(doc, problems, data, QUESTION_FIELDS | IGNORED_QUESTION_FIELDS)
    qtype = text_field(doc, problems, data, "type")
    if qtype and qtype not in QUESTION_TYPES:
        problems.add(
            doc.line("type"), "type", f"题型“{qtype}”无效，应为 {' / '.join(QUESTION_TYPES)}"
        )
        qtype = ""
    options = _parse_options(doc, problems, data, qtype) if qtype else {}
    answer = _parse_answer(doc, problems, data, qtype, options) if qtype else ""
    stem = text_field(doc, problems, data, "stem")
    if qtype == "fill" and stem and "____" not in stem:
        problems.add(doc.line("stem"), "stem", "填空题题干应以 ____ 标出空格")
    return Question(
        id=id_field(doc, problems, data, "id"),
        type=qtype,
        stem=stem,
        options=options,
        answer=answer,
        basis=citation_field(doc, problems, data, "basis"),
        explanation=text_field(doc, problems, data, "explanation"),
        line=doc.line("id"),
    )


def _closes(match: re.Match[str] | None, fence: str | None) -> bool:
    """Whether a fence line closes the open fence (same character, at least as long)."""
    if match is None or fence is None or match.group(2).strip():
        return False
    marker = match.group(1)
    return marker[0] == fence[0] and len(marker) >= len(fence)


def _body_blocks(path: Path, lines: list[str], start: int, problems: Problems) -> list:
    """Split the body into sections at ``#``/``##`` headings and parse question/bank blocks."""
    blocks: list[Section | Question | BankBlock] = []
    current: list[str] = []
    current_line = start + 1
    fence: str | None = None
    question: list[str] | None = None
    question_line = 0
    question_kind = ""

    def flush() -> None:
        text = "\n".join(current).strip("\n")
        if text.strip():
            blocks.append(Section(text=text, line=current_line))
        current.clear()

    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        match = _FENCE.match(line)
        if question is not None:
            if _closes(match, fence):
                try:
                    doc = load_yaml("\n".join(question), path=path, first_line=question_line + 1)
                except InputError as err:
                    problems.errors.append(err)
                else:
                    parse = parse_bank_block if question_kind == BANK_FENCE else _parse_question
                    parsed = parse(doc, problems)
                    if parsed is not None:
                        blocks.append(parsed)
                question, fence = None, None
                current_line = number + 1
            else:
                question.append(line)
            continue
        if fence is not None:
            if _closes(match, fence):
                fence = None
            current.append(line)
            continue
        if match:
            fence = match.group(1)
            if match.group(2).strip() in ("question", BANK_FENCE):
                flush()
                question, question_line = [], number
                question_kind = match.group(2).strip()
                continue
            current.append(line)
            continue
        if _HEADING.match(line):
            flush()
            current_line = number
        current.append(line)
    if question is not None:
        what = "题库块" if question_kind == BANK_FENCE else "题目块"
        problems.add(question_line, None, f"{what}没有结束行 ```")
    elif fence is not None:
        problems.add(len(lines), None, "代码块没有结束行")
    flush()
    return blocks


def load_module(path: Path | str) -> Module:
    """Parse and validate one module file; InputError/InputErrors name file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(path, f"无法读取模块文件（应为 UTF-8 编码）：{err}") from None
    lines = text.splitlines()
    first, last = _split_front_matter(path, lines)
    problems = Problems(path)
    for number, marker in marker_lines(text):  # would release keys with the notebook
        problems.add(number, None, marker_message(marker))
    head = load_yaml("\n".join(lines[first:last]), path=path, first_line=first + 1)
    meta = _parse_front_matter(head, problems)
    blocks = _body_blocks(path, lines, last + 1, problems)
    questions = [b for b in blocks if isinstance(b, Question)]
    seen: dict[str, int] = {}
    for question in questions:
        if question.id and question.id in seen:
            problems.add(
                question.line, "id", f"题号“{question.id}”重复（第 {seen[question.id]} 行已用）"
            )
        seen.setdefault(question.id, question.line)
    if not any(isinstance(b, Section) for b in blocks):
        problems.add(last + 1, None, "模块没有正文（用 # 标题分节）")
    problems.raise_any()
    return Module(
        path=path,
        id=str(meta["id"]),
        title=str(meta["title"]),
        law=str(meta["law"]),
        minutes=float(meta["minutes"]),  # type: ignore[arg-type]
        topics=meta["topics"],  # type: ignore[arg-type]
        blocks=tuple(blocks),
    )
