"""Read the CSV/XLSX input files of DESIGN.md: encoding detection, bilingual headers, typed cells.

Row numbers are the spreadsheet's (header = row 1, first data row = row 2), so a message
like "第 5 行" points at the row a trainer sees in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fazhi.errors import InputError

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Column:
    """One column of an input format: its English and Chinese header names."""

    name: str
    zh: str
    required: bool = True

    @property
    def label(self) -> str:
        return f"{self.zh}({self.name})"


@dataclass
class Row:
    line: int
    values: dict[str, Any]


@dataclass
class Table:
    path: Path
    columns: list[str]  # column names present, in the format's order
    rows: list[Row]

    def error(self, row: Row | int | None, column: Column | str | None, message: str) -> InputError:
        line = row.line if isinstance(row, Row) else row
        label = column.label if isinstance(column, Column) else column
        return InputError(self.path, message, row=line, column=label)


def decode_bytes(raw: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030/GBK, as Excel on a Chinese Windows writes."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(path, "无法识别文件编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV")


def normalize_header(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip().strip("\ufeff").lower()


def header_map(columns: Sequence[Column]) -> dict[str, Column]:
    mapping: dict[str, Column] = {}
    for column in columns:
        mapping[normalize_header(column.name)] = column
        mapping[normalize_header(column.zh)] = column
    return mapping


def _raw_rows(path: Path) -> Iterator[list[Any]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        text = decode_bytes(path.read_bytes(), path)
        yield from csv.reader(io.StringIO(text, newline=""))
    else:
        raise InputError(path, "不支持的文件类型：请使用 .csv 或 .xlsx 文件")


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as err:
        raise InputError(path, f"无法读取 Excel 文件：{err}") from err
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(path: Path | str, columns: Sequence[Column]) -> Table:
    """Rows of ``path`` keyed by the columns' English names; blank lines are skipped.

    Raises InputError for an unreadable file, a missing required column or a repeated header.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "文件不存在")
    raw = _raw_rows(path)
    header = next(raw, None)
    if header is None:
        raise InputError(path, "文件为空，缺少表头行", row=1)
    known = header_map(columns)
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = known.get(normalize_header(cell))
        if column is None:
            continue
        if column.name in positions:
            raise InputError(path, f"表头重复：{column.label}", row=1, column=column.label)
        positions[column.name] = index
    missing = [c.label for c in columns if c.required and c.name not in positions]
    if missing:
        raise InputError(path, f"缺少必需的列：{'、'.join(missing)}", row=1)
    rows: list[Row] = []
    for line, values in enumerate(raw, start=2):
        if all(_is_blank(v) for v in values):
            continue
        record = {}
        for name, index in positions.items():
            value = values[index] if index < len(values) else None
            record[name] = value.strip() if isinstance(value, str) else value
        rows.append(Row(line=line, values=record))
    present = [c.name for c in columns if c.name in positions]
    return Table(path=path, columns=present, rows=rows)


# ---- typed cells -------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: Any) -> dt.date:
    """``YYYY-MM-DD`` text or an Excel date cell; ValueError with a Chinese message otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", cell_text(value))
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise ValueError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD") from None


def parse_time(value: Any) -> dt.datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` (Asia/Shanghai unless an offset is given) → aware datetime."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = unicodedata.normalize("NFKC", cell_text(value)).replace("/", "-")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"时间“{text}”格式不正确，应为 YYYY-MM-DD HH:MM[:SS]") from None
        if len(text) <= 10:
            raise ValueError(f"时间“{text}”缺少时分，应为 YYYY-MM-DD HH:MM[:SS]")
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


YES = {"yes", "y", "true", "1", "是", "对"}
NO = {"no", "n", "false", "0", "否", "不是"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize_header(cell_text(value))
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"“{cell_text(value)}”不是有效的是/否值，应为 是/否 或 yes/no")
