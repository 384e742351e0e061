"""``fazhi report mockcourt``: CSV (the DESIGN.md rows), XLSX and HTML (plus reliability,
dimension means, each officer's trend, a dimension chart and judge deviation flags)."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
from pathlib import Path

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from fazhi import db
from fazhi.rules import load_rules
from fazhi.settings import Settings

from .chart import dimension_chart_png
from .results import SessionResult, session_results
from .scoring import Number
from .tables import (
    ICC_FORM,
    SCORE_COLUMNS,
    deviation_table,
    dimension_table,
    method_notes,
    score_rows,
    session_table,
    trend_table,
)

TITLE = "模拟法庭成绩报表"
SCORE_HEADERS_ZH = ["场次", "日期", "工号", "角色", "评委人数", "得分"]


def write_csv(results: list[SessionResult], out: Path) -> None:
    """UTF-8 with BOM, so Excel on a Chinese Windows opens the roles correctly."""
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SCORE_COLUMNS)
        for row in score_rows(results).itertuples(index=False):
            writer.writerow([*row[:-1], f"{row.score:.2f}"])


def _autofit(sheet: Worksheet) -> None:
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 1.6))


def write_xlsx(results: list[SessionResult], out: Path, *, threshold: Number) -> None:
    from openpyxl.drawing.image import Image

    scores = score_rows(results)
    scores["score"] = scores["score"].astype(float)
    sheets = {
        "成绩": scores,
        "场次与信度": session_table(results),
        "维度均分": dimension_table(results),
        "个人趋势": trend_table(results),
        "评委偏差": deviation_table(results),
        "计算说明": pd.DataFrame({"说明": [ICC_FORM, *method_notes(threshold)]}),
    }
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            _autofit(writer.sheets[name])
        for cell in writer.sheets["成绩"]["F"][1:]:
            cell.number_format = "0.00"
        png = dimension_chart_png(results)
        if png is not None:
            sheet = writer.book.create_sheet("维度图")
            sheet.add_image(Image(io.BytesIO(png)), "A1")


def _table_html(frame: pd.DataFrame, empty: str) -> str:
    if frame.empty:
        return f'<p class="empty">{html.escape(empty)}</p>'
    formatters = {"ICC(2,1)": lambda x: f"{x:.3f}"} if "ICC(2,1)" in frame else None
    return frame.to_html(
        index=False,
        na_rep="—",
        float_format=lambda x: f"{x:.2f}",
        formatters=formatters,
        border=0,
    )


STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
th { background: #f0f4f8; }
th small { color: #667; font-weight: normal; }
.empty, .note { color: #666; }
"""


def write_html(results: list[SessionResult], out: Path, *, threshold: Number) -> None:
    scores = score_rows(results)
    scores["score"] = scores["score"].map(lambda d: f"{d:.2f}")
    scores.columns = pd.Index(
        [f"{zh} {en}" for zh, en in zip(SCORE_HEADERS_ZH, SCORE_COLUMNS, strict=True)]
    )
    score_html = _table_html(scores, "暂无模拟法庭评分。")
    png = dimension_chart_png(results)
    chart = (
        f'<img alt="各场次评分维度均分" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}">'
        if png is not None
        else '<p class="empty">暂无数据，未生成图表。</p>'
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in method_notes(threshold))
    sections = [
        (
            "场次与评分者信度",
            f"<p>{html.escape(ICC_FORM)}</p>" + _table_html(session_table(results), "暂无场次。"),
        ),
        ("参加人员成绩", score_html),
        ("评分维度均分", _table_html(dimension_table(results), "暂无数据。") + chart),
        ("个人成绩趋势", _table_html(trend_table(results), "暂无数据。")),
        ("评委偏差提示", _table_html(deviation_table(results), "暂无数据。")),
        ("计算方法", f'<ul class="note">{notes}</ul>'),
    ]
    body = "".join(f"<h2>{html.escape(title)}</h2>\n{content}\n" for title, content in sections)
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    out.write_text(
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{TITLE}</title><style>{STYLE}</style></head>\n<body><h1>{TITLE}</h1>"
        f'<p class="note">生成时间：{generated}</p>\n{body}</body></html>\n',
        encoding="utf-8",
    )


def write_report(
    *, settings: Settings, fmt: str, out: Path, deviation_threshold: Number | None = None
) -> Path:
    """Compute every session's results and write them to ``out`` as csv, xlsx or html.

    Judges are flagged at the workspace rules' ``mockcourt.deviation_threshold`` unless
    ``deviation_threshold`` is given: a hint, read afresh for every report.
    """
    if deviation_threshold is None:
        deviation_threshold = load_rules(settings.rules_path).deviation_threshold
    with db.session_scope(settings) as session:
        results = session_results(session, deviation_threshold=deviation_threshold)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        write_csv(results, out)
    elif fmt == "xlsx":
        write_xlsx(results, out, threshold=deviation_threshold)
    elif fmt == "html":
        write_html(results, out, threshold=deviation_threshold)
    else:
        raise ValueError(f"unknown report format {fmt!r}")
    return out
