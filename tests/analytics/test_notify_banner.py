"""The banner 我的学习 shows above the page: the reminders of the last ``fazhi notify``."""

from __future__ import annotations

import datetime as dt

from fazhi.analytics.notify.banner import banner_html


def test_banner_lists_reminders_escaped() -> None:
    """Are the reminders listed under their date, with markup in a text (an exam title) escaped?"""
    page = banner_html(
        [
            (dt.date(2026, 6, 1), "考试“<script>x</script>”已开放"),
            (dt.date(2026, 6, 1), "本周还需 30 分钟"),
        ]
    )
    assert "提醒（截至 2026-06-01）" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<li>") == 2
