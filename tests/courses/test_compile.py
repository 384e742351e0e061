"""Compiling modules and cases into nbgrader source notebooks, checked against golden files.

The golden notebooks in tests/courses/golden/ are the compiled samples of
tests/courses/data/. After an intended change to the compiler, regenerate them with::

    .venv/bin/python tests/courses/test_compile.py

and review the diff (``git diff tests/courses/golden``) before committing.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from fazhi import notebook
from fazhi.courses.case import HandlingCase, ReviewCase, load_case
from fazhi.courses.compile import (
    basis_options,
    compile_content,
    content_notebook,
    key_answers,
    review_checklist,
)
from fazhi.courses.module import load_module

HERE = Path(__file__).parent
DATA = HERE / "data"
GOLDEN = HERE / "golden"
SAMPLES = ("sample-module.md", "sample-handling.yaml", "sample-review.yaml")


def _load(name: str):  # type: ignore[no-untyped-def]
    path = DATA / name
    return load_module(path) if path.suffix == ".md" else load_case(path)


def normalised(nb: nbformat.NotebookNode) -> str:
    """The notebook as sorted, indented JSON: independent of nbformat's writer details."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def golden_path(name: str) -> Path:
    return GOLDEN / f"{_load(name).id}.json"  # not .ipynb: ruff would reformat it


def regenerate() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name in SAMPLES:
        golden_path(name).write_text(normalised(content_notebook(_load(name))), encoding="utf-8")
        print(f"wrote {golden_path(name).relative_to(HERE.parent.parent)}")


@pytest.mark.parametrize("name", SAMPLES)
def test_compiled_sample_matches_golden(name: str) -> None:
    """Does each sample compile to exactly its golden notebook (regenerate: see docstring)?"""
    expected = golden_path(name).read_text(encoding="utf-8")
    assert normalised(content_notebook(_load(name))) == expected


@pytest.mark.parametrize("name", SAMPLES)
def test_compile_is_byte_identical(tmp_path: Path, name: str) -> None:
    """Do two builds of the same content write the same bytes into source/<id>/<id>.ipynb?"""
    first = compile_content(_load(name), source_dir=tmp_path / "a")
    second = compile_content(_load(name), source_dir=tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    assert first.relative_to(tmp_path / "a").as_posix() == f"{first.stem}/{first.stem}.ipynb"


@pytest.mark.parametrize("name", SAMPLES)
def test_tracker_cell_follows_the_setup_cell(name: str) -> None:
    """Does every module and case start the study tracker right after its setup cell, in a
    locked, ungraded cell that kernels run by nbclient (grading) skip?"""
    content = _load(name)
    nb = content_notebook(content)
    setup, tracker = nb.cells[1], nb.cells[2]
    assert setup.metadata["nbgrader"]["grade_id"] == notebook.SETUP_GRADE_ID
    assert tracker.metadata["nbgrader"]["grade_id"] == notebook.TRACKER_GRADE_ID
    assert tracker.source.splitlines() == [
        "from fazhi.analytics.study.tracker import track_study",
        f'tracker = track_study("{content.id}")',
    ]
    assert tracker.metadata["tags"] == [notebook.AUTORUN_TAG, "skip-execution"]
    meta = tracker.metadata["nbgrader"]
    assert meta["locked"] and not meta["grade"] and not meta["solution"]
    assert sum("track_study" in c.source for c in nb.cells) == 1


def test_module_is_practice_only() -> None:
    """Is a module notebook ungraded, in practice mode, with the key on each widget call?"""
    module = load_module(DATA / "sample-module.md")
    nb = content_notebook(module)
    metas = [c.metadata["nbgrader"] for c in nb.cells]
    assert not any(m["grade"] or m["solution"] or m["task"] for m in metas)
    assert all(m["locked"] for m in metas)
    assert 'mode="practice"' in nb.cells[1].source
    widgets = [c.source for c in nb.cells if c.id.endswith("-widget")]
    assert len(widgets) == len(module.questions) == 4
    assert 'key="B"' in widgets[0] and "解析甲" in widgets[0] and "basis=" in widgets[0]
    fill_stem = next(c.source for c in nb.cells if c.id == "t01-q4-stem")
    assert r"\_\_\_\_" in fill_stem  # the blank stays literal in Markdown


def test_handling_case_items_and_points() -> None:
    """Does a handling case grade each part under its own id with the case's points?"""
    case = load_case(DATA / "sample-handling.yaml")
    assert isinstance(case, HandlingCase)
    nb = content_notebook(case)
    graded = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata["nbgrader"]["grade"]
    }
    parts = ("procedure", "legal_basis", "circumstance", "fine", "reasoning")
    points = [2.0, 2.0, 2.0, 2.0, 4.0]
    assert graded == dict(zip([f"t02-handling-{p}" for p in parts], points, strict=True))
    assert 'mode="exam"' in nb.cells[1].source
    task = next(c for c in nb.cells if c.metadata["nbgrader"]["task"])
    assert "评分要点壬" in task.source and "参考答案子" in task.source


def test_legal_basis_shuffle_keeps_the_key_right() -> None:
    """After the seeded shuffle, do the key's letters point at the listed correct provisions?"""
    case = load_case(DATA / "sample-handling.yaml")
    assert isinstance(case, HandlingCase)
    options, key = basis_options(case)
    assert sorted(options.values()) == sorted(case.legal_basis.options)
    assert sorted(options[letter] for letter in key) == sorted(
        case.legal_basis.options[i] for i in case.legal_basis.answer
    )
    assert list(options.values()) != list(case.legal_basis.options)  # listed order hidden


def test_review_case_checklist_and_documents() -> None:
    """Is the checklist shuffled with its key following, and are documents quoted safely?"""
    case = load_case(DATA / "sample-review.yaml")
    assert isinstance(case, ReviewCase)
    statements, key = review_checklist(case)
    assert sorted(statements) == sorted(item.text for item in case.checklist)
    assert sorted(statements[i] for i in key) == sorted(
        case.checklist[i].text for i in case.defects
    )
    assert key != [0, 1, 2]
    nb = content_notebook(case)
    docs = [c.source for c in nb.cells if re.search(r"-doc\d\d$", c.id)]
    assert len(docs) == 5
    assert "> \\- 记录人：张某<br>" in docs[1]  # a leading '-' is not a list in the quote
    assert "&lt;未载明复议期限&gt;" in docs[3]


def test_keys_do_not_change_what_officers_see(tmp_path: Path) -> None:
    """Do two cases that differ only in their keys compile identically outside hidden tests?"""
    text = (DATA / "sample-handling.yaml").read_text(encoding="utf-8")
    other = tmp_path / "sample-handling.yaml"
    other.write_text(
        text.replace("answer: [0, 2]", "answer: [1]").replace("answer: 一般\n", "answer: 从重\n"),
        encoding="utf-8",
    )
    first, second = (content_notebook(load_case(p)) for p in (DATA / other.name, other))

    def visible(nb: nbformat.NotebookNode) -> list[str]:
        return [re.sub(r"### BEGIN HIDDEN TESTS.*", "", c.source, flags=re.S) for c in nb.cells]

    assert visible(first) == visible(second)
    assert [c.source for c in first.cells] != [c.source for c in second.cells]


@pytest.mark.parametrize("name", ["sample-handling.yaml", "sample-review.yaml"])
def test_key_answers_earn_full_automatic_points(tmp_path: Path, name: str, run_in_process) -> None:  # type: ignore[no-untyped-def]
    """With the key answers on the sheet, does every hidden test return its full points?"""
    from fazhi.kernel.answers import record_answer, sheet_path

    case = _load(name)
    nb = content_notebook(case)
    for item, value in key_answers(case).items():
        record_answer(sheet_path(case.id, tmp_path), item, value)
    scores, _ = run_in_process(nb, tmp_path)
    automatic = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata["nbgrader"]["grade"] and c.cell_type == "code"
    }
    assert {k: scores[k] for k in automatic} == automatic
    empty = tmp_path / "empty"
    empty.mkdir()
    assert all(v == 0.0 for k, v in run_in_process(nb, empty)[0].items() if k in automatic)


if __name__ == "__main__":
    sys.exit(regenerate())
