"""Write a bank back out in the import template (CSV or XLSX), ready to edit in Excel.

Headers are the Chinese names of the template and 题型 the Chinese words, so the file a
trainer edits reads naturally; importing it again gives the same questions (no new versions).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from fazhi.errors import UserError
from fazhi.models.bank import QuestionVersion, current_questions
from fazhi.reporting.csv_writer import write_csv

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


def _frame(rows: Sequence[Sequence[str | int | float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[c.zh for c in COLUMNS], dtype=object)


def _write_csv(path: Path, rows: list[list[str | int | float]]) -> None:
    """UTF-8 with BOM (Excel on Chinese Windows opens it without garbling); text a spreadsheet
    would run as a formula gets a leading ' that the bank import removes again."""
    text = [[str(v) for v in row] for row in rows]  # 分值 as written: 2, 1.5
    write_csv(_frame(text), path, bom=True, crlf=True)


WIDTHS = {"题号": 10, "题型": 8, "题干": 50, "答案": 12, "分值": 6, "法律依据": 28}


def _write_xlsx(path: Path, rows: list[list[str | int | float]], title: str) -> None:
    """Text cells as text (never formulas, so ``=1+1`` stays exact), wrapped, ready to edit."""
    from fazhi.reporting.xlsx_writer import Sheet, write_xlsx

    widths = {c.zh: WIDTHS.get(c.zh, 20) for c in COLUMNS}
    sheet = Sheet(title[:31] or "题库", _frame(rows), widths=widths, text_cells=True, freeze="B2")
    write_xlsx([sheet], path)


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
