"""Find an assignment's submissions and decide which to grade, as ``nbgrader autograde`` does.

Submissions are ``submitted/<officer>/<assignment>/*.ipynb`` (the course's
``directory_structure``, ``student_id`` and ``notebook_id`` settings apply). A submission is
graded when it has no autograded copy yet, when it was resubmitted after its last grading, or
always with ``--regrade`` (nbgrader's ``--force``); ``student_id_exclude`` is honoured.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import find_all_files

from fazhi.errors import UserError

from .course import LOG


@dataclass(frozen=True)
class Submission:
    student: str
    source: Path  # submitted/<officer>/<assignment>
    dest: Path  # autograded/<officer>/<assignment>
    notebooks: tuple[Path, ...]  # the submitted notebooks, sorted


def find_submissions(coursedir: CourseDirectory, assignment: str) -> list[Submission]:
    """Every submission of ``assignment`` with at least one notebook, sorted like nbgrader."""
    pattern = coursedir.format_path(coursedir.submitted_directory, coursedir.student_id, assignment)
    regexp = coursedir.format_path(
        coursedir.submitted_directory, "(?P<student_id>.*)", re.escape(assignment), escape=True
    )
    found: list[Submission] = []
    for directory in sorted(glob.glob(pattern)):
        match = re.match(regexp, directory)
        notebooks = sorted(glob.glob(os.path.join(directory, coursedir.notebook_id + ".ipynb")))
        if match is None or not notebooks:
            if match is not None:
                LOG.warning("No notebooks were matched in %s", directory)
            continue
        student = match.group("student_id")
        dest = coursedir.format_path(coursedir.autograded_directory, student, assignment)
        found.append(
            Submission(
                student=student,
                source=Path(directory),
                dest=Path(dest),
                notebooks=tuple(Path(p) for p in notebooks),
            )
        )
    if not found:
        raise UserError(f"没有找到作业 {assignment} 的任何提交（{pattern}）。")
    return found


def _timestamp(coursedir: CourseDirectory, directory: Path) -> dt.datetime | None:
    try:
        return coursedir.get_existing_timestamp(str(directory))
    except SystemExit:  # CourseDirectory.fail on an unreadable timestamp.txt
        raise UserError(f"提交时间文件无法解析：{directory / 'timestamp.txt'}") from None


def needs_grading(coursedir: CourseDirectory, sub: Submission, *, force: bool) -> bool:
    """The decision of nbgrader's ``BaseConverter.init_destination`` (without removing files)."""
    if coursedir.student_id_exclude and sub.student in coursedir.student_id_exclude.split(","):
        return False
    if coursedir.notebook_id == "*":
        if not sub.dest.exists():
            return True
    elif any(not (sub.dest / nb.name).exists() for nb in sub.notebooks):
        return True
    if force:
        return True
    new, old = _timestamp(coursedir, sub.source), _timestamp(coursedir, sub.dest)
    return new is not None and old is not None and new > old


def clear_destination(coursedir: CourseDirectory, sub: Submission) -> None:
    """What init_destination removes before regrading (the old autograded copy)."""
    if coursedir.notebook_id == "*":
        if sub.dest.exists():
            LOG.info("Removing existing assignment: %s", sub.dest)
            shutil.rmtree(sub.dest)
        return
    for nb in sub.notebooks:
        path = sub.dest / nb.name
        if path.exists():
            LOG.info("Removing existing notebook: %s", path)
            path.unlink()


def copy_submitted_files(coursedir: CourseDirectory, sub: Submission) -> None:
    """BaseConverter.init_assignment: the submission's other files go along to autograded/."""
    for filename in find_all_files(str(sub.source), [*coursedir.ignore, "*.ipynb"]):
        _copy(Path(filename), sub.dest / os.path.relpath(filename, sub.source))


def copy_source_files(converter: Autograde, assignment: str, sub: Submission) -> None:
    """Autograde.init_assignment: the instructor's files overwrite the submitted ones."""
    coursedir = converter.coursedir
    source_path = coursedir.format_path(coursedir.source_directory, ".", assignment)
    files = set(find_all_files(source_path, [*coursedir.ignore, "*.ipynb"]))
    excluded = {
        os.path.join(source_path, x) for x in converter.exclude_overwriting.get(assignment, [])
    }
    for filename in files - excluded:
        _copy(Path(filename), sub.dest / os.path.relpath(filename, source_path))


def _copy(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        dest.unlink()
    shutil.copy(source, dest)


def submitted_timestamp(coursedir: CourseDirectory, sub: Submission) -> dt.datetime | None:
    return _timestamp(coursedir, sub.source)
