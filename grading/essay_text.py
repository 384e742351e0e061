"""Copy officers' essays from the answer sheet into the manually graded answer cells.

Officers write essays (简答题, a case's 处理理由) in a text box that saves to
``<sheet>.answers.json``; the markdown answer cell under it, which they cannot edit, is the
nbgrader manual-grade cell formgrader shows and feedback reads. Before grades are collected
this step writes each essay into its cell as plain text (``fazhi.notebook.essay_markdown``).
An empty essay leaves the release's stub, so nbgrader scores it 0 without manual grading, as
an untouched answer cell always was; a cell without a saved essay (e.g. filled by
``fazhi exam import-answers``) is left as it is.

Registered first in ``Autograde.autograde_preprocessors`` by the generated nbgrader_config.py
(stock ``nbgrader autograde``) and in fazhi's own grading pipeline (``grading.autograde``).
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from fazhi import notebook
from fazhi.kernel.answers import answer_value, load_sheet, sheet_path
from fazhi.kernel.paper import OFFICER_KEY, PAPER_FILE, draw_paper, load_spec

SHEET_CLASS = "Sheet"


def sheet_name(nb: NotebookNode) -> str | None:
    """The answer sheet's name from the setup cell (``sheet = Sheet("exam1", mode=...)``)."""
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") != notebook.SETUP_GRADE_ID:
            continue
        return _sheet_name_in(cell.source)
    return None


@lru_cache(maxsize=256)
def _sheet_name_in(source: str) -> str | None:
    """The first ``Sheet("name", ...)`` in ``source`` (remembered: every officer's setup cell
    is the master's)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == SHEET_CLASS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return node.args[0].value
    return None


def _drawn(directory: Path, sheet: dict[str, Any], student: str | None) -> dict[str, str]:
    """Slot -> 题号 of the officer's per-officer paper; empty for other notebooks.

    The officer is the submitting student (as the scores use), else the one the sheet names.
    """
    officer = student or sheet.get(OFFICER_KEY)
    if not (directory / PAPER_FILE).is_file() or not isinstance(officer, str) or not officer:
        return {}
    try:
        return draw_paper(load_spec(directory / PAPER_FILE), officer)
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # a damaged paper.json: its slots' essays stay as the cells have them


def essays_by_grade_id(
    nb: NotebookNode, directory: Path, student: str | None = None
) -> dict[str, str]:
    """Grade id of each answer cell -> the officer's saved essay (non-blank ones only).

    An answer is stored under the cell's grade id, or on a per-officer paper under the 题号
    drawn for the slot the grade id names.
    """
    name = sheet_name(nb)
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return {}
    path = sheet_path(name, directory)
    if not path.is_file():
        return {}
    sheet = load_sheet(path)
    drawn = _drawn(directory, sheet, student)
    found: dict[str, str] = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "markdown" or not (meta.get("solution") and meta.get("grade")):
            continue
        grade_id = meta.get("grade_id")
        value = answer_value(sheet, drawn.get(grade_id, grade_id))
        if isinstance(value, str) and value.strip():
            found[grade_id] = value
    return found


def fill_answer_cells(nb: NotebookNode, directory: Path, student: str | None = None) -> list[str]:
    """Write the saved essays into their answer cells; returns the grade ids filled."""
    essays = essays_by_grade_id(nb, directory, student)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in essays and cell.cell_type == "markdown":
            cell.source = notebook.essay_markdown(essays[grade_id])
    return sorted(essays)


class CopyEssayText(NbGraderPreprocessor):
    """nbgrader preprocessor: the officer's essays into their manual-grade answer cells."""

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        directory = resources.get("metadata", {}).get("path")
        if not directory:
            return nb, resources
        student = resources.get("nbgrader", {}).get("student")
        filled = fill_answer_cells(nb, Path(directory), student)
        if filled:
            self.log.info("Copied essays from the answer sheet into %s", ", ".join(filled))
        return nb, resources
