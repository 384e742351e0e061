"""Fixtures for the exams tests: a small bank with known keys, a roster, file writers.

Helpers are handed out as fixtures (test modules are imported with importlib and cannot
import a shared helper module).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from fazhi import db, gradebook
from fazhi.settings import Settings

EN = [
    "id", "type", "stem", "option_a", "option_b", "option_c", "option_d", "option_e", "option_f",
    "answer", "points", "basis", "topic", "difficulty", "explanation",
]  # fmt: skip
ZH = [
    "题号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F",
    "答案", "分值", "法律依据", "知识点", "难度", "解析",
]  # fmt: skip


def _q(code, kind, options, answer, points, topic, difficulty):  # type: ignore[no-untyped-def]
    opts = list(options) + [""] * (6 - len(options))
    return [
        code, kind, f"{code} 的题干（{kind}）", *opts, answer, points,
        f"《行政处罚法》第{code[-1]}条", topic, difficulty, f"{code} 的解析",
    ]  # fmt: skip


ABCD = ["甲项", "乙项", "丙项", "丁项"]
ROWS = [
    _q("T-01", "single", ABCD, "B", "1", "简易程序", "易"),
    _q("T-02", "single", ABCD, "C", "1", "简易程序", "易"),
    _q("T-03", "single", ABCD, "A", "1", "简易程序", "中"),
    _q("T-04", "single", ABCD, "D", "1", "听证", "中"),
    _q("T-05", "single", ABCD, "B", "1", "听证", "难"),
    _q("T-06", "multiple", ABCD, "ACD", "2", "简易程序", "中"),
    _q("T-07", "multiple", ABCD, "AB", "2", "听证", "中"),
    _q("T-08", "multiple", ABCD, "BCD", "2", "听证", "难"),
    _q("T-09", "truefalse", [], "正确", "1", "简易程序", "易"),
    _q("T-10", "truefalse", [], "错误", "1", "听证", "中"),
    _q("T-11", "fill", [], "二百|200", "2", "简易程序", "易"),
    _q("T-12", "fill", [], "七日|7日", "2", "听证", "中"),
    _q("T-13", "essay", [], "参考答案：应当告知陈述申辩权。", "5", "听证", "难"),
]
KEYS = {row[0]: row[9] for row in ROWS}
OFFICERS = [
    ["CG001", "王伟", "某市城管局/东城大队/一中队", "领导干部", "是", "", "2015-07-01", ""],
    ["CG002", "李娜", "某市城管局/东城大队/一中队", "一般干部", "是", "", "", ""],
    ["CG003", "张敏", "某市城管局/东城大队/二中队", "一般干部", "是", "", "", ""],
    ["CG004", "赵强", "某市城管局/西城大队", "一般干部", "否", "", "", ""],
    ["CG005", "刘洋", "某市城管局/西城大队", "一般干部", "是", "", "", "2020-01-01"],
]
ROSTER_HEADER = [
    "工号",
    "姓名",
    "单位",
    "职务类别",
    "执法人员",
    "执法证有效期至",
    "入职日期",
    "离职日期",
]


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[str]], encoding: str = "utf-8"
) -> Path:
    """A CSV in ``encoding`` (``gb18030`` as Excel on Chinese Windows writes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


@pytest.fixture
def bank_rows() -> list[list[str]]:
    """A fresh copy of the test bank's rows (English column order)."""
    return [list(row) for row in ROWS]


@pytest.fixture
def keys() -> dict[str, str]:
    return dict(KEYS)


@pytest.fixture
def csv_file() -> Callable[..., Path]:
    """``csv_file(path, header, rows, encoding="utf-8")``."""
    return write_csv


@pytest.fixture
def xlsx_file() -> Callable[..., Path]:
    return write_xlsx


@pytest.fixture
def en_header() -> list[str]:
    return list(EN)


@pytest.fixture
def zh_header() -> list[str]:
    return list(ZH)


@pytest.fixture
def test_bank(workspace: Settings, tmp_path: Path) -> str:
    """Bank ``t`` (13 questions of every type) imported into ``workspace``; returns its name."""
    from fazhi.exams.store import import_bank

    path = write_csv(tmp_path / "t.csv", EN, ROWS)
    with db.session_scope(workspace) as session:
        import_bank(session, path, "t")
    return "t"


@pytest.fixture
def roster(workspace: Settings, tmp_path: Path) -> list[str]:
    """Five officers (CG005 left in 2020) on the roster and in nbgrader's student table."""
    from fazhi.roster import parse_roster, store_roster

    entries = parse_roster(write_csv(tmp_path / "roster.csv", ROSTER_HEADER, OFFICERS))
    with db.session_scope(workspace) as session:
        store_roster(session, entries)
    gradebook.sync_students(workspace, ((e.officer_id, e.name) for e in entries))
    return [e.officer_id for e in entries]


@pytest.fixture
def local() -> Callable[..., dt.datetime]:
    """``local(2026, 2, 1, 9)``: an Asia/Shanghai time."""
    from fazhi.tabular import LOCAL_TZ

    def make(*parts: int) -> dt.datetime:
        return dt.datetime(*parts, tzinfo=LOCAL_TZ)  # type: ignore[misc]

    return make
