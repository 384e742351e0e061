"""Compile an exam into its nbgrader source folder: ``source/<exam>/<exam>.ipynb`` (+ paper.json).

``--all`` exams follow docs/notebook-contract.md exactly: per question a locked stem cell, a
widget cell and a hidden ``sheet.score`` test cell. Blueprint exams (per-officer papers) have
per *slot* a locked ``paper.show(slot)`` cell and a hidden ``paper.score(slot, ...)`` test
cell carrying the keys of the slot's whole section; ``paper.json`` carries the candidates'
stems and options only. Everything is deterministic, so two builds are byte-identical and
the release never depends on keys (docs/exams.md).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from nbformat.notebooknode import NotebookNode

from fazhi import notebook
from fazhi.kernel.paper import PAPER_FILE, TYPE_LABELS
from fazhi.kernel.scoring import CHOICE_LETTERS
from fazhi.models.bank import QuestionVersion
from fazhi.models.exam import Exam, ExamSection
from fazhi.paths import confined

LOCAL = ZoneInfo("Asia/Shanghai")
PAPER_GRADE_ID = "fazhi-paper"
COUNTDOWN_GRADE_ID = "exam-countdown"
SUMMARY_GRADE_ID = "exam-summary"
SECTION_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Slot:
    code: str  # grade id of the slot's test cell: 题号 (--all) or S01, S02, ...
    number: int  # 1-based position on the paper
    section: ExamSection


def slots_of(exam: Exam) -> list[Slot]:
    """The exam's slots in paper order (the same for every officer)."""
    slots = []
    for section in exam.sections:
        for _ in range(section.count):
            number = len(slots) + 1
            code = section.candidates[0].version.code if exam.mode == "all" else f"S{number:02d}"
            slots.append(Slot(code=code, number=number, section=section))
    return slots


def max_score(exam: Exam) -> float:
    return float(sum(s.count * s.points for s in exam.sections))


def _md(text: str) -> str:
    """Plain text safe inside Markdown (blanks ``____`` and markup characters stay literal)."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def _when(moment: Any) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def _header(exam: Exam) -> str:
    total = max_score(exam)
    lines = [f"# {_md(exam.title)}", ""]
    facts = [
        f"共 {sum(s.count for s in exam.sections)} 题，满分 {total:g} 分，"
        f"{exam.pass_mark * total:g} 分及格"
    ]
    if exam.minutes:
        facts.append(f"答题时限 {exam.minutes} 分钟（从第一次打开试卷开始计时，超时作答不计分）")
    if exam.closes is not None:
        facts.append(f"截止时间 {_when(exam.closes)}（截止后不能再获取或提交试卷）")
    lines += [f"- {fact}" for fact in facts]
    lines += [
        "",
        "> **操作说明**：打开试卷稍候几秒，每道题下方会自动出现作答按钮。"
        "用鼠标点选或输入答案，答案自动保存，关闭后再打开仍在。"
        "完成后保存笔记本，在“作业”（Assignments）页面点击“提交”。",
    ]
    if exam.mode == "blueprint":
        lines += ["", "> 每位考生的题目和选项顺序各不相同，请独立作答。"]
    else:
        lines += ["", "> 每位考生的选项顺序各不相同，请独立作答。"]
    return "\n".join(lines)


def _part_title(exam: Exam, index: int, kind: str) -> str:
    """``## 一、单选题（共 20 题，每题 1 分）`` for the part holding every question of ``kind``."""
    sections = [s for s in exam.sections if s.type == kind]
    count = sum(s.count for s in sections)
    points = {s.points for s in sections}
    each = f"，每题 {points.pop():g} 分" if len(points) == 1 else ""
    return f"## {SECTION_NUMBERS[index % 10]}、{TYPE_LABELS[kind]}（共 {count} 题{each}）"


def _note(version: QuestionVersion) -> str:
    return f"解析：{version.explanation}\n法律依据：{version.basis}"


def _key(version: QuestionVersion) -> str:
    return version.answer


def _fixed_item(exam: Exam, slot: Slot, version: QuestionVersion) -> list[NotebookNode]:
    """One question of an ``--all`` exam, exactly as the notebook contract lays it out."""
    head = f"**{slot.number}．**（{TYPE_LABELS[version.type]}，{slot.section.points:g} 分）"
    if version.type == "essay":
        return notebook.manual_cells(
            item_id=version.code,
            prompt=head + _md(version.stem),
            points=slot.section.points,
            rubric=_md(version.explanation) or "参照参考答案评分。",
            reference=_md(version.answer),
        )
    # Choice options are shown only by the widget, in each officer's own order (seeded).
    stem = notebook.markdown_cell(grade_id=f"{version.code}-stem", source=head + _md(version.stem))
    arguments: dict[str, Any] = {}
    if version.type in ("single", "multiple"):
        arguments["options"] = {CHOICE_LETTERS[i]: text for i, text in enumerate(version.options)}
        arguments["shuffle_seed"] = exam.seed
    cells = [stem, notebook.widget_cell(item_id=version.code, method=version.type, **arguments)]
    cells.append(
        notebook.test_cell(
            item_id=version.code,
            points=slot.section.points,
            kind=version.type,
            key=_key(version),
            limit_minutes=exam.minutes,
            note=_note(version),
        )
    )
    return cells


def _section_slots(exam: Exam) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for slot in slots_of(exam):
        grouped.setdefault(slot.section.id, []).append(slot.code)
    return grouped


def _drawn_item(exam: Exam, slot: Slot, section_slots: list[str]) -> list[NotebookNode]:
    """One slot of a per-officer paper: show the drawn question; score with the section's keys."""
    section = slot.section
    versions = [c.version for c in section.candidates]
    show = notebook.locked_code_cell(
        grade_id=f"{slot.code}-widget", source=f"paper.show({notebook.literal(slot.code)})"
    )
    if section.type == "essay":
        scheme = "\n\n".join(
            f"题号 {v.code}：{_md(v.stem)}\n\n参考答案：{_md(v.answer)}\n\n"
            f"解析：{_md(v.explanation)}"
            for v in versions
        )
        prompt, answer = notebook.manual_cells(
            item_id=slot.code,
            prompt=f"**{slot.number}．**（简答题，{section.points:g} 分）题目见下方。",
            points=section.points,
            rubric=scheme,
            text_box=False,  # paper.show shows the drawn question's text box
        )
        return [prompt, show, answer]
    arguments = {
        "exam": exam.name,
        "seed": exam.seed,
        "section": section_slots,
        "kind": section.type,
        "keys": {v.code: _key(v) for v in versions},
        "points": float(section.points),
        "limit_minutes": exam.minutes,
    }
    shown = ", ".join(f"{k}={notebook.literal(v)}" for k, v in arguments.items() if v is not None)
    call = f"paper.score({notebook.literal(slot.code)}, {shown})"
    return [show, notebook.grade_cell(grade_id=slot.code, points=section.points, call=call)]


def paper_spec(exam: Exam) -> dict[str, Any]:
    """What the released ``paper.json`` holds: slots, candidates, stems, options — no keys."""
    grouped = _section_slots(exam)
    sections, questions = [], {}
    for section in exam.sections:
        codes = [c.version.code for c in section.candidates]
        sections.append(
            {
                "type": section.type,
                "points": float(section.points),
                "slots": grouped[section.id],
                "candidates": codes,
            }
        )
        for candidate in section.candidates:
            version = candidate.version
            questions[version.code] = {"stem": version.stem, "options": list(version.options)}
    return {"exam": exam.name, "seed": exam.seed, "sections": sections, "questions": questions}


def exam_notebook(exam: Exam) -> NotebookNode:
    cells = [
        notebook.markdown_cell(grade_id="exam-header", source=_header(exam)),
        notebook.setup_cell(sheet=exam.name, mode="exam"),
    ]
    if exam.mode == "blueprint":
        cells.append(
            notebook.locked_code_cell(
                grade_id=PAPER_GRADE_ID,
                source="from fazhi.kernel.paper import Paper\npaper = Paper(sheet)",
            )
        )
    if exam.minutes:
        cells.append(
            notebook.locked_code_cell(
                grade_id=COUNTDOWN_GRADE_ID, source=f"sheet.countdown({exam.minutes})"
            )
        )
    grouped = _section_slots(exam)
    previous_type, heading = None, 0
    for slot in slots_of(exam):
        section = slot.section
        if exam.mode == "blueprint" and section.type != previous_type:
            title = _part_title(exam, heading, section.type)
            cells.append(notebook.markdown_cell(grade_id=f"part-{heading + 1}", source=title))
            previous_type, heading = section.type, heading + 1
        if exam.mode == "all":
            cells += _fixed_item(exam, slot, section.candidates[0].version)
        else:
            cells += _drawn_item(exam, slot, grouped[section.id])
    # essays have text boxes too, so 已答 n/N counts every question
    cells.append(notebook.locked_code_cell(grade_id=SUMMARY_GRADE_ID, source="sheet.summary()"))
    return notebook.new_notebook(cells=cells, title=exam.title)


def build_source(exam: Exam, *, source_dir: Path) -> Path:
    """Write the exam's source folder afresh (nothing stale, no stray answer sheets)."""
    folder = confined(source_dir, exam.name)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    notebook.write_notebook(exam_notebook(exam), folder / f"{exam.name}.ipynb")
    if exam.mode == "blueprint":
        text = json.dumps(paper_spec(exam), ensure_ascii=False, indent=1, sort_keys=True)
        (folder / PAPER_FILE).write_text(text + "\n", encoding="utf-8")
    return folder
