"""Write a bank back out in the import template (CSV or XLSX), ready to edit in Excel.

Headers are the Chinese names of the template and 题型 the Chinese words, so the file a
trainer edits reads naturally; importing it again gives the same questions (no new versions).
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.orm import Session

from fazhi.errors import UserError
from fazhi.models.bank import QuestionVersion, current_questions

from .bank import COLUMNS, LETTERS, TYPE_NAMES
from .store import get_bank


def _points(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def question_row(version: QuestionVersion) -> list[str | int | float]:
    """One row in COLUMNS order."""
    options = list(version.options) + [""] * (len(LETTERS) - len(version.options))
    return [
        version.code,
        TYPE_NAMES[version.type],
        version.stem,
        *options,
        version.answer,
        _points(version.points),
        version.basis,
        version.topic,
        version.difficulty,
        version.explanation,
        version.law_version,
    ]


def _write_csv(path: Path, rows: list[list[str | int | float]]) -> None:
    # UTF-8 with BOM: Excel on Chinese Windows opens it without garbling.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.zh for c in COLUMNS])
        writer.writerows(rows)


def _write_xlsx(path: Path, rows: list[list[str | int | float]], title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31] or "题库"
    sheet.append([c.zh for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.number_format = "@"  # text: Excel must not turn 题号 or 答案 into numbers
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = {"题号": 10, "题型": 8, "题干": 50, "答案": 12, "分值": 6, "法律依据": 28}
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths.get(column.zh, 20)
    sheet.freeze_panes = "B2"
    book.save(path)


def export_bank(session: Session, *, bank: str, out: Path) -> int:
    """Write bank ``bank`` to ``out`` (.csv or .xlsx); returns the number of questions."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UserError(f"不支持的导出格式“{out.suffix}”：请使用 .csv 或 .xlsx")
    rows = [question_row(v) for v in current_questions(get_bank(session, bank))]
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _write_csv(out, rows)
    else:
        _write_xlsx(out, rows, bank)
    return len(rows)
