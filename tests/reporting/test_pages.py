"""HTML reports from the shared templates: one look, escaping, number formats, print CSS."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fazhi.reporting.pages import Figure, Notes, Paragraph, Section, frame_table, render_report


def test_report_page_escapes_and_formats() -> None:
    """Is every text escaped, are floats to 2 decimals, booleans words and numbers right-aligned?"""
    frame = pd.DataFrame(
        {"姓名": ["<script>x</script>", "李娜"], "分钟": [59.996, np.nan], "达标": [True, False]}
    )
    page = render_report(
        "报表 <b>",
        [
            Section("明细 & 说明", [Paragraph("a<b"), frame_table(frame, na="—")]),
            Section("空", [frame_table(frame.iloc[:0], empty="暂无数据。"), Notes(["<i>"])]),
            Section("图", [Figure(b"\x89PNG", "图<")]),
        ],
    )
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<title>报表 &lt;b&gt;</title>" in page and "<h2>明细 &amp; 说明</h2>" in page
    assert '<td class="num">60.00</td>' in page and '<td class="num">—</td>' in page
    assert "<td>true</td>" in page and "<td>false</td>" in page
    assert '<p class="empty">暂无数据。</p>' in page and "<li>&lt;i&gt;</li>" in page
    assert 'alt="图&lt;" src="data:image/png;base64,iVBORw=="' in page
    assert '<html lang="zh-CN">' in page and "@media print" in page


def test_column_formats_override_the_default() -> None:
    """Does a named column's format win over the 2-decimal default (ICC to 3 decimals)?"""
    frame = pd.DataFrame({"ICC(2,1)": [0.81234, None], "均分": [80.0, 1.0]})
    table = frame_table(frame, na="—", formats={"ICC(2,1)": lambda x: f"{x:.3f}"})
    assert table.rows == [["0.812", "80.00"], ["—", "1.00"]]


def test_every_page_template_extends_the_shared_base() -> None:
    """Do all HTML pages share one look (every page template extends base.html.j2)?"""
    from fazhi.reporting.pages import TEMPLATES

    pages = [
        p for p in TEMPLATES.glob("*.html.j2") if p.name not in {"base.html.j2", "blocks.html.j2"}
    ]
    assert {p.name for p in pages} >= {"report.html.j2", "feedback.html.j2"}
    for page in pages:
        assert page.read_text(encoding="utf-8").startswith('{% extends "base.html.j2" %}'), page
