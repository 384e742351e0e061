"""Courses that customise nbgrader's autograde pipeline are graded by nbgrader itself.

fazhi's pipeline reproduces nbgrader's default preprocessor lists step by step. A course that
replaces those lists, sets convert hooks or another exporter class is graded submission by
submission with nbgrader's own ``Autograde`` converter instead (still with the progress bar
and summary), so its scores are nbgrader's by construction.
"""

from __future__ import annotations

import os
import time
from typing import Any

from nbconvert.exporters import NotebookExporter
from nbgrader.converters import Autograde, NbGraderException
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.utils.importstring import import_item

from .course import LOG, Course
from .essay_text import CopyEssayText
from .outcome import SubmissionOutcome
from .submissions import Submission

_DEFAULTS = Autograde(config=Config())
# fazhi's pipeline runs nbgrader's list, with the essay copy first as fazhi's generated
# nbgrader_config.py configures it (grading.essay_text).
_PIPELINE_AUTOGRADERS = (
    list(_DEFAULTS.autograde_preprocessors),
    [CopyEssayText, *_DEFAULTS.autograde_preprocessors],
)


def _classes(preprocessors: list[Any]) -> list[Any]:
    """Configured preprocessors as classes (a config may name them by import string)."""
    found = []
    for entry in preprocessors:
        try:
            found.append(import_item(entry) if isinstance(entry, str) else entry)
        except ImportError:
            found.append(entry)  # unknown: differs from every list above
    return found


def delegate_reason(course: Course) -> str:
    """Why this course must be graded by nbgrader's converter ("" when it need not)."""
    converter = course.converter
    if list(converter.sanitize_preprocessors) != list(_DEFAULTS.sanitize_preprocessors):
        return "课程配置了自定义的 Autograde.sanitize_preprocessors"
    if _classes(converter.autograde_preprocessors) not in _PIPELINE_AUTOGRADERS:
        return "课程配置了自定义的 Autograde.autograde_preprocessors"
    if converter.pre_convert_hook or converter.post_convert_hook:
        return "课程配置了 pre/post_convert_hook"
    if converter.exporter_class is not NotebookExporter:
        return "课程配置了其他 exporter_class"
    return ""


def grade_with_nbgrader(course: Course, sub: Submission, *, force: bool) -> SubmissionOutcome:
    """``nbgrader autograde ASSIGNMENT --student OFFICER [--force]``, in-process."""
    started = time.perf_counter()
    outcome = SubmissionOutcome(student=sub.student, dest=sub.dest)
    coursedir = CourseDirectory(config=course.config, log=LOG)
    coursedir.student_id = sub.student
    converter = Autograde(coursedir=coursedir, config=course.config, log=LOG)
    converter.force = force or converter.force
    previous = os.getcwd()
    try:
        converter.start()
    except NbGraderException as err:
        outcome.error = f"nbgrader autograde 报告失败：{err}"
    finally:
        os.chdir(previous)
    outcome.via = "nbgrader"
    outcome.seconds = time.perf_counter() - started
    return outcome
