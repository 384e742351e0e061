"""Per-officer papers: the draw, the option order and slot scoring (see docs/exams.md).

A blueprint exam has fixed *slots* (S01, S02, ...) grouped in sections; each section lists
its candidate questions. Which candidates an officer gets, and in which option order, is a
pure function of (exam, seed, officer) — a SHA-256 ranking, stable across Python versions
and machines — so the paper can be rebuilt anywhere: in the officer's kernel, under
``nbgrader autograde``, in fazhi's fast grader and in reports.

The released ``paper.json`` (see ``exams.compile``) holds the stems and options of the
candidates, never keys or 解析. Answers are stored under the question's 题号 in the bank's
canonical letters, so grading never depends on the order an officer saw.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fazhi.kernel.answers import load_sheet, save_sheet
from fazhi.kernel.scoring import CHOICE_LETTERS, score_answer

PAPER_FILE = "paper.json"
OFFICER_KEY = "officer"  # the sheet records who opened the paper (nbgrader's student id)
TYPE_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "truefalse": "判断题",
    "fill": "填空题",
    "essay": "简答题",
}


def _rank(exam: str, seed: int, officer: str, purpose: str, item: str) -> bytes:
    text = "\x1f".join([exam, str(seed), officer, purpose, item])
    return hashlib.sha256(text.encode("utf-8")).digest()


def draw_section(
    *, exam: str, seed: int, officer: str, slots: Sequence[str], candidates: Sequence[str]
) -> dict[str, str]:
    """Slot -> 题号 for one section: the first ``len(slots)`` candidates in the officer's ranking.

    The result does not depend on the order the candidates are listed in.
    """
    if len(candidates) < len(slots):
        raise ValueError(f"{len(slots)} slots but only {len(candidates)} candidates")
    ranked = sorted(candidates, key=lambda code: _rank(exam, seed, officer, "draw", code))
    return dict(zip(slots, ranked, strict=False))


def option_order(*, exam: str, seed: int, officer: str, code: str, count: int) -> str:
    """The canonical letters of a choice question in the order this officer sees them."""
    letters = CHOICE_LETTERS[:count]
    return "".join(sorted(letters, key=lambda x: _rank(exam, seed, officer, f"options:{code}", x)))


def draw_paper(spec: Mapping[str, Any], officer: str) -> dict[str, str]:
    """Slot -> 题号 for every slot of the paper described by ``spec`` (paper.json)."""
    drawn: dict[str, str] = {}
    for section in spec["sections"]:
        drawn.update(
            draw_section(
                exam=spec["exam"],
                seed=spec["seed"],
                officer=officer,
                slots=section["slots"],
                candidates=section["candidates"],
            )
        )
    return drawn


def score_slot(
    sheet: Mapping[str, Any],
    slot: str,
    *,
    exam: str,
    seed: int,
    section: Sequence[str],
    keys: Mapping[str, Any],
    kind: str,
    points: float,
    limit_minutes: float | None = None,
) -> float:
    """Score one slot of a per-officer paper from the officer's answer sheet.

    ``section`` lists the slots of the slot's section and ``keys`` maps each candidate's 题号
    to its key: the officer (recorded in the sheet when the paper was opened, or by
    ``import-answers``) determines which candidate fills ``slot``, and only the answer to
    that question counts. A sheet without an officer scores 0.
    """
    officer = sheet.get(OFFICER_KEY)
    if not isinstance(officer, str) or not officer:
        return 0.0
    code = draw_section(exam=exam, seed=seed, officer=officer, slots=section, candidates=list(keys))
    chosen = code[slot]
    return score_answer(
        dict(sheet),
        chosen,
        kind=kind,
        key=keys[chosen],
        points=points,
        limit_minutes=limit_minutes,
    )


def load_spec(path: Path | str = PAPER_FILE) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def slot_numbers(spec: Mapping[str, Any]) -> dict[str, int]:
    """Slot -> its number on the paper (1-based)."""
    slots = [slot for section in spec["sections"] for slot in section["slots"]]
    return {slot: number for number, slot in enumerate(slots, start=1)}


def question_html(
    number: int, kind: str, points: float, stem: str, options: Sequence[tuple[str, str]]
) -> str:
    """The stem and the (already ordered) options as the officer sees them."""
    head = f"<b>{number}．</b>（{TYPE_LABELS[kind]}，{points:g} 分）{html.escape(stem)}"
    lines = [
        f"<div style='margin:2px 0 2px 1.5em'>{shown}．{html.escape(text)}</div>"
        for shown, text in options
    ]
    return f"<div style='line-height:1.7;margin-top:8px'>{head}{''.join(lines)}</div>"


def current_officer() -> str:
    """The logged-in officer: the JupyterHub user, else the workspace's officer setting.

    Multi-user: the hub's name, which is also the name the hub exchange files the submission
    under (nbgrader's ``get_username`` reads JUPYTERHUB_USER only for ``jovyan``).
    Single-user: ``FAZHI_OFFICER`` or ``officer`` in fazhi.toml, the student id the workspace's
    officer JupyterLab submits under (its generated nbgrader_config.py); else the OS user.
    """
    hub_user = os.environ.get("JUPYTERHUB_USER")
    if hub_user:
        return hub_user
    from fazhi.settings import find_workspace

    settings = find_workspace()
    if settings is not None and settings.officer:
        return settings.officer
    from nbgrader.utils import get_username

    return get_username()


def sheet_officer(path: Path, *, read_only: bool) -> str:
    """Whose answer sheet ``path`` is: recorded the first time it is asked, never while grading.

    The identity ``nbgrader submit`` files the submission under, so papers and option orders
    rebuilt by fazhi from the officer id match what the officer saw.
    """
    data = load_sheet(path)
    recorded = data.get(OFFICER_KEY)
    if isinstance(recorded, str) and recorded:
        return recorded
    if read_only:
        return ""  # grading: never guess whose paper this is
    officer = current_officer()
    data[OFFICER_KEY] = officer
    save_sheet(path, data)
    return officer


class Paper:
    """The officer's side of a blueprint exam: shows each slot's drawn question.

    Created by the paper's second locked cell (``paper = Paper(sheet)``). The officer is
    nbgrader's student id for this user (the id ``nbgrader submit`` files the submission
    under), recorded in the answer sheet the first time the paper is opened.
    """

    def __init__(self, sheet: Any, path: Path | str | None = None) -> None:
        self.sheet = sheet
        self.spec = load_spec(path or Path(sheet.path).parent / PAPER_FILE)
        self.officer = self._officer()
        self.drawn = draw_paper(self.spec, self.officer) if self.officer else {}
        self.numbers = slot_numbers(self.spec)
        self._sections = {
            slot: section for section in self.spec["sections"] for slot in section["slots"]
        }
        from IPython.display import HTML, display

        who = html.escape(self.officer or "（未知）")
        display(HTML(f"<div>考生工号：<b>{who}</b>。本试卷的题目和选项顺序按工号生成。</div>"))

    def _officer(self) -> str:
        return sheet_officer(
            Path(self.sheet.path), read_only=getattr(self.sheet, "read_only", False)
        )

    def show(self, slot: str) -> None:
        """Display slot ``slot``: its drawn question and the answering widget."""
        from IPython.display import HTML, display

        section = self._sections[slot]
        code = self.drawn.get(slot)
        if code is None:
            display(HTML("<div>无法确定考生身份，不能显示本题。</div>"))
            return
        question = self.spec["questions"][code]
        kind, texts = section["type"], question["options"]
        order = ""
        if kind in ("single", "multiple"):
            order = option_order(
                exam=self.spec["exam"],
                seed=self.spec["seed"],
                officer=self.officer,
                code=code,
                count=len(texts),
            )
        shown = [(CHOICE_LETTERS[i], texts[CHOICE_LETTERS.index(c)]) for i, c in enumerate(order)]
        number = self.numbers[slot]
        # choice buttons carry the option texts themselves
        listed = () if kind in ("single", "multiple") else shown
        display(HTML(question_html(number, kind, section["points"], question["stem"], listed)))
        numbers = getattr(self.sheet, "numbers", None)
        if isinstance(numbers, dict):
            numbers[code] = number  # 已答 n/N names unanswered questions by paper number
        if kind in ("single", "multiple"):
            options = {c: texts[CHOICE_LETTERS.index(c)] for c in order}
            getattr(self.sheet, kind)(code, options=options)
        elif kind in ("truefalse", "fill", "essay"):
            getattr(self.sheet, kind)(code)  # an essay is stored under its 题号 as the others

    def score(self, slot: str, **arguments: Any) -> float:
        """Used only by hidden test cells: ``score_slot`` of the sheet file as it is now."""
        return score_slot(load_sheet(Path(self.sheet.path)), slot, **arguments)
