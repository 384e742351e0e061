"""nbgrader's preprocessors, fed from the assignment snapshot instead of per-cell queries.

Each class here subclasses the nbgrader preprocessor of the same job and keeps its per-cell
logic (the part that decides scores and restores cells); only the database access in
``preprocess`` is replaced by the in-memory snapshot (see ``snapshot.py``). Tamper events
(locked or test cells that differ from both the master and the released version) are
recorded for the summary, in addition to nbgrader's own warnings.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.api import MissingEntry
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.preprocessors import (
    CheckCellMetadata,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
)
from traitlets import Any as AnyTrait

from .declarative import Setup, classify
from .snapshot import NotebookInfo, kernelspec_of

ATTRIBUTE_NAMES = {
    "cell_type": "单元类型",
    "locked": "锁定状态",
    "points": "分值",
    "checksum": "内容",
    "missing": "被删除",
    "added": "新增的代码单元（已删除，未执行）",
    "officer": "答题文件中的考生工号被改为他人（已按本人试卷评分）",
    "no_start": "限时考试没有开始记录（限时题不计分）",
}


@dataclass(frozen=True)
class TamperEvent:
    """A locked or graded cell that the submission altered (restored from the master)."""

    notebook: str
    cell: str
    attribute: str

    def describe(self) -> str:
        return f"{self.notebook}/{self.cell}：{ATTRIBUTE_NAMES.get(self.attribute, self.attribute)}"


class SnapshotOverwriteKernelspec(OverwriteKernelspec):
    """OverwriteKernelspec: the master notebook's kernelspec replaces the submitted one."""

    snapshot = AnyTrait()

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        info = self.snapshot.find_notebook(
            resources["nbgrader"]["notebook"], resources["nbgrader"]["assignment"]
        )
        kernelspec = kernelspec_of(info)
        if kernelspec:
            nb.metadata["kernelspec"] = kernelspec
        self.kernel_name = str(nb.metadata.get("kernelspec", {}).get("name") or "")
        return nb, resources


class SnapshotOverwriteCells(OverwriteCells):
    """OverwriteCells (nbgrader's tamper check and restore) answering lookups from the snapshot."""

    snapshot = AnyTrait()
    tampered = AnyTrait()  # a list[TamperEvent] to append to

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = self.snapshot
        if self.tampered is None:
            self.tampered = []
        nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        self._note_missing_grade_cells(nb)
        return nb, resources

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        """OverwriteCells.preprocess_cell of nbgrader 0.9.6 (pinned), line for line, except that
        checksums are ``cell_checksum``'s: it runs for every cell of every submission."""
        self._submitted_source = cell.source
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", None)
        if grade_id is None:
            return cell, resources

        try:
            source_cell = self.gradebook.find_source_cell(
                grade_id, self.notebook_id, self.assignment_id
            )
        except MissingEntry:
            self.log.warning(f"Cell '{grade_id}' does not exist in the database")
            del cell.metadata.nbgrader["grade_id"]
            return cell, resources

        # check that the cell type hasn't changed
        if cell.cell_type != source_cell.cell_type:
            self.report_change(grade_id, "cell_type", source_cell.cell_type, cell.cell_type)
            self.update_cell_type(cell, source_cell.cell_type)

        # check that the locked status hasn't changed
        if utils.is_locked(cell) != source_cell.locked:
            self.report_change(grade_id, "locked", source_cell.locked, utils.is_locked(cell))
            cell.metadata.nbgrader["locked"] = source_cell.locked

        # if it's a grade cell, check that the max score hasn't changed
        if utils.is_grade(cell):
            grade_cell = self.gradebook.find_graded_cell(
                grade_id, self.notebook_id, self.assignment_id
            )
            old_points = float(grade_cell.max_score)
            new_points = float(cell.metadata.nbgrader["points"])

            if old_points != new_points:
                self.report_change(grade_id, "points", old_points, new_points)
                cell.metadata.nbgrader["points"] = old_points

        # always update the checksum, just in case
        cell.metadata.nbgrader["checksum"] = source_cell.checksum

        # if it's locked, check that the checksum hasn't changed
        if source_cell.locked:
            old_checksum = source_cell.checksum
            new_checksum = cell_checksum(cell)
            if old_checksum != new_checksum:
                self.report_change(grade_id, "checksum", old_checksum, new_checksum)
                cell.source = source_cell.source
                # double check the the checksum is correct now
                if cell_checksum(cell) != source_cell.checksum:
                    raise RuntimeError(f"Inconsistent checksums for cell {source_cell.name}")

        return cell, resources

    def report_change(self, name: str, attr: str, old: Any, new: Any) -> None:
        super().report_change(name, attr, old, new)
        if attr == "checksum" and self._is_release_version(name):
            # Hidden tests and mark schemes are removed from the release, so the checksum of
            # every such cell differs from the master: that is not the officer's doing.
            return
        self.tampered.append(TamperEvent(self.notebook_id, name, attr))

    def _is_release_version(self, name: str) -> bool:
        info = self.snapshot.find_notebook(self.notebook_id, self.assignment_id)
        master = info.source_cell(name)
        expected = {info.released_sources.get(name), master.source if master else None}
        return self._submitted_source in expected

    def _note_missing_grade_cells(self, nb: NotebookNode) -> None:
        present = {
            cell.metadata["nbgrader"].get("grade_id")
            for cell in nb.cells
            if "nbgrader" in cell.metadata
        }
        info = self.snapshot.find_notebook(self.notebook_id, self.assignment_id)
        for graded in [*info.grade_cells, *info.task_cells]:
            if graded.name not in present:
                self.tampered.append(TamperEvent(self.notebook_id, graded.name, "missing"))


def cell_checksum(cell: NotebookNode) -> str:
    """``nbgrader.utils.compute_checksum(cell)``, about four times as fast.

    nbgrader feeds md5 the source, the cell type, ``str()`` of the cell's grade, solution and
    locked flags (as its ``is_grade``, ``is_solution`` and ``is_locked`` read them), the
    grade id and, for a grade cell, ``str(float(points))``, one ``update`` each -- which is the
    md5 of their concatenation. A cell of another shape (no nbgrader metadata, values that
    are not plain strings) is left to nbgrader's function, which then returns or raises.
    """
    metadata = cell.metadata
    nbgrader = metadata.get("nbgrader") if type(metadata) is NotebookNode else None
    if type(nbgrader) is not NotebookNode:
        return utils.compute_checksum(cell)
    source, cell_type, grade_id = cell.source, cell.cell_type, nbgrader.get("grade_id")
    if not (type(source) is str and type(cell_type) is str and type(grade_id) is str):
        return utils.compute_checksum(cell)
    grade = nbgrader.get("grade", False)
    solution = nbgrader.get("solution", False)
    locked = False if solution else True if grade else nbgrader.get("locked", False)
    parts = [source, cell_type, str(grade), str(solution), str(locked), grade_id]
    if grade:
        parts.append(str(float(nbgrader["points"])))
    return hashlib.md5("".join(parts).encode("utf-8")).hexdigest()


def runs_no_officer_code(info: NotebookInfo) -> bool:
    """A fazhi contract notebook whose code cells are all locked: officers add no code to it.

    Its master sets up an answer sheet (docs/notebook-contract.md) and has no code cell an
    officer may write in, so any other code cell in a submission is the officer's own.
    """
    code = [cell for cell in info.source_cells if cell.cell_type == "code"]
    return all(cell.locked for cell in code) and any(
        isinstance(classify(cell.source), Setup) for cell in code
    )


class DropOfficerCode(NbGraderPreprocessor):
    """Remove code cells an officer added to a contract notebook, before anything executes.

    Runs after OverwriteCells (which restored every master cell); a code cell that is still
    not a master cell is the officer's and would run in the grader's kernel. Blank cells are
    kept (nbclient skips them, as nbgrader does); the rest are dropped and reported.
    """

    snapshot = AnyTrait()
    tampered = AnyTrait()  # a list[TamperEvent] to append to

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        notebook_id = resources["nbgrader"]["notebook"]
        info = self.snapshot.find_notebook(notebook_id, resources["nbgrader"]["assignment"])
        if not runs_no_officer_code(info):
            return nb, resources
        master = {cell.name for cell in info.source_cells}
        kept = []
        for index, cell in enumerate(nb.cells, start=1):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.cell_type != "code" or grade_id in master or not cell.source.strip():
                kept.append(cell)
                continue
            name = str(cell.get("id") or "")[:40] or f"第{index}个单元"
            self.log.warning("Dropping code cell %s added to %s", name, notebook_id)
            self.tampered.append(TamperEvent(notebook_id, name, "added"))
        nb.cells = kept
        return nb, resources


class _MemoValidator(MetadataValidator):
    """nbgrader's metadata validator, remembering cell metadata it has already accepted.

    ``jsonschema.validate`` rebuilds its validator on every call (~0.5 ms a cell); an exam's
    cells repeat across all officers' submissions.
    """

    def __init__(self) -> None:
        super().__init__()
        self._accepted: set[Any] = set()

    def validate_cell(self, cell: NotebookNode) -> None:
        if "nbgrader" not in cell.metadata:
            return
        meta = cell.metadata["nbgrader"]
        try:
            key = (cell.cell_type, tuple(meta.items()))
            known = key in self._accepted
        except TypeError:  # unhashable values: validate every time
            key, known = None, False
        if known:
            return
        super().validate_cell(cell)
        if key is not None:
            self._accepted.add(key)


_VALIDATOR = _MemoValidator()


class MemoCheckCellMetadata(CheckCellMetadata):
    """CheckCellMetadata with the memoising validator (same errors, same message)."""

    def preprocess(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        try:
            _VALIDATOR.validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources
