"""nbgrader's preprocessors, fed from the assignment snapshot instead of per-cell queries.

Each class here subclasses the nbgrader preprocessor of the same job and keeps its per-cell
logic (the part that decides scores and restores cells); only the database access in
``preprocess`` is replaced by the in-memory snapshot (see ``snapshot.py``). Tamper events
(locked or test cells that differ from both the master and the released version) are
recorded for the summary, in addition to nbgrader's own warnings.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.preprocessors import (
    CheckCellMetadata,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
)
from traitlets import Any as AnyTrait

from .snapshot import kernelspec_of

ATTRIBUTE_NAMES = {
    "cell_type": "单元类型",
    "locked": "锁定状态",
    "points": "分值",
    "checksum": "内容",
    "missing": "被删除",
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
        self._submitted_source = cell.source
        return super().preprocess_cell(cell, resources, cell_index)

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
