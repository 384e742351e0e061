"""Read a large, regular study-record CSV with polars, for ``fazhi.analytics.study.records``.

A year of a province's sign-in sheets is millions of rows. pandas' reader makes a Python
string of every cell, which costs more than the rest of the import put together; polars
reads the file on all cores into Arrow memory, and only the distinct values of a column (a
few thousand 工号, two 学习方式) and the rows whose times need the general parser ever become
Python objects. The validation itself stays in ``records``: this module only reads cells.

Files this reader would number differently from pandas (old Mac line ends) or cannot read
(bad encoding, ragged rows, duplicate headers, no header) get ``None``: the caller then reads
them with pandas, whose messages name the problem.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def read_columns(raw: bytes) -> Any | None:
    """All cells of a CSV file as text (a polars DataFrame), or None for pandas to read it.

    UTF-8 (with or without a BOM) is tried first, then GB18030, as for pandas. Blank lines
    stay rows, as they do for pandas (``skip_blank_lines=False``), so rows keep their numbers.
    """
    if b"\r" in raw:  # CRLF is fine; a lone CR ends a line for pandas only
        buffer = np.frombuffer(raw, dtype=np.uint8)
        returns = np.flatnonzero(buffer == 13)
        if returns[-1] == len(raw) - 1 or np.any(buffer[returns + 1] != 10):
            return None
    import polars as pl

    data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        # polars checks the cells' UTF-8 as it reads, but not the header's
        data[: data.find(b"\n") if b"\n" in data else len(data)].decode("utf-8")
        frame = pl.read_csv(data, infer_schema=False, empty_string_is_null=False)
    except (UnicodeDecodeError, pl.exceptions.PolarsError, OSError, ValueError):
        try:
            data = raw.decode("gb18030").encode("utf-8")
            frame = pl.read_csv(data, infer_schema=False, empty_string_is_null=False)
        except (UnicodeDecodeError, pl.exceptions.PolarsError, OSError, ValueError):
            return None  # pandas names the problem: encoding, ragged rows, duplicate headers
    if sum(frame.null_count().row(0)):
        frame = frame.with_columns(pl.all().fill_null(""))
    return frame


def is_polars(column: object) -> bool:
    return type(column).__module__.startswith("polars")


def factorize(column: Any) -> tuple[np.ndarray, list[object]]:
    """(each row's code, the distinct cells in order of first appearance)."""
    import polars as pl

    cells = column.unique(maintain_order=True)
    codes = column.cast(pl.Enum(cells)).to_physical().to_numpy().astype(np.int64)
    return codes, cells.to_list()


def strptime(column: Any, fmt: str) -> np.ndarray:
    """Naive datetime64 of cells written exactly in ``fmt``, NaT for the others."""
    import polars as pl

    parsed = column.str.strptime(pl.Datetime("ms"), fmt, strict=False, exact=True)
    return np.asarray(parsed.to_numpy(), dtype="datetime64[ms]")
