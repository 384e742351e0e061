"""Essays typed in the text box reach the manually graded answer cell, as plain text.

Officers write essays in ``sheet.essay``'s text box (saved to the answer sheet); grading
copies them into the markdown answer cell formgrader shows and feedback reads
(``fazhi.grading.essay_text``), under ``fazhi grade`` and under stock ``nbgrader autograde``
with the workspace's generated nbgrader_config.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import gradekit as gk
import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert.exporters.exporter import ResourcesDict
from nbconvert.filters.markdown import markdown2html

from fazhi import notebook
from fazhi.grading.essay_text import CopyEssayText, fill_answer_cells
from fazhi.grading.grade import grade
from fazhi.kernel.answers import load_sheet, save_sheet, sheet_path
from fazhi.kernel.paper import draw_paper
from fazhi.kernel.sheet import Sheet
from fazhi.settings import Settings

EXAM = "essay1"
TEXT = "1. 第一点\n# 标题\n- 列表？<b>不加粗</b> *也不斜体*\n\n第二段 ``` 反引号"
ITEMS = gk.exam_items(2)


def _exam_notebook(name: str = EXAM) -> nbformat.NotebookNode:
    return gk.exam_notebook(name, ITEMS)


def _answer_cell(nb: nbformat.NotebookNode, grade_id: str = "ESSAY") -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.parametrize(
    "text", [TEXT, "```\n````\n结尾换行\n", "  缩进四格    的代码？\n\n\n", "# 只有标题"]
)
def test_essay_markdown_reads_back_exactly(text: str) -> None:
    """Does an essay written into its answer cell read back exactly, and render as plain text
    (no heading, list, bold or HTML) where nbconvert renders it (formgrader, feedback)?"""
    source = notebook.essay_markdown(text)
    assert notebook.essay_answer(source) == text
    shown = markdown2html(source)
    body = shown.split("</p>", 1)[1]  # after the heading line
    assert "<pre>" in body and "<h1" not in body and "<li>" not in body and "<b>" not in body
    assert notebook.essay_answer(notebook.ESSAY_STUB) == ""
    assert notebook.essay_answer("请在此作答") == ""  # workspaces made before the text box
    assert notebook.essay_answer("手写在单元格里") == "手写在单元格里"


def test_answer_cell_is_locked_and_follows_its_text_box() -> None:
    """Is a written part a prompt, a text box and an answer cell officers cannot edit, still
    an nbgrader manual-grade (solution + grade) cell?"""
    prompt, box, answer = notebook.manual_cells(
        item_id="E-1", prompt="请简述理由。", points=4, rubric="要点"
    )
    assert prompt.metadata["nbgrader"]["task"]
    assert box.source == 'sheet.essay("E-1")' and box.metadata["nbgrader"]["locked"]
    meta = answer.metadata["nbgrader"]
    assert meta["solution"] and meta["grade"] and not meta["locked"]
    assert answer.metadata["editable"] is False and answer.source == notebook.ESSAY_STUB


def test_saved_essays_fill_their_cells_and_nothing_else(tmp_path: Path) -> None:
    """Does the preprocessor fill the answer cell from the sheet, and leave the stub when the
    essay is blank or there is no sheet (nbgrader then scores 0 without a grader)?"""
    nb = _exam_notebook()
    step = CopyEssayText()
    resources = ResourcesDict(metadata=ResourcesDict(path=str(tmp_path)))
    step.preprocess(nb, resources)
    assert _answer_cell(nb).source == notebook.ESSAY_STUB  # no sheet yet
    path = sheet_path(EXAM, tmp_path)
    save_sheet(path, {"answers": {"ESSAY": {"value": "  \n"}, "Q001": {"value": "B"}}})
    step.preprocess(nb, resources)
    assert _answer_cell(nb).source == notebook.ESSAY_STUB  # blank essay
    save_sheet(path, {"answers": {"ESSAY": {"value": TEXT}}})
    step.preprocess(nb, resources)
    assert notebook.essay_answer(_answer_cell(nb).source) == TEXT
    assert _answer_cell(nb, "Q001-stem").source == "**Q001** 题干"


def test_per_officer_paper_essay_goes_to_its_slot(tmp_path: Path) -> None:
    """On a per-officer paper, is the essay saved under the drawn 题号 written into the slot's
    answer cell, for the submitting officer's draw?"""
    slots = ["S01", "S02"]
    spec = {
        "exam": "bp",
        "seed": 3,
        "sections": [{"type": "essay", "points": 5.0, "slots": slots, "candidates": ["E1", "E2"]}],
        "questions": {"E1": {"stem": "甲", "options": []}, "E2": {"stem": "乙", "options": []}},
    }
    (tmp_path / "paper.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    cells = [notebook.setup_cell(sheet="bp", mode="exam")]
    for slot in slots:
        cells += notebook.manual_cells(
            item_id=slot, prompt="题目见下方。", points=5, rubric="要点", text_box=False
        )
    nb = notebook.new_notebook(cells=cells)
    drawn = draw_paper(spec, "CG0001")
    answers = {drawn["S01"]: {"value": "第一题的作答"}, drawn["S02"]: {"value": "第二题的作答"}}
    save_sheet(sheet_path("bp", tmp_path), {"officer": "CG0009", "answers": answers})
    assert fill_answer_cells(nb, tmp_path, "CG0001") == ["S01", "S02"]
    assert notebook.essay_answer(_answer_cell(nb, "S01").source) == "第一题的作答"
    assert notebook.essay_answer(_answer_cell(nb, "S02").source) == "第二题的作答"


def _type_in_kernel(folder: Path) -> str:
    """Open the released notebook in a real kernel and type into the text box, as an officer."""
    path = folder / f"{EXAM}.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(folder)}}
    )
    typing = (
        'view = sheet.items["ESSAY"]\n'
        f"view.control.value = {TEXT!r}\n"
        'sheet.items["Q001"].control.value = "B"\n'
        "print(view.status.value)\n"
        "print(view.control.placeholder)\n"
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        extra = nbformat.v4.new_code_cell(typing)
        nb.cells.append(extra)
        client.execute_cell(extra, len(nb.cells) - 1)
        nb.cells.pop()
    errors = [
        o
        for c in [*nb.cells, extra]
        for o in c.get("outputs", [])
        if o.output_type == "error" or o.get("name") == "stderr"
    ]
    assert errors == []
    nbformat.write(nb, path)  # the officer saves the notebook before submitting
    return "".join(o.get("text", "") for o in extra.outputs)


@pytest.mark.slow
def test_typed_essay_reaches_formgrader_under_both_graders(workspace: Settings) -> None:
    """Does an essay typed in the text box in a real kernel end up, exactly, in the manual-grade
    cell after ``fazhi grade`` and after stock ``nbgrader autograde`` (awaiting a grader), and
    show as plain text in nbgrader's feedback?"""
    root = workspace.workspace
    gk.declarative_course(root, EXAM, ITEMS)
    gk.set_duedate(f"sqlite:///{root / 'gradebook.db'}", EXAM, "fazhi", "2026-03-02 11:00:00 UTC")
    officer = root.parent / "officer" / EXAM
    shutil.copytree(root / "release" / EXAM, officer)
    saved = _type_in_kernel(officer)
    assert "已自动保存" in saved
    released = nbformat.read(officer / f"{EXAM}.ipynb", as_version=4)
    assert _answer_cell(released).source == notebook.ESSAY_STUB  # officers never edit the cell
    assert load_sheet(sheet_path(EXAM, officer))["answers"]["ESSAY"]["value"] == TEXT
    submitted = root / "submitted" / "CG0001" / EXAM
    shutil.copytree(officer, submitted)
    gk.write_timestamp(submitted)

    stock = gk.twin(root, "stock")
    nbgrader = gk.nbgrader_started(stock, "autograde", EXAM)
    report = grade(workspace=root, assignment=EXAM, progress=False)
    assert nbgrader.wait(timeout=600) == 0
    assert {o.mode for o in report.outcomes} == {"declarative"}  # the text box needs no kernel

    for course in (root, stock):
        graded = course / "autograded" / "CG0001" / EXAM / f"{EXAM}.ipynb"
        cell = _answer_cell(nbformat.read(graded, as_version=4))
        assert TEXT in cell.source and notebook.essay_answer(cell.source) == TEXT, course
    ours = gk.gradebook_state(f"sqlite:///{root / 'gradebook.db'}", EXAM, "fazhi")
    theirs = gk.gradebook_state(f"sqlite:///{stock / 'gradebook.db'}", EXAM, "fazhi")
    assert ours == theirs, "\n".join(gk.differences(theirs, ours))
    assert ours["CG0001"]["notebooks"][EXAM]["grades"]["ESSAY"][2] is True  # awaits a grader

    gk.nbgrader(stock, "generate_feedback", EXAM)
    page = (stock / "feedback" / "CG0001" / EXAM / f"{EXAM}.html").read_text(encoding="utf-8")
    shown = page.split("考生作答", 1)[1]
    assert "1. 第一点\n# 标题" in shown and "&lt;b&gt;不加粗&lt;/b&gt;" in shown
    assert "<h1" not in shown.split("</pre>", 1)[0]


def test_text_box_saves_counts_and_restores(tmp_path: Path) -> None:
    """Does the text box save each change to the answer sheet as typed, count the characters,
    and show the saved essay again after a restart?"""
    first = Sheet(EXAM, mode="exam", directory=tmp_path)
    first.essay("ESSAY", max_chars=30)
    view = first.items["ESSAY"]
    view.control.set_state({"value": TEXT})
    stored = load_sheet(sheet_path(EXAM, tmp_path))["answers"]["ESSAY"]["value"]
    assert stored == TEXT[:30] and "已自动保存" in view.status.value
    assert view.counter is not None and view.control.placeholder.startswith("请在此输入")
    assert f"已输入 {len(TEXT)} 字" in view.counter.value and "不会保存" in view.counter.value

    second = Sheet(EXAM, mode="exam", directory=tmp_path)
    second.essay("ESSAY", max_chars=30)
    assert second.items["ESSAY"].control.value == TEXT[:30]
    assert "已恢复" in second.items["ESSAY"].status.value
    assert second.items["ESSAY"].counter.value.endswith("已输入 30 字</span>")
    second.items["ESSAY"].control.set_state({"value": "  \n"})
    assert load_sheet(sheet_path(EXAM, tmp_path))["answers"]["ESSAY"]["value"] == ""
