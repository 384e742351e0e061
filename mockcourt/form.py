"""The judges' scoring form (ipywidgets), shown by the workspace's 模拟法庭评分.ipynb.

Two tabs: 评分 (pick session and participant, type the judge's name, score each dimension
0–100, comment, save) and 登记场次 (create or edit a session and its participants). Both
write through ``entry``, the same records and checks as ``fazhi mockcourt import``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from fazhi import db
from fazhi.errors import UserError
from fazhi.rules import load_rules
from fazhi.settings import Settings, load_settings

from . import entry
from .scorefile import parse_score
from .scoring import judge_score, round2

NEW_SESSION = "（新建场次）"
WIDE = widgets.Layout(width="36em")
LABEL = {"description_width": "6em"}


def _message(kind: str, text: str) -> str:
    colour = {"ok": "#1a7f37", "error": "#c62828", "info": "#555"}[kind]
    body = html.escape(text).replace("\n", "<br>")
    return f'<div style="color:{colour}; white-space:normal">{body}</div>'


class ScoringTab:
    """评分: one judge's scores for one participant of one session."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.session = widgets.Dropdown(description="场次", layout=WIDE, style=LABEL)
        self.participant = widgets.Dropdown(description="参加人员", layout=WIDE, style=LABEL)
        self.judge = widgets.Combobox(
            description="评委", placeholder="评委姓名", layout=WIDE, style=LABEL
        )
        self.scores: dict[str, widgets.Text] = {}
        self.rubric: dict[str, float] = {}
        self.score_box = widgets.VBox()
        self.total = widgets.HTML()
        self.comment = widgets.Textarea(
            description="评语", placeholder="（选填）", layout=widgets.Layout(width="36em")
        )
        self.save = widgets.Button(description="保存评分", button_style="primary", icon="check")
        self.status = widgets.HTML()
        self.widget = widgets.VBox(
            [
                self.session,
                self.participant,
                self.judge,
                widgets.HTML("<b>各维度得分（0–100）</b>"),
                self.score_box,
                self.total,
                self.comment,
                self.save,
                self.status,
            ]
        )
        self.session.observe(self._session_changed, names="value")
        self.participant.observe(self._sheet_changed, names="value")
        self.judge.observe(self._sheet_changed, names="value")
        self.save.on_click(self._save)
        self.refresh()

    def refresh(self, keep: str | None = None) -> None:
        """Reload the sessions (after one was registered), keeping ``keep`` selected."""
        with db.session_scope(self.settings) as session:
            choices = entry.session_choices(session)
        current = keep or self.session.value
        self.session.options = choices
        codes = [code for _, code in choices]
        self.session.value = current if current in codes else (codes[0] if codes else None)
        self._session_changed()
        if not choices:
            self.status.value = _message("info", "还没有场次：请先在“登记场次”中登记。")

    def _session_changed(self, _change: Any = None) -> None:
        self.status.value = ""
        code = self.session.value
        if code is None:
            self.participant.options, self.judge.options, self.rubric = [], [], {}
        else:
            with db.session_scope(self.settings) as session:
                view = entry.session_view(session, code)
            self.rubric = view.rubric
            self.participant.options = view.participants
            self.judge.options = view.judges
        self.scores = {
            name: widgets.Text(
                description=f"{name}（权重 {weight:g}）",
                placeholder="0–100",
                style={"description_width": "12em"},
                layout=widgets.Layout(width="24em"),
            )
            for name, weight in self.rubric.items()
        }
        for box in self.scores.values():
            box.observe(self._show_total, names="value")
        self.score_box.children = tuple(self.scores.values())
        self._sheet_changed()

    def _sheet_changed(self, change: Any = None) -> None:
        """Show what this judge already saved for this participant, so it can be corrected.

        A new participant starts from empty boxes; editing the judge's name keeps what was
        typed unless that judge has a saved sheet for this participant.
        """
        stored = None
        judge = self.judge.value.strip()
        if self.session.value and self.participant.value and judge:
            with db.session_scope(self.settings) as session:
                stored = entry.stored_sheet(
                    session, self.session.value, self.participant.value, judge
                )
        if stored is None and change is not None and change.owner is self.judge:
            return
        values, comment = stored or ({}, "")
        for name, box in self.scores.items():
            box.value = f"{values[name]:g}" if name in values else ""
        self.comment.value = comment
        if stored:
            self.status.value = _message("info", "已载入该评委此前保存的评分，修改后再次保存即可。")
        self._show_total()

    def _show_total(self, _change: Any = None) -> None:
        try:
            parsed = {name: parse_score(box.value) for name, box in self.scores.items()}
        except ValueError:
            self.total.value = _message("info", "加权得分：各维度填完后显示")
            return
        if not parsed:
            self.total.value = ""
            return
        total = round2(judge_score(self.rubric, parsed))
        self.total.value = _message("info", f"加权得分：{total}")

    def _save(self, _button: Any = None) -> None:
        judge = self.judge.value.strip()
        try:
            with db.session_scope(self.settings) as session:
                status, total = entry.record_sheet(
                    session,
                    code=self.session.value or "",
                    officer_id=self.participant.value or "",
                    judge=judge,
                    scores={name: box.value for name, box in self.scores.items()},
                    comment=self.comment.value,
                )
        except UserError as err:
            self.status.value = _message("error", str(err))
            return
        verb = {"created": "已保存", "updated": "已更新", "unchanged": "无改动"}[status]
        label = dict((v, k) for k, v in self.participant.options)[self.participant.value]
        self.status.value = _message(
            "ok", f"{verb}：评委“{judge}”对 {label} 的评分，加权得分 {round2(total)}。"
        )
        if judge not in self.judge.options:
            self.judge.options = tuple(sorted([*self.judge.options, judge]))


class SessionTab:
    """登记场次: a session's date, case and participants ("工号 角色" per line)."""

    def __init__(self, settings: Settings, on_saved: Any) -> None:
        self.settings = settings
        self.on_saved = on_saved
        self.existing = widgets.Dropdown(description="场次", layout=WIDE, style=LABEL)
        self.code = widgets.Text(
            description="场次编号", placeholder="如 MC-2026-01", layout=WIDE, style=LABEL
        )
        self.date = widgets.DatePicker(description="开庭日期", style=LABEL)
        self.case_title = widgets.Text(description="案件名称", layout=WIDE, style=LABEL)
        self.case_summary = widgets.Textarea(
            description="案情摘要", layout=widgets.Layout(width="36em", height="6em"), style=LABEL
        )
        self.case_file = widgets.Text(
            description="案卷材料", placeholder="所用案卷的文件名或编号", layout=WIDE, style=LABEL
        )
        self.participants = widgets.Textarea(
            description="参加人员",
            placeholder="每行一人：工号 角色\n如：CG0001 负责人出庭应诉",
            layout=widgets.Layout(width="36em", height="8em"),
            style=LABEL,
        )
        self.save = widgets.Button(description="保存场次", button_style="primary", icon="check")
        self.status = widgets.HTML()
        self.widget = widgets.VBox(
            [
                self.existing,
                self.code,
                self.date,
                self.case_title,
                self.case_summary,
                self.case_file,
                self.participants,
                self.save,
                self.status,
            ]
        )
        self.existing.observe(self._load, names="value")
        self.save.on_click(self._save)
        self.refresh()

    def refresh(self) -> None:
        with db.session_scope(self.settings) as session:
            choices = entry.session_choices(session)
        self.existing.options = [(NEW_SESSION, ""), *choices]

    def _load(self, _change: Any = None) -> None:
        code = self.existing.value
        self.status.value = ""
        if not code:
            for box in (self.code, self.case_title, self.case_summary, self.case_file):
                box.value = ""
            self.participants.value = ""
            self.date.value = None
            return
        with db.session_scope(self.settings) as session:
            details = entry.session_details(session, code)
        self.code.value = code
        self.date.value = details["date"]
        self.case_title.value = details["case_title"]
        self.case_summary.value = details["case_summary"]
        self.case_file.value = details["case_file"]
        self.participants.value = "\n".join(f"{o} {r}" for o, r in details["participants"])

    def _save(self, _button: Any = None) -> None:
        try:
            participants = entry.parse_participants(self.participants.value)
            with db.session_scope(self.settings) as session:
                message = entry.register_session(
                    session,
                    rules=load_rules(self.settings.rules_path),
                    code=self.code.value,
                    date=self.date.value,
                    case_title=self.case_title.value,
                    case_summary=self.case_summary.value,
                    case_file=self.case_file.value,
                    participants=participants,
                )
        except UserError as err:
            self.status.value = _message("error", str(err))
            return
        self.status.value = _message("ok", message)
        self.refresh()
        self.on_saved(self.code.value.strip())


class ScoringApp:
    """Both tabs; ``app.widget`` is what the notebook displays."""

    def __init__(self, settings: Settings) -> None:
        self.scoring = ScoringTab(settings)
        self.sessions = SessionTab(settings, on_saved=self.scoring.refresh)
        self.widget = widgets.Tab(children=[self.scoring.widget, self.sessions.widget])
        self.widget.titles = ("评分", "登记场次")


def scoring_form(workspace: Path | str | None = None) -> ScoringApp:
    """The form for the workspace (default: $FAZHI_WORKSPACE, else the notebook's directory)."""
    return ScoringApp(load_settings(workspace))
