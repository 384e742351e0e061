"""Compile law modules and case exercises into nbgrader source notebooks.

A module becomes a practice notebook (immediate feedback, nothing graded); a case becomes a
graded notebook: each structured part is a widget plus a hidden autograder test, the
reasoning a manually graded answer with its rubric in a mark scheme
(docs/notebook-contract.md). Output is deterministic: the same content compiles to the
same bytes. Both carry the study-time tracker cell after the setup cell (exams do not: an
exam is not study time). Option and checklist order is shuffled with the item id as seed, so a
trainer's habit of listing the right answers first does not show in the release.
"""

from __future__ import annotations

import html
import random
import re
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode

from fazhi import notebook
from fazhi.errors import InputError
from fazhi.kernel.answers import SUFFIX as ANSWERS_SUFFIX
from fazhi.kernel.scoring import CHOICE_LETTERS

from .case import CIRCUMSTANCES, PROCEDURES, Case, HandlingCase, ReviewCase
from .module import Module, Question, Section

Content = Module | Case
TYPE_NAMES = {"single": "单选题", "multiple": "多选题", "truefalse": "判断题", "fill": "填空题"}
SECTION_NUMBERS = "一二三四五六七八九十"
MINUTES_PER_HOUR = 45  # 1 学时 = 45 分钟

MODULE_HELP = (
    "> **操作说明**：打开本笔记本稍候几秒，每道自测题下方会自动出现作答按钮。"
    "点击作答即可看到对错、解析和法律依据（多选、填空题请点“核对答案”）。"
    "答案自动保存，关闭后再打开仍在。本模块为自学练习，不计分。"
)
CASE_HELP = (
    "> **操作说明**：打开本笔记本稍候几秒，各小题下方会自动出现作答按钮。"
    "用鼠标点选作答，答案自动保存；“处理理由”请直接在下方的文本框中书写。"
    "完成后保存笔记本，在“作业”（Assignments）页面点击“提交”。"
)
REVIEW_HELP = (
    "> **操作说明**：打开本笔记本稍候几秒，评查清单会自动出现。阅读案卷后，在评查清单中"
    "勾选**确实存在的问题**，答案自动保存。完成后保存笔记本，在“作业”（Assignments）页面点击"
    "“提交”。"
)


def _md_escape(text: str) -> str:
    """Keep blanks (``____``) literal in Markdown."""
    return re.sub(r"_{2,}", lambda m: "\\_" * len(m.group(0)), text)


def _points(value: float) -> str:
    return f"{value:g}"


def _shuffled(seed: str, count: int) -> list[int]:
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def _paragraphs(text: str) -> str:
    """Each non-empty line of authored text as its own Markdown paragraph."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _note(*parts: tuple[str, str]) -> str:
    """解析/依据 lines for a hidden test cell (seen by graders and in feedback only)."""
    return "\n".join(f"{label}：{text}" for label, text in parts if text)


# ---- law modules ---------------------------------------------------------------------------


def _question_cells(question: Question, number: int) -> list[NotebookNode]:
    kind = TYPE_NAMES[question.type]
    lines = [f"**自测 {number}**（{kind}）{_md_escape(question.stem)}"]
    if question.options:
        lines.append("")
        lines += [f"- {letter}．{_md_escape(text)}" for letter, text in question.options.items()]
    stem = notebook.markdown_cell(grade_id=f"{question.id}-stem", source="\n".join(lines))
    arguments: dict[str, Any] = {"options": question.options} if question.options else {}
    arguments.update(key=question.answer, explanation=question.explanation, basis=question.basis)
    widget = notebook.widget_cell(item_id=question.id, method=question.type, **arguments)
    return [stem, widget]


def _refuse_bank_blocks(module: Module) -> None:
    """Bank questions come from a workspace database: never compile a module without them."""
    if module.bank_blocks:
        raise InputError(
            module.path,
            f"模块“{module.id}”引用了题库中的题目（```bank 块），只能在工作区中编译：请用 "
            f"fazhi course build/release {module.id} -w 工作区",
            row=module.bank_blocks[0].line,
            column="bank",
        )


def module_notebook(module: Module) -> NotebookNode:
    """A practice notebook: teaching sections, each followed by its self-check questions.

    ``module`` must have its bank questions filled in (``practice.with_bank_questions``).
    """
    _refuse_bank_blocks(module)
    hours = module.minutes / MINUTES_PER_HOUR
    header = [
        f"# {module.title}",
        "",
        f"**法律依据**：{module.law}",
        "",
        f"**建议学习时长**：{module.minutes:g} 分钟（约 {hours:.1f} 学时）　"
        f"**知识点**：{'、'.join(module.topics)}　**自测题**：{len(module.questions)} 道",
        "",
        MODULE_HELP,
    ]
    cells = [
        notebook.markdown_cell(grade_id=f"{module.id}-title", source="\n".join(header)),
        notebook.setup_cell(sheet=module.id, mode="practice"),
        notebook.tracker_cell(activity=module.id),
    ]
    section = number = 0
    for block in module.blocks:
        if isinstance(block, Question):
            number += 1
            cells += _question_cells(block, number)
        elif isinstance(block, Section):
            section += 1
            grade_id = f"{module.id}-s{section:02d}"
            cells.append(notebook.markdown_cell(grade_id=grade_id, source=block.text))
    return notebook.new_notebook(cells=cells, title=module.title)


# ---- case handling -------------------------------------------------------------------------


def basis_options(case: HandlingCase) -> tuple[dict[str, str], str]:
    """The legal-basis options as shown (letters A.. after the seeded shuffle) and the key."""
    item_id = f"{case.id}-legal_basis"
    order = _shuffled(item_id, len(case.legal_basis.options))
    options = {CHOICE_LETTERS[i]: case.legal_basis.options[o] for i, o in enumerate(order)}
    key = "".join(CHOICE_LETTERS[i] for i, o in enumerate(order) if o in case.legal_basis.answer)
    return options, key


def _handling_parts(case: HandlingCase) -> list[NotebookNode]:
    cells: list[NotebookNode] = []
    number = 0

    def heading(title: str, points: float, extra: str = "") -> str:
        nonlocal number
        number += 1
        return f"## {SECTION_NUMBERS[number - 1]}、{title}（{_points(points)} 分{extra}）"

    part = case.procedure
    item = f"{case.id}-procedure"
    cells += [
        notebook.markdown_cell(
            grade_id=f"{item}-stem",
            source=heading("程序选择", part.points) + "\n\n本案应当适用哪种程序？",
        ),
        notebook.widget_cell(item_id=item, method="choice", labels=list(PROCEDURES)),
        notebook.test_cell(
            item_id=item,
            points=part.points,
            kind="exact",
            key=part.answer,
            note=_note(("解析", part.explanation), ("依据", part.basis)),
        ),
    ]
    basis = case.legal_basis
    item = f"{case.id}-legal_basis"
    options, key = basis_options(case)
    listing = "\n".join(f"- {letter}．{text}" for letter, text in options.items())
    cells += [
        notebook.markdown_cell(
            grade_id=f"{item}-stem",
            source=heading("法律依据", basis.points)
            + "\n\n请选出本案应当适用的**全部**条文（多选：全部选对得满分，少选得一半分，"
            + "选错不得分）：\n\n"
            + listing,
        ),
        notebook.widget_cell(item_id=item, method="multiple", options=options),
        notebook.test_cell(
            item_id=item,
            points=basis.points,
            kind="multiple",
            key=key,
            note=_note(("解析", basis.explanation), ("依据", basis.basis)),
        ),
    ]
    part = case.circumstance
    item = f"{case.id}-circumstance"
    cells += [
        notebook.markdown_cell(
            grade_id=f"{item}-stem",
            source=heading("情节认定", part.points)
            + "\n\n本案当事人的违法情节应当认定为："
            + "\n\n- 轻微不罚：违法行为轻微并及时改正，没有造成危害后果，不予处罚"
            + "\n- 首违不罚：初次违法且危害后果轻微并及时改正，可以不予处罚"
            + "\n- 从轻 / 一般 / 从重：按裁量基准的阶次给予处罚",
        ),
        notebook.widget_cell(item_id=item, method="choice", labels=list(CIRCUMSTANCES)),
        notebook.test_cell(
            item_id=item,
            points=part.points,
            kind="exact",
            key=part.answer,
            note=_note(("解析", part.explanation), ("依据", part.basis)),
        ),
    ]
    if case.fine is not None:
        fine = case.fine
        item = f"{case.id}-fine"
        cells += [
            notebook.markdown_cell(
                grade_id=f"{item}-stem",
                source=heading("罚款数额", fine.points)
                + "\n\n请按案情给出的规定和裁量基准，填写对当事人的罚款数额（元，只填数字）：",
            ),
            notebook.widget_cell(item_id=item, method="number", unit="元"),
            notebook.test_cell(
                item_id=item,
                points=fine.points,
                kind="range",
                low=fine.low,
                high=fine.high,
                note=_note(("解析", fine.explanation), ("依据", fine.basis)),
            ),
        ]
    written = case.reasoning
    prompt = heading("处理理由", written.points, "，人工评阅") + "\n\n" + written.prompt
    cells += notebook.manual_cells(
        item_id=f"{case.id}-reasoning",
        prompt=prompt,
        points=written.points,
        rubric="\n".join(
            f"- {line.strip()}" for line in written.rubric.splitlines() if line.strip()
        ),
        reference=_paragraphs(written.reference),
    )
    return cells


def _case_header(case: Case, help_text: str) -> NotebookNode:
    kind = "案卷评查" if isinstance(case, ReviewCase) else "案例练习"
    lines = [f"# {kind}：{case.title}", "", f"**满分**：{_points(case.points)} 分"]
    if case.basis_note:
        lines += ["", f"*{case.basis_note}*"]
    lines += ["", help_text]
    return notebook.markdown_cell(grade_id=f"{case.id}-title", source="\n".join(lines))


def _document_text(content: str) -> str:
    """A case-file document, line by line as in the file (quoted, line breaks kept)."""
    lines = []
    for line in content.strip().splitlines():
        text = html.escape(line.strip(), quote=False)
        text = re.sub(r"^([-+*#>]|\d+[.)])(\s)", r"\\\1\2", text)
        lines.append(f"> {text}<br>" if text else ">")
    return "\n".join(lines)


def review_checklist(case: ReviewCase) -> tuple[list[str], list[int]]:
    """The checklist statements as shown (after the seeded shuffle) and the defects' positions."""
    order = _shuffled(f"{case.id}-review", len(case.checklist))
    statements = [case.checklist[o].text for o in order]
    return statements, [i for i, o in enumerate(order) if case.checklist[o].defect]


def _review_parts(case: ReviewCase) -> list[NotebookNode]:
    cells = [
        notebook.markdown_cell(
            grade_id=f"{case.id}-doc{number:02d}",
            source=f"### 文书 {number}：{document.title}\n\n{_document_text(document.content)}",
        )
        for number, document in enumerate(case.documents, start=1)
    ]
    item = f"{case.id}-review"
    order = _shuffled(item, len(case.checklist))
    statements, key = review_checklist(case)
    listing = "\n".join(f"{n}. {text}" for n, text in enumerate(statements, start=1))
    notes = []
    for n, o in enumerate(order, start=1):
        entry = case.checklist[o]
        verdict = "问题" if entry.defect else "无误"
        basis = f"（依据：{entry.basis}）" if entry.basis else ""
        notes.append(f"第 {n} 项（{verdict}）：{entry.explanation}{basis}")
    cells += [
        notebook.markdown_cell(
            grade_id=f"{item}-stem",
            source=f"## 评查清单（{_points(case.points)} 分）\n\n"
            "请勾选案卷中**确实存在**的问题。得分 = 满分 ×（勾对的问题数 − 勾错的项数）÷ 问题总数，"
            "最低 0 分。\n\n" + listing,
        ),
        notebook.widget_cell(item_id=item, method="checklist", items=statements),
        notebook.test_cell(
            item_id=item, points=case.points, kind="review", key=key, note="\n".join(notes)
        ),
    ]
    return cells


def case_notebook(case: Case) -> NotebookNode:
    """A graded notebook: the facts (and case file), then one graded item per part."""
    help_text = REVIEW_HELP if isinstance(case, ReviewCase) else CASE_HELP
    facts_title = "评查说明" if isinstance(case, ReviewCase) else "案情"
    cells = [
        _case_header(case, help_text),
        notebook.setup_cell(sheet=case.id, mode="exam"),
        notebook.tracker_cell(activity=case.id),
        notebook.markdown_cell(
            grade_id=f"{case.id}-facts", source=f"## {facts_title}\n\n{case.facts.strip()}"
        ),
    ]
    if isinstance(case, ReviewCase):
        cells += _review_parts(case)
    else:
        cells += _handling_parts(case)
    return notebook.new_notebook(cells=cells, title=case.title)


def key_answers(case: Case) -> dict[str, Any]:
    """The answers that earn full marks on every automatically graded part of ``case``.

    Written beside a source notebook they let ``nbgrader validate`` pass, as nbgrader's
    own solutions do; never released.
    """
    if isinstance(case, ReviewCase):
        return {f"{case.id}-review": review_checklist(case)[1]}
    answers: dict[str, Any] = {
        f"{case.id}-procedure": case.procedure.answer,
        f"{case.id}-legal_basis": basis_options(case)[1],
        f"{case.id}-circumstance": case.circumstance.answer,
    }
    if case.fine is not None:
        answers[f"{case.id}-fine"] = case.fine.low
    return answers


# ---- writing -------------------------------------------------------------------------------


def content_notebook(content: Content) -> NotebookNode:
    return module_notebook(content) if isinstance(content, Module) else case_notebook(content)


def compile_content(content: Content, *, source_dir: Path) -> Path:
    """Write ``source/<id>/<id>.ipynb`` (the assignment is named by the content id).

    Answer sheets left in the assignment folder (a trainer ran the source notebook) are
    removed: nbgrader would release them to every officer.
    """
    folder = Path(source_dir) / content.id
    for stale in folder.glob(f"*{ANSWERS_SUFFIX}"):
        stale.unlink()
    return notebook.write_notebook(content_notebook(content), folder / f"{content.id}.ipynb")
