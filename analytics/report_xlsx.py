"""The compliance report as an Excel workbook: the contract table first, then HR's sheets."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fazhi.analytics.report import ReportParts, as_text_booleans
from fazhi.analytics.report_html import COLUMN_NOTES


def _cell(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _sheet(book: Workbook, title: str, frame: pd.DataFrame, empty: str = "") -> Worksheet:
    sheet = book.create_sheet(title)
    if frame.empty and empty:
        sheet.append([empty])
        return sheet
    sheet.append([str(c) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    for index, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            10, min(40, len(str(column)) * 2)
        )
    sheet.freeze_panes = "A2"
    return sheet


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    frame = as_text_booleans(frame)
    for column in frame.columns:
        if frame[column].dtype.kind == "f":
            frame[column] = frame[column].round(2)
    return frame


def _heatmap_sheet(book: Workbook, parts: ReportParts) -> None:
    result = parts.result
    minutes = np.round(result.week_minutes, 2)
    grid = pd.DataFrame(np.where(result.required, minutes, np.nan), columns=result.weeks.labels)
    grid.insert(0, "姓名", result.roster["name"].to_numpy())
    grid.insert(0, "工号", result.roster["officer_id"].to_numpy())
    sheet = _sheet(book, "周学习热力图", grid)
    if len(grid):
        last = f"{get_column_letter(grid.shape[1])}{len(grid) + 1}"
        sheet.conditional_formatting.add(
            f"C2:{last}",
            ColorScaleRule(
                start_type="num",
                start_value=0,
                start_color="F8696B",
                mid_type="num",
                mid_value=parts.rules.staff_weekly_minutes,
                mid_color="FFEB84",
                end_type="num",
                end_value=parts.rules.leader_weekly_minutes,
                end_color="63BE7B",
            ),
        )
    sheet.freeze_panes = "C2"


def write_xlsx(parts: ReportParts, out: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    _sheet(book, "每周明细" if parts.weekly else "合规汇总", _rounded(parts.table))
    _sheet(book, "单位汇总", parts.rollup, "无人员")
    _sheet(book, "未达标人员", parts.reasons, "全部人员合规。")
    _sheet(book, "执法证到期", parts.expiries, "无即将到期的执法证。")
    _sheet(book, "考试成绩", parts.exams, "本年度尚无考试成绩。")
    _sheet(book, "模拟法庭", parts.mockcourt, "本年度尚无模拟法庭成绩。")
    _heatmap_sheet(book, parts)
    charts = book.create_sheet("图表")
    charts.append([parts.title])
    row = 3
    for png in (parts.heatmap_png, parts.trends_png):
        image = Image(io.BytesIO(png))
        charts.add_image(image, f"A{row}")
        row += int(image.height / 20) + 3  # default rows are 20 px high
    legend = pd.DataFrame(
        [(c, COLUMN_NOTES.get(c, "")) for c in parts.table.columns], columns=["列", "含义"]
    )
    _sheet(book, "列说明", legend)
    book.save(out)
