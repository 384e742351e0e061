"""``fazhi grade``: grade every submission of one nbgrader assignment.

The main thread walks the submissions in nbgrader's order, grades what needs no kernel itself
and hands the rest to the warm kernel pool; outcomes are written to the gradebook in batches.
A run log goes to ``grading-logs/<assignment>/<time>.log`` in the course directory (nbgrader's
warnings included), so the terminal shows only the progress bar and the summary.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry, Student, SubmittedAssignment
from sqlalchemy import select

from fazhi.errors import UserError
from fazhi.gradebook import ensure_scripts_on_path
from fazhi.locks import exclusive
from fazhi.paths import confined

from .autograde import KernelJob, Pipeline, remove_destination, start_submission
from .course import LOG, Course, open_course
from .delegate import delegate_reason, grade_with_nbgrader
from .forked import ForkedGraders, can_fork
from .gate import FastPathGate
from .kernels import KernelPool
from .outcome import SubmissionOutcome
from .probe_cache import VerdictCache
from .progress import GradeReport, Progress
from .recorder import GradebookWriter
from .regrade import capture, changes, write_change_log
from .snapshot import AssignmentSnapshot, load_snapshot
from .submissions import Submission, clear_destination, find_submissions, needs_grading

LOG_DIR = "grading-logs"
BATCH_SIZE = 50
BATCH_SECONDS = 2.0


@contextmanager
def _run_log(path: Path) -> Iterator[Path]:
    """Send the grader's (and nbgrader's) log records to ``path`` for the run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    level, propagate = LOG.level, LOG.propagate
    LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False
    try:
        yield path
    finally:
        LOG.removeHandler(handler)
        handler.close()
        LOG.setLevel(level)
        LOG.propagate = propagate


class _Batch:
    """Outcomes written but not yet committed; committed every BATCH_SIZE or BATCH_SECONDS."""

    def __init__(self, writer: GradebookWriter, progress: Progress, course: Course) -> None:
        self.writer, self.progress, self.course = writer, progress, course
        self.outcomes: list[SubmissionOutcome] = []
        self.pending: list[tuple[Submission, SubmissionOutcome]] = []
        self.last_commit = time.monotonic()

    def add(self, sub: Submission, outcome: SubmissionOutcome) -> None:
        LOG.info("graded %s (%s) in %.3fs", outcome.student, outcome.mode or "-", outcome.seconds)
        self.writer.write(outcome)
        self.pending.append((sub, outcome))
        self.outcomes.append(outcome)
        self.progress.done(outcome)
        if len(self.pending) >= BATCH_SIZE or time.monotonic() - self.last_commit > BATCH_SECONDS:
            self.commit()

    def commit(self) -> None:
        self.writer.commit()
        self.pending.clear()
        self.last_commit = time.monotonic()

    def abandon(self, inflight: list[Submission]) -> None:
        """After an interruption: nothing half-recorded stays behind (it is regraded next run)."""
        self.writer.rollback()
        for sub in [s for s, _ in self.pending] + inflight:
            remove_destination(self.course, sub)


def _started(
    course: Course, pipeline: Pipeline, todo: list[Submission], workers: int
) -> Generator[tuple[Submission, SubmissionOutcome, KernelJob | None], None, None]:
    """Each submission graded as far as it goes without a kernel, in ``todo``'s order: by
    forked workers when that pays (grading/forked.py), else on the main thread."""
    if can_fork(pipeline, todo, workers):
        with ForkedGraders(pipeline, todo, workers) as graders:
            yield from graders.results()
        return
    for sub in todo:
        clear_destination(course.coursedir, sub)
        outcome, job = start_submission(pipeline, sub)
        yield sub, outcome, job


def _run(
    course: Course,
    gradebook: Gradebook,
    snapshot: AssignmentSnapshot,
    todo: list[Submission],
    *,
    workers: int,
    progress: Progress,
) -> tuple[list[SubmissionOutcome], str]:
    students = set(gradebook.db.scalars(select(Student.id)))
    pool = KernelPool(workers=workers, config=course.config)
    gate = FastPathGate(pool, course.config, snapshot, VerdictCache(course.root))
    pipeline = Pipeline(course, snapshot, students=students, fast_path=gate)
    batch = _Batch(GradebookWriter(gradebook, snapshot, course.config), progress, course)
    inflight: dict[Future[SubmissionOutcome], Submission] = {}

    def collect(block: bool) -> None:
        if not inflight:
            return
        done, _ = wait(list(inflight), timeout=None if block else 0, return_when=FIRST_COMPLETED)
        for future in done:
            batch.add(inflight.pop(future), future.result())

    started = _started(course, pipeline, todo, workers)
    returned = 0  # todo[returned:] may be half-graded or half-recorded when the run stops
    try:
        for sub, outcome, job in started:
            if job is None:
                batch.add(sub, outcome)
            else:
                inflight[pool.submit(job, job.request)] = sub
            returned += 1
            collect(block=False)
        while inflight:
            collect(block=True)
        batch.commit()
    except BaseException:
        started.close()  # forked workers are stopped before their folders are removed
        pool.close(cancel=True, timeout=10)
        batch.abandon([*inflight.values(), *todo[returned:]])
        raise
    pool.close()
    return batch.outcomes, gate.describe()


def _delegate(
    course: Course, todo: list[Submission], *, force: bool, progress: Progress
) -> list[SubmissionOutcome]:
    outcomes = []
    for sub in todo:
        outcome = grade_with_nbgrader(course, sub, force=force)
        outcomes.append(outcome)
        progress.done(outcome)
    return outcomes


def _scores(gradebook: Gradebook, snapshot: AssignmentSnapshot) -> dict[str, float]:
    gradebook.db.expire_all()
    rows = gradebook.db.execute(
        select(SubmittedAssignment.student_id, SubmittedAssignment.score).where(
            SubmittedAssignment.assignment_id == snapshot.id
        )
    )
    return {student: float(score or 0.0) for student, score in rows}


def _grade_in(
    course: Course,
    gradebook: Gradebook,
    *,
    assignment: str,
    workers: int,
    regrade: bool,
    progress: bool,
    log_dir: Path,
    stamp: str,
) -> GradeReport:
    release = course.coursedir.format_path(course.coursedir.release_directory, ".", assignment)
    try:
        snapshot = load_snapshot(gradebook, assignment, Path(release))
    except MissingEntry:
        raise UserError(
            f"成绩库中没有作业 {assignment}：请先运行 nbgrader generate_assignment "
            f"{assignment}（fazhi 考试用 fazhi exam release）。"
        ) from None
    submissions = find_submissions(course.coursedir, assignment)
    force = regrade or bool(course.converter.force)
    todo = [s for s in submissions if needs_grading(course.coursedir, s, force=force)]
    report = GradeReport(
        assignment=assignment,
        root=course.root,
        found=len(submissions),
        skipped=len(submissions) - len(todo),
        max_score=snapshot.max_score,
    )
    before = capture(gradebook.db, snapshot) if regrade else None
    gradebook.db.commit()
    bar = Progress(len(todo), assignment, enabled=progress)
    reason = delegate_reason(course)
    try:
        if reason:
            report.outcomes = _delegate(course, todo, force=force, progress=bar)
            report.fast_path = f"{reason}：由 nbgrader 自带的评分器逐份评分。"
        else:
            report.outcomes, report.fast_path = _run(
                course, gradebook, snapshot, todo, workers=workers, progress=bar
            )
    finally:
        bar.close()
    report.scores = _scores(gradebook, snapshot)
    if before is not None:
        graded = {o.student for o in report.outcomes}
        report.changes = changes(before, capture(gradebook.db, snapshot), graded, snapshot)
        report.change_log = log_dir / f"{stamp}-regrade.csv"
        write_change_log(report.change_log, report.changes)
    return report


def check_fast_path(*, workspace: Path, assignment: str) -> str:
    """Run the self-check of kernel-free scoring for ``assignment`` now (at release), so the
    verdict is cached and the first ``grade`` after the exam starts no probe kernel.

    Returns the summary's Chinese line ("" when the assignment has no declarative items).
    """
    course = open_course(workspace, assignment)
    ensure_scripts_on_path()
    release = course.coursedir.format_path(course.coursedir.release_directory, ".", assignment)
    with Gradebook(course.db_url, course.course_id) as gradebook:
        snapshot = load_snapshot(gradebook, assignment, Path(release))
    pool = KernelPool(workers=1, config=course.config)
    try:
        return FastPathGate(pool, course.config, snapshot, VerdictCache(course.root)).describe()
    finally:
        pool.close()


def grade(
    *,
    workspace: Path,
    assignment: str,
    workers: int = 2,
    regrade: bool = False,
    progress: bool = True,
) -> GradeReport:
    """Grade every submission of ``assignment`` in the course at ``workspace``.

    Writes the gradebook rows and autograded/ files ``nbgrader autograde`` writes; ``regrade``
    regrades submissions already graded (nbgrader's ``--force``) and logs what changed.
    """
    started = time.perf_counter()
    if workers < 1:
        raise UserError("--workers 至少为 1。")
    course = open_course(workspace, assignment)
    ensure_scripts_on_path()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_dir = confined(course.root / LOG_DIR, assignment)
    busy = f"作业“{assignment}”正在由另一个 fazhi grade 评分，请等它结束后再运行"
    with (
        exclusive(course.root, f"grade-{assignment}", busy),
        _run_log(log_dir / f"{stamp}.log") as log_path,
        Gradebook(course.db_url, course.course_id) as gradebook,
    ):
        report = _grade_in(
            course,
            gradebook,
            assignment=assignment,
            workers=workers,
            regrade=regrade,
            progress=progress,
            log_dir=log_dir,
            stamp=stamp,
        )
    report.log_path = log_path
    report.seconds = time.perf_counter() - started  # grading alone, as the benchmarks time it
    report.exam_results = _sync_exam_results(workspace, assignment)
    return report


def _sync_exam_results(workspace: Path, assignment: str) -> int | None:
    """A graded fazhi exam's results go to fazhi's database at once (reports read them there)."""
    from fazhi.exams import sync_graded_exam

    return sync_graded_exam(workspace, assignment)
