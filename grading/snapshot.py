"""A read-only copy of one assignment's master cells, loaded from the gradebook once per run.

nbgrader's sanitizing preprocessors look every cell up in the gradebook (one query each,
~90 queries for a 30-item exam, per officer). The snapshot answers the same lookups from
memory, with the same methods and the same ``MissingEntry`` errors as ``nbgrader.api.Gradebook``,
so nbgrader's own preprocessor logic runs unchanged on top of it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbgrader.api import Gradebook, MissingEntry


@dataclass(frozen=True)
class SourceCellInfo:
    """The master version of a cell (``nbgrader.api.SourceCell``)."""

    name: str
    cell_type: str
    locked: bool
    checksum: str | None
    source: str


@dataclass(frozen=True)
class GradedCellInfo:
    """A grade or task cell (``nbgrader.api.GradeCell`` / ``TaskCell``)."""

    id: str
    name: str
    max_score: float
    cell_type: str


@dataclass(frozen=True)
class SolutionCellInfo:
    id: str
    name: str


@dataclass
class NotebookInfo:
    """One master notebook: what ``Gradebook.find_notebook`` returns, as plain data."""

    id: str
    name: str
    kernelspec: str | None
    source_cells: list[SourceCellInfo] = field(default_factory=list)
    grade_cells: list[GradedCellInfo] = field(default_factory=list)
    solution_cells: list[SolutionCellInfo] = field(default_factory=list)
    task_cells: list[GradedCellInfo] = field(default_factory=list)
    released_sources: dict[str, str] = field(default_factory=dict)

    def source_cell(self, name: str) -> SourceCellInfo | None:
        return next((c for c in self.source_cells if c.name == name), None)


@dataclass
class AssignmentSnapshot:
    """The assignment's notebooks and cells, with the lookups nbgrader's preprocessors use."""

    id: str
    name: str
    duedate: dt.datetime | None
    notebooks: dict[str, NotebookInfo]
    _source: dict[tuple[str, str], SourceCellInfo] = field(default_factory=dict, repr=False)
    _graded: dict[tuple[str, str], GradedCellInfo] = field(default_factory=dict, repr=False)
    _grade_rows: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _comment_rows: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for nb in self.notebooks.values():
            for cell in nb.source_cells:
                self._source[(nb.name, cell.name)] = cell
            # find_graded_cell / find_grade try grade cells before task cells
            for graded in [*nb.task_cells, *nb.grade_cells]:
                self._graded[(nb.name, graded.name)] = graded
                self._grade_rows[(nb.name, graded.name)] = graded.id
            for solution in nb.solution_cells:
                self._comment_rows[(nb.name, solution.name)] = solution.id
            for task in nb.task_cells:
                self._comment_rows.setdefault((nb.name, task.name), task.id)

    # -- the Gradebook lookups used by OverwriteCells / OverwriteKernelspec -----------------

    def _check(self, assignment: str) -> None:
        if assignment != self.name:
            raise MissingEntry(f"No such assignment: {assignment}")

    def find_notebook(self, name: str, assignment: str) -> NotebookInfo:
        self._check(assignment)
        try:
            return self.notebooks[name]
        except KeyError:
            raise MissingEntry(f"No such notebook: {assignment}/{name}") from None

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> SourceCellInfo:
        self._check(assignment)
        try:
            return self._source[(notebook, name)]
        except KeyError:
            raise MissingEntry(f"No such source cell: {assignment}/{notebook}/{name}") from None

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> GradedCellInfo:
        self._check(assignment)
        try:
            return self._graded[(notebook, name)]
        except KeyError:
            raise MissingEntry(f"No such graded cell: {assignment}/{notebook}/{name}") from None

    # -- which gradebook rows a submission has (Gradebook.find_grade / find_comment) ---------

    def grade_cell_id(self, notebook: str, name: str, student: str) -> str:
        """The master cell id of the Grade row for ``name``; MissingEntry as find_grade raises."""
        try:
            return self._grade_rows[(notebook, name)]
        except KeyError:
            raise MissingEntry(
                f"No such grade: {self.name}/{notebook}/{name} for {student}"
            ) from None

    def comment_cell_id(self, notebook: str, name: str, student: str) -> str:
        try:
            return self._comment_rows[(notebook, name)]
        except KeyError:
            raise MissingEntry(
                f"No such taskcomment: {self.name}/{notebook}/{name} for {student}"
            ) from None

    @property
    def max_score(self) -> float:
        return sum(c.max_score for nb in self.notebooks.values() for c in nb.grade_cells)


def _released_sources(path: Path) -> dict[str, str]:
    """grade_id -> source of the released notebook (hidden tests and mark schemes removed)."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except (OSError, ValueError):
        return {}
    found: dict[str, str] = {}
    for cell in nb.cells:
        meta: dict[str, Any] = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id"):
            found[str(meta["grade_id"])] = cell.source
    return found


def load_snapshot(gradebook: Gradebook, assignment: str, release_dir: Path) -> AssignmentSnapshot:
    """Read the assignment's master cells (MissingEntry when it is not in the gradebook)."""
    row = gradebook.find_assignment(assignment)
    notebooks: dict[str, NotebookInfo] = {}
    for nb in row.notebooks:
        info = NotebookInfo(id=nb.id, name=nb.name, kernelspec=nb.kernelspec)
        for cell in nb.source_cells:
            info.source_cells.append(
                SourceCellInfo(
                    name=cell.name,
                    cell_type=cell.cell_type,
                    locked=bool(cell.locked),
                    checksum=cell.checksum,
                    source=cell.source,
                )
            )
        for grade in nb.grade_cells:
            info.grade_cells.append(
                GradedCellInfo(grade.id, grade.name, float(grade.max_score), grade.cell_type)
            )
        for task in nb.task_cells:
            info.task_cells.append(
                GradedCellInfo(task.id, task.name, float(task.max_score), task.cell_type)
            )
        for solution in nb.solution_cells:
            info.solution_cells.append(SolutionCellInfo(solution.id, solution.name))
        info.released_sources = _released_sources(release_dir / f"{nb.name}.ipynb")
        notebooks[nb.name] = info
    return AssignmentSnapshot(id=row.id, name=row.name, duedate=row.duedate, notebooks=notebooks)


def kernelspec_of(info: NotebookInfo) -> dict[str, Any] | None:
    return json.loads(info.kernelspec) if info.kernelspec else None
