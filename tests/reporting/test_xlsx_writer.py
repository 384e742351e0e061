"""The one XLSX writer: sheets from DataFrames, empty notes, column notes, number formats,
images, and text that stays text."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from PIL import Image as PILImage

from fazhi.reporting.xlsx_writer import ColorScale, ImageSheet, Sheet, write_xlsx


def png(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_sheets_values_and_layout(tmp_path: Path) -> None:
    """Are values, missing cells, notes, number formats, frozen header and sheet order right?"""
    frame = pd.DataFrame(
        {
            "工号": ["CG001", "CG002"],
            "分钟": [59.5, np.nan],
            "周数": np.array([3, 4]),
            "达标": [True, False],
        }
    )
    sheets = [
        Sheet("明细", frame, notes={"分钟": "该周学习时长"}, number_formats={"分钟": "0.00"}),
        Sheet("空表", frame.iloc[:0], empty="无数据。"),
        Sheet(
            "热力图", frame[["工号", "分钟"]], freeze="B2", color_scale=ColorScale(2, 0, 60, 120)
        ),
        ImageSheet("图表", [png(), png()], heading="标题"),
    ]
    book = load_workbook(write_xlsx(sheets, tmp_path / "r.xlsx"))
    assert book.sheetnames == ["明细", "空表", "热力图", "图表"]
    detail = book["明细"]
    assert [list(r) for r in detail.iter_rows(values_only=True)] == [
        ["工号", "分钟", "周数", "达标"],
        ["CG001", 59.5, 3, True],
        ["CG002", None, 4, False],
    ]
    assert detail["B1"].comment.text == "该周学习时长" and detail["B2"].number_format == "0.00"
    assert detail.freeze_panes == "A2" and detail["A1"].font.bold
    assert [list(r) for r in book["空表"].iter_rows(values_only=True)] == [["无数据。"]]
    assert book["热力图"].freeze_panes == "B2"
    assert len(book["热力图"].conditional_formatting) == 1
    assert book["图表"]["A1"].value == "标题" and len(book["图表"]._images) == 2


def test_text_cells_for_editing(tmp_path: Path) -> None:
    """Are text cells of an editable export formatted as text and wrapped, numbers left alone?"""
    frame = pd.DataFrame({"题号": ["001"], "分值": [2]}, dtype=object)
    sheet = Sheet("题库", frame, text_cells=True, widths={"题号": 10})
    book = load_workbook(write_xlsx([sheet], tmp_path / "b.xlsx"))
    cells = book["题库"]
    assert cells["A2"].value == "001" and cells["A2"].number_format == "@"
    assert cells["A2"].alignment.wrap_text and cells["B2"].value == 2
    assert cells.column_dimensions["A"].width == 10


def test_text_starting_with_equals_is_a_string_cell(tmp_path: Path) -> None:
    """Is ``=1+1`` (in a header or a row) stored as a string, read back as the same text?"""
    frame = pd.DataFrame({"=列": ["=1+1", "=cmd|' /C calc'!A0"]})
    book = load_workbook(write_xlsx([Sheet("t", frame)], tmp_path / "t.xlsx"))
    cells = [c for row in book["t"].iter_rows() for c in row]
    assert [(c.value, c.data_type) for c in cells] == [
        ("=列", "s"),
        ("=1+1", "s"),
        ("=cmd|' /C calc'!A0", "s"),
    ]
