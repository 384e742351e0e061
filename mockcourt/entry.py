"""Manual entry, as the scoring notebook does it: register a session, record one judge's sheet.

Same records and the same rules as the file import (``store.upsert_sheet``); problems are
raised as UserError with every Chinese message at once, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.errors import UserError
from fazhi.models import Officer
from fazhi.models.mockcourt import MockCourtParticipant, MockCourtSession
from fazhi.rules import Rules

from .scorefile import MAX_LENGTH, clean_text, key_text, parse_score
from .scoring import judge_score
from .store import load_sessions, new_session, upsert_sheet

NOTEBOOK_SOURCE = "评分笔记本"


def _refuse(problems: list[str]) -> None:
    if problems:
        raise UserError("未保存：\n" + "\n".join(f"· {p}" for p in problems))


def _load(session: Session, code: str) -> MockCourtSession:
    mock = load_sessions(session, [code]).get(code)
    if mock is None:
        raise UserError(f"未保存：场次“{code}”不存在，请先登记场次")
    return mock


def session_choices(session: Session) -> list[tuple[str, str]]:
    """(label, code) of every session, newest first, for a drop-down."""
    query = select(MockCourtSession).order_by(
        MockCourtSession.date.desc(), MockCourtSession.code.desc()
    )
    return [
        (f"{m.code}　{m.date}　{m.case_title or '（未填案件名称）'}", m.code)
        for m in session.scalars(query)
    ]


@dataclass(frozen=True)
class SessionView:
    """What the scoring form shows of a session."""

    code: str
    rubric: dict[str, float]
    participants: list[tuple[str, str]]  # (label, officer_id)
    judges: list[str]


def session_view(session: Session, code: str) -> SessionView:
    mock = _load(session, code)
    participants = sorted(mock.participants, key=lambda p: p.officer.officer_id)
    return SessionView(
        code=mock.code,
        rubric={d.name: d.weight for d in mock.dimensions},
        participants=[
            (f"{p.officer.name}（{p.officer.officer_id}）· {p.role}", p.officer.officer_id)
            for p in participants
        ],
        judges=sorted(j.name for j in mock.judges),
    )


def session_details(session: Session, code: str) -> dict[str, Any]:
    """A session's date, case fields and participants [(officer_id, role)], for editing."""
    mock = _load(session, code)
    return {
        "date": mock.date,
        "case_title": mock.case_title,
        "case_summary": mock.case_summary,
        "case_file": mock.case_file,
        "participants": sorted((p.officer.officer_id, p.role) for p in mock.participants),
    }


def stored_sheet(
    session: Session, code: str, officer_id: str, judge: str
) -> tuple[dict[str, float], str] | None:
    """A judge's stored scores and comment for a participant (to edit them), or None."""
    mock = _load(session, code)
    for participant in mock.participants:
        if participant.officer.officer_id != officer_id:
            continue
        for sheet in participant.sheets:
            if sheet.judge.name == judge:
                return {s.dimension.name: s.score for s in sheet.scores}, sheet.comment
    return None


PARTICIPANT_LINE = re.compile(r"^\s*(\S+?)[\s,，、:：]+(.+?)\s*$")


def parse_participants(text: str) -> list[tuple[str, str]]:
    """Lines of "工号 角色" (space, comma or colon between) → [(officer_id, role)]."""
    found = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = PARTICIPANT_LINE.match(line)
        if match is None:
            problems.append(f"参加人员第 {number} 行“{line.strip()}”应为“工号 角色”")
            continue
        found.append((key_text(match.group(1)), clean_text(match.group(2))))
    _refuse(problems)
    return found


def register_session(
    session: Session,
    *,
    rules: Rules,
    code: str,
    date: dt.date | None,
    case_title: str,
    case_summary: str,
    case_file: str,
    participants: list[tuple[str, str]],
) -> str:
    """Create or update a session and its participants; returns a message for the user.

    A new session takes today's rubric from the rules. Participants not listed are removed,
    unless a judge has already scored them.
    """
    code = key_text(code)
    problems = []
    if not code:
        problems.append("请填写场次编号")
    elif len(code) > MAX_LENGTH["session_id"]:
        problems.append(f"场次编号最多 {MAX_LENGTH['session_id']} 字")
    if date is None:
        problems.append("请选择开庭日期")
    if len(case_title.strip()) > MAX_LENGTH["case_title"]:
        problems.append(f"案件名称最多 {MAX_LENGTH['case_title']} 字")
    if len(case_file.strip()) > MAX_LENGTH["case_file"]:
        problems.append(f"案卷材料最多 {MAX_LENGTH['case_file']} 字")
    if not participants:
        problems.append("请至少填写一名参加人员（每行：工号 角色）")
    ids = [officer_id for officer_id, _ in participants]
    officers = {
        o.officer_id: o for o in session.scalars(select(Officer).where(Officer.officer_id.in_(ids)))
    }
    seen: set[str] = set()
    for officer_id, role in participants:
        if officer_id not in officers:
            problems.append(f"工号“{officer_id}”不在人员名册中")
        if officer_id in seen:
            problems.append(f"工号“{officer_id}”重复")
        seen.add(officer_id)
        if len(role) > MAX_LENGTH["role"]:
            problems.append(f"{officer_id} 的角色最多 {MAX_LENGTH['role']} 字")
    mock = load_sessions(session, [code]).get(code) if code else None
    if mock is not None:
        for participant in mock.participants:
            if participant.officer.officer_id not in seen and participant.sheets:
                problems.append(f"{participant.officer.officer_id} 已有评委评分，不能从场次中移除")
    _refuse(problems)
    assert date is not None
    created = mock is None
    if mock is None:
        mock = new_session(code, date, rules=rules)
        session.add(mock)
    mock.date = date
    mock.case_title = case_title.strip()
    mock.case_summary = case_summary.strip()
    mock.case_file = case_file.strip()
    roles = dict(participants)
    for participant in list(mock.participants):
        if participant.officer.officer_id not in roles:
            mock.participants.remove(participant)
    present = {p.officer.officer_id: p for p in mock.participants}
    for officer_id, role in participants:
        if officer_id in present:
            present[officer_id].role = role
        else:
            mock.participants.append(MockCourtParticipant(officer=officers[officer_id], role=role))
    session.flush()
    verb = "已登记" if created else "已更新"
    return f"{verb}场次“{code}”（{date}），参加人员 {len(participants)} 名。"


def record_sheet(
    session: Session,
    *,
    code: str,
    officer_id: str,
    judge: str,
    scores: Mapping[str, Any],
    comment: str,
    source: str = NOTEBOOK_SOURCE,
) -> tuple[str, Fraction]:
    """Store one judge's sheet for a participant of a session: (status, weighted score).

    ``scores`` maps each rubric dimension to what the judge typed (text or number, 0–100).
    """
    problems = []
    judge = clean_text(judge)
    if not code:
        problems.append("请选择场次")
    if not officer_id:
        problems.append("请选择参加人员")
    if not judge:
        problems.append("请填写评委姓名")
    elif len(judge) > MAX_LENGTH["judge"]:
        problems.append(f"评委姓名最多 {MAX_LENGTH['judge']} 字")
    _refuse(problems)
    mock = _load(session, code)
    participant = next((p for p in mock.participants if p.officer.officer_id == officer_id), None)
    if participant is None:
        problems.append(f"{officer_id} 不是场次“{code}”的参加人员")
    parsed: dict[str, Fraction] = {}
    for dimension in mock.dimensions:
        value = scores.get(dimension.name)
        if value is None or not clean_text(value):
            problems.append(f"请为“{dimension.name}”打分（0–100）")
            continue
        try:
            parsed[dimension.name] = parse_score(value)
        except ValueError as err:
            problems.append(f"“{dimension.name}”：{err}")
    unknown = sorted(set(scores) - {d.name for d in mock.dimensions})
    if unknown:
        problems.append(f"未知的评分维度：{'、'.join(unknown)}")
    _refuse(problems)
    assert participant is not None
    status = upsert_sheet(
        mock,
        officer=participant.officer,
        role=None,
        judge=judge,
        scores=parsed,
        comment=comment.strip(),
        source=source,
    )
    session.flush()
    return status, judge_score({d.name: d.weight for d in mock.dimensions}, parsed)
