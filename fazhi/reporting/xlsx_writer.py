"""The one XLSX writer of reports and exports: sheets from DataFrames, image sheets, column
notes, widths and number formats, and formula-safe text.

Every text cell is stored as a string cell (``data_type 's'``), never as a formula: a name
like ``=HYPERLINK(...)`` or a DDE payload shows as the text it is, and reads back unchanged.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

MIN_WIDTH, MAX_WIDTH = 10, 60
IMAGE_ROW_PIXELS = 20  # default row height in pixels, to stack images without overlap


@dataclass(frozen=True)
class ColorScale:
    """A three-colour scale over a sheet's cells from ``first_column`` on (e.g. a heat map)."""

    first_column: int
    low: float
    mid: float
    high: float
    colors: tuple[str, str, str] = ("F8696B", "FFEB84", "63BE7B")


@dataclass
class Sheet:
    """A table sheet: header row (bold, frozen) and one row per DataFrame row."""

    title: str
    frame: pd.DataFrame
    empty: str = ""  # written alone on the sheet when ``frame`` has no rows
    notes: Mapping[str, str] = field(default_factory=dict)  # column -> header comment
    number_formats: Mapping[str, str] = field(default_factory=dict)  # column -> "0.00"...
    widths: Mapping[str, float] = field(default_factory=dict)  # column -> width (else fitted)
    text_cells: bool = False  # text cells formatted as text ("@") and wrapped (editable files)
    freeze: str = "A2"
    color_scale: ColorScale | None = None


@dataclass
class ImageSheet:
    """A sheet of PNG images stacked top to bottom, under an optional heading."""

    title: str
    images: Sequence[bytes]
    heading: str = ""


def write_xlsx(sheets: Sequence[Sheet | ImageSheet], out: Path) -> Path:
    """Write ``sheets`` in order to the workbook ``out``; returns ``out``."""
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        if isinstance(spec, ImageSheet):
            _images(sheet, spec)
        else:
            _table(sheet, spec)
    book.save(out)
    return out


def cell_value(value: object) -> object:
    """A DataFrame value as openpyxl takes it (NaN/NA → empty, numpy scalars → Python)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _safe(sheet: Worksheet, value: object) -> object:
    value = cell_value(value)
    if isinstance(value, str) and value.startswith("="):
        cell = Cell(sheet, value=None)
        cell.value, cell.data_type = value, "s"  # text, never a formula
        return cell
    return value


def _table(sheet: Worksheet, spec: Sheet) -> None:
    frame = spec.frame
    if frame.empty and spec.empty:
        sheet.append([spec.empty])
        return
    columns = [str(c) for c in frame.columns]
    sheet.append([_safe(sheet, c) for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        if spec.notes.get(column):
            cell.comment = Comment(spec.notes[column], "fazhi")
    for row in frame.itertuples(index=False):
        sheet.append([_safe(sheet, v) for v in row])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = spec.widths.get(column) or _fitted(
            column, frame.iloc[:200, index - 1]
        )
        if column in spec.number_formats:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = spec.number_formats[column]
    if spec.text_cells:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if cell.data_type == "s":
                    cell.number_format = "@"  # Excel must not turn codes or answers into numbers
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if spec.color_scale is not None and len(frame):
        _color_scale(sheet, spec.color_scale, frame.shape)
    sheet.freeze_panes = spec.freeze


def _fitted(header: str, sample: pd.Series) -> float:
    """A width fitting the header and the first rows (CJK characters count double)."""
    texts = [header, *("" if v is None else str(v) for v in sample.tolist())]
    widest = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) for text in texts)
    return max(MIN_WIDTH, min(MAX_WIDTH, widest + 2))


def _color_scale(sheet: Worksheet, scale: ColorScale, shape: tuple[int, int]) -> None:
    from openpyxl.formatting.rule import ColorScaleRule

    first = get_column_letter(scale.first_column)
    last = f"{get_column_letter(shape[1])}{shape[0] + 1}"
    low, mid, high = scale.colors
    sheet.conditional_formatting.add(
        f"{first}2:{last}",
        ColorScaleRule(
            start_type="num",
            start_value=scale.low,
            start_color=low,
            mid_type="num",
            mid_value=scale.mid,
            mid_color=mid,
            end_type="num",
            end_value=scale.high,
            end_color=high,
        ),
    )


def _images(sheet: Worksheet, spec: ImageSheet) -> None:
    row = 1
    if spec.heading:
        sheet.append([_safe(sheet, spec.heading)])
        row = 3
    for png in spec.images:
        image = Image(io.BytesIO(png))
        sheet.add_image(image, f"A{row}")
        row += int(image.height / IMAGE_ROW_PIXELS) + 3
