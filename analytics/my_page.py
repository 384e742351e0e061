"""An officer's own page (``我的学习.ipynb``): my weekly hours, what I still owe this year,
my exams and mock courts. Shows only the logged-in officer (see ``identity``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import HTML, Image, display
from sqlalchemy.orm import Session

from fazhi import db
from fazhi.analytics import figures, plotting
from fazhi.analytics.dataset import exam_results, load_compliance, mockcourt_results
from fazhi.analytics.notify.banner import banner_html, officer_banners
from fazhi.analytics.periods import days_in_year
from fazhi.analytics.sections import CERT_LABELS, ROLE_LABELS
from fazhi.rules import Rules, load_rules
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ


@dataclass(frozen=True)
class OfficerPage:
    officer_id: str
    name: str
    unit: str
    role: str
    cert_status: str
    weekly_minutes: float  # my weekly minimum
    weeks: pd.DataFrame  # week, minutes, required (ended weeks of this ISO year, and this one)
    missed_weeks: list[str]
    this_week_left: float  # minutes still to study this week
    annual_minutes: float
    annual_year_required: float  # for the whole year (pro-rated by my active days)
    annual_left: float
    exams_pending: list[str]
    central_group_sessions: int | None
    central_group_required: int
    exams: pd.DataFrame
    mockcourt: pd.DataFrame


def _year_active_days(roster: pd.Series, year: int) -> int:
    since, until = roster["active_from"], roster["active_to"]
    first = max(dt.date(year, 1, 1), dt.date.min if pd.isna(since) else since)
    last = min(dt.date(year, 12, 31), dt.date.max if pd.isna(until) else until)
    return max((last - first).days + 1, 0)


def officer_page(session: Session, *, officer_id: str, rules: Rules, today: dt.date) -> OfficerPage:
    """Everything the officer's page shows, for ``officer_id`` as of ``today``."""
    result = load_compliance(
        session, rules=rules, year=today.isocalendar().year, as_of=today, officer_ids=[officer_id]
    )
    if result.roster.empty:
        raise LookupError(officer_id)
    me = result.roster.iloc[0]
    summary = result.summary.iloc[0]
    needed = float(result.required_minutes[0])
    minutes = result.week_minutes[0]
    begun = [i for i, m in enumerate(result.weeks.mondays) if m <= today]
    weeks = pd.DataFrame(
        {
            "week": [result.weeks.labels[i] for i in begun],
            "minutes": np.round(minutes[begun], 2),
            "required": result.required[0, begun],
        }
    )
    missed = weeks[weeks["required"] & (weeks["minutes"] < needed)]["week"].tolist()
    this_week = float(minutes[begun[-1]]) if begun else 0.0
    # the calendar year's figures (the ISO year above can start in late December)
    annual = load_compliance(
        session, rules=rules, year=today.year, as_of=today, officer_ids=[officer_id]
    )
    annual_summary = annual.summary.iloc[0]
    year_required = (
        rules.annual_minutes * _year_active_days(me, today.year) / days_in_year(today.year)
        if me["enforcement"]
        else 0.0
    )
    detail = annual.exam_detail
    pending = detail[~detail["passed"].astype(bool)]["exam"].tolist()
    exams = exam_results(session)
    sessions = annual_summary["central_group_sessions"]
    return OfficerPage(
        officer_id=officer_id,
        name=str(me["name"]),
        unit=str(me["unit"]),
        role=str(me["role"]),
        cert_status=str(summary["cert_status"]),
        weekly_minutes=needed,
        weeks=weeks,
        missed_weeks=missed,
        this_week_left=max(needed - this_week, 0.0),
        annual_minutes=float(annual_summary["annual_minutes"]),
        annual_year_required=round(year_required, 2),
        annual_left=round(max(year_required - float(annual_summary["annual_minutes"]), 0.0), 2),
        exams_pending=pending,
        central_group_sessions=None if pd.isna(sessions) else int(sessions),
        central_group_required=rules.central_group_sessions,
        exams=exams[exams["officer_id"] == officer_id].reset_index(drop=True),
        mockcourt=mockcourt_results(session, [officer_id]),
    )


def render(page: OfficerPage, rules: Rules) -> None:
    """Display the page in the notebook."""
    hours = page.annual_left / rules.minutes_per_hour
    owed = [
        f"本周还需学习 {page.this_week_left:.0f} 分钟（每周要求 {page.weekly_minutes:g} 分钟）"
        if page.this_week_left
        else "本周学习时长已达标",
        f"本年度还需学习 {page.annual_left:.0f} 分钟（约 {hours:.1f} 学时；全年要求 "
        f"{page.annual_year_required:.0f} 分钟，已学 {page.annual_minutes:.0f} 分钟）"
        if page.annual_year_required
        else "不是执法人员：无年度学时要求",
    ]
    if page.missed_weeks:
        owed.append(f"已结束未达标的周：{'、'.join(page.missed_weeks)}（无法补计，请保持每周学习）")
    if page.exams_pending:
        owed.append(f"尚未通过的考试：{'、'.join(page.exams_pending)}（请参加补考）")
    if page.cert_status in ("warning", "expired", "missing"):
        owed.append(f"执法证：{CERT_LABELS[page.cert_status]}，请及时办理")
    if page.central_group_sessions is not None:
        owed.append(
            f"中心组学法：本年度已参加 {page.central_group_sessions} 次"
            f"（每年不少于 {page.central_group_required} 次）"
        )
    display(HTML(summary_html(page, owed)))
    title = "每周学习时长"
    display(
        Image(data=plotting.png_bytes(figures.my_weeks(page.weeks, page.weekly_minutes, title)))
    )
    links = feedback_links(page.exams["exam"].tolist(), Path.cwd())
    display(HTML("<h4>我的考试</h4>" + exams_html(page.exams, links)))
    display(HTML("<h4>我的模拟法庭</h4>" + mockcourt_html(page.mockcourt)))


def _table(labels: list[str], rows: list[list[str]]) -> str:
    """A small Chinese table; cells are already escaped HTML."""
    cell = "border:1px solid #ccc;padding:3px 10px;text-align:left"
    head = "".join(f'<th style="{cell};background:#f3f3f3">{label}</th>' for label in labels)
    body = "".join(
        "<tr>" + "".join(f'<td style="{cell}">{value}</td>' for value in row) + "</tr>"
        for row in rows
    )
    return f'<table style="border-collapse:collapse;margin:4px 0 12px">{head}{body}</table>'


def feedback_links(exams: list[str], root: Path) -> dict[str, str]:
    """Exam -> path (relative to ``root``, the notebook's folder) of its latest fetched feedback.

    ``nbgrader fetch_feedback`` puts it in ``<exam>/feedback/<submission time>/<exam>.html``.
    """
    links = {}
    for exam in exams:
        pages = sorted((root / exam / "feedback").glob(f"*/{exam}.html"))
        if pages:
            links[exam] = pages[-1].relative_to(root).as_posix()
    return links


def exams_html(exams: pd.DataFrame, links: dict[str, str]) -> str:
    """My exams as a Chinese table: each graded sitting, its result and a link to its feedback."""
    if exams.empty:
        return "<p>暂无考试成绩。</p>"
    rows = []
    for exam in exams.itertuples(index=False):
        attempt = "正考" if int(exam.attempt) == 1 else f"第 {int(exam.attempt)} 次（补考）"
        link = links.get(str(exam.exam))
        feedback = (
            f'<a href="{escape(quote(link), quote=True)}" target="_blank">查看反馈</a>'
            if link
            else "截止后在“Assignments（作业）”页面获取"
        )
        rows.append(
            [
                escape(str(exam.title)),
                escape("" if pd.isna(exam.closes) else str(exam.closes)),
                attempt,
                f"{float(exam.score):g} / {float(exam.max_score):g}",
                "及格" if bool(exam.passed) else "未及格",
                "是" if bool(exam.late) else "否",
                feedback,
            ]
        )
    return _table(["考试", "截止日期", "场次", "得分", "结果", "迟交", "成绩反馈"], rows)


def mockcourt_html(frame: pd.DataFrame) -> str:
    """My mock-court sessions as a Chinese table (场次, 日期, 角色, 得分)."""
    if frame.empty:
        return "<p>暂无模拟法庭成绩。</p>"
    rows = [
        [
            escape(str(row.session_id)),
            escape(str(row.date)),
            escape(str(row.role)),
            f"{float(row.score):g}",
        ]
        for row in frame.itertuples(index=False)
    ]
    return _table(["场次", "日期", "角色", "得分"], rows)


def summary_html(page: OfficerPage, owed: list[str]) -> str:
    """The page's heading and to-do list; every roster or database text is escaped (a name
    or 工号 is data, never markup)."""
    items = "".join(f"<li>{escape(item)}</li>" for item in owed)
    role = ROLE_LABELS.get(page.role, page.role)
    return (
        f"<h3>{escape(page.name)}（{escape(page.officer_id)}）</h3><p>{escape(page.unit)} · "
        f"{escape(role)} · 执法证：{CERT_LABELS[page.cert_status]}</p>"
        f"<h4>我还需要完成</h4><ul>{items}</ul><h4>我的每周学习时长</h4>"
    )


def _show_for(settings: Settings, officer_id: str, today: dt.date) -> None:
    rules = load_rules(settings.rules_path)
    with db.session_scope(settings) as session:
        try:
            page = officer_page(session, officer_id=officer_id, rules=rules, today=today)
        except LookupError:
            display(HTML(f"<p>名册中没有工号“{escape(officer_id)}”。</p>"))
            return
        notices = officer_banners(session, officer_id)
    if notices:  # reminders left by ``fazhi notify`` (banner channel)
        display(HTML(banner_html(notices)))
    render(page, rules)


def show(today: dt.date | None = None) -> None:
    """The logged-in officer's page. In single-user mode without a configured officer, a
    工号 box lets the workspace's user (who can read the whole database anyway) pick one."""
    from fazhi.analytics.identity import current_officer, find_workspace, multi_user

    today = today or dt.datetime.now(LOCAL_TZ).date()
    settings = find_workspace()
    if settings is None:
        display(HTML("<p>未找到 fazhi 工作区：请在工作区内打开本笔记本。</p>"))
        return
    with db.session_scope(settings) as session:
        identity = current_officer(session, settings)
    if identity.officer_id is not None:
        _show_for(settings, identity.officer_id, today)
        return
    if multi_user():
        display(HTML(f"<p>无法确定您的身份：{escape(identity.how)}。</p>"))
        return
    box = widgets.Text(placeholder="工号", description="查看工号")
    output = widgets.Output()

    def pick(_change: object) -> None:
        output.clear_output()
        with output:
            if box.value.strip():
                _show_for(settings, box.value.strip(), today)

    box.observe(pick, names="value")
    display(HTML(f"<p>单用户模式：{escape(identity.how)}。可输入工号查看。</p>"), box, output)
