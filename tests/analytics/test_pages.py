"""What HR and officers read: the dashboard's tables and filter, my exams and mock courts,
my weekly chart (no kernel)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from fazhi.analytics import figures
from fazhi.analytics.hr_dashboard import table_html, unit_choices
from fazhi.analytics.my_page import exams_html, feedback_links, mockcourt_html
from fazhi.analytics.views import DUE_TODAY, Filter, view_tables

from .helpers import evaluate_rows, officer, roster

PEOPLE = roster(
    officer("A1", unit="局/东城大队/一中队", name="王伟", enforcement=True, cert="2030-01-01"),
    officer("A2", unit="局/西城大队/一中队", name="李娜", enforcement=True, cert="2026-01-01"),
    officer("B1", unit="局/西城大队/二中队", name="张敏"),
)


def _tables() -> dict[str, pd.DataFrame]:
    rows = [("A1", "2026-02-03 09:00", "2026-02-03 10:00:40")]
    result = evaluate_rows(PEOPLE, rows, as_of="2026-03-31")
    return view_tables(result, Filter(), 90)


def test_dashboard_tables_speak_chinese_percent_and_whole_minutes() -> None:
    """Are certificate states Chinese, 合规率 a percentage, minutes whole numbers, and the
    pro-rated annual requirement labelled 今日应达?"""
    tables = _tables()
    people = tables["人员"].set_index("工号")
    assert people.loc["A1", "执法证"] == "有效" and people.loc["A2", "执法证"] == "已过期"
    assert people.loc["B1", "执法证"] == "不适用"
    assert people.loc["A1", "所选期间学习分钟"] == 60  # 60 min 40 s, rounded down
    assert "今日应达" in DUE_TODAY and people.loc["A1", DUE_TODAY] == int(2700 * 90 / 365)
    assert all(pd.api.types.is_integer_dtype(people[c]) for c in ("年度已学分钟", DUE_TODAY))
    assert pd.api.types.is_integer_dtype(tables["每周明细"]["学习分钟"])
    rates = tables["单位汇总"]["合规率"].tolist()
    assert all(rate.endswith("%") for rate in rates) and "0.0%" in rates


def test_unit_filter_names_units_by_path() -> None:
    """Does the unit filter show each unit's path, so two 一中队 can be told apart?"""
    result = evaluate_rows(PEOPLE, [], as_of="2026-03-31")
    labels = [label for label, _ in unit_choices(result)]
    assert labels == [
        "全部单位",
        "局",
        "局/东城大队",
        "局/东城大队/一中队",
        "局/西城大队",
        "局/西城大队/一中队",
        "局/西城大队/二中队",
    ]
    assert len(set(labels)) == len(labels)


def test_dashboard_tables_do_not_wrap_per_character() -> None:
    """Do table cells stay on one line (scrolling sideways), except the long reasons?"""
    tables = _tables()
    page = table_html(tables["人员"])
    assert page.startswith('<div style="overflow-x:auto') and "white-space:nowrap" in page
    assert "white-space:normal" not in page
    reasons = table_html(tables["未达标人员"])
    assert "white-space:normal;min-width:24em" in reasons
    assert table_html(pd.DataFrame({"姓名": ["<b>x</b>"]})).count("&lt;b&gt;") == 1


def test_my_exams_are_a_chinese_table_with_feedback_links(tmp_path: Path) -> None:
    """Does 我的考试 show Chinese columns and words (no officer_id, max_score, True/False) and
    link each exam to the feedback fetched beside the page?"""
    exams = pd.DataFrame(
        {
            "officer_id": ["CG0005", "CG0005"],
            "exam": ["2026-03", "2026-03-bk"],
            "title": ["2026年3月考试", "2026年3月补考"],
            "closes": [dt.date(2026, 3, 10), dt.date(2026, 3, 28)],
            "attempt": [1, 2],
            "score": [38.0, 45.5],
            "max_score": [50.0, 50.0],
            "passed": [False, True],
            "late": [True, False],
        }
    )
    for stamp in ("2026-03-10 09:00:00.000000 UTC", "2026-03-10 10:00:00.000000 UTC"):
        folder = tmp_path / "2026-03" / "feedback" / stamp
        folder.mkdir(parents=True)
        (folder / "2026-03.html").write_text("<p>反馈</p>", encoding="utf-8")
    links = feedback_links(exams["exam"].tolist(), tmp_path)
    assert links == {"2026-03": "2026-03/feedback/2026-03-10 10:00:00.000000 UTC/2026-03.html"}
    page = exams_html(exams, links)
    for text in ("考试", "截止日期", "得分", "38 / 50", "45.5 / 50", "未及格", "及格", "补考"):
        assert text in page, text
    assert 'href="2026-03/feedback/2026-03-10%2010%3A00%3A00.000000%20UTC/2026-03.html"' in page
    assert "Assignments" in page  # the makeup's feedback is not fetched yet
    for raw in ("officer_id", "max_score", "True", "False", "CG0005"):
        assert raw not in page, raw
    assert exams_html(exams.iloc[0:0], {}) == "<p>暂无考试成绩。</p>"


def test_my_mock_courts_are_a_chinese_table() -> None:
    """Does 我的模拟法庭 use Chinese columns and leave out the officer id?"""
    frame = pd.DataFrame(
        {
            "session_id": ["MC-01"],
            "date": [dt.date(2026, 4, 2)],
            "officer_id": ["CG0005"],
            "role": ["执法人员"],
            "score": [86.25],
        }
    )
    page = mockcourt_html(frame)
    assert all(label in page for label in ("场次", "日期", "角色", "得分", "86.25", "执法人员"))
    assert "CG0005" not in page and "officer_id" not in page


def test_weekly_requirement_label_sits_outside_the_bars() -> None:
    """Is 每周要求 60 分钟 in a key above the plot rather than written over the bars?"""
    weeks = pd.DataFrame(
        {"week": ["2026-W01", "2026-W02"], "minutes": [75.0, 20.0], "required": [True, True]}
    )
    fig = figures.my_weeks(weeks, 60, "每周学习时长")
    ax = fig.axes[0]
    assert len(ax.texts) == 0
    legend = ax.get_legend()
    assert "每周要求 60 分钟" in [t.get_text() for t in legend.get_texts()]
    fig.canvas.draw()
    box = legend.get_window_extent()
    assert box.y0 >= ax.get_window_extent().y1 - 1  # above the axes, clear of every bar
    assert ax.get_ylim()[1] > 75
