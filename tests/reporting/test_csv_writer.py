"""The one CSV writer: the documented formatting, and its fast path writing exactly what the
``csv`` module writes."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fazhi.reporting.csv_writer import csv_cells, write_csv


def table(**changes: object) -> pd.DataFrame:
    columns: dict[str, object] = {
        "officer_id": ["CG001", "CG002", "CG003"],
        "week": ["2026-W01", "2026-W01", "2026-W02"],
        "minutes": [59.996, np.nan, 120.0],
        "required_minutes": np.array([60.0, 60.0, 120.0]),
        "weeks": np.array([52, 0, 3]),
        "ok": np.array([True, False, True]),
        "sessions": pd.array([1, pd.NA, 2], dtype="Int64"),
    }
    columns.update(changes)
    return pd.DataFrame(columns)


def with_csv_module(frame: pd.DataFrame, out: Path, *, bom: bool, crlf: bool) -> None:
    """The slow path's reference: every cell through ``csv.writer``."""
    columns = [csv_cells(frame[c]) for c in frame.columns]
    with out.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n" if crlf else "\n")
        writer.writerow([str(c) for c in frame.columns])
        writer.writerows(zip(*columns, strict=True))


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"sessions": pd.array([1, 2, 3], dtype="Int64")},
        {"officer_id": ["CG,001", "CG002", "CG003"]},
        {"week": ['"W01"', "W01", "W02"]},
        {"officer_id": ["CG001", None, "CG003"]},
        {"officer_id": np.array(["CG001", "第二\n行", "CG003"], dtype=object)},
    ],
    ids=["na-int", "ints", "comma", "quote", "missing", "newline"],
)
@pytest.mark.parametrize("bom, crlf", [(False, False), (True, True)], ids=["plain", "excel"])
def test_fast_path_writes_what_the_csv_module_writes(
    tmp_path: Path, changes: dict[str, object], bom: bool, crlf: bool
) -> None:
    """Are minutes, booleans, integers, missing values and cells needing quotes written alike?"""
    frame = table(**changes)
    write_csv(frame, tmp_path / "fast.csv", bom=bom, crlf=crlf)
    with_csv_module(frame, tmp_path / "module.csv", bom=bom, crlf=crlf)
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "module.csv").read_bytes()


def test_minutes_have_two_decimals_and_booleans_are_words(tmp_path: Path) -> None:
    """Does a plain table come out with 2-decimal minutes, true/false and no BOM?"""
    write_csv(table(sessions=np.array([1, 2, 3])), tmp_path / "t.csv")
    data = (tmp_path / "t.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    assert data.decode("utf-8").splitlines() == [
        "officer_id,week,minutes,required_minutes,weeks,ok,sessions",
        "CG001,2026-W01,60.00,60.00,52,true,1",
        "CG002,2026-W01,,60.00,0,false,2",
        "CG003,2026-W02,120.00,120.00,3,true,3",
    ]


def test_excel_form_has_a_bom_and_crlf(tmp_path: Path) -> None:
    """Does the form for Excel on Chinese Windows start with a BOM and end lines with CRLF?"""
    write_csv(pd.DataFrame({"姓名": ["王伟"]}), tmp_path / "t.csv", bom=True, crlf=True)
    assert (tmp_path / "t.csv").read_bytes() == "\ufeff姓名\r\n王伟\r\n".encode()
