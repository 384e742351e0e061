"""Question-bank files (DESIGN.md §Input files): read, validate and normalise every row.

A bank file is CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX with English or Chinese headers.
Validation is all-or-nothing: every problem is collected and reported with file, row and
column, and the caller writes nothing unless the whole file is valid.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fazhi.errors import InputError, InputErrors
from fazhi.kernel.scoring import normalise_choice, normalise_truefalse
from fazhi.tabular import Column, Row, Table, cell_text, parse_date, read_table

LETTERS = "ABCDEF"
OPTION_COLUMNS = [Column(f"option_{x.lower()}", f"选项{x}", required=False) for x in LETTERS]
COLUMNS = [
    Column("id", "题号"),
    Column("type", "题型"),
    Column("stem", "题干"),
    *OPTION_COLUMNS,
    Column("answer", "答案"),
    Column("points", "分值"),
    Column("basis", "法律依据"),
    Column("topic", "知识点", required=False),
    Column("difficulty", "难度", required=False),
    Column("explanation", "解析", required=False),
    Column("version", "法规版本", required=False),
]
_BY_NAME = {c.name: c for c in COLUMNS}

TYPE_NAMES = {  # canonical type -> Chinese name used in messages and exports
    "single": "单选",
    "multiple": "多选",
    "truefalse": "判断",
    "fill": "填空",
    "essay": "简答",
}
TYPE_WORDS = {
    **{name: name for name in TYPE_NAMES},
    **{zh: name for name, zh in TYPE_NAMES.items()},
    **{zh + "题": name for name, zh in TYPE_NAMES.items()},
    "单项选择": "single",
    "单项选择题": "single",
    "多项选择": "multiple",
    "多项选择题": "multiple",
    "true_false": "truefalse",
    "true/false": "truefalse",
}
DIFFICULTY_WORDS = {"易": "易", "中": "中", "难": "难", "easy": "易", "medium": "中", "hard": "难"}
CHOICE_TYPES = ("single", "multiple")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # 题号 become nbgrader grade ids
LOCAL_MARK = "地方·"  # a stem marked （地方·北京） rests on a local regulation: 法规版本 required


@dataclass(frozen=True)
class BankQuestion:
    """One validated question, normalised to the forms stored and scored."""

    line: int
    code: str
    type: str
    stem: str
    options: tuple[str, ...]
    answer: str
    points: float
    basis: str
    topic: str
    difficulty: str
    explanation: str
    version: str = ""  # 法规版本: the date (YYYY-MM-DD) of the local text the item rests on

    def content(self) -> tuple[Any, ...]:
        """Everything but the row number: equal content means no new version."""
        return (
            self.type,
            self.stem,
            self.options,
            self.answer,
            self.points,
            self.basis,
            self.topic,
            self.difficulty,
            self.explanation,
            self.version,
        )


@dataclass(frozen=True)
class BankFile:
    path: Path
    digest: str  # sha256 of the file's bytes
    questions: list[BankQuestion]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_points(value: Any) -> float:
    """A positive number (Excel cells may be numbers; text may be full-width)."""
    if isinstance(value, bool):
        raise ValueError(f"分值“{value}”不是数字")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", cell_text(value))
        if not text:
            raise ValueError("分值不能为空")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"分值“{text}”不是数字") from None
    if not number > 0 or number != number or number == float("inf"):
        raise ValueError(f"分值“{cell_text(value)}”必须是正数")
    return number


def parse_type(text: str) -> str:
    kind = TYPE_WORDS.get(unicodedata.normalize("NFKC", text).strip().lower())
    if kind is None:
        raise ValueError(
            f"无法识别的题型“{text}”，应为 single/单选、multiple/多选、truefalse/判断、"
            "fill/填空 或 essay/简答"
        )
    return kind


def parse_options(values: dict[str, Any]) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """Option texts from A on, and (column, message) problems such as a gap (A, B, _, D)."""
    texts = [cell_text(values.get(c.name)) for c in OPTION_COLUMNS]
    problems = []
    last = max((i for i, t in enumerate(texts) if t), default=-1)
    for index in range(last):
        if not texts[index]:
            problems.append(
                (
                    OPTION_COLUMNS[index].name,
                    f"选项{LETTERS[index]}为空，但其后的选项{LETTERS[last]}有内容："
                    "选项应从 A 起连续填写",
                )
            )
    return tuple(texts[: last + 1]), problems


def normalise_answer(kind: str, raw: str, options: tuple[str, ...]) -> str:
    """The canonical answer of a question of ``kind``; ValueError says what is wrong."""
    if not raw:
        raise ValueError("答案不能为空")
    if kind in CHOICE_TYPES:
        letters = normalise_choice(raw)
        if not letters:
            raise ValueError(f"答案“{raw}”应为选项字母（A–F），如 B 或 ACD")
        missing = [x for x in letters if LETTERS.index(x) >= len(options)]
        if missing:
            raise ValueError(
                f"答案“{raw}”中的 {'、'.join(missing)} 没有对应的选项（选项{missing[0]}为空）"
            )
        if kind == "single" and len(letters) != 1:
            raise ValueError(f"单选题的答案只能是一个字母，而不是“{raw}”")
        if kind == "multiple" and len(letters) < 2:
            raise ValueError(f"多选题的答案“{raw}”只有一个选项，应至少两个（如 ACD）")
        return letters
    if kind == "truefalse":
        verdict = normalise_truefalse(raw)
        if verdict is None:
            raise ValueError(f"判断题的答案“{raw}”无法识别，应为 正确/错误（或 对/错）")
        return "正确" if verdict else "错误"
    if kind == "fill":
        variants = [v.strip() for v in raw.split("|") if v.strip()]
        if not variants:
            raise ValueError("填空题的答案不能为空（多个可接受答案用 | 分隔）")
        return "|".join(variants)
    return raw  # essay: the reference answer shown to the grader


def _check_row(
    table: Table, row: Row, seen: dict[str, int]
) -> tuple[BankQuestion | None, list[InputError]]:
    values = row.values
    errors: list[InputError] = []

    def fail(column: str, message: str) -> None:
        errors.append(table.error(row, _BY_NAME[column], message))

    code = unicodedata.normalize("NFKC", cell_text(values.get("id")))
    if not code:
        fail("id", "题号不能为空")
    elif not CODE_PATTERN.match(code):
        fail("id", f"题号“{code}”只能包含英文字母、数字、- 和 _（如 PEN-001）")
    elif code in seen:
        fail("id", f"题号“{code}”与第 {seen[code]} 行重复")
    else:
        seen[code] = row.line
    kind = ""
    try:
        kind = parse_type(cell_text(values.get("type")))
    except ValueError as err:
        fail("type", str(err))
    stem = cell_text(values.get("stem"))
    if not stem:
        fail("stem", "题干不能为空")
    options, gaps = parse_options(values)
    for column, message in gaps:
        fail(column, message)
    if kind in CHOICE_TYPES and len(options) < 2:
        fail("option_a", f"{TYPE_NAMES[kind]}题至少需要两个选项（选项A、选项B……）")
    elif kind and kind not in CHOICE_TYPES and options:
        fail(OPTION_COLUMNS[0].name, f"{TYPE_NAMES[kind]}题不应填写选项")
    answer = ""
    if kind:
        try:
            answer = normalise_answer(kind, cell_text(values.get("answer")), options)
        except ValueError as err:
            fail("answer", str(err))
    elif not cell_text(values.get("answer")):
        fail("answer", "答案不能为空")
    points = 0.0
    try:
        points = parse_points(values.get("points"))
    except ValueError as err:
        fail("points", str(err))
    basis = cell_text(values.get("basis"))
    if not basis:
        fail("basis", "法律依据不能为空（如《行政处罚法》第五十一条）")
    difficulty_text = cell_text(values.get("difficulty"))
    difficulty = DIFFICULTY_WORDS.get(difficulty_text.lower(), "") if difficulty_text else ""
    if difficulty_text and not difficulty:
        fail("difficulty", f"难度“{difficulty_text}”无法识别，应为 易、中 或 难")
    version = ""
    if cell_text(values.get("version")):
        try:
            version = parse_date(values.get("version")).isoformat()
        except ValueError as err:
            fail("version", f"法规版本：{err}（所依据法规文本的版本日期，如 2021-09-24）")
    elif LOCAL_MARK in stem:
        fail(
            "version",
            f"题干标有“{LOCAL_MARK}”的地方法规题目必须填写法规版本"
            "（所依据法规文本的版本日期，如 2021-09-24）",
        )
    if errors:
        return None, errors
    question = BankQuestion(
        line=row.line,
        code=code,
        type=kind,
        stem=stem,
        options=options,
        answer=answer,
        points=points,
        basis=basis,
        topic=cell_text(values.get("topic")),
        difficulty=difficulty,
        explanation=cell_text(values.get("explanation")),
        version=version,
    )
    return question, []


def parse_bank(path: Path | str) -> BankFile:
    """Validate every row of a bank file; raise InputErrors naming file, row and column."""
    path = Path(path)
    table = read_table(path, COLUMNS)
    errors: list[InputError] = []
    questions: list[BankQuestion] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        question, problems = _check_row(table, row, seen)
        errors.extend(problems)
        if question is not None:
            questions.append(question)
    if errors:
        raise InputErrors(errors)
    if not questions:
        raise InputErrors([table.error(None, None, "文件中没有任何题目")])
    return BankFile(path=path, digest=file_digest(path), questions=questions)
