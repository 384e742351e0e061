"""我的学习 shows roster text as text: a name or 工号 carrying markup cannot run script."""

from __future__ import annotations

import pandas as pd

from fazhi.analytics.my_page import OfficerPage, summary_html

PAYLOAD = '<img src=x onerror="alert(1)">'


def test_name_unit_and_id_are_escaped() -> None:
    """Are the officer's name, unit and 工号 escaped in the page heading and to-do list?"""
    page = OfficerPage(
        officer_id="CG<b>1",
        name=PAYLOAD,
        unit=f"某市城管局/{PAYLOAD}",
        role="staff",
        cert_status="valid",
        weekly_minutes=60,
        weeks=pd.DataFrame(),
        missed_weeks=[],
        this_week_left=0,
        annual_minutes=0,
        annual_year_required=0,
        annual_left=0,
        exams_pending=[PAYLOAD],
        central_group_sessions=None,
        central_group_required=0,
        exams=pd.DataFrame(),
        mockcourt=pd.DataFrame(),
    )
    html = summary_html(page, [f"尚未通过的考试：{PAYLOAD}"])
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html and "CG&lt;b&gt;1" in html
