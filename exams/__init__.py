"""Question banks, periodic exams, per-officer papers and answer-sheet import.

For other features: ``sync_all_results(session, settings, names=None)`` brings fazhi's
``ExamResult`` rows up to date with nbgrader's gradebook (before reading them), and
``sync_graded_exam(workspace, assignment)`` does so after grading. Both are imported lazily:
importing this package does not import nbgrader.
"""

from __future__ import annotations

from typing import Any

__all__ = ["sync_all_results", "sync_graded_exam"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import results

        return getattr(results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
