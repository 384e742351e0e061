"""``fazhi report mockcourt``: CSV (the contract rows), XLSX and HTML (plus reliability,
dimension means, each officer's trend, a dimension chart and judge deviation flags).
Files are written by the reporting layer (``fazhi.reporting``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fazhi import db
from fazhi.reporting.csv_writer import write_csv as write_csv_table
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


def _scores(results: list[SessionResult]) -> pd.DataFrame:
    scores = score_rows(results)
    scores["score"] = scores["score"].astype(float)
    return scores


def write_csv(results: list[SessionResult], out: Path) -> None:
    """UTF-8 with BOM, so Excel on a Chinese Windows opens the roles correctly."""
    write_csv_table(_scores(results), out, bom=True, crlf=True)


def write_xlsx(results: list[SessionResult], out: Path, *, threshold: Number) -> None:
    from fazhi.reporting.xlsx_writer import ImageSheet, Sheet, write_xlsx

    sheets: list[Sheet | ImageSheet] = [
        Sheet("成绩", _scores(results), number_formats={"score": "0.00"}),
        Sheet("场次与信度", session_table(results)),
        Sheet("维度均分", dimension_table(results)),
        Sheet("个人趋势", trend_table(results)),
        Sheet("评委偏差", deviation_table(results)),
        Sheet("计算说明", pd.DataFrame({"说明": [ICC_FORM, *method_notes(threshold)]})),
    ]
    png = dimension_chart_png(results)
    if png is not None:
        sheets.append(ImageSheet("维度图", [png]))
    write_xlsx(sheets, out)


def write_html(results: list[SessionResult], out: Path, *, threshold: Number) -> None:
    from fazhi.reporting.pages import (
        Figure,
        Notes,
        Paragraph,
        Section,
        Table,
        frame_table,
        render_report,
        write_page,
    )

    def table(frame: pd.DataFrame, empty: str) -> Table:
        icc = {"ICC(2,1)": lambda x: f"{x:.3f}"}
        return frame_table(frame, empty=empty, na="—", formats=icc)

    scores = _scores(results)
    scores.columns = pd.Index(
        [f"{zh} {en}" for zh, en in zip(SCORE_HEADERS_ZH, SCORE_COLUMNS, strict=True)]
    )
    png = dimension_chart_png(results)
    chart = (
        Figure(png, "各场次评分维度均分")
        if png is not None
        else Paragraph("暂无数据，未生成图表。", note=True)
    )
    sections = [
        Section(
            "场次与评分者信度",
            [Paragraph(ICC_FORM), table(session_table(results), "暂无场次。")],
        ),
        Section("参加人员成绩", [table(scores, "暂无模拟法庭评分。")]),
        Section("评分维度均分", [table(dimension_table(results), "暂无数据。"), chart]),
        Section("个人成绩趋势", [table(trend_table(results), "暂无数据。")]),
        Section("评委偏差提示", [table(deviation_table(results), "暂无数据。")]),
        Section("计算方法", [Notes(method_notes(threshold))]),
    ]
    write_page(render_report(TITLE, sections, generated=True), out)


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
