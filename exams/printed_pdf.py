"""Printed exam papers as PDF (A4), drawn with fpdf2 and the bundled Noto Sans CJK font.

Pure Python, no browser or system library: the same content and order as the HTML papers
(``exams.printed``), one page run per officer, a question never split across pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf.enums import WrapMode, XPos, YPos

from fazhi.kernel.paper import TYPE_LABELS
from fazhi.models.exam import Exam
from fazhi.reporting.pdf import FONT, ChinesePdf

from .compile import SECTION_NUMBERS
from .printed import PrintedItem, PrintedPaper, exam_facts, kind_runs

MARGIN = 15.0  # mm
LINE = 6.2  # mm per line of body text
INDENT = 7.0  # options, mm


class _PaperPdf(ChinesePdf):
    """A4 pages whose footer names the exam and the officer the pages belong to."""

    def __init__(self, title: str) -> None:
        super().__init__(left=MARGIN, top=16)
        self.title_text = title

    def footer_text(self) -> str:
        return f"{self.title_text}　工号 {self.officer}"

    def text_block(self, text: str, *, size: float = 10.5, indent: float = 0.0) -> None:
        self.set_font(FONT, size=size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            self.epw - indent,
            LINE * size / 10.5,
            text,
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )


def _answer_hint(item: PrintedItem) -> str:
    if item.kind in ("single", "multiple"):
        return "（　　　）"
    if item.kind == "truefalse":
        return "（正确 / 错误）"
    return ""


def _item(pdf: _PaperPdf, item: PrintedItem) -> None:
    with pdf.unbreakable() as doc:  # a question and its options stay on one page
        doc.text_block(f"{item.number}．{item.stem}{_answer_hint(item)}")
        for letter, text in item.options:
            doc.text_block(f"{letter}．{text}", indent=INDENT)
        if item.kind == "essay":
            for _ in range(6):  # ruled lines to write the answer on
                doc.cell(doc.epw, LINE + 2, "", border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.ln(1.5)


def _grid(pdf: _PaperPdf, items: Sequence[PrintedItem]) -> None:
    """答题栏: numbered boxes for the choice and true/false answers."""
    choices = [item for item in items if item.kind in ("single", "multiple", "truefalse")]
    if not choices:
        return
    width, height = 12.0, 8.0
    with pdf.unbreakable() as doc:
        doc.ln(2)
        doc.text_block("答题栏（选择题、判断题）", size=12)
        for start in range(0, len(choices), 10):
            chunk = choices[start : start + 10]
            doc.set_font(FONT, size=9)
            for item in chunk:
                doc.cell(width, height / 1.6, str(item.number), border=1, align="C")
            doc.ln(height / 1.6)
            for _ in chunk:
                doc.cell(width, height, "", border=1)
            doc.ln(height + 1)


def _paper(pdf: _PaperPdf, exam: Exam, paper: PrintedPaper) -> None:
    pdf.add_page()
    pdf.officer = paper.officer_id  # after add_page: the previous page's footer is drawn there
    pdf.set_font(FONT, size=16)
    pdf.cell(0, 9, exam.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.text_block(f"工号：{paper.officer_id}　　姓名：{paper.name}　　单位：{paper.unit}")
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + pdf.epw, pdf.get_y() + 1)
    pdf.ln(3)
    pdf.text_block(exam_facts(exam), size=9.5)
    parts = kind_runs(paper)
    for index, part in enumerate(parts):
        points = {item.points for item in part}
        each = f"，每题 {points.pop():g} 分" if len(points) == 1 else ""
        pdf.ln(2)
        heading = f"{SECTION_NUMBERS[index % 10]}、{TYPE_LABELS[part[0].kind]}"
        pdf.text_block(f"{heading}（共 {len(part)} 题{each}）", size=12)
        for item in part:
            _item(pdf, item)
    _grid(pdf, paper.items)


def write_papers_pdf(exam: Exam, papers: Sequence[PrintedPaper], out: Path) -> None:
    pdf = _PaperPdf(exam.title)
    pdf.set_title(f"{exam.title} 试卷")
    for paper in papers:
        _paper(pdf, exam, paper)
    pdf.output(str(out))
