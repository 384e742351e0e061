"""Hostile or broken input files end in one located message (file, row, column), never a
traceback: for every importer that reads CSV/XLSX."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from fazhi.analytics.study.records import read_records
from fazhi.errors import InputError, InputErrors, UserError
from fazhi.exams.bank import parse_bank
from fazhi.exams.submissions import COLUMNS as ANSWER_COLUMNS
from fazhi.mockcourt.scorefile import read_score_file
from fazhi.roster import parse_roster
from fazhi.tabular import MAX_ERRORS, read_table

ROSTER = ["工号", "姓名", "单位", "职务类别", "执法人员", "执法证有效期至", "入职日期", "离职日期"]
GOOD = ["CG0001", "王伟", "某市城管局/一中队", "一般干部", "是", "2027-01-01", "", ""]
BANK = ["题号", "题型", "题干", "选项A", "选项B", "答案", "分值", "法律依据"]
STUDY = ["工号", "开始时间", "结束时间", "学习方式", "学习内容"]
OFFICERS = {"CG0001": 1}


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def roster_with(tmp_path: Path, **cells: str) -> Path:
    row = dict(zip(ROSTER, GOOD, strict=True)) | cells
    return write_csv(tmp_path / "名册.csv", ROSTER, [list(row.values())])


def message_of(call: Callable[[], object]) -> str:
    with pytest.raises(UserError) as caught:
        call()
    return str(caught.value)


IMPORTERS: dict[str, Callable[[Path], object]] = {
    "roster": parse_roster,
    "bank": parse_bank,
    "answers": lambda path: read_table(path, ANSWER_COLUMNS),
    "study": lambda path: read_records(path, OFFICERS),
    "mockcourt": read_score_file,
}


@pytest.mark.parametrize("importer", sorted(IMPORTERS))
@pytest.mark.parametrize("damage", ["truncated", "not-zip", "empty"])
def test_damaged_xlsx_is_named_not_a_traceback(tmp_path: Path, importer: str, damage: str) -> None:
    """Does every importer refuse a truncated, non-zip or empty .xlsx with a message?"""
    book = Workbook()
    book.active.append(ROSTER)
    book.active.append(GOOD)
    good = tmp_path / "good.xlsx"
    book.save(good)
    path = tmp_path / "坏.xlsx"
    data = {"truncated": good.read_bytes()[:-300], "not-zip": b"PK\x03\x04garbage", "empty": b""}
    path.write_bytes(data[damage])
    message = message_of(lambda: IMPORTERS[importer](path))
    assert "坏.xlsx" in message and "Excel" in message


def test_formula_without_cached_value_is_refused_naming_the_cell(tmp_path: Path) -> None:
    """Is =DATE(2027,1,1) saved without its value refused, naming the cell, not read as empty?"""
    book = Workbook()
    book.active.append(ROSTER)
    book.active.append([*GOOD[:5], "=DATE(2027,1,1)", "", ""])
    path = tmp_path / "名册.xlsx"
    book.save(path)  # openpyxl, like many generators, saves no cached value
    message = message_of(lambda: parse_roster(path))
    assert "单元格 F2" in message and "=DATE(2027,1,1)" in message and "第 2 行" in message


def test_data_on_another_sheet_is_named(tmp_path: Path) -> None:
    """When the first sheet is empty, does the message name the sheet the data is on?"""
    book = Workbook()
    book.active.title = "说明"
    data = book.create_sheet("人员")
    data.append(ROSTER)
    data.append(GOOD)
    path = tmp_path / "名册.xlsx"
    book.save(path)
    message = message_of(lambda: parse_roster(path))
    assert "“说明”是空的" in message and "“人员”" in message


def test_oversized_csv_field_is_located(tmp_path: Path) -> None:
    """Is a CSV field over 131,072 characters reported with its row, not a csv.Error?"""
    path = roster_with(tmp_path, 姓名="王" * 140_000)
    message = message_of(lambda: parse_roster(path))
    assert "名册.csv" in message and "第 2 行" in message and "131072" in message


def test_unclosed_quote_is_reported_once(tmp_path: Path) -> None:
    """Is an unclosed quote one error at the row it starts, not one per following row?"""
    path = tmp_path / "名册.csv"
    lines = [",".join(ROSTER), ",".join(GOOD), 'CG0002,"李娜,某市城管局/一中队,一般干部,是,,,']
    lines += [f"CG{n:04d},某,某市城管局,一般干部,是,,," for n in range(3, 50)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_roster(path)
    assert caught.value.row == 3 and "引号未闭合" in str(caught.value)
    assert str(caught.value).count("引号未闭合") == 1


@pytest.mark.parametrize(
    ("cells", "column", "expected"),
    [
        ({"入职日期": "2026-02-30"}, "入职日期", "日期“2026-02-30”不存在"),
        ({"入职日期": "20260101"}, "入职日期", "应为 YYYY-MM-DD"),
        ({"入职日期": "2026-W01-1"}, "入职日期", "应为 YYYY-MM-DD"),
        ({"执法证有效期至": "9999-12-31"}, "执法证有效期至", "超出合理范围"),
        ({"入职日期": "1066-10-14"}, "入职日期", "超出合理范围"),
        ({"姓名": "王\x00伟"}, "姓名", "空字符"),
        ({"姓名": "王" * 101}, "姓名", "内容过长"),
    ],
    ids=["nonexistent", "compact", "week-date", "year-9999", "year-1066", "nul", "long-name"],
)
def test_bad_cells_are_located(
    tmp_path: Path, cells: dict[str, str], column: str, expected: str
) -> None:
    """Are nonexistent days, other date syntaxes, far years, NUL and over-long text refused
    with file, row and column (before any database could accept or choke on them)?"""
    message = message_of(lambda: parse_roster(roster_with(tmp_path, **cells)))
    assert "第 2 行" in message and column in message and expected in message


@pytest.mark.parametrize("points", ["1e308", "inf", "101"])
def test_absurd_points_are_refused(tmp_path: Path, points: str) -> None:
    """Is a question worth 1e308 points (满分 inf 分) refused?"""
    row = ["Q-1", "单选", "题干", "甲", "乙", "A", points, "《行政处罚法》第一条"]
    path = write_csv(tmp_path / "题库.csv", BANK, [row])
    message = message_of(lambda: parse_bank(path))
    assert "分值" in message and "第 2 行" in message


@pytest.mark.parametrize(
    ("start", "end", "activity", "column", "expected"),
    [
        ("1900-01-05 09:00", "2026-01-05 10:00", "集中学习", "开始时间", "超出合理范围"),
        ("2026-01-05 09:00", "2226-01-05 10:00", "集中学习", "结束时间", "超出合理范围"),
        ("2026-01-05 09:00", "2027-01-05 10:00", "集中学习", "结束时间", "学习时长超过"),
        ("2026-01-05 09:00", "2026-01-05 10:00", "", "学习内容", "学习内容不能为空"),
        ("2026-02-30 09:00", "2026-03-01 10:00", "集中学习", "开始时间", "不存在"),
    ],
    ids=["before-window", "after-window", "a-year-long", "empty-activity", "nonexistent-day"],
)
def test_study_records_out_of_range_are_refused(
    tmp_path: Path, start: str, end: str, activity: str, column: str, expected: str
) -> None:
    """Are records spanning centuries or a year, far dates and an empty 学习内容 refused?"""
    path = write_csv(tmp_path / "学习.csv", STUDY, [["CG0001", start, end, "线下", activity]])
    message = message_of(lambda: read_records(path, OFFICERS))
    assert "第 2 行" in message and column in message and expected in message


def test_officer_ids_in_study_records_are_canonical(tmp_path: Path) -> None:
    """Is ``ｃｇ0001`` (full-width, lower-case) in a study file the roster's CG0001?"""
    rows = [["ｃｇ０００１", "2026-01-05 09:00", "2026-01-05 10:00", "线下", "集中学习"]]
    frame = read_records(write_csv(tmp_path / "学习.csv", STUDY, rows), OFFICERS).frame
    assert frame["officer"].tolist() == [1]


@pytest.mark.parametrize("importer", ["roster", "study"])
def test_error_collection_stops_at_the_cap(tmp_path: Path, importer: str) -> None:
    """Does a file of 30,000 bad rows stop at the error cap, quickly, saying it stopped?"""
    if importer == "roster":
        rows = [[f"CG{n:05d}", "某", "某市城管局", "科长", "是", "", "", ""] for n in range(30_000)]
        path, call = write_csv(tmp_path / "名册.csv", ROSTER, rows), parse_roster
    else:
        rows = [["CG0001", f"2026-01-05 09:{n % 60:02d}", "x", "线下", "学"] for n in range(30_000)]
        path = write_csv(tmp_path / "学习.csv", STUDY, rows)
        call = lambda p: read_records(p, OFFICERS)  # noqa: E731
    started = time.perf_counter()
    with pytest.raises(InputErrors) as caught:
        call(path)
    assert len(caught.value.errors) == MAX_ERRORS and caught.value.stopped
    assert "已在第" in str(caught.value) and "停止检查" in str(caught.value)
    assert time.perf_counter() - started < 30


def test_unclosed_quote_in_study_records_is_reported_once(tmp_path: Path) -> None:
    """Does the study-record reader (pandas/polars) also report an unclosed quote once, at
    the row where it starts?"""
    path = tmp_path / "学习.csv"
    lines = [",".join(STUDY), 'CG0001,2026-01-05 09:00,2026-01-05 10:00,线下,"集中学习']
    lines += ["CG0001,2026-01-06 09:00,2026-01-06 10:00,线下,集中学习"] * 20
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_records(path, OFFICERS)
    assert caught.value.row == 2 and str(caught.value).count("引号未闭合") == 1
