"""Read and validate a study-record file (docs/contract.md §Input files) into a frame of intervals.

A CSV file is read with polars (``fastcsv``: a year of a province's records is millions of
rows) or, when that reader cannot number its rows as pandas would, with pandas; XLSX through
``fazhi.tabular``. Encodings, bilingual headers and the time syntax are the base's. Columns
with few distinct values (工号, 学习方式, 学习内容) are checked once per distinct value.
Every problem is reported with file, row and column; a file with any problem is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fazhi.analytics.study import fastcsv
from fazhi.errors import InputError, InputErrors
from fazhi.identifiers import officer_key
from fazhi.tabular import (
    FIRST_YEAR,
    LAST_YEAR,
    LOCAL_TZ,
    MAX_ERRORS,
    Column,
    cell_text,
    header_map,
    normalize_header,
    parse_time,
    read_table,
)

COLUMNS = [
    Column("officer_id", "工号"),
    Column("start", "开始时间"),
    Column("end", "结束时间"),
    Column("kind", "学习方式"),
    Column("activity", "学习内容"),
]
_BY_NAME = {c.name: c for c in COLUMNS}
_ORDER = {c.name: i for i, c in enumerate(COLUMNS)}
KIND_WORDS = {
    "online": "online",
    "线上": "online",
    "在线": "online",
    "offline": "offline",
    "线下": "offline",
}
ACTIVITY_MAX = 200
LONG_SECONDS = 12 * 3600
LONGEST_SECONDS = 31 * 86400  # a month-long 培训班 at most; longer is a typing mistake
WINDOW = tuple(
    int(dt.datetime(year, 1, 1, tzinfo=LOCAL_TZ).timestamp())
    for year in (FIRST_YEAR, LAST_YEAR + 1)
)


@dataclass(frozen=True)
class StudyRecords:
    """Validated rows: ``officer`` (officer table id), ``start``/``end`` (Unix seconds),
    ``kind`` and ``activity`` (categorical: few distinct values in millions of rows) and
    ``row`` (the spreadsheet row, header = 1)."""

    path: Path
    digest: str
    frame: pd.DataFrame

    @property
    def long_rows(self) -> list[int]:
        """Rows longer than 12 hours: allowed (a multi-day 培训班), but worth a second look."""
        long = (self.frame["end"] - self.frame["start"]) > LONG_SECONDS
        return self.frame.loc[long, "row"].tolist()


def _csv_frame(path: Path, raw: bytes) -> pd.DataFrame:
    # pandas' UTF-8 decoder is strict (and skips a BOM); GB18030 is what Excel on a Chinese
    # Windows writes. Trying UTF-8 first costs nothing on the common case.
    for encoding in ("utf-8", "gb18030"):
        try:
            return pd.read_csv(
                io.BytesIO(raw),
                dtype=object,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding=encoding,
            )
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise InputError(path, "文件为空，缺少表头行", row=1) from None
        except pd.errors.ParserError as err:
            unclosed = re.search(r"EOF inside string starting at row (\d+)", str(err))
            if unclosed:  # pandas counts the header as row 0
                line = int(unclosed[1]) + 1
                raise InputError(
                    path, "引号未闭合：从这一行起的双引号一直没有结束", row=line
                ) from None
            raise InputError(path, f"CSV 格式错误：{err}") from None
    raise InputError(path, "无法识别文件编码：请另存为 UTF-8 或 GB18030（GBK）编码的 CSV")


def _rename(path: Path, frame: Any) -> Any:
    """The five columns of ``frame`` (pandas, or polars from ``fastcsv``) under their names."""
    known = header_map(COLUMNS)
    names: dict[str, str] = {}
    for header in frame.columns:
        column = known.get(normalize_header(header))
        if column is None:
            continue
        if column.name in names.values():
            raise InputError(path, f"表头重复：{column.label}", row=1, column=column.label)
        names[header] = column.name
    missing = [c.label for c in COLUMNS if c.name not in names.values()]
    if missing:
        raise InputError(path, f"缺少必需的列：{'、'.join(missing)}", row=1)
    if fastcsv.is_polars(frame):
        return frame.select(list(names)).rename(names)
    return frame[list(names)].rename(columns=names)


def _xlsx_frame(path: Path) -> pd.DataFrame:
    table = read_table(path, COLUMNS)
    frame = pd.DataFrame([row.values for row in table.rows], columns=[c.name for c in COLUMNS])
    frame.index = pd.Index([row.line - 2 for row in table.rows])
    return frame


class _Problems:
    """Located problems, collected column by column and reported in row order."""

    def __init__(self, path: Path, index: pd.Index) -> None:
        self.path = path
        self.index = index
        self.found: list[tuple[int, int, InputError]] = []
        self.stopped = False

    def add(self, positions: np.ndarray, column: str, messages: list[str] | str) -> None:
        label = _BY_NAME[column].label
        room = MAX_ERRORS - len(self.found)
        if len(positions) > room:  # a file of millions of bad rows: report the cap's worth
            positions, self.stopped = positions[:room], True
            messages = messages if isinstance(messages, str) else messages[:room]
        for i, position in enumerate(positions):
            line = int(self.index[position]) + 2
            text = messages if isinstance(messages, str) else messages[i]
            error = InputError(self.path, text, row=line, column=label)
            self.found.append((line, _ORDER[column], error))

    def raise_any(self) -> None:
        if self.found:
            self.found.sort(key=lambda item: item[:2])
            raise InputErrors([error for *_, error in self.found], stopped=self.stopped)


@dataclass(frozen=True)
class _Distinct:
    """A column as codes into its distinct cells, and those cells as stripped text."""

    codes: np.ndarray
    cells: list[object]
    text: list[str]

    def rows_where(self, bad: list[int]) -> np.ndarray:
        return np.flatnonzero(np.isin(self.codes, bad))


def _distinct(series: Any) -> _Distinct:
    if fastcsv.is_polars(series):
        codes, cells = fastcsv.factorize(series)
    else:
        codes, uniques = pd.factorize(series.to_numpy(dtype=object))
        cells = list(uniques)
    return _Distinct(codes, cells, [cell_text(v) for v in cells])


# the forms the export tools write; any other cell goes through ``tabular.parse_time``
_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
# Asia/Shanghai has been UTC+8 without daylight saving since September 1991
_FIXED_OFFSET_SINCE = np.datetime64("1992-01-01")
_FIXED_OFFSET = 8 * 3600


def _local_seconds(moments: np.ndarray) -> np.ndarray:
    """Naive local (Asia/Shanghai) datetimes → Unix seconds."""
    seconds = moments.astype("datetime64[s]").astype(np.int64) - _FIXED_OFFSET
    older = np.flatnonzero(moments < _FIXED_OFFSET_SINCE)
    if older.size:  # the zone's earlier offsets and summer times
        local = pd.DatetimeIndex(moments[older]).tz_localize(LOCAL_TZ)
        seconds[older] = local.tz_convert("UTC").tz_localize(None).as_unit("s").asi8
    return seconds


def _subset(values: Any, positions: np.ndarray) -> Any:
    """The cells of a pandas or polars column at ``positions``."""
    if positions.size == len(values):
        return values
    return values.gather(positions) if fastcsv.is_polars(values) else values.iloc[positions]


def _strptime(cells: Any, fmt: str) -> np.ndarray:
    """Naive datetime64 of cells written exactly in ``fmt``, NaT for the others."""
    if fastcsv.is_polars(cells):
        return fastcsv.strptime(cells, fmt)
    return pd.to_datetime(cells, format=fmt, errors="coerce").to_numpy()


def parse_times(values: Any, column: str, problems: _Problems) -> np.ndarray:
    """Unix seconds of each cell: the common forms vectorised, the rest via ``parse_time``."""
    result = np.zeros(len(values), dtype=np.int64)
    done = np.zeros(len(values), dtype=bool)
    for fmt in _TIME_FORMATS:
        todo = np.flatnonzero(~done)
        if todo.size == 0:
            break
        parsed = _strptime(_subset(values, todo), fmt)
        good = ~np.isnat(parsed)
        result[todo[good]] = _local_seconds(parsed[good])
        done[todo[good]] = True
    rest = np.flatnonzero(~done)
    if rest.size:
        cells = _distinct(_subset(values, rest))
        seconds = np.zeros(len(cells.cells), dtype=np.int64)
        empty, bad, messages = [], [], {}
        for code, (cell, shown) in enumerate(zip(cells.cells, cells.text, strict=True)):
            if not shown:
                empty.append(code)
                continue
            try:
                seconds[code] = int(parse_time(cell).timestamp())
            except ValueError as err:
                bad.append(code)
                messages[code] = str(err)
        result[rest] = seconds[cells.codes]
        problems.add(rest[cells.rows_where(empty)], column, f"{_BY_NAME[column].zh}不能为空")
        rows = cells.rows_where(bad)
        problems.add(rest[rows], column, [messages[c] for c in cells.codes[rows]])
    return result


def _categories(codes: np.ndarray, values: list[str | None]) -> pd.Categorical:
    """Per-row values from codes into distinct cells (several cells may share a value)."""
    categories, into = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    return pd.Categorical.from_codes(into.reshape(-1)[codes], categories=categories)


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    blank = np.ones(len(frame), dtype=bool)
    for column in frame.columns:
        blank &= frame[column].map(lambda v: cell_text(v) == "").to_numpy(dtype=bool)
    return blank


def read_records(path: Path | str, officers: dict[str, int]) -> StudyRecords:
    """Validate every row of ``path`` against the roster (工号 → officer table id)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "文件不存在")
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        columns = fastcsv.read_columns(raw)
        if columns is not None:
            frame = _rename(path, columns)
            if (frame["officer_id"].str.strip_chars() == "").any():  # blank rows: pandas' way
                frame = None
        if columns is None or frame is None:
            frame = _rename(path, _csv_frame(path, raw))
    elif suffix in (".xlsx", ".xlsm"):
        frame = _xlsx_frame(path)
    else:
        raise InputError(path, "不支持的文件类型：请使用 .csv 或 .xlsx 文件")
    if fastcsv.is_polars(frame):
        return _validate(path, raw, frame, pd.RangeIndex(len(frame)), officers)
    return _validate(path, raw, frame, frame.index, officers)


def _validate(
    path: Path, raw: bytes, frame: Any, index: pd.Index, officers: dict[str, int]
) -> StudyRecords:
    """Check every row of the five columns (``index``: row number − 2 of each row)."""
    officer_cells = _distinct(frame["officer_id"])
    kind_cells = _distinct(frame["kind"])
    activity_cells = _distinct(frame["activity"])
    empty_officer = [c for c, t in enumerate(officer_cells.text) if not t]
    if empty_officer:  # a row with only some cells filled is an error; an empty row is skipped
        blank = np.zeros(len(frame), dtype=bool)
        candidates = officer_cells.rows_where(empty_officer)
        blank[candidates] = _blank_rows(frame.iloc[candidates])
        if blank.any():
            frame = frame[~blank]
            index = frame.index
            officer_cells = _distinct(frame["officer_id"])
            kind_cells = _distinct(frame["kind"])
            activity_cells = _distinct(frame["activity"])
    problems = _Problems(path, index)

    canonical = {officer_key(k): v for k, v in officers.items()}
    ids = np.array([canonical.get(officer_key(t), -1) for t in officer_cells.text], dtype=np.int64)
    officer = ids[officer_cells.codes] if len(frame) else np.empty(0, dtype=np.int64)
    problems.add(
        officer_cells.rows_where([c for c, t in enumerate(officer_cells.text) if not t]),
        "officer_id",
        "工号不能为空",
    )
    unknown = [c for c, t in enumerate(officer_cells.text) if t and ids[c] < 0]
    rows = officer_cells.rows_where(unknown)
    problems.add(
        rows,
        "officer_id",
        [
            f"名册中没有工号“{officer_cells.text[c]}”：请先导入名册或更正工号"
            for c in officer_cells.codes[rows]
        ],
    )
    start = parse_times(frame["start"], "start", problems)
    end = parse_times(frame["end"], "end", problems)
    problems.add(np.flatnonzero(end < start), "end", "结束时间早于开始时间")
    for column, seconds in (("start", start), ("end", end)):
        outside = np.flatnonzero((seconds != 0) & ((seconds < WINDOW[0]) | (seconds > WINDOW[1])))
        problems.add(outside, column, f"时间超出合理范围（{FIRST_YEAR}–{LAST_YEAR} 年）")
    parsed = (start != 0) & (end != 0)  # a cell that failed is 0 and already reported
    problems.add(
        np.flatnonzero(parsed & (end - start > LONGEST_SECONDS)),
        "end",
        f"学习时长超过 {LONGEST_SECONDS // 86400} 天：请核对开始和结束时间",
    )

    kinds = [KIND_WORDS.get(unicodedata.normalize("NFKC", t).lower()) for t in kind_cells.text]
    bad_kinds = [c for c, k in enumerate(kinds) if k is None]
    rows = kind_cells.rows_where(bad_kinds)
    problems.add(
        rows,
        "kind",
        [
            f"无法识别的学习方式“{kind_cells.text[c]}”，应为 online/线上 或 offline/线下"
            for c in kind_cells.codes[rows]
        ],
    )
    problems.add(
        activity_cells.rows_where([c for c, t in enumerate(activity_cells.text) if not t]),
        "activity",
        "学习内容不能为空",
    )
    problems.add(
        activity_cells.rows_where([c for c, t in enumerate(activity_cells.text) if "\0" in t]),
        "activity",
        "学习内容含有空字符（NUL），请检查文件是否损坏",
    )
    too_long = [c for c, t in enumerate(activity_cells.text) if len(t) > ACTIVITY_MAX]
    problems.add(
        activity_cells.rows_where(too_long), "activity", f"学习内容过长（最多 {ACTIVITY_MAX} 字）"
    )
    problems.raise_any()
    if len(frame) == 0:
        raise InputErrors([InputError(path, "文件中没有任何学习记录")])
    result = pd.DataFrame(
        {
            "officer": officer,
            "start": start,
            "end": end,
            "kind": _categories(kind_cells.codes, kinds),
            "activity": _categories(activity_cells.codes, activity_cells.text),
            "row": index.to_numpy(dtype=np.int64) + 2,
        }
    )
    return StudyRecords(path=path, digest=hashlib.sha256(raw).hexdigest(), frame=result)
