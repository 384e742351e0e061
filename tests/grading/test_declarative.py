"""Kernel-free scoring of contract notebooks: what is recognised and what the kernel would show."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbconvert.exporters.exporter import ResourcesDict

from fazhi import notebook
from fazhi.grading.declarative import (
    DeclarativeExecute,
    Derived,
    MethodCall,
    NeedsKernel,
    Setup,
    classify,
    plan,
)
from fazhi.kernel.answers import save_sheet, sheet_path

STARTED = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
LANGUAGE = {"name": "python", "version": "3.11"}


def _at(minutes: float) -> str:
    return (STARTED + dt.timedelta(minutes=minutes)).isoformat()


def _paper(*extra: Any) -> nbformat.NotebookNode:
    cells = [
        notebook.markdown_cell(grade_id="t-title", source="# 测试"),
        notebook.setup_cell(sheet="t1", mode="exam"),
        notebook.widget_cell(item_id="A-1", method="multiple", options="ABCD"),
        notebook.test_cell(item_id="A-1", points=2, kind="multiple", key="ACD"),
        notebook.widget_cell(item_id="A-2", method="single", options={"B": "乙", "A": "甲"}),
        notebook.test_cell(item_id="A-2", points=1, kind="single", key="B", limit_minutes=30),
        *extra,
    ]
    return notebook.new_notebook(cells=cells)


def _run(tmp_path: Path, nb: nbformat.NotebookNode, sheet: dict[str, Any] | None) -> Any:
    if sheet is not None:
        save_sheet(sheet_path("t1", tmp_path), sheet)
    execute = DeclarativeExecute()
    execute.language_info = LANGUAGE
    resources = ResourcesDict(metadata=ResourcesDict(path=str(tmp_path)))
    return execute.preprocess(nb, resources)[0]


def _sheet(**answers: tuple[Any, float]) -> dict[str, Any]:
    return {
        "started_at": STARTED.isoformat(),
        "answers": {item: {"value": v, "at": _at(m)} for item, (v, m) in answers.items()},
    }


def test_contract_cells_are_recognised() -> None:
    """Are the factories' setup, widget and test cells read back with their literal arguments?"""
    nb = _paper()
    assert classify(nb.cells[1].source) == Setup(variable="sheet", sheet="t1")
    widget = classify(nb.cells[4].source)
    assert isinstance(widget, MethodCall) and (widget.variable, widget.method) == (
        "sheet",
        "single",
    )
    score = classify(nb.cells[5].source)
    assert isinstance(score, MethodCall) and score.args == ("A-2",)
    assert dict(score.kwargs) == {"kind": "single", "key": "B", "points": 1.0, "limit_minutes": 30}
    calls = plan(nb, "skip-execution").cells
    assert [c.item_id if c else None for c in calls] == [None, None, "A-1", None, "A-2"]
    assert calls[2] is not None and calls[2].kwargs["key"] == "ACD"


def test_per_officer_papers_are_recognised() -> None:
    """Is ``paper = Paper(sheet)`` (docs/exams.md) read as an object built on the sheet?"""
    source = "from fazhi.kernel.paper import Paper\npaper = Paper(sheet)"
    assert classify(source) == Derived("paper", "fazhi.kernel.paper", "Paper", "sheet")
    assert classify("from fazhi.kernel.paper import Other\npaper = Other(sheet)") is None


@pytest.mark.parametrize(
    "source",
    [
        'sheet.score("A-1", kind="single", key="B", points=1.0);',  # IPython shows nothing
        'sheet.score("A-1", kind="single", key=KEY, points=1.0)',  # not a literal
        'sheet.score("A-1", **{"kind": "single", "points": 1.0})',
        'x = 1\nsheet.score("A-1", kind="single", key="B", points=1.0)',
        '%time sheet.score("A-1", kind="single", key="B", points=1.0)',
        'from fazhi.kernel.sheet import Sheet as S\nsheet = S("t1")',
    ],
)
def test_other_code_is_not_recognised(source: str) -> None:
    """Is any cell outside the contract's shapes left to a kernel?"""
    assert classify(source) is None


@pytest.mark.parametrize(
    "source",
    [
        'sheet.score("A-1", kind="single", key="B", points=1.0, bonus=1)',  # not score_answer's
        'sheet.reset("A-1")',  # not a widget method
        'paper.show("S01")',  # no paper on this sheet
        'other.score("A-1", kind="single", key="B", points=1.0)',
    ],
)
def test_calls_outside_the_contract_need_a_kernel(tmp_path: Path, source: str) -> None:
    """Is a method call the contract does not define sent to a kernel?"""
    with pytest.raises(NeedsKernel):
        _run(tmp_path, _paper(nbformat.v4.new_code_cell(source)), _sheet())


def test_outputs_are_what_the_kernel_records(tmp_path: Path) -> None:
    """Does each test cell get an execute_result with the float's repr and the kernel's count?"""
    nb = _run(tmp_path, _paper(), _sheet(**{"A-1": ("CA", 5), "A-2": ("B", 10)}))
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == [1, 2, 3, 4, 5]
    results = [c.outputs for c in nb.cells if c.cell_type == "code"]
    assert results[0] == results[1] == results[3] == []
    assert results[2][0]["output_type"] == "execute_result"
    assert results[2][0]["data"] == {"text/plain": "1.0"}  # half of 2 points
    assert results[4][0]["data"] == {"text/plain": "1.0"}
    assert nb.metadata.language_info == LANGUAGE


def test_answers_after_the_time_limit_score_zero(tmp_path: Path) -> None:
    """Is an answer given after the limit (from the sheet's start) scored 0, as in the kernel?"""
    nb = _run(tmp_path, _paper(), _sheet(**{"A-1": ("ACD", 5), "A-2": ("B", 31)}))
    assert nb.cells[3].outputs[0]["data"]["text/plain"] == "2.0"
    assert nb.cells[5].outputs[0]["data"]["text/plain"] == "0.0"


def test_skip_tagged_cells_are_not_executed(tmp_path: Path) -> None:
    """Does a cell tagged skip-execution stay unexecuted (no output, no count), as in nbclient?"""
    nb = _paper()
    nb.cells[3].metadata["tags"] = ["skip-execution"]
    nb = _run(tmp_path, nb, _sheet(**{"A-1": ("ACD", 5)}))
    assert nb.cells[3].outputs == [] and nb.cells[3].execution_count is None
    assert nb.cells[5].execution_count == 4


@pytest.mark.parametrize(
    ("extra", "sheet", "reason"),
    [
        ([nbformat.v4.new_code_cell("print(1)")], _sheet(), "非声明式"),
        ([], None, "没有答题文件"),
        ([], {"answers": {}}, "没有开始时间"),  # A-2 has a time limit
    ],
)
def test_unusual_notebooks_need_a_kernel(
    tmp_path: Path, extra: list[Any], sheet: dict[str, Any] | None, reason: str
) -> None:
    """Does anything the fast path cannot vouch for go to a kernel instead?"""
    with pytest.raises(NeedsKernel, match=reason):
        _run(tmp_path, _paper(*extra), sheet)
