"""Read a judges' score file (docs/contract.md §Input files, mock-court scores) and check each row.

Checks that need only the file happen here (empty cells, dates, score range, duplicates,
rows of one session or participant that disagree); checks against the database (officers,
rubric, completeness of each judge's sheet) happen in ``store``. Every problem is collected,
so a trainer sees them all at once.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from fazhi.errors import InputError, InputErrors
from fazhi.identifiers import normalise_officer_id
from fazhi.tabular import (
    MAX_ERRORS,
    Column,
    Row,
    Table,
    cell_text,
    check_cell,
    parse_date,
    read_table,
)

SESSION_FIELDS = ("case_title", "case_summary", "case_file")


def clean_text(value: Any) -> str:
    """Cell text without surrounding blanks (Chinese punctuation kept as written)."""
    return cell_text(value).strip()


def key_text(value: Any) -> str:
    """An identifier cell, NFKC-normalised (full-width letters and digits from Chinese IMEs)."""
    return unicodedata.normalize("NFKC", cell_text(value)).strip()


def parse_score(value: Any) -> Fraction:
    """A score from 0 to 100 with at most 2 decimals; ValueError with a Chinese message."""
    text = key_text(value)
    if not text:
        raise ValueError("得分不能为空")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"得分“{text}”不是数字") from None
    if not number.is_finite():
        raise ValueError(f"得分“{text}”不是数字")
    if not 0 <= number <= 100:
        raise ValueError(f"得分 {text} 超出范围，应在 0 到 100 之间")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(f"得分 {text} 最多保留两位小数")
    return Fraction(number)


def _score(value: Any) -> Fraction:
    return parse_score(_score_cell(value))


COLUMNS = [  # lengths are the database's (models.mockcourt)
    Column("session_id", "场次", parse=key_text, blank_ok=False, max_length=64),
    Column("date", "日期", parse=parse_date, blank_ok=False),
    Column("officer_id", "工号", parse=normalise_officer_id, blank_ok=False, max_length=64),
    Column("role", "角色", parse=clean_text, blank_ok=False, max_length=50),
    Column("judge", "评委", parse=clean_text, blank_ok=False, max_length=100),
    Column("dimension", "评分维度", parse=clean_text, blank_ok=False, max_length=50),
    Column("score", "得分", parse=_score, blank_ok=False),
    Column("case_title", "案件名称", required=False, parse=clean_text, max_length=200),
    Column("case_summary", "案情摘要", required=False, parse=clean_text, max_length=20000),
    Column("case_file", "案卷材料", required=False, parse=clean_text, max_length=500),
    Column("comment", "评语", required=False, parse=clean_text, max_length=20000),
]
MAX_LENGTH = {c.name: c.max_length for c in COLUMNS}  # the entry form checks the same limits
BY_NAME = {c.name: c for c in COLUMNS}


@dataclass(frozen=True)
class ScoreRow:
    """One row: a judge's score for a participant on one dimension (fields as written)."""

    line: int
    session_code: str
    date: dt.date | None
    officer_id: str
    role: str
    judge: str
    dimension: str
    score: Fraction | None
    case: dict[str, str]  # case_title, case_summary, case_file (present columns only)
    comment: str | None  # None when the file has no comment column

    @property
    def sheet_key(self) -> tuple[str, str, str]:
        return (self.session_code, self.officer_id, self.judge)


@dataclass
class ScoreFile:
    table: Table
    rows: list[ScoreRow] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)

    @property
    def path(self) -> Path:
        return self.table.path

    def fail(self, row: Row | int | None, column: str | None, message: str) -> None:
        self.errors.append(self.table.error(row, BY_NAME[column] if column else None, message))
        if len(self.errors) >= MAX_ERRORS:
            raise InputErrors(sorted(self.errors, key=lambda e: e.row or 0), stopped=True)
        if isinstance(row, Row):
            self.bad_lines.add(row.line)
        elif isinstance(row, int):
            self.bad_lines.add(row)


def _score_cell(value: Any) -> Any:
    # Excel hands numbers over as floats; read them back as the decimal shown in the cell.
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return value


def _parse_row(found: ScoreFile, row: Row) -> ScoreRow:
    """The row's cells under COLUMNS; a bad cell is reported and read as blank, so the
    consistency checks still see the rest of the row."""
    present = found.table.columns
    cells: dict[str, Any] = {}
    for column in COLUMNS:
        if column.name not in present:
            continue
        try:
            cells[column.name] = check_cell(column, row.values.get(column.name))
        except ValueError as err:
            found.fail(row, column.name, str(err))
            cells[column.name] = None
    text = {name: cells.get(name) or "" for name in ("session_id", "officer_id", "role")}
    case = {name: cells.get(name) or "" for name in SESSION_FIELDS if name in present}
    return ScoreRow(
        line=row.line,
        session_code=text["session_id"],
        date=cells.get("date"),
        officer_id=text["officer_id"],
        role=text["role"],
        judge=cells.get("judge") or "",
        dimension=cells.get("dimension") or "",
        score=cells.get("score"),
        case=case,
        comment=(cells.get("comment") or "") if "comment" in present else None,
    )


def _check_consistency(found: ScoreFile) -> None:
    """Duplicates, and rows of one session (date, case) or participant (role) that disagree."""
    seen: dict[tuple[str, str, str, str], int] = {}
    session_first: dict[str, ScoreRow] = {}
    case_first: dict[tuple[str, str], ScoreRow] = {}
    role_first: dict[tuple[str, str], ScoreRow] = {}
    for row in found.rows:
        key = (*row.sheet_key, row.dimension)
        if all(key) and key in seen:
            found.fail(
                row.line,
                "dimension",
                f"与第 {seen[key]} 行重复：同一场次、工号、评委和评分维度只能有一行",
            )
        elif all(key):
            seen[key] = row.line
        if not row.session_code:
            continue
        first = session_first.setdefault(row.session_code, row)
        if row.date and first.date and row.date != first.date:
            found.fail(
                row.line,
                "date",
                f"场次“{row.session_code}”的日期 {row.date} 与第 {first.line} 行的 "
                f"{first.date} 不一致",
            )
        for name, value in row.case.items():
            if not value:
                continue
            earlier = case_first.setdefault((row.session_code, name), row)
            if earlier.case[name] != value:
                found.fail(
                    row.line,
                    name,
                    f"场次“{row.session_code}”的{BY_NAME[name].zh}与第 {earlier.line} 行不一致",
                )
        if row.officer_id and row.role:
            earlier = role_first.setdefault((row.session_code, row.officer_id), row)
            if earlier.role != row.role:
                found.fail(
                    row.line,
                    "role",
                    f"{row.officer_id} 在场次“{row.session_code}”中的角色“{row.role}”"
                    f"与第 {earlier.line} 行的“{earlier.role}”不一致",
                )


def read_score_file(path: Path | str) -> ScoreFile:
    """Every non-blank row of the file, with the problems found in the file itself.

    Raises InputError at once for an unreadable file or missing columns.
    """
    found = ScoreFile(table=read_table(path, COLUMNS))
    for row in found.table.rows:
        found.rows.append(_parse_row(found, row))
    if not found.rows:
        found.fail(None, None, "文件中没有任何评分记录")
    _check_consistency(found)
    return found
