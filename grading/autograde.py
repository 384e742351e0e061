"""Grade one submission: nbgrader's autograde steps, in nbgrader's order.

For each submitted notebook, as ``nbgrader.converters.Autograde`` does: sanitize (clear
outputs, deduplicate ids, overwrite the kernelspec, restore locked and test cells, check the
metadata) and write it to autograded/; read it back and run the autograde steps (execute,
ignore patterns, clear metadata, limit output, collect grades, late penalty, check metadata)
and write the result. Export and writing are nbconvert's ``NotebookExporter`` and
``FilesWriter`` configured as nbgrader configures them, so the files are nbgrader's.

The execute step is the only one that differs: ``DeclarativeExecute`` for contract notebooks
(when the run's probe passed), else nbgrader's ``Execute`` on a warm kernel from the pool.
The main thread runs the kernel-free part; a submission that needs a kernel is handed to a
worker at the notebook that needs it and continues there.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbconvert.exporters import NotebookExporter
from nbconvert.exporters.exporter import ResourcesDict
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbconvert.writers import FilesWriter
from nbformat.notebooknode import NotebookNode
from nbgrader.converters import NbGraderException
from nbgrader.preprocessors import (
    ClearOutput,
    DeduplicateIds,
    Execute,
    IgnorePattern,
    LimitOutput,
)

from fazhi.errors import UserError

from . import notebook_json
from .course import Course
from .declarative import DeclarativeExecute, NeedsKernel
from .essay_text import CopyEssayText
from .gate import FastPathGate
from .kernels import KernelRequest, KernelSource, WarmExecute
from .outcome import CollectAutoGrades, MarkLatePenalty, NotebookOutcome, SubmissionOutcome
from .sanitize import (
    DropOfficerCode,
    MemoCheckCellMetadata,
    SnapshotOverwriteCells,
    SnapshotOverwriteKernelspec,
)
from .sheets import check_sheets, sheet_rules
from .snapshot import AssignmentSnapshot
from .submissions import (
    Submission,
    copy_source_files,
    copy_submitted_files,
    submitted_timestamp,
)

LOG = logging.getLogger("fazhi.grading")


@dataclass(frozen=True)
class Sanitized:
    """A notebook after the sanitizing pass: its file in autograded/ and the kernel it needs."""

    path: Path
    kernel_name: str


@dataclass(frozen=True)
class Handoff:
    """Where a submission continues on a kernel worker: notebook ``index``, already sanitized."""

    index: int
    step: Sanitized


class Pipeline:
    """The per-run, read-only context that grades submissions (thread-safe to share)."""

    def __init__(
        self,
        course: Course,
        snapshot: AssignmentSnapshot,
        *,
        students: set[str],
        fast_path: FastPathGate,
    ) -> None:
        self.course = course
        self.config = course.config
        self.snapshot = snapshot
        self.assignment = snapshot.name
        self.students = students
        self.fast_path = fast_path
        self.configured_kernel = Execute(config=self.config).kernel_name
        self.execute_enabled = Execute(config=self.config).enabled
        self.sheet_rules = sheet_rules(snapshot)
        self._threads = threading.local()  # each thread's DeclarativeSteps

    # -- Autograde.init_assignment -------------------------------------------------------

    def begin(self, sub: Submission, outcome: SubmissionOutcome) -> list[Path]:
        """Copy files and record the submission; returns the notebooks nbgrader would grade."""
        coursedir = self.course.coursedir
        copy_submitted_files(coursedir, sub)
        if sub.student not in self.students:
            if not self.course.converter.create_student:
                raise NbGraderException(
                    f"No student with ID '{sub.student}' exists in the database"
                )
            self.students.add(sub.student)
        outcome.student_checked = True
        outcome.timestamp = submitted_timestamp(coursedir, sub)
        outcome.submission_recorded = True
        copy_source_files(self.course.converter, self.assignment, sub)
        outcome.sheet_events = check_sheets(self.sheet_rules, sub.dest, sub.student)
        notebooks = []
        for path in sub.notebooks:
            if path.stem in self.snapshot.notebooks:
                notebooks.append(path)
            else:
                LOG.warning("Skipping unknown notebook: %s", path)
        if not notebooks:
            raise NbGraderException(
                "No notebooks found, did you forget to run 'nbgrader generate_assignment'?"
            )
        outcome.missing_notebooks = sorted(
            name for name in self.snapshot.notebooks if not (sub.source / f"{name}.ipynb").exists()
        )
        return notebooks

    # -- one notebook -----------------------------------------------------------------------

    def _resources(self, sub: Submission, notebook: str) -> dict[str, Any]:
        return {
            "unique_key": notebook,
            "output_files_dir": f"{notebook}_files",
            "nbgrader": {
                "student": sub.student,
                "assignment": self.assignment,
                "notebook": notebook,
                "db_url": self.course.db_url,
            },
        }

    def _sanitizers(self, outcome: NotebookOutcome) -> list[Any]:
        """Autograde.sanitize_preprocessors, on the snapshot."""
        kernelspec = SnapshotOverwriteKernelspec(config=self.config, log=LOG)
        kernelspec.snapshot = self.snapshot
        overwrite = SnapshotOverwriteCells(config=self.config, log=LOG)
        overwrite.snapshot = self.snapshot
        drop = DropOfficerCode(config=self.config, log=LOG)
        drop.snapshot = self.snapshot
        preprocessors = [
            ClearOutput(config=self.config, log=LOG),
            DeduplicateIds(config=self.config, log=LOG),
            kernelspec,
            overwrite,
            drop,
            MemoCheckCellMetadata(config=self.config, log=LOG),
        ]
        report_to(preprocessors, outcome)
        return preprocessors

    def _autograders(self, execute: Execute, outcome: NotebookOutcome) -> list[Any]:
        """Autograde.autograde_preprocessors, collecting the gradebook writes in ``outcome``."""
        collect = CollectAutoGrades(config=self.config, log=LOG)
        collect.snapshot = self.snapshot
        preprocessors = [
            CopyEssayText(config=self.config, log=LOG),  # before grades: formgrader's essay text
            execute,
            IgnorePattern(config=self.config, log=LOG),
            ClearMetadataPreprocessor(config=self.config, log=LOG),
            LimitOutput(config=self.config, log=LOG),
            collect,
            MarkLatePenalty(config=self.config, log=LOG),
            MemoCheckCellMetadata(config=self.config, log=LOG),
        ]
        report_to(preprocessors, outcome)
        return preprocessors

    def _convert(self, sub: Submission, filename: Path, preprocessors: list[Any]) -> Path:
        """BaseConverter.convert_single_notebook: export with nbconvert, write to autograded/."""
        exporter = NotebookExporter(config=self.config, log=LOG)
        for preprocessor in preprocessors:
            exporter.register_preprocessor(preprocessor)
        resources = self._resources(sub, filename.stem)
        output: Any
        output, resources = exporter.from_filename(str(filename), resources=resources)
        return self._write(sub, output, resources)

    def _declarative_steps(self, outcome: NotebookOutcome) -> DeclarativeSteps:
        """This thread's preprocessors for grade_declarative, reporting to ``outcome``."""
        steps: DeclarativeSteps | None = getattr(self._threads, "steps", None)
        if steps is None:
            steps = self._threads.steps = DeclarativeSteps(self)
        steps.report_to(outcome)
        return steps

    def _write(self, sub: Submission, output: str, resources: dict[str, Any]) -> Path:
        writer = FilesWriter(config=self.config, log=LOG)
        writer.build_directory = str(sub.dest)
        return Path(writer.write(output, resources, notebook_name=resources["unique_key"]))

    def sanitize(self, sub: Submission, filename: Path, outcome: NotebookOutcome) -> Sanitized:
        """The sanitizing pass, written to autograded/ (what the kernel's directory holds)."""
        outcome.tampered.clear()
        preprocessors = self._sanitizers(outcome)
        path = self._convert(sub, filename, preprocessors)
        # the kernel nbclient would start: Execute.kernel_name, else the notebook's kernelspec
        kernel_name = str(self.configured_kernel or preprocessors[2].kernel_name)
        return Sanitized(path=path, kernel_name=kernel_name)

    def execute_phase(
        self,
        sub: Submission,
        step: Sanitized,
        outcome: NotebookOutcome,
        kernels: KernelSource | None,
    ) -> bool:
        """The autograding pass; False when it needs a kernel and ``kernels`` is None."""
        if not self.execute_enabled:
            execute = Execute(config=self.config, log=LOG)
        elif kernels is None:
            return False
        else:
            execute = WarmExecute(config=self.config, log=LOG)
            execute.warm = kernels.take(KernelRequest(step.kernel_name, str(sub.dest)))
            outcome.mode = "kernel"
        self._convert(sub, step.path, self._autograders(execute, outcome))
        return True

    def grade_declarative(self, sub: Submission, filename: Path, outcome: NotebookOutcome) -> bool:
        """Both passes in memory with DeclarativeExecute; False (nothing written) if it can't.

        The result equals the file-based passes: nbformat reads the submission (and repairs
        cell ids) as the exporter does, the preprocessors are of the same classes and
        configuration (built once per thread, see DeclarativeSteps), the notebook is validated
        once after sanitizing (nbconvert validates after every step; none of these steps can
        make a valid notebook invalid), nbgrader's metadata check after the autograde steps is
        left out where those steps cannot change what it checks, and the intermediate file,
        which only a kernel could see, is not written. nbformat's reading, validation and
        writing are done as in ``notebook_json``: the same notebook, verdict and text. Anything
        unusual returns False and the submission takes the file-based path, which then fails
        or succeeds exactly as nbgrader does.
        """
        if not self.execute_enabled or not self.fast_path.active:
            return False
        try:
            steps = self._declarative_steps(outcome)
            nb = read_notebook(filename)
            resources = self._resources(sub, filename.stem)
            resources["metadata"] = ResourcesDict(name=filename.stem, path=str(sub.dest))
            resources["output_extension"] = ".ipynb"
            for preprocessor in steps.sanitizers:
                nb, resources = preprocessor(nb, resources)
            notebook_json.validate(nb)
            kernel_name = str(self.configured_kernel or steps.kernelspec.kernel_name)
            probe = self.fast_path(kernel_name)
            if probe is None or not probe.verified:
                raise NeedsKernel("快速评分未启用")
            steps.execute.language_info = probe.language_info
            steps.execute.verified = probe.verified
            for preprocessor in steps.autograders:
                nb, resources = preprocessor(nb, resources)
            output = notebook_json.notebook_text(nb)
        except Exception as err:  # including NeedsKernel: the exact path decides
            LOG.info("%s/%s needs the file-based path: %s", sub.student, filename.name, err)
            outcome.grades.clear()
            outcome.comments.clear()
            outcome.late_penalty = False
            outcome.needs_kernel_reason = str(err) or type(err).__name__
            return False
        self._write(sub, output, resources)
        outcome.mode = "declarative"
        return True

    # -- a whole submission -------------------------------------------------------------

    def run(
        self,
        sub: Submission,
        outcome: SubmissionOutcome,
        notebooks: list[Path],
        kernels: KernelSource | None,
        resume: Handoff | None = None,
    ) -> Handoff | None:
        """Grade ``notebooks`` in order; a Handoff when the rest needs a kernel worker."""
        start = resume.index if resume is not None else 0
        for index in range(start, len(notebooks)):
            if resume is not None and index == resume.index:
                step, nb_outcome = resume.step, outcome.notebooks[-1]
            else:
                nb_outcome = NotebookOutcome(name=notebooks[index].stem)
                outcome.notebooks.append(nb_outcome)
                if self.grade_declarative(sub, notebooks[index], nb_outcome):
                    continue
                step = self.sanitize(sub, notebooks[index], nb_outcome)
            if not self.execute_phase(sub, step, nb_outcome, kernels):
                return Handoff(index=index, step=step)
        self.course.converter.set_permissions(self.assignment, sub.student)
        return None

    def fail(self, sub: Submission, outcome: SubmissionOutcome, err: BaseException) -> None:
        """Record a failure as nbgrader does: log it and remove the autograded copy."""
        LOG.error("There was an error processing assignment: %s", sub.source)
        LOG.error("".join(traceback.format_exception(err)))
        outcome.error = f"{type(err).__name__}: {err}"
        remove_destination(self.course, sub)


def report_to(preprocessors: list[Any], outcome: NotebookOutcome) -> None:
    """Point the preprocessors that record what they find (tampering, grades) at ``outcome``."""
    for preprocessor in preprocessors:
        if isinstance(preprocessor, SnapshotOverwriteCells | DropOfficerCode):
            preprocessor.tampered = outcome.tampered
        elif isinstance(preprocessor, CollectAutoGrades | MarkLatePenalty):
            preprocessor.outcome = outcome


class DeclarativeSteps:
    """One thread's preprocessors for ``grade_declarative``, built once and reused.

    Building nbgrader's traitlets preprocessors costs about 1 ms per notebook. None of them
    carries anything from one notebook to the next: each sets its per-notebook state (ids,
    kernel name, seen grade ids) at the start of ``preprocess``, and what they report to --
    the notebook's outcome, the probe's verdict -- is set again for every notebook.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        unused = NotebookOutcome(name="")
        self.sanitizers = pipeline._sanitizers(unused)
        self.kernelspec = next(
            p for p in self.sanitizers if isinstance(p, SnapshotOverwriteKernelspec)
        )
        self.execute = DeclarativeExecute(config=pipeline.config, log=LOG)
        self.autograders = pipeline._autograders(self.execute, unused)
        clears_metadata = any(
            isinstance(p, ClearMetadataPreprocessor) and p.enabled for p in self.autograders
        )
        if isinstance(self.autograders[-1], MemoCheckCellMetadata) and not clears_metadata:
            # nbgrader's final CheckCellMetadata checks each cell's type and nbgrader metadata
            # and the list of cells, as the sanitizing pass's check did on the same cells: the
            # steps in between change only sources (essays), outputs and the notebook's own
            # metadata -- unless a course enables ClearMetadataPreprocessor.
            self.autograders.pop()

    def report_to(self, outcome: NotebookOutcome) -> None:
        report_to(self.sanitizers + self.autograders, outcome)


def read_notebook(path: Path) -> NotebookNode:
    """nbformat.read(path, as_version=4) minus its validation, which only logs (the fast path
    validates after sanitizing, where nbconvert's exporter raises)."""
    return notebook_json.notebook_from_text(path.read_text(encoding="utf-8"))


def remove_destination(course: Course, sub: Submission) -> None:
    """BaseConverter._handle_failure."""
    if course.coursedir.notebook_id == "*":
        if sub.dest.exists():
            LOG.warning("Removing failed assignment: %s", sub.dest)
            shutil.rmtree(sub.dest)
        return
    for nb in sub.notebooks:
        path = sub.dest / nb.name
        if path.exists():
            LOG.warning("Removing failed notebook: %s", path)
            path.unlink()


class KernelJob:
    """The rest of a submission, run on a kernel worker."""

    def __init__(
        self,
        pipeline: Pipeline,
        sub: Submission,
        outcome: SubmissionOutcome,
        notebooks: list[Path],
        handoff: Handoff,
    ) -> None:
        self.pipeline, self.sub, self.outcome = pipeline, sub, outcome
        self.notebooks, self.handoff = notebooks, handoff

    @property
    def request(self) -> KernelRequest:
        return KernelRequest(self.handoff.step.kernel_name, str(self.sub.dest))

    def __call__(self, kernels: KernelSource) -> SubmissionOutcome:
        began = time.perf_counter()  # time spent waiting for a worker does not count
        try:
            self.pipeline.run(self.sub, self.outcome, self.notebooks, kernels, self.handoff)
        except Exception as err:
            self.pipeline.fail(self.sub, self.outcome, err)
        self.outcome.seconds += time.perf_counter() - began
        return self.outcome


def start_submission(
    pipeline: Pipeline, sub: Submission
) -> tuple[SubmissionOutcome, KernelJob | None]:
    """Grade ``sub`` as far as possible without a kernel (main thread)."""
    started = time.perf_counter()
    outcome = SubmissionOutcome(student=sub.student, dest=sub.dest)
    try:
        notebooks = pipeline.begin(sub, outcome)
        handoff = pipeline.run(sub, outcome, notebooks, None)
    except UserError:  # e.g. an unreadable timestamp.txt: nbgrader stops the whole run too
        remove_destination(pipeline.course, sub)
        raise
    except Exception as err:
        pipeline.fail(sub, outcome, err)
        handoff = None
    outcome.seconds = time.perf_counter() - started
    if handoff is None:
        return outcome, None
    return outcome, KernelJob(pipeline, sub, outcome, notebooks, handoff)
