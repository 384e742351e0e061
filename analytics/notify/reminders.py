"""The reminders due as of a date: one row per officer and matter, with the text to send.

Matters: this week's minutes still owed, annual hours behind pace, an open exam not yet
submitted, an open makeup to sit, a certificate expiring within the warning days (or
expired, revoked, missing), and counted requirements (中心组学法 …) behind.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.analytics.dataset import load_compliance
from fazhi.analytics.periods import local_midnight
from fazhi.analytics.study.store import load_activity_starts
from fazhi.audience import load_audiences
from fazhi.models import Officer
from fazhi.models.exam import Exam, ExamResult
from fazhi.rules import Rules
from fazhi.tabular import LOCAL_TZ

COLUMNS = ["officer_id", "name", "unit", "email", "kind", "message"]
KIND_LABELS = {
    "weekly": "每周学法",
    "annual": "年度学时",
    "exam": "考试",
    "makeup": "补考",
    "cert": "执法证",
    "counted": "计次要求",
    "module": "学法模块",
}


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    aware = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return aware.astimezone(LOCAL_TZ)


def _open_exams(session: Session, as_of: dt.date) -> list[tuple[Exam, dt.datetime, str | None]]:
    """Exams open on ``as_of`` (opened on or before it, closing on or after it), with their
    local closing time and, for a makeup, the original's name."""
    found = []
    for exam in session.scalars(select(Exam).order_by(Exam.closes, Exam.name)):
        opens, closes = _local(exam.opens), _local(exam.closes)
        if closes is None or closes.date() < as_of or (opens and opens.date() > as_of):
            continue
        found.append((exam, closes, exam.makeup_of.name if exam.makeup_of else None))
    return found


def _sat(session: Session, workspace: Path | None) -> set[tuple[str, str]]:
    """(exam, 工号) already submitted: graded results, and submissions collected but not yet
    graded (nbgrader's ``submitted/<工号>/<exam>`` folders)."""
    rows = session.execute(
        select(Exam.name, Officer.officer_id)
        .join(ExamResult, ExamResult.exam_id == Exam.id)
        .join(Officer, ExamResult.officer_id == Officer.id)
    )
    sat = {(exam, officer) for exam, officer in rows}
    root = workspace / "submitted" if workspace else None
    if root and root.is_dir():
        sat |= {(e.name, o.name) for o in root.iterdir() if o.is_dir() for e in o.iterdir()}
    return sat


def compute_reminders(
    session: Session, *, rules: Rules, as_of: dt.date, workspace: Path | None = None
) -> pd.DataFrame:
    """Every reminder due on ``as_of``: officer_id, name, unit, email, kind, message."""
    annual = load_compliance(session, rules=rules, year=as_of.year, as_of=as_of)
    weekly = load_compliance(session, rules=rules, year=as_of.isocalendar().year, as_of=as_of)
    roster = annual.roster
    emails = dict(session.execute(select(Officer.officer_id, Officer.email)).all())
    day = pd.Timestamp(as_of)
    since = pd.to_datetime(roster["active_from"], errors="coerce")
    until = pd.to_datetime(roster["active_to"], errors="coerce")
    active = ((since.isna() | (since <= day)) & (until.isna() | (until >= day))).to_numpy()
    found: list[tuple[str, str, str]] = []

    week = max(i for i, monday in enumerate(weekly.weeks.mondays) if monday <= as_of)
    label = weekly.weeks.labels[week]
    minutes = weekly.week_minutes[:, week]
    for i, officer_id in enumerate(weekly.roster["officer_id"]):
        needed = float(weekly.required_minutes[i])
        if active[i] and minutes[i] < needed - 1e-9:
            found.append(
                (
                    officer_id,
                    "weekly",
                    f"本周（{label}）已学习 {minutes[i]:.0f} 分钟，每周要求 {needed:g} 分钟，"
                    f"还需 {needed - minutes[i]:.0f} 分钟",
                )
            )

    summary = annual.summary
    for row in summary.itertuples(index=False):
        if not row.annual_ok:
            behind = row.annual_required_minutes - row.annual_minutes
            found.append(
                (
                    row.officer_id,
                    "annual",
                    f"年度学时落后进度：已学习 {row.annual_minutes:.0f} 分钟，截至 {as_of} 应学 "
                    f"{row.annual_required_minutes:.0f} 分钟，还差 {behind:.0f} 分钟",
                )
            )
        if row.counted_shortfalls:
            found.append((row.officer_id, "counted", f"计次要求未达标：{row.counted_shortfalls}"))

    expiry = dict(zip(roster["officer_id"], roster["cert_expiry"], strict=True))
    for row in summary.itertuples(index=False):
        status, date = row.cert_status, expiry.get(row.officer_id)
        text = {
            "warning": f"执法证将于 {date} 到期，请及时办理年检或换证",
            "expired": f"执法证已于 {date} 过期，请立即办理",
            "revoked": "执法证已注销，请联系法制科",
            "missing": "尚无执法证记录：请参加申领执法证培训并登记证件",
        }.get(status)
        if text:
            found.append((row.officer_id, "cert", text))

    found += _exam_reminders(session, roster, active, as_of, workspace)
    found += _module_reminders(session, roster, active, as_of)
    people = roster.set_index("officer_id")
    frame = pd.DataFrame(
        [
            (
                officer_id,
                people.at[officer_id, "name"],
                people.at[officer_id, "unit"],
                emails.get(officer_id) or "",
                kind,
                message,
            )
            for officer_id, kind, message in found
        ],
        columns=COLUMNS,
    )
    order = {kind: n for n, kind in enumerate(KIND_LABELS)}
    frame["_order"] = frame["kind"].map(order)
    return (
        frame.sort_values(["officer_id", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _exam_reminders(
    session: Session,
    roster: pd.DataFrame,
    active: np.ndarray,
    as_of: dt.date,
    workspace: Path | None,
) -> list[tuple[str, str, str]]:
    audiences = load_audiences(session, "exam")
    sat = _sat(session, workspace)
    passed = set(
        session.execute(
            select(Exam.name, Officer.officer_id)
            .join(ExamResult, ExamResult.exam_id == Exam.id)
            .join(Officer, ExamResult.officer_id == Officer.id)
            .where(ExamResult.passed.is_(True))
        ).all()
    )
    found = []
    for exam, closes, original in _open_exams(session, as_of):
        audience = audiences.get(original or exam.name)
        members = active.copy()
        if audience is not None:
            members &= audience.members(roster, closes.date())
        deadline = closes.strftime("%Y-%m-%d %H:%M")
        for officer_id in roster["officer_id"][members]:
            if (exam.name, officer_id) in sat:
                continue
            if original is None:
                found.append(
                    (officer_id, "exam", f"考试“{exam.title}”已开放，尚未提交，截止 {deadline}")
                )
            elif (original, officer_id) in sat and (original, officer_id) not in passed:
                found.append((officer_id, "makeup", f"需参加补考“{exam.title}”，截止 {deadline}"))
            elif (original, officer_id) not in sat and _closed(session, original, as_of):
                found.append(
                    (officer_id, "makeup", f"缺考，需参加补考“{exam.title}”，截止 {deadline}")
                )
    return found


def _module_reminders(
    session: Session, roster: pd.DataFrame, active: np.ndarray, as_of: dt.date
) -> list[tuple[str, str, str]]:
    """Officers a module is set for (``course audience``: e.g. new hires' 申领执法证 training)
    who have no record of studying it yet."""
    found = []
    for module, rule in sorted(load_audiences(session, "module").items()):
        members = active & rule.members(roster, as_of)
        if not members.any():
            continue
        studied = load_activity_starts(
            session,
            module,
            0,
            local_midnight(as_of + dt.timedelta(days=1)),
            officers=roster.loc[members, "id"].to_numpy(),
        )
        done = set(studied["id"])
        for officer_id, officer in zip(
            roster["officer_id"][members], roster["id"][members], strict=True
        ):
            if officer not in done:
                found.append((officer_id, "module", f"请学习学法模块“{module}”（尚无学习记录）"))
    return found


def _closed(session: Session, name: str, as_of: dt.date) -> bool:
    closes = _local(session.scalar(select(Exam.closes).where(Exam.name == name)))
    return closes is not None and closes.date() < as_of
