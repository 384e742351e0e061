"""Reading study-record files: encodings, header languages, time forms, every bad-row case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fazhi.analytics.study.records import read_records
from fazhi.errors import InputError, InputErrors

from ..helpers import STUDY_HEADER_EN, STUDY_HEADER_ZH, ts, write_csv, write_xlsx

OFFICERS = {"CG001": 1, "CG002": 2}
ROWS = [
    ["CG001", "2026-01-05 09:00", "2026-01-05 10:30", "线下", "集中学习"],
    ["CG002", "2026-01-05 23:30", "2026-01-06 00:20", "线上", "m01-penalty-basics"],
    ["CG001", "2026-01-06 14:00:30", "2026-01-06 15:00:00", "online", "专题讲座"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("header", [STUDY_HEADER_ZH, STUDY_HEADER_EN], ids=["zh", "en"])
def test_encodings_and_header_languages(tmp_path: Path, encoding: str, header: list[str]) -> None:
    """Do UTF-8, UTF-8 with BOM and GB18030 files with Chinese or English headers read alike?"""
    records = read_records(write_csv(tmp_path / "s.csv", header, ROWS, encoding), OFFICERS)
    frame = records.frame
    assert frame["officer"].tolist() == [1, 2, 1]
    assert frame["start"].tolist() == [
        ts("2026-01-05 09:00"),
        ts("2026-01-05 23:30"),
        ts("2026-01-06 14:00") + 30,
    ]
    assert frame["end"].tolist()[1] == ts("2026-01-06 00:20")
    assert frame["kind"].tolist() == ["offline", "online", "online"]
    assert frame["activity"].tolist() == ["集中学习", "m01-penalty-basics", "专题讲座"]
    assert frame["row"].tolist() == [2, 3, 4]


def test_xlsx_with_date_cells(tmp_path: Path) -> None:
    """Does an Excel sheet with real date-time cells read as local times?"""
    rows = [["CG001", dt.datetime(2026, 1, 5, 9), dt.datetime(2026, 1, 5, 10), "线下", "集中学习"]]
    path = write_xlsx(tmp_path / "s.xlsx", STUDY_HEADER_ZH, rows)
    frame = read_records(path, OFFICERS).frame
    assert frame[["start", "end"]].values.tolist() == [
        [ts("2026-01-05 09:00"), ts("2026-01-05 10:00")]
    ]


def test_other_time_forms_offsets_and_blank_lines(tmp_path: Path) -> None:
    """Are slashes, a T, an explicit offset and full-width digits read, and blank lines skipped?"""
    rows = [
        ["CG001", "2026/01/05 09:00", "2026-01-05T10:00", "线下", "集中学习"],
        ["", "", "", "", ""],
        ["CG002", "2026-01-05 01:00+00:00", "２０２６-01-05 10:00", "线上", " 自学 "],
    ]
    frame = read_records(write_csv(tmp_path / "s.csv", STUDY_HEADER_ZH, rows), OFFICERS).frame
    assert frame["start"].tolist() == [ts("2026-01-05 09:00"), ts("2026-01-05 09:00")]
    assert frame["end"].tolist() == [ts("2026-01-05 10:00")] * 2
    assert frame["row"].tolist() == [2, 4]
    assert frame["activity"].tolist() == ["集中学习", "自学"]


BAD = [
    pytest.param(3, "结束时间", "2026-01-05 23:00", "结束时间早于开始时间", id="end-before-start"),
    pytest.param(2, "工号", "CG999", "名册中没有工号“CG999”", id="unknown-officer"),
    pytest.param(4, "开始时间", "2026-13-05 09:00", "格式不正确", id="bad-time"),
    pytest.param(4, "结束时间", "明天上午", "格式不正确", id="text-time"),
    pytest.param(3, "开始时间", "2026-01-05", "缺少时分", id="date-without-time"),
    pytest.param(2, "开始时间", "", "开始时间不能为空", id="empty-time"),
    pytest.param(3, "工号", "", "工号不能为空", id="empty-officer"),
    pytest.param(2, "学习方式", "函授", "无法识别的学习方式“函授”", id="bad-kind"),
    pytest.param(4, "学习内容", "长" * 201, "学习内容过长", id="long-activity"),
]


@pytest.mark.parametrize(("line", "column", "value", "expected"), BAD)
def test_bad_rows_name_file_row_and_column(
    tmp_path: Path, line: int, column: str, value: str, expected: str
) -> None:
    """Is each bad cell reported with the file, the spreadsheet row and the column?"""
    rows = [r[:] for r in ROWS]
    rows[line - 2][STUDY_HEADER_ZH.index(column)] = value
    with pytest.raises(InputErrors) as caught:
        read_records(write_csv(tmp_path / "坏.csv", STUDY_HEADER_ZH, rows), OFFICERS)
    message = str(caught.value)
    assert "坏.csv" in message and f"第 {line} 行" in message and column in message
    assert expected in message


def test_all_problems_are_reported_together_in_row_order(tmp_path: Path) -> None:
    """Are several bad rows reported at once, sorted by row?"""
    rows = [r[:] for r in ROWS]
    rows[2][0] = "X9"
    rows[0][2] = "2026-01-05 08:00"
    with pytest.raises(InputErrors) as caught:
        read_records(write_csv(tmp_path / "s.csv", STUDY_HEADER_ZH, rows), OFFICERS)
    assert [e.row for e in caught.value.errors] == [2, 4]
    assert "输入有 2 处错误" in str(caught.value)


def test_missing_column_empty_file_and_unsupported_type(tmp_path: Path) -> None:
    """Are a missing column, a file without rows and a non-table file refused clearly?"""
    header = STUDY_HEADER_ZH[:-1]
    path = write_csv(tmp_path / "m.csv", header, [r[:-1] for r in ROWS])
    with pytest.raises(InputError, match=r"缺少必需的列：学习内容\(activity\)"):
        read_records(path, OFFICERS)
    with pytest.raises(InputErrors, match="没有任何学习记录"):
        read_records(write_csv(tmp_path / "e.csv", STUDY_HEADER_ZH, []), OFFICERS)
    (tmp_path / "s.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError, match="不支持的文件类型"):
        read_records(tmp_path / "s.pdf", OFFICERS)
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81\x00")
    with pytest.raises(InputError, match="无法识别文件编码"):
        read_records(tmp_path / "bin.csv", OFFICERS)


def test_times_before_1992_keep_the_zones_summer_time(tmp_path: Path) -> None:
    """Are times from China's summer-time years (1986–1991) read with that day's offset?"""
    rows = [
        ["CG001", "1988-07-01 12:00", "1988-07-01 13:00:00", "线下", "集中学习"],
        ["CG001", "1988-01-04 12:00", "1988-01-04 13:00", "线下", "集中学习"],
    ]
    frame = read_records(write_csv(tmp_path / "s.csv", STUDY_HEADER_ZH, rows), OFFICERS).frame
    assert frame["start"].tolist() == [ts("1988-07-01 12:00"), ts("1988-01-04 12:00")]
    assert ts("1988-07-01 12:00") == ts("1988-01-04 12:00") + 179 * 86400 - 3600
    assert frame["end"].tolist() == [ts("1988-07-01 13:00"), ts("1988-01-04 13:00")]


def _read_both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object, bool]:
    """(fast reader's result, pandas reader's result, whether the fast reader took the file):
    a result is the records' frame, or the error's text."""
    from fazhi.analytics.study import fastcsv

    taken = fastcsv.read_columns(path.read_bytes()) is not None

    def outcome() -> object:
        try:
            return read_records(path, OFFICERS).frame
        except (InputError, InputErrors) as err:
            return str(err)

    fast = outcome()
    with monkeypatch.context() as patch:
        patch.setattr(fastcsv, "read_columns", lambda raw: None)
        slow = outcome()
    return fast, slow, taken


ODD_ROWS = [
    ["CG001", "2026/01/05 09:00", "2026-01-05T10:00", "线下", "集中学习"],
    ["CG002", "2026-01-05 01:00+00:00", "２０２６-01-05 10:00", " 线上 ", " 自学 "],
    ["CG001", "1988-07-01 12:00", "1988-07-01 13:00:00", "offline", "专题讲座"],
    ["CG002", "2026-1-5 9:00", "2026-01-05 09:30:15", "ONLINE", "m01-penalty-basics"],
]
BAD_ROWS = [
    ["CG001", "2026-01-05 25:00", "2026-01-05 10:00", "线下", "集中学习"],
    ["CG404", "2026-01-05 09:00", "2026-01-05 08:00", "面授", "集中学习"],
    ["CG001", "2026-01-05 09:00", "", "线上", "x" * 201],
]


@pytest.mark.parametrize(
    ("rows", "encoding", "newline", "fast"),
    [
        (ROWS, "utf-8", "\n", True),
        (ODD_ROWS, "utf-8-sig", "\r\n", True),
        (ODD_ROWS, "gb18030", "\n", True),
        (BAD_ROWS, "utf-8", "\n", True),
        ([*ROWS, ["", "", "", "", ""], *ODD_ROWS], "utf-8", "\n", True),  # blank row
        (ODD_ROWS, "utf-8", "\r", False),  # old Mac line ends: pandas only
    ],
    ids=["plain", "odd-forms-bom-crlf", "gb18030", "bad-rows", "blank-row", "cr-only"],
)
def test_fast_and_pandas_readers_agree(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[list[str]],
    encoding: str,
    newline: str,
    fast: bool,
) -> None:
    """Does the polars reader give exactly the pandas reader's records or errors, and does it
    take the files it should?"""
    path = tmp_path / "s.csv"
    lines = [",".join(STUDY_HEADER_ZH)] + [",".join(row) for row in rows]
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    got, expected, taken = _read_both(path, monkeypatch)
    assert taken == fast
    if isinstance(expected, str):
        assert got == expected and "第 2 行" in expected
    else:
        assert isinstance(got, type(expected))
        pd.testing.assert_frame_equal(got, expected)
