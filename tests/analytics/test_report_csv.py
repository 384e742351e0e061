"""The CSV writer of reports: its fast path writes exactly what ``DataFrame.to_csv`` would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fazhi.analytics.report_csv import _write_with_pandas, write_csv


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
def test_fast_path_writes_what_to_csv_writes(tmp_path: Path, changes: dict[str, object]) -> None:
    """Are minutes, booleans, integers, missing values and cells needing quotes written alike?"""
    frame = table(**changes)
    write_csv(frame, tmp_path / "fast.csv")
    _write_with_pandas(frame, tmp_path / "pandas.csv")
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_minutes_have_two_decimals_and_booleans_are_words(tmp_path: Path) -> None:
    """Does a plain table come out with 2-decimal minutes and true/false?"""
    write_csv(table(sessions=np.array([1, 2, 3])), tmp_path / "t.csv")
    lines = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "officer_id,week,minutes,required_minutes,weeks,ok,sessions"
    assert lines[1:] == [
        "CG001,2026-W01,60.00,60.00,52,true,1",
        "CG002,2026-W01,,60.00,0,false,2",
        "CG003,2026-W02,120.00,120.00,3,true,3",
    ]
