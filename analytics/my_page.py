"""An officer's own page (``我的学习.ipynb``): my weekly hours, what I still owe this year,
my exams and mock courts. Shows only the logged-in officer (see ``identity``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import HTML, Image, display
from sqlalchemy.orm import Session

from fazhi import db
from fazhi.analytics import figures, plotting
from fazhi.analytics.dataset import exam_results, load_compliance, mockcourt_results
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
    items = "".join(f"<li>{item}</li>" for item in owed)
    display(
        HTML(
            f"<h3>{page.name}（{page.officer_id}）</h3><p>{page.unit} · "
            f"{ROLE_LABELS.get(page.role, page.role)} · 执法证：{CERT_LABELS[page.cert_status]}</p>"
            f"<h4>我还需要完成</h4><ul>{items}</ul><h4>我的每周学习时长</h4>"
        )
    )
    title = "每周学习时长（绿色达标，红色未达标，灰色不要求）"
    display(
        Image(data=plotting.png_bytes(figures.my_weeks(page.weeks, page.weekly_minutes, title)))
    )
    display(HTML("<h4>我的考试</h4>"))
    display(
        HTML(
            page.exams.to_html(index=False, border=0)
            if len(page.exams)
            else "<p>暂无考试成绩。</p>"
        )
    )
    display(HTML("<h4>我的模拟法庭</h4>"))
    display(
        HTML(
            page.mockcourt.to_html(index=False, border=0)
            if len(page.mockcourt)
            else "<p>暂无模拟法庭成绩。</p>"
        )
    )


def _show_for(settings: Settings, officer_id: str, today: dt.date) -> None:
    rules = load_rules(settings.rules_path)
    with db.session_scope(settings) as session:
        try:
            page = officer_page(session, officer_id=officer_id, rules=rules, today=today)
        except LookupError:
            display(HTML(f"<p>名册中没有工号“{officer_id}”。</p>"))
            return
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
        display(HTML(f"<p>无法确定您的身份：{identity.how}。</p>"))
        return
    box = widgets.Text(placeholder="工号", description="查看工号")
    output = widgets.Output()

    def pick(_change: object) -> None:
        output.clear_output()
        with output:
            if box.value.strip():
                _show_for(settings, box.value.strip(), today)

    box.observe(pick, names="value")
    display(HTML(f"<p>单用户模式：{identity.how}。可输入工号查看。</p>"), box, output)
