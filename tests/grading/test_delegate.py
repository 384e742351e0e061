"""A course that customises nbgrader's autograde pipeline is graded by nbgrader's converter."""

from __future__ import annotations

import gradekit as gk
import pytest

from fazhi.grading.grade import grade

pytestmark = pytest.mark.slow

CUSTOM = """
from nbgrader import preprocessors as pp
c.Autograde.sanitize_preprocessors = [
    pp.ClearOutput, pp.DeduplicateIds, pp.OverwriteCells, pp.CheckCellMetadata
]
"""


def test_custom_preprocessors_are_left_to_nbgrader(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """With its own sanitize_preprocessors, is the course graded by nbgrader itself (same rows),
    with the progress bar and summary still shown?"""
    root = tmp_path / "course"  # type: ignore[operator]
    gk.plain_course(root)
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write(CUSTOM)
    for student, body in (("a1", "def add(a, b):\n    return a + b"), ("a2", "def add(a, b)")):
        gk.submit_code(root, student, body)
    stock = gk.twin(root, "stock")
    nbgrader = gk.nbgrader_started(stock, "autograde", "ps1")
    report = grade(workspace=root, assignment="ps1", progress=True)
    assert nbgrader.wait(timeout=600) == 0
    assert {o.mode for o in report.outcomes} == {"nbgrader"}
    assert "sanitize_preprocessors" in report.summary()
    assert "2/2" in capsys.readouterr().err
    theirs = gk.gradebook_state(f"sqlite:///{stock / 'gradebook.db'}", "ps1", "course101")
    ours = gk.gradebook_state(f"sqlite:///{root / 'gradebook.db'}", "ps1", "course101")
    assert theirs == ours, "\n".join(gk.differences(theirs, ours))
