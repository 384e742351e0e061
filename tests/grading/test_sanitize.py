"""The sanitizing steps decide exactly as nbgrader's own (grading/sanitize.py).

``cell_checksum`` is compared with ``nbgrader.utils.compute_checksum`` and
``SnapshotOverwriteCells.preprocess_cell`` with nbgrader's ``OverwriteCells.preprocess_cell``
(run on the same preprocessor), over master cells of every kind and the ways a submission can
alter them: the restored cell, the warnings, the tamper events and any error must be the same.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradekit as gk
import nbformat
import nbgrader
import pytest
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode, from_dict
from nbformat.v4 import new_markdown_cell
from nbgrader import utils
from nbgrader.preprocessors import OverwriteCells

from fazhi.grading import sanitize
from fazhi.grading.sanitize import SnapshotOverwriteCells, cell_checksum
from fazhi.grading.snapshot import (
    AssignmentSnapshot,
    GradedCellInfo,
    NotebookInfo,
    SourceCellInfo,
)

RELEASED_TEST = "# 自动评分单元（无需操作）"


def _outcome(compute: Callable[[NotebookNode], str], cell: NotebookNode) -> str:
    try:
        return compute(copy.deepcopy(cell))
    except Exception as err:
        return f"raises {type(err).__name__}"


def master_cells() -> list[NotebookNode]:
    """Locked text, setup and widget cells, graded tests, an essay, solutions and a task."""
    task = new_markdown_cell(
        "实施一次检查并记录。",
        metadata={
            "nbgrader": {
                "grade": False,
                "solution": False,
                "locked": True,
                "task": True,
                "points": 3,
                "grade_id": "task-1",
                "schema_version": 3,
            }
        },
    )
    exam = gk.exam_notebook("exam1", gk.exam_items(6, limit_minutes=30))
    return [*exam.cells, *gk.code_notebook().cells, *gk.extra_notebook().cells, task]


def nbgrader_cells() -> list[NotebookNode]:
    """Cells with nbgrader metadata from nbgrader's own test and documentation notebooks."""
    found = []
    for path in sorted(Path(nbgrader.__file__).parent.rglob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:
            continue
        found += [cell for cell in nb.cells if "nbgrader" in cell.get("metadata", {})]
    return found


FLAG_VALUES = [True, False, 1, 0, "yes", "", None]


def test_checksums_equal_nbgraders_for_every_cell() -> None:
    cells = master_cells() + nbgrader_cells()
    assert len(cells) > 100
    for cell in cells:
        assert _outcome(cell_checksum, cell) == _outcome(utils.compute_checksum, cell)


def test_checksums_equal_nbgraders_for_any_flags() -> None:
    """Flags of any truthiness and type (or missing), points as nbgrader may find them."""
    flags = itertools.product(FLAG_VALUES, repeat=3)
    points = (2, 2.5, "3", -0.0, 0, "x", None)
    sources = (("code", "x = 1\n"), ("markdown", "中文\r\n😀"))
    for (grade, solution, locked), point, (cell_type, source) in itertools.product(
        flags, points, sources
    ):
        meta: dict[str, Any] = {"grade_id": "q1", "points": point}
        for key, value in (("grade", grade), ("solution", solution), ("locked", locked)):
            if value is not None:
                meta[key] = value
        cell = from_dict({"cell_type": cell_type, "source": source, "metadata": {}})
        cell.metadata["nbgrader"] = meta
        assert _outcome(cell_checksum, cell) == _outcome(utils.compute_checksum, cell), meta


@pytest.mark.parametrize(
    "spoil",
    [
        lambda cell: cell.metadata.pop("nbgrader"),
        lambda cell: cell.metadata.nbgrader.pop("grade_id"),
        lambda cell: cell.metadata.nbgrader.__setitem__("grade_id", 7),
        lambda cell: cell.__setitem__("source", ["a\n", "b"]),
        lambda cell: cell.__delitem__("source"),
        lambda cell: cell.metadata.__setitem__("nbgrader", "not a mapping"),
        lambda cell: cell.metadata.nbgrader.__setitem__("points", "many"),
        lambda cell: cell.__setitem__("source", "\ud800"),  # not encodable
    ],
)
def test_checksums_of_odd_cells_fail_as_nbgraders(spoil: Callable[[NotebookNode], Any]) -> None:
    cell = copy.deepcopy(gk.code_notebook().cells[2])
    spoil(cell)
    assert _outcome(cell_checksum, cell) == _outcome(utils.compute_checksum, cell)


def test_a_planted_checksum_difference_shows() -> None:
    cell = gk.code_notebook().cells[2]
    changed = copy.deepcopy(cell)
    changed.metadata.nbgrader["points"] = 2.0001
    assert cell_checksum(cell) == utils.compute_checksum(cell)
    assert cell_checksum(changed) != cell_checksum(cell)


# -- OverwriteCells ----------------------------------------------------------------------


def snapshot_of(masters: list[NotebookNode]) -> AssignmentSnapshot:
    source_cells, grade_cells, task_cells, released = [], [], [], {}
    for cell in masters:
        meta = cell.metadata["nbgrader"]
        name = meta["grade_id"]
        source_cells.append(
            SourceCellInfo(
                name=name,
                cell_type=cell.cell_type,
                locked=utils.is_locked(cell),
                checksum=utils.compute_checksum(cell),
                source=cell.source,
            )
        )
        graded = GradedCellInfo(
            id=f"id-{name}", name=name, max_score=float(meta.get("points", 0)), cell_type="x"
        )
        if meta.get("grade"):
            grade_cells.append(graded)
        if meta.get("task"):
            task_cells.append(graded)
        if meta.get("grade") and cell.cell_type == "code":
            released[name] = RELEASED_TEST
    info = NotebookInfo(
        id="nb-id",
        name="nb",
        kernelspec=None,
        source_cells=source_cells,
        grade_cells=grade_cells,
        task_cells=task_cells,
        released_sources=released,
    )
    return AssignmentSnapshot(id="a-id", name="ps1", duedate=None, notebooks={"nb": info})


def _flip_type(cell: NotebookNode) -> None:
    if cell.cell_type == "code":
        cell.cell_type = "markdown"
        del cell["outputs"], cell["execution_count"]
    else:
        cell.cell_type, cell.outputs, cell.execution_count = "code", [], None


def _set(key: str, value: Any) -> Callable[[NotebookNode], None]:
    return lambda cell: cell.metadata.nbgrader.__setitem__(key, value)


ALTERATIONS: dict[str, Callable[[NotebookNode], Any]] = {
    "as released": lambda cell: None,
    "source edited": lambda cell: cell.__setitem__("source", cell.source + "\nx = 1"),
    "hidden tests removed": lambda cell: cell.__setitem__("source", RELEASED_TEST),
    "type changed": _flip_type,
    "unlocked": lambda cell: _set("locked", not cell.metadata.nbgrader.get("locked"))(cell),
    "points changed": _set("points", "7"),
    "points removed": lambda cell: cell.metadata.nbgrader.pop("points", None),
    "grade flag": lambda cell: _set("grade", not cell.metadata.nbgrader.get("grade"))(cell),
    "solution flag": lambda cell: _set("solution", 1)(cell),
    "unknown grade id": _set("grade_id", "not-in-the-master"),
    "grade id removed": lambda cell: cell.metadata.nbgrader.pop("grade_id"),
    "no nbgrader metadata": lambda cell: cell.metadata.pop("nbgrader"),
    "checksum garbled": _set("checksum", "0" * 32),
}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname} {record.getMessage()}")


def _overwrite(
    snapshot: AssignmentSnapshot, cell: NotebookNode, *, nbgraders: bool
) -> tuple[str, list[Any], list[str]]:
    """One cell through our preprocess_cell, or nbgrader's on the same kind of preprocessor:
    the cell (as JSON), the tamper events and the log; or the error."""
    log = logging.getLogger(f"test-overwrite-{id(cell)}-{nbgraders}")
    records = _Records()
    log.addHandler(records)
    log.propagate = False
    preprocessor = SnapshotOverwriteCells(log=log)
    preprocessor.snapshot = snapshot
    preprocessor.gradebook = snapshot
    preprocessor.notebook_id, preprocessor.assignment_id = "nb", "ps1"
    preprocessor.tampered = []
    resources = ResourcesDict()
    cell = copy.deepcopy(cell)
    try:
        if nbgraders:
            preprocessor._submitted_source = cell.source
            cell, _ = OverwriteCells.preprocess_cell(preprocessor, cell, resources, 0)
        else:
            cell, _ = preprocessor.preprocess_cell(cell, resources, 0)
        result = json.dumps(cell, sort_keys=True, ensure_ascii=False)
    except Exception as err:
        result = f"raises {type(err).__name__}: {err}"
    return result, list(preprocessor.tampered), records.messages


def test_restoring_cells_is_nbgraders() -> None:
    masters = master_cells()
    snapshot = snapshot_of(masters)
    tampering_seen = set()
    for master, (name, alter) in itertools.product(masters, ALTERATIONS.items()):
        submitted = copy.deepcopy(master)
        alter(submitted)
        ours = _overwrite(snapshot, submitted, nbgraders=False)
        assert ours == _overwrite(snapshot, submitted, nbgraders=True), (
            f"{master.metadata['nbgrader']['grade_id']}: {name}"
        )
        tampering_seen.update(event.attribute for event in ours[1])
    # the alterations reach every branch that reports a change
    assert {"cell_type", "locked", "points", "checksum"} <= tampering_seen


def test_a_planted_difference_in_the_restore_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Would the comparison above catch a port that computed checksums wrongly?"""
    masters = master_cells()
    snapshot = snapshot_of(masters)
    monkeypatch.setattr(sanitize, "cell_checksum", lambda cell: utils.compute_checksum(cell)[::-1])
    differing = []
    for master, alter in itertools.product(masters, ALTERATIONS.values()):
        submitted = copy.deepcopy(master)
        alter(submitted)
        ours = _overwrite(snapshot, submitted, nbgraders=False)
        differing.append(ours != _overwrite(snapshot, submitted, nbgraders=True))
    assert any(differing)
