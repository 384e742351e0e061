"""The one CSV writer of reports and exports (the documented formatting, formula-safe).

Numbers in float columns have exactly 2 decimals, booleans are ``true``/``false``, missing
values are empty, other values are written as text; text a spreadsheet would run as a formula
gets a leading single quote (``cells.neutralise``). UTF-8 without BOM and ``\\n`` line ends
unless the caller asks for a BOM and ``\\r\\n`` (files meant for Excel on Chinese Windows).

A weekly compliance report has half a million rows: the lines are joined directly, several
times faster than the ``csv`` module, with the module's quoting (RFC 4180) where a cell needs
it; only the cells of a table that has such a cell are checked one by one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .cells import FORMULA_STARTS, neutralise

_TRUE_FALSE = np.array(["false", "true"], dtype=object)
_NEEDS_QUOTES = (",", '"', "\n", "\r")


def fixed2(values: np.ndarray) -> np.ndarray:
    """Numbers as text with exactly 2 decimals ("" for NaN); each distinct value formatted once
    (a weekly report has half a million rows but few distinct minute values)."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=np.float64), use_na_sentinel=False)
    text = np.array(["" if np.isnan(v) else f"{v:.2f}" for v in distinct], dtype=object)
    return text[codes]


def csv_cells(column: pd.Series) -> list[str]:
    """One column's cells as CSV text (formatting and formula neutralising applied)."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype):
        values = column.to_numpy()
        if dtype.kind == "b":
            return _TRUE_FALSE[values.view(np.uint8)].tolist()
        if dtype.kind == "f":
            return fixed2(values).tolist()
        if dtype.kind in "iu":
            return list(map(str, values.tolist()))
    # few distinct values (officer ids, weeks) in many rows: format each distinct value once
    codes, distinct = pd.factorize(column, use_na_sentinel=True)
    text = np.array([*(_text(v) for v in distinct), ""], dtype=object)  # code -1 (NA) → ""
    return text[codes].tolist()


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    return neutralise(text) if text.startswith(FORMULA_STARTS) else text


def write_csv(table: pd.DataFrame, out: Path, *, bom: bool = False, crlf: bool = False) -> Path:
    """Write ``table`` (numbers, booleans, text) to ``out``; returns ``out``."""
    header = [_text(str(c)) for c in table.columns]
    columns = [csv_cells(table[c]) for c in table.columns]
    if _needs_quoting(header, columns):
        header = [_quoted(c) for c in header]
        columns = [[_quoted(c) for c in column] for column in columns]
        if len(columns) == 1:  # a lone empty field would read back as a blank line
            columns = [[c or '""' for c in columns[0]]]
    end = "\r\n" if crlf else "\n"
    lines = [",".join(header), *map(",".join, zip(*columns, strict=True))]
    out.write_text(end.join(lines) + end, encoding="utf-8-sig" if bom else "utf-8", newline="")
    return out


def _needs_quoting(header: list[str], columns: list[list[str]]) -> bool:
    joined = "\x00".join(["\x00".join(header), *("\x00".join(c) for c in columns)])
    return any(c in joined for c in _NEEDS_QUOTES)


def _quoted(cell: str) -> str:
    """RFC 4180 quoting, as ``csv.writer`` does it (and for a lone CR too, which it does not)."""
    if any(c in cell for c in _NEEDS_QUOTES):
        return '"' + cell.replace('"', '""') + '"'
    return cell
