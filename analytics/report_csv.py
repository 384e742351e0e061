"""The CSV form of a report's main table, with DESIGN.md's formatting: minutes to exactly 2
decimals, booleans ``true``/``false``, UTF-8 without BOM.

A weekly compliance report has half a million rows. When no cell needs quoting or NA handling
(the usual case) each column becomes a list of cells and the lines are joined directly,
several times faster than ``DataFrame.to_csv``; otherwise ``to_csv`` writes the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

_TRUE_FALSE = np.array(["false", "true"], dtype=object)
_NEEDS_QUOTES = (",", '"', "\n", "\r")


def fixed2(values: np.ndarray) -> np.ndarray:
    """Numbers as text with exactly 2 decimals ("" for NaN); each distinct value formatted once
    (a weekly report has half a million rows but few distinct minute values)."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=np.float64), use_na_sentinel=False)
    text = np.array(["" if np.isnan(v) else f"{v:.2f}" for v in distinct], dtype=object)
    return text[codes]


def write_csv(table: pd.DataFrame, out: Path) -> None:
    """Write ``table`` (numbers, booleans, text) to ``out``."""
    header = [str(c) for c in table.columns]
    columns = [_cells(table[c]) for c in table.columns]
    if any(c is None for c in columns) or _plain(header) is None:
        _write_with_pandas(table, out)
        return
    lines = [",".join(header), *map(",".join, zip(*columns, strict=True))]  # type: ignore[arg-type]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")


def _cells(column: pd.Series) -> list[str] | None:
    """The column's CSV cells, or None when some need quoting or are missing."""
    dtype = column.dtype
    if not isinstance(dtype, np.dtype):  # extension types (str, Int64, ...) but plain text
        if column.hasnans or pd.api.types.infer_dtype(column, skipna=False) != "string":
            return None
        return _plain(column.tolist())
    values = column.to_numpy()
    if dtype.kind == "b":
        return _TRUE_FALSE[values.view(np.uint8)].tolist()
    if dtype.kind == "f":
        return fixed2(values).tolist()
    if dtype.kind in "iu":
        return list(map(str, values.tolist()))
    if dtype.kind == "O" and pd.api.types.infer_dtype(values, skipna=False) == "string":
        return _plain(values.tolist())
    return None


def _plain(cells: list[str]) -> list[str] | None:
    joined = "\x00".join(cells)
    return None if any(c in joined for c in _NEEDS_QUOTES) else cells


def _write_with_pandas(table: pd.DataFrame, out: Path) -> None:
    table = table.copy()
    for column in table.columns:
        values = table[column].to_numpy()
        if table[column].dtype == np.dtype(bool):
            table[column] = np.where(values, "true", "false")
        elif table[column].dtype.kind == "f":
            table[column] = fixed2(values)
    table.to_csv(out, index=False, lineterminator="\n")
