"""A plain nbgrader course (no fazhi files): ``fazhi grade`` against stock ``nbgrader autograde``.

One course, graded twice from identical copies -- by stock nbgrader and by fazhi -- with the
submissions that go wrong in practice: wrong and syntax-broken code, a solution that hangs
(the course sets a 3 s timeout), one that kills its kernel, output on stderr, a late
submission (penalty "zero"), a missing notebook, a student's own files, and a tampered test
cell. Then a key correction and a regrade (``--regrade`` against ``--force``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradekit as gk
import nbformat
import pytest

from fazhi.grading.grade import grade
from fazhi.grading.progress import GradeReport

pytestmark = pytest.mark.slow

RIGHT = "def add(a, b):\n    return a + b"
BODIES = {
    "s01-right": RIGHT,
    "s02-wrong": "def add(a, b):\n    return a - b",
    "s03-syntax": "def add(a, b)\n    return a + b",
    "s04-hang": "while True:\n    pass\ndef add(a, b):\n    return a + b",
    "s05-crash": "import os\nos._exit(1)",
    "s06-stderr": "def add(a, b):\n    return a + b + 1",
    "s07-late": RIGHT,
    "s08-missing": RIGHT,
    "s09-tamper": "def add(a, b):\n    return a * b",
}
LATE = "2026-03-05 10:30:00.000000 Asia/Shanghai"


def _tamper(nb: nbformat.NotebookNode) -> None:
    """The student replaces the visible test and awards it more points."""
    nb.cells[2].source = "assert True"
    nb.cells[2].metadata["nbgrader"]["points"] = 20


@dataclass
class Run:
    fazhi: Path
    stock: Path
    report: GradeReport


def _db(root: Path) -> str:
    return f"sqlite:///{root / 'gradebook.db'}"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("plain") / "course"
    gk.plain_course(root, timeout=3)
    gk.set_duedate(_db(root), "ps1", "course101", "2026-03-03 00:00:00 Asia/Shanghai")
    for student, body in BODIES.items():
        gk.submit_code(
            root,
            student,
            body,
            value="VALUE = 41" if student == "s02-wrong" else "VALUE = 42",
            extra=student != "s08-missing",
            stamp=LATE if student == "s07-late" else gk.SUBMITTED,
            edit=_tamper if student == "s09-tamper" else None,
        )
    stock = gk.twin(root, "stock")
    nbgrader = gk.nbgrader_started(stock, "autograde", "ps1")
    report = grade(workspace=root, assignment="ps1", workers=2, progress=False)
    assert nbgrader.wait(timeout=600) == 1  # nbgrader exits 1 too: s05-crash failed
    return Run(fazhi=root, stock=stock, report=report)


def test_gradebook_rows_equal_stock(run: Run) -> None:
    """Are students, submissions, grades, comments and late penalties those of nbgrader?"""
    stock = gk.gradebook_state(_db(run.stock), "ps1", "course101")
    ours = gk.gradebook_state(_db(run.fazhi), "ps1", "course101")
    assert stock == ours, "\n".join(gk.differences(stock, ours))
    scores = gk.auto_scores(ours)
    assert scores[("s01-right", "problem1", "partial")] == 1.5
    assert scores[("s02-wrong", "problem1", "test_add")] == 0.0
    assert scores[("s06-stderr", "problem1", "stderr_test")] == 0.0
    assert scores[("s08-missing", "problem2", "test_value")] == 0.0
    assert ours["s07-late"]["late_submission_penalty"] == ours["s07-late"]["score"] > 0


def test_autograded_files_equal_stock(run: Run) -> None:
    """Are the autograded notebooks (sources, metadata, outputs) and files nbgrader's?"""
    stock = gk.autograded_state(run.stock, "ps1")
    ours = gk.autograded_state(run.fazhi, "ps1")
    assert stock.keys() == ours.keys()
    assert stock == ours, "\n".join(gk.differences(stock, ours))
    restored = ours["s09-tamper/ps1/problem1.ipynb"][1]["cells"][2]
    assert "HIDDEN TESTS" in restored["source"] and restored["metadata"]["nbgrader"]["points"] == 2


def test_broken_and_hanging_code_is_recorded_not_fatal(run: Run) -> None:
    """Do syntax errors and a hang end as failed tests while every other officer is graded?"""
    outputs = gk.autograded_state(run.fazhi, "ps1")
    hang = outputs["s04-hang/ps1/problem1.ipynb"][1]["cells"][1]["outputs"]
    assert ("error", "CellTimeoutError") in hang
    syntax = outputs["s03-syntax/ps1/problem1.ipynb"][1]["cells"][1]["outputs"]
    assert syntax == [("error", "SyntaxError")]
    graded = {o.student for o in run.report.graded}
    assert graded == set(BODIES) - {"s05-crash"}


def test_a_dead_kernel_fails_that_submission_like_nbgrader(run: Run) -> None:
    """Is a submission whose kernel dies reported as failed, its autograded copy removed?"""
    (failed,) = run.report.failed
    assert failed.student == "s05-crash" and "DeadKernelError" in failed.error
    for root in (run.fazhi, run.stock):
        assert not (root / "autograded" / "s05-crash" / "ps1").exists()


def test_tampered_cells_are_flagged(run: Run) -> None:
    """Is the altered test cell reported (and hidden-test clearing in the release not)?"""
    flagged = {o.student: o.tampered for o in run.report.graded if o.tampered}
    assert list(flagged) == ["s09-tamper"]
    assert {(e.cell, e.attribute) for e in flagged["s09-tamper"]} == {
        ("test_add", "points"),
        ("test_add", "checksum"),
    }
    assert "s09-tamper" in run.report.summary()


def test_second_run_skips_graded_submissions(run: Run, cli: Any) -> None:
    """Does a second ``fazhi grade`` skip what is graded and retry only the failed submission
    (nbgrader retries it too: it has no autograded copy), exiting non-zero while it fails?"""
    result = cli("grade", "ps1", "--workspace", run.fazhi)
    assert result.exit_code == 1, result.output
    assert "本次评分 1 份，8 份已评分而跳过" in result.output
    assert "s05-crash：DeadKernelError" in result.output


def _correct_key(root: Path) -> Any:
    """A key correction: the partial-credit test now awards 3.0 for a right answer."""
    path = root / "source" / "ps1" / "problem1.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[3].source = "3.0 if add(2, 2) == 4 else 0.5"
    nbformat.write(nb, path)
    return gk.nbgrader_started(root, "generate_assignment", "ps1", "--force")


def test_regrade_after_key_correction_equals_stock(run: Run) -> None:
    """After a key correction, does --regrade give nbgrader's --force result and log the changes?"""
    for generating in [_correct_key(root) for root in (run.stock, run.fazhi)]:
        assert generating.wait(timeout=600) == 0
    nbgrader = gk.nbgrader_started(run.stock, "autograde", "ps1", "--force")
    report = grade(workspace=run.fazhi, assignment="ps1", regrade=True, progress=False)
    assert nbgrader.wait(timeout=600) == 1
    stock = gk.gradebook_state(_db(run.stock), "ps1", "course101")
    ours = gk.gradebook_state(_db(run.fazhi), "ps1", "course101")
    assert stock == ours, "\n".join(gk.differences(stock, ours))
    changed = {(c.officer, c.item, c.old, c.new) for c in report.changes or []}
    right = {"s01-right", "s07-late", "s08-missing", "s09-tamper"}  # 2 * 2 == 2 + 2
    assert changed == {(s, "partial", 1.5, 3.0) for s in right}
    assert report.change_log is not None
    log = report.change_log.read_text(encoding="utf-8-sig").splitlines()
    assert log[0].startswith("officer_id,notebook,item,old_score,new_score")
    assert len(log) == 1 + len(right)
