"""Question-bank files (docs/contract.md §Input files): read, validate and normalise every row.

A bank file is CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX with English or Chinese headers.
Validation is all-or-nothing: every problem is collected and reported with file, row and
column, and the caller writes nothing unless the whole file is valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fazhi.errors import InputError, InputErrors
from fazhi.kernel.scoring import normalise_choice, normalise_truefalse
from fazhi.nbgrader_markers import find_marker
from fazhi.nbgrader_markers import message as marker_message
from fazhi.reporting.cells import restore
from fazhi.tabular import (
    Column,
    Problems,
    Row,
    Table,
    cell_text,
    check_cell,
    parse_date,
    read_table,
)

LETTERS = "ABCDEF"
OPTION_COLUMNS = [Column(f"option_{x.lower()}", f"选项{x}", required=False) for x in LETTERS]
COLUMNS = [
    Column("id", "题号"),
    Column("type", "题型"),
    Column("stem", "题干", max_length=10000),
    *OPTION_COLUMNS,
    Column("answer", "答案"),
    Column("points", "分值"),
    Column("basis", "法律依据"),
    Column("topic", "知识点", required=False, max_length=100),
    Column("difficulty", "难度", required=False),
    Column("explanation", "解析", required=False, max_length=10000),
    Column("version", "法规版本", required=False, max_length=100),
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
POINTS_MAX = 100
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # 题号 become nbgrader grade ids
LOCAL_MARK = "地方·"  # a stem marked （地方·北京） rests on a local regulation: 法规版本 required
# a 《…》 name that starts with a province-level place is a local regulation
_LOCAL_LAW = re.compile(
    r"《((?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北"
    r"|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆)[^》]*)》"
)


def local_laws(basis: str) -> list[str]:
    """The local regulations a 法律依据 cites, in order (e.g. 北京市市容环境卫生条例)."""
    return list(dict.fromkeys(_LOCAL_LAW.findall(basis)))


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
    # 法规版本: date (YYYY-MM-DD) of the local regulation's text the item rests on; one per
    # local regulation the 法律依据 cites, in citation order, separated by |
    version: str = ""

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
    if number > POINTS_MAX:  # 1e308 would make a 满分 of inf
        raise ValueError(f"分值“{cell_text(value)}”过大（每题最多 {POINTS_MAX} 分）")
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


def parse_law_version(value: Any, stem: str, basis: str) -> str:
    """The 法规版本 cell: one date per local regulation cited in ``basis`` (``|`` between).

    Required when the stem is marked 地方· or the basis cites a local regulation; a single
    date serves a 地方· item whose basis cites no local regulation by name.
    """
    text = unicodedata.normalize("NFKC", cell_text(value))
    laws = local_laws(basis)
    hint = (
        "（所依据法规文本的版本日期，如 2021-09-24；依据几部地方法规就按引用顺序填几个，用 | 分隔）"
    )
    if not text:
        if LOCAL_MARK in stem or laws:
            raise ValueError(f"地方法规题目必须填写法规版本{hint}")
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return parse_date(value).isoformat()
    dates = []
    for part in text.split("|"):
        try:
            dates.append(parse_date(part.strip()).isoformat())
        except ValueError as err:
            raise ValueError(f"法规版本：{err}{hint}") from None
    if len(dates) != max(len(laws), 1):
        named = "、".join(f"《{law}》" for law in laws) or "（未引用具体地方法规）"
        raise ValueError(
            f"法规版本有 {len(dates)} 个日期，但法律依据引用的地方法规为 {named}{hint}"
        )
    return "|".join(dates)


def _check_row(
    table: Table, row: Row, seen: dict[str, int]
) -> tuple[BankQuestion | None, list[InputError]]:
    # a bank exported to CSV quotes text a spreadsheet would run ('=1+1): take it back off
    values = {k: restore(v) if isinstance(v, str) else v for k, v in row.values.items()}
    errors: list[InputError] = []

    def fail(column: str, message: str) -> None:
        errors.append(table.error(row, _BY_NAME[column], message))

    for column in COLUMNS:  # the shared cell rules: no NUL, no text past the column's length
        try:
            check_cell(column, values.get(column.name))
        except ValueError as err:
            fail(column.name, str(err))
    for column in COLUMNS:  # a delimiter would release the key with the paper (nbgrader_markers)
        marker = find_marker(cell_text(values.get(column.name)))
        if marker is not None:
            fail(column.name, marker_message(marker))
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
    try:
        version = parse_law_version(values.get("version"), stem, basis)
    except ValueError as err:
        fail("version", str(err))
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
    problems = Problems(path)
    questions: list[BankQuestion] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        question, found = _check_row(table, row, seen)
        for error in found:
            problems.add(error)
        if question is not None:
            questions.append(question)
    problems.raise_any()
    if not questions:
        raise InputErrors([table.error(None, None, "文件中没有任何题目")])
    return BankFile(path=path, digest=file_digest(path), questions=questions)
