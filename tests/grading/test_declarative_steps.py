"""The kernel-free path's preprocessors, built once per thread (grading/autograde.py).

That they grade exactly as fresh ones (and as stock nbgrader) is what the parity tests in
test_fazhi_exam.py check over many officers graded one after another; here: which steps run,
and that each thread and each notebook gets its own.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import CheckCellMetadata
from traitlets.config import Config

from fazhi.grading.autograde import DeclarativeSteps, Pipeline
from fazhi.grading.course import Course
from fazhi.grading.declarative import DeclarativeExecute
from fazhi.grading.outcome import CollectAutoGrades, MarkLatePenalty, NotebookOutcome
from fazhi.grading.sanitize import DropOfficerCode, SnapshotOverwriteCells
from fazhi.grading.snapshot import AssignmentSnapshot


def pipeline(root: Path, config: Config | None = None) -> Pipeline:
    config = config or Config()
    course = Course(
        root=root,
        config=config,
        coursedir=CourseDirectory(config=config),
        converter=Autograde(config=config),
        is_workspace=False,
    )
    snapshot = AssignmentSnapshot(id="a", name="ps1", duedate=None, notebooks={})
    return Pipeline(course, snapshot, students=set(), fast_path=None)  # type: ignore[arg-type]


def _classes(preprocessors: list[Any]) -> list[type]:
    return [type(p) for p in preprocessors]


def test_the_final_metadata_check_is_left_out_unless_metadata_may_be_cleared(
    tmp_path: Path,
) -> None:
    unused = NotebookOutcome(name="")
    default = pipeline(tmp_path)
    steps = DeclarativeSteps(default)
    full = _classes(default._autograders(DeclarativeExecute(), unused))
    assert issubclass(full[-1], CheckCellMetadata)
    assert _classes(steps.autograders) == full[:-1]
    assert _classes(steps.sanitizers) == _classes(default._sanitizers(unused))

    config = Config()
    config.ClearMetadataPreprocessor.enabled = True
    clearing = pipeline(tmp_path, config)
    assert _classes(DeclarativeSteps(clearing).autograders) == full


def test_each_thread_has_its_own_steps_and_each_notebook_its_own_outcome(
    tmp_path: Path,
) -> None:
    shared = pipeline(tmp_path)
    first, second = NotebookOutcome(name="one"), NotebookOutcome(name="two")
    steps = shared._declarative_steps(first)
    assert shared._declarative_steps(second) is steps
    everything = steps.sanitizers + steps.autograders
    for preprocessor in everything:
        if isinstance(preprocessor, SnapshotOverwriteCells | DropOfficerCode):
            assert preprocessor.tampered is second.tampered
        if isinstance(preprocessor, CollectAutoGrades | MarkLatePenalty):
            assert preprocessor.outcome is second
    assert sum(isinstance(p, CollectAutoGrades | DropOfficerCode) for p in everything) == 2

    elsewhere: list[DeclarativeSteps] = []
    thread = threading.Thread(target=lambda: elsewhere.append(shared._declarative_steps(first)))
    thread.start()
    thread.join()
    assert elsewhere and elsewhere[0] is not steps
    assert not set(map(id, elsewhere[0].sanitizers)) & set(map(id, steps.sanitizers))
