"""The officer's answering widgets: ``Sheet`` and its methods (docs/notebook-contract.md).

An officer answers by clicking; every change is written at once to ``<sheet>.answers.json``
beside the notebook (``fazhi.kernel.answers``), so answers survive kernel restarts and reopening,
travel with ``nbgrader submit`` and are scored by the hidden test cells under stock
``nbgrader autograde``. In practice mode (law modules) each item also shows immediate
feedback: right or wrong, the key, the 解析 and the article. Nothing is graded there.

Under nbgrader's own execution (``nbgrader validate``/``autograde`` set
``NBGRADER_EXECUTION``) a sheet only reads: it never writes the officer's file.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from IPython.display import display

from fazhi.kernel import paper as paper_module
from fazhi.kernel.answers import (
    answer_value,
    load_sheet,
    now_iso,
    record_answer,
    save_sheet,
    sheet_path,
)
from fazhi.kernel.choice_look import (
    CHOICE_KINDS,
    option_label,
    style_choices,
    style_option,
    stylesheet,
)
from fazhi.kernel.practice import Practice, feedback_html
from fazhi.kernel.progress import (
    CORRECT_COLOUR,
    LOCAL_TZ,
    PARTIAL_COLOUR,
    WRONG_COLOUR,
    countdown_text,
    run_clock,
    started_at,
    summary_text,
)
from fazhi.kernel.progress import status_html as _status
from fazhi.kernel.scoring import (
    CHOICE_LETTERS,
    accepted_answers,
    normalise_choice,
    parse_number,
    score_answer,
)

MODES = ("exam", "practice")
TRUE_FALSE = ("正确", "错误")
ESSAY_MAX_CHARS = 20000  # as import-answers accepts for an essay response


@dataclass
class ItemView:
    """The widgets of one item: what the officer clicks, the save status and the feedback.

    ``control`` is a ToggleButtons (single, truefalse, choice), a Text (fill, number), a
    Textarea (essay) or a tuple of ToggleButton/Checkbox (multiple, checklist). ``check`` is
    the practice-mode 核对答案 button of items answered in several steps.
    """

    kind: str
    control: Any
    status: widgets.HTML
    feedback: widgets.HTML | None = None
    check: widgets.Button | None = None
    counter: widgets.HTML | None = None  # 已输入 n 字 under an essay's text box


def _option_pairs(options: str | Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(shown letter, canonical letter, text) in display order.

    A caller may permute options (exam papers): the officer sees A, B, C... by position
    while the stored value is the bank's canonical letter given as the key.
    """
    items = [(letter, "") for letter in options] if isinstance(options, str) else options.items()
    pairs: list[tuple[str, str, str]] = []
    for position, (canonical, text) in enumerate(items):
        canonical = str(canonical).upper()
        if len(canonical) != 1 or canonical not in CHOICE_LETTERS:
            raise ValueError(f"option letters must be among {CHOICE_LETTERS}, got {canonical!r}")
        if any(canonical == seen for _, seen, _ in pairs):
            raise ValueError(f"option letter {canonical!r} given twice")
        pairs.append((CHOICE_LETTERS[position], canonical, str(text)))
    return pairs


def _shuffled(pairs: list[tuple[str, str, str]], order: str) -> list[tuple[str, str, str]]:
    """``pairs`` re-lettered in ``order`` (canonical letters in the order the officer sees)."""
    by_canonical = {canonical: text for _, canonical, text in pairs}
    return [(CHOICE_LETTERS[i], c, by_canonical[c]) for i, c in enumerate(order)]


def _number_text(value: Any) -> str:
    number = parse_number(value)
    if number is None:
        return ""
    return str(int(number)) if number.is_integer() else str(number)


def _essay_count(length: int, max_chars: int) -> str:
    """已输入 n 字, in red past the limit (the rest is not saved)."""
    if length > max_chars:
        return _status(f"已输入 {length} 字，超过 {max_chars} 字的部分不会保存", WRONG_COLOUR)
    return f'<span style="color:#555">已输入 {length} 字</span>'


class Sheet:
    """One officer's answer sheet for one notebook; its methods display answering widgets.

    ``Sheet(name, mode="exam" | "practice")``: the answers live in ``<name>.answers.json``
    in ``directory`` (default: the kernel's working directory, i.e. beside the notebook).
    The first time the sheet is opened it records ``started_at`` (exam time limits run
    from it).
    """

    def __init__(self, name: str, mode: str = "exam", *, directory: Path | str | None = None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.name = name
        self.mode = mode
        self.path = sheet_path(name, Path.cwd() if directory is None else directory)
        # nbgrader validate/autograde run the notebook: read the officer's file, never write.
        self.read_only = bool(os.environ.get("NBGRADER_EXECUTION"))
        self.items: dict[str, ItemView] = {}
        self._restoring = False
        self._summaries: list[widgets.HTML] = []
        self.numbers: dict[str, int] = {}  # item id -> its number on the paper
        self._written: list[int] = []  # numbers of the written questions (no widget)
        self.clock: widgets.HTML | None = None  # the countdown, when the exam is timed
        if not self.read_only:
            data = load_sheet(self.path)
            if not data.get("started_at"):
                data.setdefault("sheet", name)
                data["started_at"] = now_iso()
                save_sheet(self.path, data)

    def officer(self) -> str:
        """Whose sheet this is (``paper.sheet_officer``): recorded when first needed."""
        return paper_module.sheet_officer(self.path, read_only=self.read_only)

    def _ordered(
        self, item_id: str, options: str | Mapping[str, str], shuffle_seed: int | None
    ) -> list[tuple[str, str, str]]:
        """The options in display order: shuffled per officer when the exam gives a seed."""
        pairs = _option_pairs(options)
        if shuffle_seed is None:
            return pairs
        officer = self.officer()
        if not officer:
            return pairs
        order = paper_module.option_order(
            exam=self.name, seed=shuffle_seed, officer=officer, code=item_id, count=len(pairs)
        )
        if set(order) != {canonical for _, canonical, _ in pairs}:
            return pairs  # options not lettered A, B, C...: keep them as given
        return _shuffled(pairs, order)

    # ---- the contract's widget methods ------------------------------------------------

    def single(
        self,
        item_id: str,
        *,
        options: str | Mapping[str, str] = "ABCD",
        key: str | None = None,
        explanation: str | None = None,
        basis: str | None = None,
        shuffle_seed: int | None = None,
    ) -> None:
        """单选题: one letter (stored as the canonical letter, e.g. ``"B"``).

        Each button shows the officer's letter and the option's text, one option a line;
        ``shuffle_seed`` (exams) orders the options per officer (``paper.option_order``).
        """
        pairs = self._ordered(item_id, options, shuffle_seed)
        shown = {canonical: letter for letter, canonical, _ in pairs}
        control = widgets.ToggleButtons(
            options=[(option_label(letter, text), canonical) for letter, canonical, text in pairs],
            value=None,
            tooltips=[text for _, _, text in pairs],
            style={"button_width": "auto"},
        )
        style_choices(control, stacked=True)
        practice = self._practice(
            "single", key, explanation, basis, answer_text=lambda k: shown.get(str(k), str(k))
        )
        self._bind_toggles(item_id, "single", control, shown, practice)

    def multiple(
        self,
        item_id: str,
        *,
        options: str | Mapping[str, str] = "ABCD",
        key: str | None = None,
        explanation: str | None = None,
        basis: str | None = None,
        shuffle_seed: int | None = None,
    ) -> None:
        """多选题: letters, stored sorted and canonical (e.g. ``"ACD"``).

        Chosen buttons turn blue with a check mark; ``shuffle_seed`` as for ``single``.
        """
        pairs = self._ordered(item_id, options, shuffle_seed)
        shown = {canonical: letter for letter, canonical, _ in pairs}
        buttons = tuple(
            widgets.ToggleButton(value=False, description=option_label(letter, text), tooltip=text)
            for letter, _, text in pairs
        )
        for button in buttons:
            style_option(button)

        def read() -> str:
            chosen = [c for (_, c, _), b in zip(pairs, buttons, strict=True) if b.value]
            return normalise_choice(chosen)

        def restore(value: Any) -> None:
            letters = set(normalise_choice(value))
            for (_, canonical, _), button in zip(pairs, buttons, strict=True):
                button.value = canonical in letters

        practice = self._practice(
            "multiple",
            key,
            explanation,
            basis,
            answer_text=lambda k: "".join(sorted(shown.get(c, c) for c in normalise_choice(k))),
        )
        self._bind(
            item_id,
            "multiple",
            buttons,
            read=read,
            restore=restore,
            watched=list(buttons),
            practice=practice,
            immediate=False,
            layout=widgets.VBox(list(buttons), layout=widgets.Layout(align_items="flex-start")),
        )

    def truefalse(
        self,
        item_id: str,
        *,
        key: str | None = None,
        explanation: str | None = None,
        basis: str | None = None,
    ) -> None:
        """判断题: ``"正确"`` or ``"错误"``."""
        practice = self._practice("truefalse", key, explanation, basis, answer_text=str)
        self._labelled(item_id, "truefalse", list(TRUE_FALSE), practice)

    def fill(
        self,
        item_id: str,
        *,
        key: str | None = None,
        explanation: str | None = None,
        basis: str | None = None,
    ) -> None:
        """填空题: text (saved when the officer presses Enter or leaves the box)."""
        control = widgets.Text(value="", placeholder="在此输入答案", continuous_update=False)
        control.layout.width = "60%"
        practice = self._practice(
            "fill", key, explanation, basis, answer_text=lambda k: " 或 ".join(accepted_answers(k))
        )
        self._bind(
            item_id,
            "fill",
            control,
            read=lambda: control.value.strip(),
            restore=lambda v: setattr(control, "value", str(v)),
            watched=[control],
            practice=practice,
            immediate=False,
        )

    def number(
        self,
        item_id: str,
        *,
        unit: str = "元",
        key: float | Sequence[float] | None = None,
        explanation: str | None = None,
        basis: str | None = None,
    ) -> None:
        """数值题 (e.g. a fine in yuan): stored as a number; ``key`` is a number or [low, high]."""
        control = widgets.Text(value="", placeholder="输入数字", continuous_update=False)
        control.layout.width = "12em"

        def read() -> float | int | str | None:
            text = control.value.strip()
            if not text:
                return ""
            number = parse_number(text)
            if number is None:
                return None
            return int(number) if number.is_integer() else number

        practice = None
        if key is not None:
            low, high = (key, key) if isinstance(key, int | float) else tuple(key)
            practice = self._practice(
                "range",
                None,
                explanation,
                basis,
                answer_text=lambda _: (
                    f"{_number_text(low)}{unit}"
                    if low == high
                    else f"{_number_text(low)}～{_number_text(high)}{unit}"
                ),
                extra={"low": float(low), "high": float(high)},
                require_key=False,
            )
        self._bind(
            item_id,
            "number",
            control,
            read=read,
            restore=lambda v: setattr(control, "value", _number_text(v)),
            watched=[control],
            practice=practice,
            immediate=False,
            layout=widgets.HBox([control, widgets.Label(unit)]),
        )

    def choice(
        self,
        item_id: str,
        *,
        labels: Sequence[str],
        key: str | None = None,
        explanation: str | None = None,
        basis: str | None = None,
    ) -> None:
        """One labelled alternative (e.g. 简易程序/一般程序), stored as its label (kind exact)."""
        practice = self._practice("exact", key, explanation, basis, answer_text=str)
        self._labelled(item_id, "choice", [str(label) for label in labels], practice, auto=True)

    def _labelled(
        self, item_id: str, kind: str, labels: list[str], practice: Any, *, auto: bool = False
    ) -> None:
        """A row of toggle buttons whose answer is the chosen label itself."""
        style = {"button_width": "auto"} if auto else {}
        control = widgets.ToggleButtons(options=labels, value=None, style=style)
        style_choices(control, stacked=False)
        self._bind_toggles(item_id, kind, control, labels, practice)

    def _bind_toggles(
        self,
        item_id: str,
        kind: str,
        control: widgets.ToggleButtons,
        valid: Container[str],
        practice: Any,
    ) -> None:
        """Bind toggle buttons whose value is the stored answer (one of ``valid``)."""
        self._bind(
            item_id,
            kind,
            control,
            read=lambda: control.value or "",
            restore=lambda v: setattr(control, "value", v if v in valid else None),
            watched=[control],
            practice=practice,
            immediate=True,
        )

    def checklist(
        self,
        item_id: str,
        *,
        items: Sequence[str],
        key: Sequence[int] | None = None,
        explanation: str | None = None,
        basis: str | None = None,
    ) -> None:
        """案卷评查: tick the statements that are defects; stored as sorted 0-based indices."""
        boxes = tuple(widgets.Checkbox(value=False, indent=False) for _ in items)
        rows = []
        for number, (box, text) in enumerate(zip(boxes, items, strict=True), start=1):
            box.layout.width = "2em"
            label = widgets.HTML(f"{number}．{html.escape(str(text))}")
            label.layout.flex = "1"
            rows.append(widgets.HBox([box, label]))

        def read() -> list[int]:
            return [index for index, box in enumerate(boxes) if box.value]

        def restore(value: Any) -> None:
            marked = {int(v) for v in value} if isinstance(value, list) else set()
            for index, box in enumerate(boxes):
                box.value = index in marked

        practice = self._practice(
            "review",
            None if key is None else [int(k) for k in key],
            explanation,
            basis,
            answer_text=lambda k: "、".join(f"第 {int(i) + 1} 项" for i in sorted(k)),
        )
        self._bind(
            item_id,
            "checklist",
            boxes,
            read=read,
            restore=restore,
            watched=list(boxes),
            practice=practice,
            immediate=False,
            layout=widgets.VBox(rows),
        )

    def essay(self, item_id: str, *, max_chars: int = ESSAY_MAX_CHARS) -> None:
        """简答题 / 处理理由: a text box, saved as the officer types (stored as typed).

        Grading copies the text into the manually graded answer cell below it (the cell the
        trainer grades in formgrader); a counter shows how many characters are written.
        """
        control = widgets.Textarea(
            value="",
            placeholder="请在此输入作答内容（可换行，输入后自动保存）",
            continuous_update=True,
            rows=8,
        )
        control.layout.width = "95%"
        counter = widgets.HTML(_essay_count(0, max_chars))

        def count(_change: Any) -> None:
            counter.value = _essay_count(len(control.value), max_chars)

        control.observe(count, names="value")

        def read() -> str | None:
            text = control.value
            return text[:max_chars] if text.strip() else ""

        self._bind(
            item_id,
            "essay",
            control,
            read=read,
            restore=lambda v: setattr(control, "value", str(v)),
            watched=[control],
            practice=None,
            immediate=False,
            layout=widgets.VBox([control, counter]),
        )
        self.items[item_id].counter = counter

    def countdown(self, minutes: float) -> None:
        """The time left of a timed exam (from ``started_at``), refreshed while the kernel runs."""
        if self.read_only:
            return
        started = started_at(load_sheet(self.path)) or dt.datetime.now(dt.UTC)
        clock = self.clock = widgets.HTML(countdown_text(started, minutes, dt.datetime.now(dt.UTC)))
        display(clock)
        run_clock(clock, sheet=self.path, started=started, minutes=minutes)

    def summary(self, written: Sequence[int] = ()) -> None:
        """已答 n/N at the end of the paper, kept current as the officer answers.

        ``written``: the paper numbers of the written (essay) questions, answered in cells.
        """
        if self.read_only:
            return
        self._written = list(written)
        view = widgets.HTML(self._summary_html())
        self._summaries.append(view)
        display(view)

    def _summary_html(self) -> str:
        data = load_sheet(self.path)
        answered: list[int] = []
        unanswered: list[int] = []
        position = 0
        for item_id in self.items:  # paper order; written questions have numbers but no widget
            position += 1
            while position in self._written:
                position += 1
            number = self.numbers.get(item_id, position)
            done = answer_value(data, item_id) not in (None, "", [])
            (answered if done else unanswered).append(number)
        return summary_text(sorted(answered), sorted(unanswered), self._written)

    def score(self, item_id: str, **score_arguments: Any) -> float:
        """Score one item from the stored sheet (used only by hidden test cells).

        Returns ``fazhi.kernel.scoring.score_answer`` of the file as it is now, so nbgrader's
        autograde and fazhi's fast grader compute the same number.
        """
        return score_answer(load_sheet(self.path), item_id, **score_arguments)

    # ---- machinery ----------------------------------------------------------------------

    def _practice(
        self,
        kind: str,
        key: Any,
        explanation: str | None,
        basis: str | None,
        *,
        answer_text: Callable[[Any], str],
        extra: dict[str, Any] | None = None,
        require_key: bool = True,
    ) -> Practice | None:
        given = key is not None or bool(extra) or explanation or basis
        if self.mode == "exam":
            if given:
                raise ValueError("exam-mode widgets take no key, explanation or basis")
            return None
        if require_key and key is None:
            return None
        score = {"kind": kind, "points": 1.0, "key": key, **(extra or {})}
        return Practice(
            score=score,
            answer_text=answer_text(key),
            explanation=explanation or "",
            basis=basis or "",
        )

    def _bind(
        self,
        item_id: str,
        kind: str,
        control: Any,
        *,
        read: Callable[[], Any],
        restore: Callable[[Any], None],
        watched: Sequence[widgets.Widget],
        practice: Practice | None,
        immediate: bool,
        layout: widgets.Widget | None = None,
    ) -> None:
        """Wire one item: record on change, restore the stored answer, show feedback."""
        status = widgets.HTML("")
        feedback = widgets.HTML("") if practice else None
        check = None
        if practice and not immediate:
            check = widgets.Button(description="核对答案", button_style="info")
        view = ItemView(kind=kind, control=control, status=status, feedback=feedback, check=check)
        self.items[item_id] = view

        def show_feedback(value: Any) -> None:
            if feedback is not None and practice is not None:
                feedback.value = feedback_html(item_id, value, practice)

        def changed(_change: Any) -> None:
            if self._restoring:
                return
            value = read()
            if value is None:
                status.value = _status("请输入数字，例如 2000", WRONG_COLOUR)
                return
            status.value = self._record(item_id, value)
            for summary in self._summaries:
                summary.value = self._summary_html()
            if feedback is not None:
                feedback.value = ""
                if immediate:
                    show_feedback(value)

        for widget in watched:
            widget.observe(changed, names="value")
        if check is not None:
            check.on_click(lambda _button: show_feedback(read()))

        stored = answer_value(load_sheet(self.path), item_id)
        if stored not in (None, "", []):
            self._restoring = True
            try:
                restore(stored)
            finally:
                self._restoring = False
            status.value = _status("✓ 已恢复上次保存的答案", CORRECT_COLOUR)
            if immediate:
                show_feedback(stored)
        answer: widgets.Widget = layout if layout is not None else control
        if check is not None:
            answer = widgets.HBox([answer, check])
        children = [answer, status] + ([feedback] if feedback is not None else [])
        if kind in CHOICE_KINDS:
            children.insert(0, stylesheet())
        display(widgets.VBox(children))

    def _record(self, item_id: str, value: Any) -> str:
        if self.read_only:
            return ""
        try:
            record_answer(self.path, item_id, value)
        except OSError as err:
            return _status(f"答案保存失败：{err}", WRONG_COLOUR)
        if value in ("", []):
            return _status("已清除作答", PARTIAL_COLOUR)
        saved = dt.datetime.now(LOCAL_TZ).strftime("%H:%M:%S")  # Beijing time, as the countdown
        return _status(f"✓ 已自动保存（{saved}）", CORRECT_COLOUR)
