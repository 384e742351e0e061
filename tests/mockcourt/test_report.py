"""``report mockcourt``: the CSV rows and values, the XLSX/HTML extras, and the shared function."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fazhi import db
from fazhi.mockcourt import officer_mockcourt_results
from fazhi.mockcourt.report import write_report
from fazhi.mockcourt.scoring import icc_2_1
from fazhi.mockcourt.store import import_file
from fazhi.settings import Settings

from .conftest import sheet_rows

pytestmark = pytest.mark.db

# session → (date, officer → (role, judge → sheet)); a number is that score on every dimension.
DATA = {
    "MC-A": (
        "2026-03-10",
        {
            "CG0001": (
                "负责人出庭应诉",
                {"甲": [80, 90, 70, 60, 100], "乙": 85, "丙": 90, "丁": 70, "戊": 95},
            ),
            "CG0002": ("代理人", {"甲": 80, "乙": 81, "丙": 82, "丁": 82, "戊": 90}),
        },
    ),
    "MC-B": (
        "2026-05-20",
        {
            "CG0001": ("代理人", {"甲": 70, "乙": 75, "丙": 80, "丁": 86}),
            "CG0003": ("执法人员", {"甲": 60, "乙": 61, "丙": 62, "丁": 63.5}),
        },
    ),
    "MC-C": (
        "2026-06-01",
        {"CG0002": ("代理人", {"甲": 50, "乙": 70, "丙": 80, "丁": 90, "戊": 100, "己": 100})},
    ),
}
# Expected session scores (judge score = the uniform score, or 78.5 for 甲's mixed sheet:
# 25·80 + 25·90 + 20·70 + 20·60 + 10·100 = 7850 → 78.5):
EXPECTED = [
    # 5 judges: drop 70 and 95 → (78.5 + 85 + 90) / 3 = 84.5
    ["MC-A", "2026-03-10", "CG0001", "负责人出庭应诉", "5", "84.50"],
    # 5 judges: drop 80 and 90 → (81 + 82 + 82) / 3 = 81.666… → 81.67
    ["MC-A", "2026-03-10", "CG0002", "代理人", "5", "81.67"],
    # 4 judges: plain mean (70 + 75 + 80 + 86) / 4 = 77.75
    ["MC-B", "2026-05-20", "CG0001", "代理人", "4", "77.75"],
    # 4 judges: (60 + 61 + 62 + 63.5) / 4 = 61.625 → 61.63 (half up; a float would give 61.62)
    ["MC-B", "2026-05-20", "CG0003", "执法人员", "4", "61.63"],
    # 6 judges: drop 50 and one 100 → (70 + 80 + 90 + 100) / 4 = 85
    ["MC-C", "2026-06-01", "CG0002", "代理人", "6", "85.00"],
]


@pytest.fixture
def scored(roster: Settings, write_csv) -> Settings:
    rows: list[list[object]] = []
    for code, (date, officers) in DATA.items():
        for officer_id, (role, judges) in officers.items():
            for judge, sheet in judges.items():
                scores = sheet if isinstance(sheet, list) else [sheet] * 5
                rows += sheet_rows(code, date, officer_id, role, judge, scores)
    import_file(settings=roster, path=write_csv(rows))
    return roster


def test_csv_columns_and_values(scored: Settings, tmp_path: Path) -> None:
    """Are the CSV rows exactly session_id, date, officer_id, role, judges, score (2 decimals)?"""
    out = write_report(settings=scored, fmt="csv", out=tmp_path / "mc.csv")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["session_id", "date", "officer_id", "role", "judges", "score"]
    assert rows[1:] == EXPECTED


def test_officer_mockcourt_results(scored: Settings) -> None:
    """Does the function for other reports give each officer's session scores, filtered?"""
    with db.session_scope(scored) as session:
        every = officer_mockcourt_results(session)
        one = officer_mockcourt_results(session, ["CG0001"])
        none = officer_mockcourt_results(session, ["CG0006"])
    assert list(every.columns) == ["session_id", "date", "officer_id", "role", "score"]
    assert len(every) == 5 and list(every["officer_id"]) == sorted(every["officer_id"])
    assert one.to_dict("records") == [
        {
            "session_id": "MC-A",
            "date": dt.date(2026, 3, 10),
            "officer_id": "CG0001",
            "role": "负责人出庭应诉",
            "score": 84.5,
        },
        {
            "session_id": "MC-B",
            "date": dt.date(2026, 5, 20),
            "officer_id": "CG0001",
            "role": "代理人",
            "score": 77.75,
        },
    ]
    assert none.empty and list(none.columns) == list(every.columns)


def sheet_values(path: Path, name: str) -> list[list[object]]:
    book = load_workbook(path)
    return [list(row) for row in book[name].iter_rows(values_only=True)]


def test_xlsx_sheets(scored: Settings, tmp_path: Path) -> None:
    """Does the XLSX hold the rows, ICC per session, dimension means, trends, flags and chart?"""
    out = write_report(settings=scored, fmt="xlsx", out=tmp_path / "mc.xlsx")
    book = load_workbook(out)
    assert book.sheetnames == [
        "成绩",
        "场次与信度",
        "维度均分",
        "个人趋势",
        "评委偏差",
        "计算说明",
        "维度图",
    ]
    scores = sheet_values(out, "成绩")
    assert scores[0] == ["session_id", "date", "officer_id", "role", "judges", "score"]
    assert [r[5] for r in scores[1:]] == [84.5, 81.67, 77.75, 61.63, 85]

    sessions = {r[0]: r for r in sheet_values(out, "场次与信度")[1:]}
    header = sheet_values(out, "场次与信度")[0]
    icc = header.index("ICC(2,1)")
    matrix_a = [[78.5, 85, 90, 70, 95], [80, 81, 82, 82, 90]]
    assert sessions["MC-A"][icc] == round(icc_2_1(matrix_a), 3)  # type: ignore[arg-type]
    assert sessions["MC-A"][header.index("ICC 计算范围")] == "2 人 × 5 名评委"
    assert sessions["MC-C"][icc] is None
    assert sessions["MC-C"][header.index("信度")] == "无法计算"

    dims = sheet_values(out, "维度均分")
    row_a = dict(zip(dims[0], dims[1], strict=True))
    # 事实认定 over MC-A's 10 sheets: (80+85+90+70+95) + (80+81+82+82+90) = 835 → 83.5
    # 文书质量: (100+85+90+70+95) + 415 = 855 → 85.5
    assert (row_a["事实认定"], row_a["文书质量"]) == (83.5, 85.5)

    trend = sheet_values(out, "个人趋势")
    cg1 = dict(zip(trend[0], trend[1], strict=True))
    assert cg1["工号"] == "CG0001" and cg1["MC-A（2026-03-10）"] == 84.5
    assert cg1["MC-C（2026-06-01）"] is None
    # mean (84.5 + 77.75) / 2 = 81.125 → 81.13; change 77.75 − 84.5 = −6.75
    assert (cg1["参加场次"], cg1["平均分"], cg1["变化（末场−首场）"]) == (2, 81.13, -6.75)

    flags = {(r[0], r[1]): r[4] for r in sheet_values(out, "评委偏差")[1:]}
    # 戊 in MC-A: 95 − mean(78.5, 85, 90, 70) = 14.125 and 90 − mean(80, 81, 82, 82) = 8.75
    # → mean deviation 11.44 ≥ 10: 偏高. 丁: (−17.125 − 1.25)/2 = −9.19, not flagged.
    assert flags[("MC-A", "戊")] == "偏高"
    assert [k for k, v in flags.items() if v != "—"] == [("MC-A", "戊")]
    assert len(book["维度图"]._images) == 1


def test_html_report(scored: Settings, tmp_path: Path) -> None:
    """Does the HTML name the ICC form and show scores, flags, trend and the chart?"""
    out = write_report(settings=scored, fmt="html", out=tmp_path / "mc.html")
    text = out.read_text(encoding="utf-8")
    assert "ICC(2,1)：双向随机效应、绝对一致性、单个评委（Shrout &amp; Fleiss, 1979）" in text
    for value in ("84.50", "81.67", "61.63", "偏高", "个人成绩趋势", "评分维度均分"):
        assert value in text
    assert text.count("data:image/png;base64,") == 1


def test_empty_report(workspace: Settings, tmp_path: Path) -> None:
    """With no sessions, are the reports written with headers only and no chart?"""
    out = write_report(settings=workspace, fmt="csv", out=tmp_path / "e.csv")
    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        "session_id,date,officer_id,role,judges,score"
    ]
    html = write_report(settings=workspace, fmt="html", out=tmp_path / "e.html")
    assert "暂无模拟法庭评分" in html.read_text(encoding="utf-8")
    book = load_workbook(write_report(settings=workspace, fmt="xlsx", out=tmp_path / "e.xlsx"))
    assert "维度图" not in book.sheetnames
