"""nbgrader's own feedback commands, made safe for exams (wired in by the generated config).

A workspace's ``nbgrader_config.py`` (``fazhi/nbgrader_config.py.tmpl``) puts these into
nbgrader's pipeline, so formgrader's buttons and ``nbgrader generate_feedback`` /
``release_feedback`` obey the same rules as ``fazhi exam feedback``:

- ``RefuseBeforeDue``: no feedback before the assignment's due date (a fazhi exam's close);
- ``StripHiddenForFeedback``: the feedback page never shows hidden tests (the keys of every
  candidate question, which makeups reuse) or mark schemes (reference answers). In fazhi's
  own notebooks the comment lines of a hidden region (解析 and 法律依据) stay;
- ``GatedReleaseFeedback``: nbgrader's local exchange refuses to release before the due date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, NbGraderPreprocessor

from fazhi.notebook import SETUP_GRADE_ID
from fazhi.tabular import LOCAL_TZ


class FeedbackTooEarly(Exception):
    """Feedback was asked for before the assignment's due date."""


def due_date(db_url: str, course_id: str, assignment: str) -> dt.datetime | None:
    """The assignment's due date in the gradebook (naive UTC, as nbgrader stores it)."""
    # as nbgrader's GetGrades opens it when the course has no id
    with Gradebook(db_url, course_id) if course_id else Gradebook(db_url) as gradebook:
        try:
            return gradebook.find_assignment(assignment).duedate
        except MissingEntry:
            return None


def refusal(assignment: str, due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """The Chinese refusal when feedback is asked for before ``due``; "" when it may be given."""
    moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if due is None or moment >= due:
        return ""
    local = due.replace(tzinfo=dt.UTC).astimezone(LOCAL_TZ)
    return (
        f"作业“{assignment}”于 {local:%Y-%m-%d %H:%M} 截止，截止之后才能生成或发布成绩反馈"
        "（反馈含正确答案和解析）"
    )


class RefuseBeforeDue(NbGraderPreprocessor):
    """First step of ``GenerateFeedback``: fail the notebook before the due date."""

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        course_id = CourseDirectory(config=self.config).course_id
        message = refusal(
            info["assignment"], due_date(info["db_url"], course_id, info["assignment"])
        )
        if message:
            self.log.error(message)
            raise FeedbackTooEarly(message)
        return nb, resources


class StripHiddenForFeedback(NbGraderPreprocessor):
    """Remove hidden tests and mark schemes from the notebook a feedback page is made of.

    Hidden regions are found with the course's own delimiters (ClearHiddenTests,
    ClearMarkScheme). Error tracebacks of cells that had a hidden region go too: they quote
    the failing hidden line.
    """

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        tests = ClearHiddenTests(config=self.config)
        scheme = ClearMarkScheme(config=self.config)
        self._tests = (tests.begin_test_delimeter, tests.end_test_delimeter)
        self._scheme = (scheme.begin_mark_scheme_delimeter, scheme.end_mark_scheme_delimeter)
        self._keep_comments = any(
            cell.metadata.get("nbgrader", {}).get("grade_id") == SETUP_GRADE_ID for cell in nb.cells
        )
        return super().preprocess(nb, resources)

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        source, hidden = _without_region(
            cell.source, *self._tests, keep_comments=self._keep_comments
        )
        source, _ = _without_region(source, *self._scheme, keep_comments=False)
        cell.source = source
        if hidden and cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = []
        return cell, resources


def _without_region(source: str, begin: str, end: str, *, keep_comments: bool) -> tuple[str, bool]:
    """``source`` minus every begin..end region (comment lines kept if asked); found any?"""
    kept: list[str] = []
    inside = found = False
    for line in source.split("\n"):
        if begin in line:
            inside = found = True
        elif end in line and inside:
            inside = False
        elif not inside or (keep_comments and line.lstrip().startswith("#") and end not in line):
            kept.append(line)
    return "\n".join(kept), found


class GatedReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's local ``release_feedback``, refused before the assignment's due date."""

    def copy_files(self) -> Any:
        assignment = self.coursedir.assignment_id
        due = due_date(self.coursedir.db_url, self.coursedir.course_id, assignment)
        message = refusal(assignment, due)
        if message:
            self.fail(message)
        return super().copy_files()
