"""The kernel-free part of grading, spread over forked worker processes.

Scoring a declarative notebook is pure Python work (read, restore locked cells, score, write):
about 30 ms per officer on the grader's main thread, the largest part of a squad's run once
the start-up is paid. With ``--workers N`` and enough submissions, N processes forked from
the grader do that part side by side; the grader keeps everything that is shared: the
gradebook (written and committed in batches, in nbgrader's order), the progress bar, and the
kernel pool for the submissions that need a kernel after all.

A worker runs exactly what the main thread would (``start_submission``) on the pipeline it
inherited at the fork, and sends back the outcome and, when the submission needs a kernel,
where it stopped. Forking is used only where it is safe and pays: POSIX ``fork`` available,
the fast path's verdicts already in (a worker cannot wait on the grader's probe threads), and
at least two submissions per worker.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.pool import Pool
from pathlib import Path

from fazhi.errors import UserError

from .autograde import Handoff, KernelJob, Pipeline, start_submission
from .outcome import SubmissionOutcome
from .submissions import Submission, clear_destination

MIN_PER_WORKER = 2

# Set in the grader just before the fork; the workers read their copy.
_PIPELINE: Pipeline | None = None
_TODO: list[Submission] = []


@dataclass
class _Done:
    """What a worker sends back for one submission."""

    outcome: SubmissionOutcome
    notebooks: list[Path] | None = None  # with ``handoff``: the notebooks nbgrader grades
    handoff: Handoff | None = None
    stop: str = ""  # a UserError's message: it stops the whole run, as under nbgrader


def can_fork(pipeline: Pipeline, todo: list[Submission], workers: int) -> bool:
    """Whether forked workers would grade these submissions (see the module docstring)."""
    if workers < 2 or len(todo) < MIN_PER_WORKER * workers:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if not pipeline.fast_path.active:
        return False
    pipeline.fast_path.settle()  # a worker could not wait on the grader's probe thread
    return True


def _ignore_interrupts() -> None:
    """Ctrl-C is the grader's to handle: it stops the workers and cleans up after them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _grade_one(index: int) -> _Done:
    assert _PIPELINE is not None
    sub = _TODO[index]
    try:
        clear_destination(_PIPELINE.course.coursedir, sub)
        outcome, job = start_submission(_PIPELINE, sub)
    except UserError as err:  # the one error start_submission lets through
        return _Done(SubmissionOutcome(student=sub.student, dest=sub.dest), stop=str(err))
    if job is None:
        return _Done(outcome)
    return _Done(outcome, notebooks=job.notebooks, handoff=job.handoff)


class ForkedGraders:
    """``workers`` processes grading ``todo`` in order; used as a context manager."""

    def __init__(self, pipeline: Pipeline, todo: list[Submission], workers: int) -> None:
        global _PIPELINE, _TODO
        self.pipeline, self.todo = pipeline, todo
        _PIPELINE, _TODO = pipeline, todo
        context = multiprocessing.get_context("fork")
        # The grader's objects so far are the workers' read-only inheritance: keep the
        # workers' garbage collector off them, or each collection touches (and so copies)
        # every inherited page.
        gc.freeze()
        try:
            self._pool: Pool = context.Pool(workers, initializer=_ignore_interrupts)
        finally:
            gc.unfreeze()
            _PIPELINE, _TODO = None, []

    def results(self) -> Iterator[tuple[Submission, SubmissionOutcome, KernelJob | None]]:
        """Each submission's outcome in ``todo``'s order, with the job that finishes it on a
        kernel when it needs one; a run-stopping error is raised here, as on the main thread."""
        done_in_order = self._pool.imap(_grade_one, range(len(self.todo)))
        for sub, done in zip(self.todo, done_in_order, strict=True):
            if done.stop:
                raise UserError(done.stop)
            job = None
            if done.handoff is not None and done.notebooks is not None:
                job = KernelJob(self.pipeline, sub, done.outcome, done.notebooks, done.handoff)
            yield sub, done.outcome, job

    def __enter__(self) -> ForkedGraders:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self._pool.close()
        else:
            self._pool.terminate()  # nothing a worker was writing survives: see _Batch.abandon
        self._pool.join()
