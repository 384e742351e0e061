"""``fazhi exam papers``: printable per-officer papers and pre-filled answer sheets.

For paper sittings: each officer's paper shows the questions in that officer's order with the
option letters as that officer sees them on screen (``exams.draws.officer_paper``, the same
draw as the kernel), so a paper and an online sitting of the same officer are the same paper.
The answer sheet (CSV/XLSX) lists, per officer, every question of their paper in order with
an empty 作答 column; it is the file ``fazhi exam import-answers`` reads. 作答 is entered in
the bank's letters (as the importer expects); the 选项对照 column maps the letters printed on
that officer's paper to the bank's.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fazhi.errors import UserError
from fazhi.kernel.paper import TYPE_LABELS
from fazhi.kernel.scoring import CHOICE_LETTERS
from fazhi.models import Officer
from fazhi.models.exam import Exam
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ

from .compile import SECTION_NUMBERS, max_score
from .draws import officer_paper
from .exam import aware, get_exam
from .results import makeup_eligible, required_officers

FORMATS = ("pdf", "html", "csv", "xlsx")
SHEET_LABELS = ["工号", "姓名", "序号", "题号", "题型", "选项对照（试卷字母=题库字母）", "作答"]

STYLE = """
@page { size: A4; margin: 16mm 15mm; }
body { font-family: 'Noto Sans CJK SC', 'Microsoft YaHei', 'SimSun', sans-serif;
       font-size: 11pt; line-height: 1.6; color: #000; margin: 0 auto; max-width: 180mm; }
.paper { page-break-after: always; break-after: page; padding-top: 4mm; }
.paper:last-child { page-break-after: auto; break-after: auto; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 2mm; }
.who { display: flex; justify-content: space-between; border-bottom: 1.5px solid #000;
       padding-bottom: 2mm; margin-bottom: 3mm; }
.facts { font-size: 10pt; margin: 0 0 3mm; }
h2 { font-size: 12pt; margin: 5mm 0 1mm; }
.q { margin: 2mm 0; page-break-inside: avoid; break-inside: avoid; }
.opt { margin-left: 2em; }
.blank { border-bottom: 1px solid #888; height: 8mm; }
table.grid { border-collapse: collapse; margin-top: 4mm; page-break-inside: avoid; }
table.grid td, table.grid th { border: 1px solid #000; width: 11mm; height: 8mm;
       text-align: center; font-size: 9pt; padding: 0; }
@media screen { .paper { border-bottom: 2px dashed #999; margin-bottom: 10mm; } }
"""


@dataclass(frozen=True)
class PrintedItem:
    number: int  # 1-based position on the paper
    kind: str
    points: float
    code: str  # the question's 题号 (what import-answers expects)
    stem: str
    options: list[tuple[str, str]]  # (letter printed on this paper, option text)
    mapping: str  # "A=C B=A ..." printed letter = bank letter ("" for non-choice)


@dataclass(frozen=True)
class PrintedPaper:
    officer_id: str
    name: str
    unit: str
    items: list[PrintedItem]


def _officers_of(
    session: Session, settings: Settings, exam: Exam, wanted: Sequence[str]
) -> list[Officer]:
    everyone = {
        o.officer_id: o
        for o in session.scalars(select(Officer).options(selectinload(Officer.unit)))
    }
    if wanted:
        unknown = [w for w in wanted if w not in everyone]
        if unknown:
            raise UserError(f"名册中没有工号：{'、'.join(unknown)}")
        chosen = list(dict.fromkeys(wanted))
    else:
        expected = (
            makeup_eligible(session, settings, exam)
            if exam.makeup_of
            else required_officers(session, exam)
        )
        chosen = sorted(expected)
    if not chosen:
        raise UserError(f"考试“{exam.name}”没有应考人员（名册为空，或补考无人需要参加）")
    return [everyone[officer_id] for officer_id in chosen]


def printed_papers(
    session: Session, settings: Settings, exam: Exam, officers: Sequence[str] = ()
) -> list[PrintedPaper]:
    """Each officer's paper as printed; default: everyone who must sit ``exam``."""
    papers = []
    for officer in _officers_of(session, settings, exam, officers):
        items = []
        for entry in officer_paper(exam, officer.officer_id):
            version = entry.version
            shown = [
                (CHOICE_LETTERS[i], version.options[CHOICE_LETTERS.index(c)])
                for i, c in enumerate(entry.options)
            ]
            mapping = " ".join(f"{CHOICE_LETTERS[i]}={c}" for i, c in enumerate(entry.options))
            items.append(
                PrintedItem(
                    number=entry.slot.number,
                    kind=version.type,
                    points=float(entry.slot.section.points),
                    code=version.code,
                    stem=version.stem,
                    options=shown,
                    mapping=mapping,
                )
            )
        papers.append(
            PrintedPaper(
                officer_id=officer.officer_id,
                name=officer.name,
                unit=officer.unit.path if officer.unit else "",
                items=items,
            )
        )
    return papers


# ---- HTML (print it from a browser) ------------------------------------------------------


def _when(moment: dt.datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"


def exam_facts(exam: Exam) -> str:
    """The line under the officer's name: questions, marks, time limit, how to answer."""
    total = max_score(exam)
    count = sum(section.count for section in exam.sections)
    facts = [f"共 {count} 题，满分 {total:g} 分，{exam.pass_mark * total:g} 分及格"]
    if exam.minutes:
        facts.append(f"答题时限 {exam.minutes} 分钟")
    closes = aware(exam.closes)
    if closes is not None:
        facts.append(f"截止时间 {_when(closes)}")
    facts.append("选择题请在题后括号内填写本试卷上的选项字母")
    return "；".join(facts) + "。"


def _part_heading(index: int, kind: str, items: Sequence[PrintedItem]) -> str:
    points = {item.points for item in items}
    each = f"，每题 {points.pop():g} 分" if len(points) == 1 else ""
    label = f"{SECTION_NUMBERS[index % 10]}、{TYPE_LABELS[kind]}（共 {len(items)} 题{each}）"
    return f"<h2>{html.escape(label)}</h2>"


def _item_html(item: PrintedItem) -> str:
    answer = ""
    if item.kind in ("single", "multiple"):
        answer = "（　　　）"
    elif item.kind == "truefalse":
        answer = "（正确 / 错误）"
    parts = [f"<div class='q'><b>{item.number}．</b>{html.escape(item.stem)}{answer}"]
    parts += [
        f"<div class='opt'>{letter}．{html.escape(text)}</div>" for letter, text in item.options
    ]
    if item.kind == "essay":
        parts += ["<div class='blank'></div>"] * 6
    parts.append("</div>")
    return "".join(parts)


def _grid_html(items: Sequence[PrintedItem]) -> str:
    """A small answer grid (序号 / 作答) to copy the choice answers onto."""
    choices = [item for item in items if item.kind in ("single", "multiple", "truefalse")]
    if not choices:
        return ""
    rows = []
    for start in range(0, len(choices), 10):
        chunk = choices[start : start + 10]
        rows.append("<tr>" + "".join(f"<th>{item.number}</th>" for item in chunk) + "</tr>")
        rows.append("<tr>" + "<td></td>" * len(chunk) + "</tr>")
    return "<h2>答题栏（选择题、判断题）</h2><table class='grid'>" + "".join(rows) + "</table>"


def paper_html(exam: Exam, paper: PrintedPaper) -> str:
    who = (
        f"<div class='who'><span>工号：<b>{html.escape(paper.officer_id)}</b></span>"
        f"<span>姓名：<b>{html.escape(paper.name)}</b></span>"
        f"<span>单位：{html.escape(paper.unit)}</span></div>"
    )
    body = [
        f"<h1>{html.escape(exam.title)}</h1>",
        who,
        f"<p class='facts'>{html.escape(exam_facts(exam))}</p>",
    ]
    parts = kind_runs(paper)
    for index, part in enumerate(parts):
        body.append(_part_heading(index, part[0].kind, part))
        body += [_item_html(item) for item in part]
    body.append(_grid_html(paper.items))
    return f"<section class='paper'>{''.join(body)}</section>"


def papers_html(exam: Exam, papers: Sequence[PrintedPaper]) -> str:
    """One HTML document, one printed page run per officer (A4, page break between)."""
    sections = "".join(paper_html(exam, paper) for paper in papers)
    return (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{html.escape(exam.title)} 试卷</title><style>{STYLE}</style></head>"
        f"<body>{sections}</body></html>\n"
    )


# ---- answer sheets ------------------------------------------------------------------------


def answer_sheet_rows(papers: Sequence[PrintedPaper]) -> list[list[str]]:
    """SHEET_LABELS rows: every officer's questions in paper order, 作答 left empty."""
    return [
        [
            paper.officer_id,
            paper.name,
            str(item.number),
            item.code,
            TYPE_LABELS[item.kind],
            item.mapping,
            "",
        ]
        for paper in papers
        for item in paper.items
    ]


def _write_csv(out: Path, rows: Sequence[Sequence[str]]) -> None:
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SHEET_LABELS)
        writer.writerows(rows)


def _write_xlsx(out: Path, rows: Sequence[Sequence[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "答题卡"
    sheet.append(SHEET_LABELS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for cell in sheet["A"][1:] + sheet["D"][1:] + sheet["G"][1:]:
        cell.number_format = "@"  # 工号, 题号, 作答 stay text (Excel keeps 001 and AB as typed)
    for column, width in zip("ABCDEFG", (10, 10, 6, 12, 8, 30, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    book.save(out)


def write_papers(
    session: Session,
    settings: Settings,
    *,
    exam: str,
    fmt: str,
    out: Path,
    officers: Sequence[str] = (),
) -> int:
    """Write the printable papers (pdf, html) or the pre-filled answer sheet (csv, xlsx).

    Returns the number of officers.
    """
    if fmt not in FORMATS:
        raise UserError(f"不支持的格式“{fmt}”：应为 {'、'.join(FORMATS)}")
    record = get_exam(session, exam)
    papers = printed_papers(session, settings, record, officers)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        from .printed_pdf import write_papers_pdf  # fpdf2 loads only for PDF

        write_papers_pdf(record, papers, out)
    elif fmt == "html":
        out.write_text(papers_html(record, papers), encoding="utf-8")
    elif fmt == "csv":
        _write_csv(out, answer_sheet_rows(papers))
    else:
        _write_xlsx(out, answer_sheet_rows(papers))
    return len(papers)


def kind_runs(paper: PrintedPaper) -> list[list[PrintedItem]]:
    """The paper's items in runs of one kind (单选题, 多选题 …): its numbered parts."""
    parts: list[list[PrintedItem]] = []
    for item in paper.items:
        if not parts or parts[-1][0].kind != item.kind:
            parts.append([])
        parts[-1].append(item)
    return parts
