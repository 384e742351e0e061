"""Read the CSV/XLSX input files: encoding detection, bilingual headers, typed cells, and the
declarative row schema every importer validates its rows with.

Row numbers are the spreadsheet's (header = row 1, first data row = row 2), so a message
like "第 5 行" points at the row a trainer sees in Excel. Every way a file can be broken
(truncated XLSX, a formula without a saved value, an unclosed quote, a NUL byte, a date
that does not exist) ends in an InputError naming file, row and column, never a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fazhi.errors import InputError, InputErrors

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
ENCODINGS = ("utf-8-sig", "gb18030")
TEXT_MAX = 2000  # a cell longer than this is a mistake (a pasted document), on every backend
FIRST_YEAR, LAST_YEAR = 1950, 2100  # dates outside this window are typing mistakes
MAX_ERRORS = 1000  # a file with more problems is reported after this many (and not scanned on)
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _cell_as_is(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Column:
    """One column of an input format: its headers, and how one of its cells is read.

    ``parse`` turns a non-blank cell into the row's value (ValueError = a message for that
    cell); a blank cell is None, refused when ``blank_ok`` is false. Text longer than
    ``max_length`` and NUL characters are refused before ``parse`` sees the cell.
    """

    name: str
    zh: str
    required: bool = True  # the header must be present
    parse: Callable[[Any], Any] = _cell_as_is
    blank_ok: bool = True
    max_length: int = TEXT_MAX

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
    rows: list[Row] | Iterator[Row]  # an iterator when read lazily

    def error(self, row: Row | int | None, column: Column | str | None, message: str) -> InputError:
        line = row.line if isinstance(row, Row) else row
        label = column.label if isinstance(column, Column) else column
        return InputError(self.path, message, row=line, column=label)


class Problems:
    """Located problems of one file; past ``MAX_ERRORS`` the file is refused at once, so a
    huge file of bad rows costs neither minutes nor gigabytes."""

    def __init__(self, path: Path, limit: int = MAX_ERRORS) -> None:
        self.path = path
        self.limit = limit
        self.errors: list[InputError] = []

    def add(self, error: InputError) -> None:
        self.errors.append(error)
        if len(self.errors) >= self.limit:
            raise InputErrors(self.errors, stopped=True)

    def __len__(self) -> int:
        return len(self.errors)

    def raise_any(self) -> None:
        if self.errors:
            raise InputErrors(self.errors)


def check_cell(column: Column, value: Any) -> Any:
    """A cell's value under ``column``'s rules; ValueError with a message for that cell."""
    if isinstance(value, str):
        if "\0" in value:
            raise ValueError("单元格含有空字符（NUL），请检查文件是否损坏")
        if len(value) > column.max_length:
            raise ValueError(f"内容过长（{len(value)} 字，最多 {column.max_length} 字）")
    if _is_blank(value):
        if not column.blank_ok:
            raise ValueError(f"{column.zh}不能为空")
        return None
    return column.parse(value)


def parse_rows(
    table: Table, columns: Sequence[Column], problems: Problems
) -> Iterator[tuple[Row, dict[str, Any]]]:
    """Each row whose every cell passed its column's rules, with the parsed values; a row
    with a bad cell is reported (every bad cell of it) to ``problems`` and not yielded."""
    present = [c for c in columns if c.name in table.columns]
    for row in table.rows:
        parsed: dict[str, Any] = {}
        ok = True
        for column in present:
            try:
                parsed[column.name] = check_cell(column, row.values.get(column.name))
            except ValueError as err:
                problems.add(table.error(row, column, str(err)))
                ok = False
        if ok:
            yield row, parsed


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
        yield from _csv_rows(path)
    else:
        raise InputError(path, "不支持的文件类型：请使用 .csv 或 .xlsx 文件")


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    """CSV records; an unclosed quote or an oversized field is one located error."""
    reader = csv.reader(io.StringIO(decode_bytes(path.read_bytes(), path), newline=""), strict=True)
    while True:
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            if "field larger than field limit" in str(err):
                message = f"有超过 {csv.field_size_limit()} 个字符的单元格（或引号未闭合）"
            elif "unexpected end of data" in str(err) or "EOF" in str(err):
                message = "引号未闭合：从这一行起的双引号一直没有结束"
            else:
                message = f"CSV 格式错误：{err}"
            raise InputError(path, message, row=first_line) from None
        yield record


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    """Rows of the first sheet; formulas must carry the value Excel saved with them."""
    from openpyxl import load_workbook

    try:
        values_book = load_workbook(path, read_only=True, data_only=True)
        formula_book = load_workbook(path, read_only=True, data_only=False)
    except Exception as err:  # openpyxl fails on a damaged zip/XML in many ways
        raise InputError(path, f"无法读取 Excel 文件（文件损坏或不是 .xlsx）：{err}") from None
    try:
        sheets = values_book.worksheets
        if not sheets:
            raise InputError(path, "Excel 文件中没有工作表")
        rows = zip(
            sheets[0].iter_rows(values_only=True),
            formula_book.worksheets[0].iter_rows(values_only=True),
            strict=False,
        )
        empty = True
        for line, (values, formulas) in enumerate(_guarded(path, rows), start=1):
            for index, (value, formula) in enumerate(zip(values, formulas, strict=False)):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    from openpyxl.utils import get_column_letter

                    cell = f"{get_column_letter(index + 1)}{line}"
                    raise InputError(
                        path,
                        f"单元格 {cell} 是公式（{formula[:60]}）但没有保存计算结果："
                        "请在 Excel 中打开并保存，或改为直接填写数值",
                        row=line,
                    )
            if empty and any(not _is_blank(v) for v in values):
                empty = False
            yield list(values)
        if empty:
            others = [s.title for s in sheets[1:] if _sheet_has_data(path, s)]
            if others:
                names = "、".join(f"“{t}”" for t in others)
                raise InputError(
                    path,
                    f"第一个工作表“{sheets[0].title}”是空的，数据在工作表 {names} 中："
                    "请把数据放到第一个工作表",
                )
    finally:
        values_book.close()
        formula_book.close()


def _guarded(path: Path, rows: Iterator[Any]) -> Iterator[Any]:
    """``rows`` with a damaged sheet (truncated zip member, broken XML) as an InputError."""
    try:
        yield from rows
    except InputError:
        raise
    except Exception as err:  # zipfile, zlib and XML parsers each raise their own errors
        raise InputError(path, f"无法读取 Excel 文件（文件损坏或不完整）：{err}") from None


def _sheet_has_data(path: Path, sheet: Any) -> bool:
    for values in _guarded(path, sheet.iter_rows(values_only=True)):
        if any(not _is_blank(v) for v in values):
            return True
    return False


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(path: Path | str, columns: Sequence[Column], *, lazy: bool = False) -> Table:
    """Rows of ``path`` keyed by the columns' English names; blank lines are skipped.

    Raises InputError for an unreadable file, a missing required column or a repeated header.
    ``lazy`` rows are read while iterated (once): a huge file of bad rows stops at the error
    cap without ever holding all its rows.
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

    def records() -> Iterator[Row]:
        for line, values in enumerate(raw, start=2):
            if all(_is_blank(v) for v in values):
                continue
            record = {}
            for name, index in positions.items():
                value = values[index] if index < len(values) else None
                record[name] = value.strip() if isinstance(value, str) else value
            yield Row(line=line, values=record)

    present = [c.name for c in columns if c.name in positions]
    return Table(path=path, columns=present, rows=records() if lazy else list(records()))


# ---- typed cells -------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_year(year: int) -> int:
    """A report or schedule year inside the sane window; ValueError (Chinese) otherwise."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"年度 {year} 超出合理范围（{FIRST_YEAR}–{LAST_YEAR}）")
    return year


def _in_window(day: dt.date, shown: str) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"日期“{shown}”超出合理范围（{FIRST_YEAR}–{LAST_YEAR} 年）")


def parse_date(value: Any) -> dt.date:
    """``YYYY-MM-DD`` text or an Excel date cell, within the sane window; ValueError with a
    Chinese message otherwise (a day that does not exist, such as 2026-02-30, is named so)."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = unicodedata.normalize("NFKC", cell_text(value))
        match = _DATE.fullmatch(text.replace("/", "-"))
        if not match:
            raise ValueError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD")
        year, month, date = (int(part) for part in match.groups())
        if not (1 <= month <= 12 and 1 <= date <= 31):
            raise ValueError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD")
        try:
            day = dt.date(year, month, date)
        except ValueError:
            raise ValueError(f"日期“{text}”不存在（请检查月份和日）") from None
        _in_window(day, text)
        return day
    _in_window(day, day.isoformat())
    return day


def parse_time(value: Any) -> dt.datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` (Asia/Shanghai unless an offset is given) → aware datetime."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = unicodedata.normalize("NFKC", cell_text(value)).replace("/", "-")
        if _DATE.fullmatch(text):
            raise ValueError(f"时间“{text}”缺少时分，应为 YYYY-MM-DD HH:MM[:SS]")
        if len(text) <= 10 or not _DATE.fullmatch(re.split(r"[ T]", text, maxsplit=1)[0]):
            raise ValueError(f"时间“{text}”格式不正确，应为 YYYY-MM-DD HH:MM[:SS]")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            parse_date(text[:10])  # names a day that does not exist
            raise ValueError(f"时间“{text}”格式不正确，应为 YYYY-MM-DD HH:MM[:SS]") from None
    _in_window(moment.date(), str(value))
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


def parse_number(value: Any, *, low: float, high: float, what: str) -> float:
    """A finite number in [low, high] (1e308 or ``inf`` points are typing mistakes)."""
    try:
        number = float(unicodedata.normalize("NFKC", cell_text(value)))
    except ValueError:
        raise ValueError(f"{what}“{cell_text(value)}”不是数字") from None
    if not low <= number <= high:  # also false for nan
        raise ValueError(f"{what}“{cell_text(value)}”超出范围（{low:g}–{high:g}）")
    return number
