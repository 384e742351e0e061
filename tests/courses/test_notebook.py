"""``fazhi.notebook``: the cell factories every compiled notebook is built from."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from fazhi import notebook


def _score_arguments(source: str) -> dict[str, object]:
    """What the fast grader does: find ``sheet.score(...)`` and literal-eval its arguments."""
    tree = ast.parse(source)
    (call,) = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.func.attr == "score"]  # type: ignore[attr-defined]
    arguments = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    arguments["item_id"] = ast.literal_eval(call.args[0])
    return arguments


def test_test_cell_hides_a_literal_scoring_call() -> None:
    """Is the scoring call hidden, literal-only and readable back by ast (fast grader)?"""
    cell = notebook.test_cell(
        item_id="PEN-001", points=2, kind="multiple", key="ACD", note="解析：甲\n依据：乙"
    )
    lines = cell.source.splitlines()
    assert lines[0] == notebook.TEST_HEADER
    assert lines[1] == "### BEGIN HIDDEN TESTS" and lines[-1] == "### END HIDDEN TESTS"
    assert "# 解析：甲" in lines and "# 依据：乙" in lines
    assert _score_arguments(cell.source) == {
        "item_id": "PEN-001",
        "kind": "multiple",
        "key": "ACD",
        "points": 2.0,
    }
    meta = cell.metadata["nbgrader"]
    assert meta["grade"] and meta["locked"] and not meta["solution"]
    assert meta["grade_id"] == "PEN-001" and meta["points"] == 2.0
    assert cell.id == "PEN-001"


def test_score_call_refuses_arguments_score_answer_lacks() -> None:
    """Are keyword arguments outside fazhi.kernel.scoring.score_answer refused?"""
    with pytest.raises(ValueError, match="unknown score arguments"):
        notebook.test_cell(item_id="X-1", points=1, kind="single", key="A", answer="A")
    with pytest.raises(ValueError, match="kind and points"):
        notebook.score_call(item_id="X-1", key="A")


def test_widget_call_round_trips_as_literals() -> None:
    """Do widget calls keep option order, Chinese text and long lists one entry a line?"""
    options = {"C": "三千元", "A": "五十元“引号”", "B": 'back\\slash "q"'}
    source = notebook.widget_call(item_id="P-1", method="single", options=options)
    call = ast.parse(source).body[0].value  # type: ignore[attr-defined]
    assert ast.literal_eval(call.keywords[0].value) == options
    assert list(ast.literal_eval(call.keywords[0].value)) == ["C", "A", "B"]
    long_items = [f"第{i}项：" + "很长的评查项目说明" * 3 for i in range(4)]
    source = notebook.widget_call(item_id="R-1", method="checklist", items=long_items)
    assert source.count("\n") == len(long_items) + 4  # call, id, "items=[", "],", ")"
    call = ast.parse(source).body[0].value  # type: ignore[attr-defined]
    assert ast.literal_eval(call.keywords[0].value) == long_items
    with pytest.raises(ValueError, match="unknown widget method"):
        notebook.widget_call(item_id="R-1", method="drawing")


def test_manual_cells_put_the_rubric_in_a_task_cell() -> None:
    """Does a written part carry its rubric in a 0-point task cell and P points on the answer?"""
    prompt, _text_box, answer = notebook.manual_cells(
        item_id="E-1", prompt="请简述理由。", points=4, rubric="要点甲", reference="参考乙"
    )
    assert prompt.metadata["nbgrader"]["task"] and prompt.metadata["nbgrader"]["points"] == 0
    assert "### BEGIN MARK SCHEME" in prompt.source and "要点甲" in prompt.source
    assert "参考乙" in prompt.source and prompt.source.rstrip().endswith("### END MARK SCHEME")
    meta = answer.metadata["nbgrader"]
    assert answer.cell_type == "markdown" and meta["solution"] and meta["grade"]
    assert meta["points"] == 4.0 and meta["grade_id"] == "E-1"


def test_cell_ids_are_valid_and_stable() -> None:
    """Are cell ids the grade ids, hashed past 64 characters, and bad ids refused?"""
    long_id = "case07-first-violation-no-penalty-legal_basis-widget-and-more-words"
    assert notebook.cell_id("PEN-001") == "PEN-001"
    shortened = notebook.cell_id(long_id)
    assert len(shortened) == 64 and shortened == notebook.cell_id(long_id)
    assert shortened != notebook.cell_id(long_id + "x")
    with pytest.raises(ValueError, match="ASCII"):
        notebook.markdown_cell(grade_id="题目一", source="x")


def test_notebook_is_byte_identical_and_nbgrader_valid(tmp_path: Path) -> None:
    """Do two builds write the same bytes, valid to nbformat 4.5 and nbgrader's validator?"""

    def build() -> nbformat.NotebookNode:
        return notebook.new_notebook(
            cells=[
                notebook.markdown_cell(grade_id="t-title", source="# 标题"),
                notebook.setup_cell(sheet="t", mode="exam"),
                notebook.widget_cell(item_id="T-1", method="truefalse"),
                notebook.test_cell(item_id="T-1", points=1, kind="truefalse", key="正确"),
                *notebook.manual_cells(item_id="T-2", prompt="题", points=3, rubric="要点"),
            ]
        )

    first = notebook.write_notebook(build(), tmp_path / "a.ipynb")
    second = notebook.write_notebook(build(), tmp_path / "b.ipynb")
    assert first.read_bytes() == second.read_bytes()
    nb = nbformat.read(first, as_version=4)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    MetadataValidator().validate_nb(nb)
    assert notebook.graded_ids(nb) == ["T-1", "T-2"]
    setup = nb.cells[1]
    assert setup.metadata["nbgrader"]["grade_id"] == notebook.SETUP_GRADE_ID
    assert setup.source.endswith('sheet = Sheet("t", mode="exam")')
    assert setup.metadata["jupyter"]["source_hidden"]
    with pytest.raises(ValueError, match="duplicate grade id"):
        notebook.new_notebook(cells=[nb.cells[0], nb.cells[0]])
    with pytest.raises(ValueError, match="mode"):
        notebook.setup_cell(sheet="t", mode="graded")


def test_custom_source_cells_carry_the_standard_metadata() -> None:
    """Do locked_code_cell and grade_cell build the widget and test cells' exact metadata?"""
    widget = notebook.widget_cell(item_id="S01", method="single")
    shown = notebook.locked_code_cell(grade_id="S01-widget", source='paper.show("S01")')
    assert shown.metadata == widget.metadata and shown.id == widget.id
    assert shown.source == 'paper.show("S01")'
    test = notebook.test_cell(item_id="S01", points=2, kind="single", key="B", note="解析：甲")
    call = notebook.score_call(item_id="S01", points=2, kind="single", key="B")
    graded = notebook.grade_cell(grade_id="S01", points=2, call=call, note="解析：甲")
    assert graded == test
    paper = notebook.grade_cell(grade_id="S01", points=2, call='paper.score("S01", kind="x")')
    assert paper.metadata == test.metadata
    assert paper.source.splitlines() == [
        notebook.TEST_HEADER,
        "### BEGIN HIDDEN TESTS",
        'paper.score("S01", kind="x")',
        "### END HIDDEN TESTS",
    ]
