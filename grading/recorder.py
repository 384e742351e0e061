"""Write submission outcomes into nbgrader's gradebook, as nbgrader autograde writes them.

The rows are nbgrader's own ORM objects (``nbgrader.api``) and the values follow its
converters and preprocessors step by step: ``Autograde.init_assignment`` (student, submission
with its timestamp and the full set of grade and comment rows, zero grades for missing
notebooks), ``SaveAutoGrades`` (auto_score, needs_manual_grade, auto_comment) and
``AssignLatePenalties`` (late_submission_penalty through the configured plugin). nbgrader
commits after every cell; here a whole batch of submissions is one transaction, so grading
200 officers costs a handful of disk syncs instead of thousands.
"""

from __future__ import annotations

import logging

from nbgrader.api import (
    Assignment,
    Comment,
    Grade,
    Gradebook,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
    new_uuid,
)
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy import select
from traitlets.config import Config

from .outcome import NotebookOutcome, SubmissionOutcome
from .snapshot import AssignmentSnapshot

LOG = logging.getLogger("fazhi.grading")


class _SubmissionRows:
    """One submission's rows, indexed by (notebook, master cell id)."""

    def __init__(self, submission: SubmittedAssignment) -> None:
        self.submission = submission
        self.notebooks: dict[str, SubmittedNotebook] = {}
        self.grades: dict[tuple[str, str], Grade] = {}
        self.comments: dict[tuple[str, str], Comment] = {}


class GradebookWriter:
    """Applies outcomes to an open nbgrader Gradebook; ``commit`` ends a batch."""

    def __init__(self, gradebook: Gradebook, snapshot: AssignmentSnapshot, config: Config):
        self.db = gradebook.db
        self.snapshot = snapshot
        self.assignment = self.db.get(Assignment, snapshot.id)
        self._late = AssignLatePenalties(config=config, log=LOG)
        self._late.init_plugin()
        self._rows: dict[str, _SubmissionRows] = {}
        self._students = set(self.db.scalars(select(Student.id)))
        self._submissions: dict[str, str] = {
            student: submission
            for student, submission in self.db.execute(
                select(SubmittedAssignment.student_id, SubmittedAssignment.id).where(
                    SubmittedAssignment.assignment_id == snapshot.id
                )
            )
        }

    # -- rows ----------------------------------------------------------------------------

    def _student(self, student_id: str) -> None:
        """Gradebook.update_or_create_student(student_id) with no other fields."""
        if student_id not in self._students:
            self.db.add(Student(id=student_id))
            self._students.add(student_id)

    def _existing(self, student_id: str) -> _SubmissionRows | None:
        if student_id not in self._submissions:
            return None
        submission = self.db.get(SubmittedAssignment, self._submissions[student_id])
        if submission is None:
            return None
        rows = _SubmissionRows(submission)
        names = {nb.id: nb.name for nb in self.snapshot.notebooks.values()}
        for notebook in self.db.scalars(
            select(SubmittedNotebook).where(SubmittedNotebook.assignment_id == submission.id)
        ):
            rows.notebooks[names[notebook.notebook_id]] = notebook
        ids = {nb.id: name for name, nb in rows.notebooks.items()}
        for grade in self.db.scalars(select(Grade).where(Grade.notebook_id.in_(ids))):
            rows.grades[(ids[grade.notebook_id], grade.cell_id)] = grade
        for comment in self.db.scalars(select(Comment).where(Comment.notebook_id.in_(ids))):
            rows.comments[(ids[comment.notebook_id], comment.cell_id)] = comment
        return rows

    def _create(self, outcome: SubmissionOutcome) -> _SubmissionRows:
        """What ``Gradebook.add_submission`` creates: every notebook, grade and comment row."""
        submission = SubmittedAssignment(
            id=new_uuid(),
            assignment=self.assignment,
            student_id=outcome.student,
            timestamp=outcome.timestamp,
        )
        rows = _SubmissionRows(submission)
        for name, info in self.snapshot.notebooks.items():
            notebook = SubmittedNotebook(notebook_id=info.id, assignment=submission)
            rows.notebooks[name] = notebook
            for cell in info.grade_cells:
                rows.grades[(name, cell.id)] = Grade(cell_id=cell.id, notebook=notebook)
            for solution in info.solution_cells:
                rows.comments[(name, solution.id)] = Comment(cell_id=solution.id, notebook=notebook)
            for task in info.task_cells:
                rows.comments[(name, task.id)] = Comment(cell_id=task.id, notebook=notebook)
                rows.grades[(name, task.id)] = Grade(cell_id=task.id, notebook=notebook)
        self.db.add(submission)
        self._submissions[outcome.student] = submission.id
        return rows

    # -- writes --------------------------------------------------------------------------

    def write(self, outcome: SubmissionOutcome) -> None:
        """Record what grading ``outcome`` got through (all of it unless it failed)."""
        if not outcome.student_checked:
            return
        with self.db.no_autoflush:
            self._write(outcome)

    def _write(self, outcome: SubmissionOutcome) -> None:
        self._student(outcome.student)
        if not outcome.submission_recorded:
            return
        rows = self._rows.get(outcome.student) or self._existing(outcome.student)
        if rows is None:
            rows = self._create(outcome)
        elif outcome.timestamp is not None:
            rows.submission.timestamp = outcome.timestamp
        self._rows[outcome.student] = rows
        for missing in outcome.missing_notebooks:
            for (name, _), grade in rows.grades.items():
                if name == missing:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
        for notebook in outcome.notebooks:
            self._write_notebook(rows, notebook)

    def _write_notebook(self, rows: _SubmissionRows, outcome: NotebookOutcome) -> None:
        student = rows.submission.student_id
        for decision in outcome.grades:
            cell_id = self.snapshot.grade_cell_id(outcome.name, decision.cell, student)
            grade = rows.grades[(outcome.name, cell_id)]
            grade.auto_score = decision.auto_score
            grade.needs_manual_grade = grade.manual_score is not None or decision.auto_score is None
        for comment_decision in outcome.comments:
            cell_id = self.snapshot.comment_cell_id(outcome.name, comment_decision.cell, student)
            rows.comments[(outcome.name, cell_id)].auto_comment = comment_decision.auto_comment
        if outcome.late_penalty:
            self._write_late_penalty(rows, outcome.name)

    def _write_late_penalty(self, rows: _SubmissionRows, name: str) -> None:
        """AssignLatePenalties.preprocess, with the notebook score read after the grades."""
        notebook = rows.notebooks[name]
        notebook.late_submission_penalty = None
        seconds_late = rows.submission.total_seconds_late
        if seconds_late <= 0:
            return
        self.db.flush()
        self.db.expire(notebook, ["score"])
        score = notebook.score
        LOG.warning("%s is %s seconds late", rows.submission, seconds_late)
        penalty = self._late.plugin_inst.late_submission_penalty(
            rows.submission.student_id, score, seconds_late
        )
        if penalty is None:
            return
        if penalty < 0:
            penalty = 0
        elif penalty > score:
            penalty = score
        notebook.late_submission_penalty = penalty

    def commit(self) -> None:
        self.db.commit()
        self._rows.clear()

    def rollback(self) -> None:
        self.db.rollback()
        self._rows.clear()
