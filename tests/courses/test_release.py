"""Release through nbgrader: ``nbgrader validate`` on compiled notebooks, generate and release."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from fazhi.courses.case import load_case
from fazhi.courses.compile import compile_content, key_answers
from fazhi.courses.module import load_module
from fazhi.courses.release import publish, remove_answer_sheets
from fazhi.kernel.answers import record_answer, sheet_path
from fazhi.settings import Settings

pytestmark = pytest.mark.slow


def test_nbgrader_validate_passes_with_keys_and_fails_without(
    tmp_path: Path, data_dir: Path, nb_workspace: Settings, nbgrader_cli
) -> None:  # type: ignore[no-untyped-def]
    """Does `nbgrader validate` pass a module and keyed cases, and fail an unanswered case?

    Run on a GBK console as on a Chinese Windows: nbgrader prints failing cells' sources,
    which an ASCII-only console cannot encode (nbgrader #1297; JupyterLab's Validate
    button is not affected, it returns the result as JSON).
    """
    notebooks = []
    for name in ("sample-module.md", "sample-handling.yaml", "sample-review.yaml"):
        path = data_dir / name
        content = load_module(path) if path.suffix == ".md" else load_case(path)
        notebook_path = compile_content(content, source_dir=tmp_path / "keyed")
        if not name.endswith(".md"):
            for item, value in key_answers(content).items():
                record_answer(sheet_path(content.id, notebook_path.parent), item, value)
        notebooks.append(notebook_path)
    unanswered = tmp_path / "unanswered"
    shutil.copytree(notebooks[1].parent, unanswered)
    remove_answer_sheets(unanswered)
    paths = [*map(str, notebooks), str(unanswered / "*.ipynb")]
    log = nbgrader_cli(nb_workspace, "validate", *paths, console="gbk")
    assert log.count("Success! Your notebook passes all the tests.") == 3, log
    assert "VALIDATION FAILED ON 4 CELL(S)" in log, log


def test_publish_releases_to_the_exchange(nb_workspace: Settings, data_dir: Path) -> None:
    """Does publish compile, generate and release, dropping answer sheets left in source?"""
    module = load_module(data_dir / "sample-module.md")
    source = compile_content(module, source_dir=nb_workspace.workspace / "source").parent
    record_answer(sheet_path(module.id, source), "t01-q1", "A")  # a trainer ran the source
    released = publish(settings=nb_workspace, content=module)
    assert not list(source.glob("*.answers.json"))
    assert sorted(p.name for p in released.iterdir()) == [f"{module.id}.ipynb"]
    outbound = nb_workspace.exchange_root / nb_workspace.course_id / "outbound" / module.id
    nb = nbformat.read(outbound / f"{module.id}.ipynb", as_version=4)
    assert all(c.metadata["nbgrader"]["locked"] for c in nb.cells)
    tracker = nb.cells[2]  # generate_assignment keeps the tracker cell and its skip tag
    assert tracker.id == "fazhi-study-tracker" and tracker.metadata["tags"] == [
        "fazhi-autorun",
        "skip-execution",
    ]
    assert f'track_study("{module.id}")' in tracker.source
    assert publish(settings=nb_workspace, content=module) == released  # re-release replaces
