"""Exam blueprints (组卷蓝图): how many questions of each 题型 × 知识点 × 难度, and their points.

A blueprint is a list of rows; an empty 知识点 or 难度 means "any". Given on the command line
(``--count 单选=20 --count 多选:听证=2 --points 多选=2``) or as a CSV/XLSX file for reuse
(columns 题型, 知识点, 难度, 题数, 分值). Each row becomes an exam section whose candidates are
the matching current questions; rows may not overlap (a question belongs to one row), so
every officer's paper has the same slots and the same maximum score.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fazhi.errors import InputError, InputErrors, UserError
from fazhi.models.bank import QuestionVersion
from fazhi.tabular import Column, cell_text, read_table

from .bank import DIFFICULTY_WORDS, TYPE_NAMES, parse_points, parse_type

FILE_COLUMNS = [
    Column("type", "题型"),
    Column("topic", "知识点", required=False),
    Column("difficulty", "难度", required=False),
    Column("count", "题数"),
    Column("points", "分值", required=False),
]
_BY_NAME = {c.name: c for c in FILE_COLUMNS}
TYPE_ORDER = list(TYPE_NAMES)


@dataclass(frozen=True)
class BlueprintRow:
    type: str
    topic: str  # "" = any
    difficulty: str  # "" = any
    count: int
    points: float | None  # None: the questions' own points (must then agree)
    source: str  # where the row came from, for messages: "第 3 行" or "--count 单选=20"

    def describe(self) -> str:
        parts = [TYPE_NAMES[self.type], self.topic or "任意知识点", self.difficulty or "任意难度"]
        return " × ".join(parts)

    def matches(self, version: QuestionVersion) -> bool:
        return (
            version.type == self.type
            and (not self.topic or version.topic == self.topic)
            and (not self.difficulty or version.difficulty == self.difficulty)
        )

    def record(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("source")
        return data


@dataclass(frozen=True)
class Section:
    """A blueprint row resolved against the banks: its candidates and points per question."""

    row: BlueprintRow
    candidates: list[QuestionVersion]
    points: float


def _count(text: str) -> int:
    try:
        count = int(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        raise ValueError(f"题数“{text}”不是整数") from None
    if count <= 0:
        raise ValueError(f"题数“{text}”必须是正整数")
    return count


def _difficulty(text: str) -> str:
    if not text:
        return ""
    found = DIFFICULTY_WORDS.get(text.strip().lower())
    if found is None:
        raise ValueError(f"难度“{text}”无法识别，应为 易、中 或 难（留空表示不限）")
    return found


def parse_points_option(values: Sequence[str]) -> dict[str, float]:
    """``--points 多选=2`` → {"multiple": 2.0}."""
    points: dict[str, float] = {}
    for value in values:
        spec, sep, number = value.partition("=")
        try:
            if not sep:
                raise ValueError("应写成 题型=分值，如 多选=2")
            points[parse_type(spec)] = parse_points(number)
        except ValueError as err:
            raise UserError(f"选项 --points {value} 有误：{err}") from None
    return points


def parse_count_options(values: Sequence[str], points: dict[str, float]) -> list[BlueprintRow]:
    """``--count 题型[:知识点[:难度]]=题数`` (repeatable) → rows."""
    rows = []
    for value in values:
        spec, sep, number = value.rpartition("=")
        try:
            if not sep:
                raise ValueError("应写成 题型[:知识点[:难度]]=题数，如 单选=20 或 多选:听证:中=2")
            kind, _, rest = spec.partition(":")
            topic, _, difficulty = rest.partition(":")
            kind = parse_type(kind)
            rows.append(
                BlueprintRow(
                    type=kind,
                    topic=topic.strip(),
                    difficulty=_difficulty(difficulty),
                    count=_count(number),
                    points=points.get(kind),
                    source=f"--count {value}",
                )
            )
        except ValueError as err:
            raise UserError(f"选项 --count {value} 有误：{err}") from None
    return rows


def read_blueprint(path: Path | str, points: dict[str, float]) -> list[BlueprintRow]:
    """Rows of a blueprint file; ``points`` (per type) fills rows without 分值."""
    table = read_table(path, FILE_COLUMNS)
    errors: list[InputError] = []
    rows = []
    for row in table.rows:
        values = row.values
        found: dict[str, Any] = {}
        for name, parse in (
            ("type", parse_type),
            ("difficulty", _difficulty),
            ("count", _count),
        ):
            try:
                found[name] = parse(cell_text(values.get(name)))
            except ValueError as err:
                errors.append(table.error(row, _BY_NAME[name], str(err)))
        row_points = None
        if cell_text(values.get("points")):
            try:
                row_points = parse_points(values.get("points"))
            except ValueError as err:
                errors.append(table.error(row, _BY_NAME["points"], str(err)))
        if len(found) == 3:
            rows.append(
                BlueprintRow(
                    type=found["type"],
                    topic=cell_text(values.get("topic")),
                    difficulty=found["difficulty"],
                    count=found["count"],
                    points=row_points if row_points is not None else points.get(found["type"]),
                    source=f"文件 {table.path.name} 第 {row.line} 行",
                )
            )
    if errors:
        raise InputErrors(errors)
    if not rows:
        raise InputErrors([table.error(None, None, "组卷蓝图中没有任何行")])
    return rows


def resolve(rows: Sequence[BlueprintRow], questions: Sequence[QuestionVersion]) -> list[Section]:
    """Match rows to questions; refuse overlaps, too few questions and ambiguous points.

    Sections come in 题型 order (单选, 多选, 判断, 填空, 简答), rows of a type in given order.
    """
    problems: list[str] = []
    owner: dict[int, BlueprintRow] = {}
    sections = []
    ordered = sorted(rows, key=lambda r: TYPE_ORDER.index(r.type))
    for row in ordered:
        candidates = [q for q in questions if row.matches(q)]
        for version in candidates:
            earlier = owner.setdefault(version.id, row)
            if earlier is not row:
                problems.append(
                    f"{row.source} 与 {earlier.source} 重叠：题目 {version.code} 同时符合两行"
                    "（每道题只能属于蓝图中的一行）"
                )
                break
        if len(candidates) < row.count:
            problems.append(
                f"{row.source}：{row.describe()} 只有 {len(candidates)} 题，不够抽取 {row.count} 题"
            )
            continue
        points = row.points
        if points is None:
            distinct = sorted({float(q.points) for q in candidates})
            if len(distinct) > 1:
                shown = "、".join(f"{p:g}" for p in distinct)
                problems.append(
                    f"{row.source}：{row.describe()} 的题目分值不一（{shown}），"
                    f"请用 --points {TYPE_NAMES[row.type]}=分值 或蓝图的“分值”列统一每题分值"
                )
                continue
            points = distinct[0]
        sections.append(Section(row=row, candidates=candidates, points=points))
    if problems:
        raise UserError("组卷蓝图有误：\n" + "\n".join(problems))
    return sections


def all_questions(questions: Sequence[QuestionVersion]) -> list[Section]:
    """``--all``: every question in bank order, one section each, with its own points."""
    sections = []
    for version in questions:
        row = BlueprintRow(
            type=version.type,
            topic=version.topic,
            difficulty=version.difficulty,
            count=1,
            points=float(version.points),
            source=version.code,
        )
        sections.append(Section(row=row, candidates=[version], points=float(version.points)))
    return sections


def blueprint_rows(
    *, counts: Sequence[str], points: Sequence[str], path: Path | None
) -> list[BlueprintRow]:
    """The blueprint given on the command line: ``--blueprint FILE`` and/or ``--count`` rows."""
    per_type = parse_points_option(points)
    rows = read_blueprint(path, per_type) if path is not None else []
    return rows + parse_count_options(counts, per_type)
