"""What grading one submission decided, before it is written to the gradebook.

Jobs (in worker threads) only decide; the main thread writes the decisions in batches. The
records follow nbgrader's order of writes, so a submission that fails half-way leaves the same
rows behind as it would under ``nbgrader autograde`` (which commits as it goes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import AssignLatePenalties, NbGraderPreprocessor, SaveAutoGrades
from traitlets import Any as AnyTrait

from .sanitize import TamperEvent, cell_checksum
from .snapshot import AssignmentSnapshot

NO_RESPONSE = "No response."


@dataclass(frozen=True)
class GradeDecision:
    cell: str
    auto_score: float | None


@dataclass(frozen=True)
class CommentDecision:
    cell: str
    auto_comment: str | None


@dataclass
class NotebookOutcome:
    name: str
    mode: str = ""  # "declarative", "kernel" or "" (execution disabled)
    grades: list[GradeDecision] = field(default_factory=list)
    comments: list[CommentDecision] = field(default_factory=list)
    late_penalty: bool = False  # nbgrader's AssignLatePenalties step was reached
    tampered: list[TamperEvent] = field(default_factory=list)
    needs_kernel_reason: str = ""


@dataclass
class SubmissionOutcome:
    """One officer's submission; ``error`` set when nbgrader would have reported a failure."""

    student: str
    dest: Path
    timestamp: dt.datetime | None = None
    student_checked: bool = False  # Autograde.init_assignment created/checked the student
    submission_recorded: bool = False  # ... and created/updated the submission row
    missing_notebooks: list[str] = field(default_factory=list)
    notebooks: list[NotebookOutcome] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    via: str = ""  # "nbgrader" when nbgrader's own converter graded it
    sheet_events: list[TamperEvent] = field(default_factory=list)  # see grading/sheets.py

    @property
    def tampered(self) -> list[TamperEvent]:
        return [*self.sheet_events, *(event for nb in self.notebooks for event in nb.tampered)]

    @property
    def mode(self) -> str:
        if self.via:
            return self.via
        modes = {nb.mode for nb in self.notebooks if nb.mode}
        return "kernel" if "kernel" in modes else (modes.pop() if modes else "")


class CollectAutoGrades(SaveAutoGrades):
    """SaveAutoGrades' decisions (nbgrader's ``determine_grade`` and comment rule), collected.

    Lookups raise ``MissingEntry`` exactly where SaveAutoGrades' ``find_grade`` and
    ``find_comment`` would.
    """

    snapshot = AnyTrait()
    outcome = AnyTrait()

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.student_id = resources["nbgrader"]["student"]
        return NbGraderPreprocessor.preprocess(self, nb, resources)

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        snapshot: AssignmentSnapshot = self.snapshot
        outcome: NotebookOutcome = self.outcome
        if utils.is_grade(cell):
            name = cell.metadata["nbgrader"]["grade_id"]
            snapshot.grade_cell_id(self.notebook_id, name, self.student_id)
            auto_score, _ = utils.determine_grade(cell, self.log)
            outcome.grades.append(GradeDecision(name, auto_score))
        if utils.is_solution(cell):
            self._collect_comment(cell)
        if utils.is_task(cell):
            self._collect_comment(cell)
        return cell, resources

    def _collect_comment(self, cell: NotebookNode) -> None:
        snapshot: AssignmentSnapshot = self.snapshot
        outcome: NotebookOutcome = self.outcome
        name = cell.metadata["nbgrader"]["grade_id"]
        snapshot.comment_cell_id(self.notebook_id, name, self.student_id)
        unchanged = cell.metadata.nbgrader.get("checksum", None) == cell_checksum(cell)
        comment = NO_RESPONSE if unchanged and not utils.is_task(cell) else None
        outcome.comments.append(CommentDecision(name, comment))


class MarkLatePenalty(AssignLatePenalties):
    """AssignLatePenalties, deferred: the penalty needs the notebook's score from the database."""

    outcome = AnyTrait()

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        outcome: NotebookOutcome = self.outcome
        outcome.late_penalty = True
        return nb, resources
