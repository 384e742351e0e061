"""A compiled case exercise (with its study-tracker cell) under ``fazhi grade`` and stock
``nbgrader autograde``: the tracker cell runs in neither, and the fast path still applies."""

from __future__ import annotations

from pathlib import Path

import gradekit as gk
import nbformat
import pytest

from fazhi.courses.case import HandlingCase
from fazhi.courses.catalog import load_catalog
from fazhi.courses.compile import compile_content, key_answers
from fazhi.grading.grade import grade
from fazhi.kernel.answers import record_answer, sheet_path
from fazhi.workspace import init_workspace

pytestmark = pytest.mark.slow


def _case() -> HandlingCase:
    cases = [c for c, bundled in load_catalog().values() if isinstance(c, HandlingCase)]
    return sorted(cases, key=lambda c: c.id)[0]


def _submit(root: Path, case: HandlingCase, officer: str, answers: dict[str, object]) -> None:
    folder = root / "submitted" / officer / case.id
    folder.mkdir(parents=True)
    nb = nbformat.read(root / "release" / case.id / f"{case.id}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata["nbgrader"].get("solution"):
            cell.source = "应当按一般程序处罚，并告知陈述申辩权利。"
    nbformat.write(nb, folder / f"{case.id}.ipynb")
    for item, value in answers.items():
        record_answer(sheet_path(case.id, folder), item, value, at="2026-03-02T01:10:00+00:00")
    gk.write_timestamp(folder)


def test_compiled_case_grades_kernel_free_like_stock_nbgrader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Is a compiled case, tracker cell and all, scored without kernels, exactly as stock
    nbgrader scores it, and is the tracker cell left unexecuted by both?"""
    monkeypatch.delenv("FAZHI_DB_URL", raising=False)  # grading touches only the gradebook
    monkeypatch.delenv("FAZHI_WORKSPACE", raising=False)
    root = init_workspace(tmp_path / "ws").workspace
    case = _case()
    compile_content(case, source_dir=root / "source")
    gk.nbgrader(root, "generate_assignment", case.id, "--force")
    keys = key_answers(case)
    _submit(root, case, "CG0001", keys)
    _submit(root, case, "CG0002", {f"{case.id}-procedure": "简易程序"})
    stock = gk.twin(root, "stock")
    gk.nbgrader(stock, "autograde", case.id)
    report = grade(workspace=root, assignment=case.id, progress=False)

    assert {o.mode for o in report.outcomes} == {"declarative"}
    theirs = gk.gradebook_state(f"sqlite:///{stock / 'gradebook.db'}", case.id, "fazhi")
    ours = gk.gradebook_state(f"sqlite:///{root / 'gradebook.db'}", case.id, "fazhi")
    assert theirs == ours, "\n".join(gk.differences(theirs, ours))
    files = gk.autograded_state(stock, case.id, outputs_of="graded")
    ours_files = gk.autograded_state(root, case.id, outputs_of="graded")
    assert files == ours_files, "\n".join(gk.differences(files, ours_files))

    scores = gk.auto_scores(ours)
    assert all(scores[("CG0001", case.id, item)] for item in keys)
    graded = root / "autograded" / "CG0001" / case.id / f"{case.id}.ipynb"
    cells = nbformat.read(graded, as_version=4).cells
    tracker = next(c for c in cells if "track_study" in c.source)
    assert tracker.execution_count is None and tracker.outputs == []
