"""Every bundled module and case loads, follows the content rules, compiles and is solvable.

Broken content fails CI here: a parse error, a key that does not match its options, a
case whose key answers do not earn full points, a module question whose key is judged
wrong by the practice feedback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fazhi.courses.case import HandlingCase, ReviewCase
from fazhi.courses.catalog import bundled_root, content_files, load_catalog, load_content
from fazhi.courses.compile import compile_content, content_notebook, key_answers
from fazhi.courses.module import Module, Question
from fazhi.kernel.scoring import accepted_answers

FILES = content_files(bundled_root())
IDS = [path.name for path in FILES]


def test_bundled_content_meets_the_issue() -> None:
    """Are at least 8 modules and 12 cases (3 of them case-file reviews) bundled, ids unique?"""
    catalog = load_catalog()
    contents = [content for content, _ in catalog.values()]
    assert len(catalog) == len(FILES)
    assert sum(isinstance(c, Module) for c in contents) >= 8
    assert sum(isinstance(c, HandlingCase | ReviewCase) for c in contents) >= 12
    assert sum(isinstance(c, ReviewCase) for c in contents) >= 3


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_content_rules(path: Path) -> None:
    """Does the file follow docs/content-format.md (question counts, review sizes)?"""
    content = load_content(path)
    if isinstance(content, Module):
        assert 3 <= len(content.questions) <= 6
    elif isinstance(content, ReviewCase):
        defects = len(content.defects)
        assert len(content.documents) == 5
        assert 3 <= defects <= 5 and 2 <= len(content.checklist) - defects <= 4
    else:
        assert isinstance(content, HandlingCase)
        assert content.reasoning.rubric and content.reasoning.reference


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_content_compiles_deterministically(tmp_path: Path, path: Path) -> None:
    """Does the file compile to the same bytes twice?"""
    content = load_content(path)
    first = compile_content(content, source_dir=tmp_path / "a").read_bytes()
    assert first == compile_content(content, source_dir=tmp_path / "b").read_bytes()


def _answer_with_key(sheet, question: Question) -> str:  # type: ignore[no-untyped-def]
    view = sheet.items[question.id]
    if question.type == "multiple":
        for letter, button in zip(question.options, view.control, strict=True):
            button.value = letter in question.answer
    elif question.type == "fill":
        view.control.value = accepted_answers(question.answer)[0]
    else:
        view.control.value = question.answer
    if view.check is not None:
        view.check.click()
    return view.feedback.value


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_content_is_solvable(tmp_path: Path, path: Path, run_in_process) -> None:  # type: ignore[no-untyped-def]
    """Do the key answers earn full points (cases) or a 回答正确 (module self-checks)?"""
    from fazhi.kernel.answers import record_answer, sheet_path

    content = load_content(path)
    nb = content_notebook(content)
    if isinstance(content, Module):
        _, namespace = run_in_process(nb, tmp_path)
        for question in content.questions:
            assert "回答正确" in _answer_with_key(namespace["sheet"], question), question.id
        return
    for item, value in key_answers(content).items():
        record_answer(sheet_path(content.id, tmp_path), item, value)
    scores, _ = run_in_process(nb, tmp_path)
    automatic = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata["nbgrader"]["grade"] and c.cell_type == "code"
    }
    assert automatic and {item: scores[item] for item in automatic} == automatic
