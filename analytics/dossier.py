"""学法档案: each officer's dated record of every activity, for inspections.

Online study per day and module, offline records with their stored 学习内容, exams with
scores, mock-court roles and scores, and certificate events (发证, 年检, 有效期至, 注销).
Written per officer or per unit (its subtree) as XLSX, or printable HTML or PDF (one officer
a page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.analytics.dataset import apply_certificates, exam_results, mockcourt_results
from fazhi.analytics.sections import ROLE_LABELS
from fazhi.analytics.study.store import load_roster, read_packs
from fazhi.certificates import certificate_events
from fazhi.errors import UserError
from fazhi.models import StudyActivity
from fazhi.tabular import LOCAL_TZ

COLUMNS = ["日期", "类别", "内容", "时长（分钟）", "成绩", "备注"]


@dataclass(frozen=True)
class Dossier:
    """One officer's header facts and dated entries (``COLUMNS``)."""

    officer_id: str
    name: str
    unit: str
    role: str
    joined: str
    certificate: str
    entries: pd.DataFrame


def _local(ts: np.ndarray) -> pd.DatetimeIndex:
    return pd.to_datetime(ts, unit="s", utc=True).tz_convert(LOCAL_TZ).tz_localize(None)


def _study_entries(session: Session, roster: pd.DataFrame) -> dict[str, list[tuple]]:
    names = dict(session.execute(select(StudyActivity.id, StudyActivity.name)).all())
    found = read_packs(session, officers=roster["id"].to_numpy())
    ids = dict(zip(roster["id"], roster["officer_id"], strict=True))
    entries: dict[str, list[tuple]] = {}
    if len(found) == 0:
        return entries
    items = found.records
    start, end = _local(items["start"]), _local(items["end"])
    frame = pd.DataFrame(
        {
            "officer": [ids[int(o)] for o in found.officer],
            "day": start.date,
            "start": start,
            "end": end,
            "minutes": (items["end"] - items["start"]) / 60,
            "activity": [names.get(int(a), "") for a in items["activity"]],
            "online": items["online"] == 1,
        }
    )
    online = frame[frame["online"]].groupby(["officer", "day", "activity"], as_index=False)
    for row in online.agg(minutes=("minutes", "sum"), count=("minutes", "size")).itertuples():
        entries.setdefault(row.officer, []).append(
            (row.day, "在线学习", row.activity, round(row.minutes, 1), "", f"{row.count} 段")
        )
    for row in frame[~frame["online"]].sort_values("start").itertuples():
        span = f"{row.start:%H:%M}–{row.end:%H:%M}"
        entries.setdefault(row.officer, []).append(
            (row.day, "线下学习", row.activity, round(row.minutes, 1), "", span)
        )
    return entries


def build_dossiers(
    session: Session, *, officer_id: str | None = None, unit: str | None = None
) -> list[Dossier]:
    """The dossiers of one officer or of every officer in ``unit`` and its sub-units."""
    roster = apply_certificates(session, load_roster(session))
    if officer_id is not None:
        roster = roster[roster["officer_id"] == officer_id.strip().upper()]
        if roster.empty:
            raise UserError(f"工号 {officer_id} 不在名册中")
    if unit is not None:
        path = "/".join(p.strip() for p in unit.replace("\\", "/").split("/") if p.strip())
        roster = roster[[u == path or str(u).startswith(path + "/") for u in roster["unit"]]]
        if roster.empty:
            raise UserError(f"单位“{unit}”下没有人员（应为名册中的完整路径）")
    roster = roster.reset_index(drop=True)
    wanted = roster["officer_id"].tolist()
    entries = _study_entries(session, roster)
    exams = exam_results(session)
    for row in exams[exams["officer_id"].isin(wanted)].itertuples():
        title = row.title or row.exam
        attempt = "补考" if row.attempt > 1 else "考试"
        verdict = "及格" if row.passed else "不及格"
        entries.setdefault(row.officer_id, []).append(
            (row.closes, attempt, title, "", f"{row.score:g}/{row.max_score:g}", verdict)
        )
    for row in mockcourt_results(session, wanted).itertuples():
        entries.setdefault(row.officer_id, []).append(
            (row.date, "模拟法庭", f"{row.session_id}（{row.role}）", "", f"{row.score:.2f}", "")
        )
    for officer, day, event, number in certificate_events(session, wanted):
        entries.setdefault(officer, []).append((day, event, f"证号 {number}", "", "", ""))
    dossiers = []
    for row in roster.itertuples():
        frame = pd.DataFrame(entries.get(row.officer_id, []), columns=COLUMNS)
        frame = frame.sort_values("日期", kind="stable").reset_index(drop=True)
        cert = "非执法人员"
        if row.enforcement:
            cert = f"有效期至 {row.cert_expiry}" if not pd.isna(row.cert_expiry) else "未登记"
            if not pd.isna(row.cert_revoked):
                cert = f"已于 {row.cert_revoked} 注销"
        dossiers.append(
            Dossier(
                officer_id=row.officer_id,
                name=row.name,
                unit=row.unit,
                role=ROLE_LABELS.get(row.role, row.role),
                joined="" if pd.isna(row.active_from) else str(row.active_from),
                certificate=cert,
                entries=frame,
            )
        )
    return dossiers


def write_dossier(dossiers: list[Dossier], *, fmt: str, out: Path) -> Path:
    """Write ``dossiers`` to ``out`` as ``xlsx`` (one sheet of every entry), ``html`` or
    ``pdf`` (both one officer a page)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    made = dt.datetime.now(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    if fmt == "pdf":
        from fazhi.analytics.dossier_pdf import write_dossier_pdf

        return write_dossier_pdf(dossiers, out, made=made)
    if fmt == "html":
        from fazhi.reporting.pages import frame_table, render, write_page

        pages = [(d, frame_table(d.entries, empty="暂无学习记录。")) for d in dossiers]
        return write_page(render("dossier.html.j2", title="学法档案", pages=pages, made=made), out)
    from fazhi.reporting.xlsx_writer import Sheet, write_xlsx

    people = pd.DataFrame(
        [
            (d.officer_id, d.name, d.unit, d.role, d.joined, d.certificate, len(d.entries))
            for d in dossiers
        ],
        columns=["工号", "姓名", "单位", "职务类别", "入职日期", "执法证", "记录条数"],
    )
    rows = [d.entries.assign(工号=d.officer_id, 姓名=d.name) for d in dossiers]
    every = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=COLUMNS)
    every = every[["工号", "姓名", *COLUMNS]]
    return write_xlsx(
        [Sheet("学法档案", every, empty="暂无学习记录。"), Sheet("人员", people)], out
    )
