"""Write judges' score sheets to the database: from a score file, and one sheet at a time.

Sessions are created with the rules' rubric and trimming rule, which stay with the session.
Writing is by score sheet (one judge, one participant): a sheet already stored is updated,
others are left alone, so importing the same file twice changes nothing and sheets from the
scoring notebook survive an import. ``replace=True`` makes the file the whole truth for the
sessions it names.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fazhi import db
from fazhi.errors import InputErrors
from fazhi.models import Officer
from fazhi.models.mockcourt import (
    MockCourtDimension,
    MockCourtJudge,
    MockCourtParticipant,
    MockCourtScore,
    MockCourtSession,
    MockCourtSheet,
)
from fazhi.rules import Rules, load_rules
from fazhi.settings import Settings

from .scorefile import ScoreFile, ScoreRow, read_score_file
from .scoring import exact

K = TypeVar("K")


def dimension_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()


@dataclass(frozen=True)
class ImportResult:
    sessions: int
    sessions_created: int
    sheets_created: int
    sheets_updated: int
    sheets_unchanged: int

    def describe(self) -> str:
        return (
            f"模拟法庭评分导入完成：场次 {self.sessions} 个（新建 {self.sessions_created} 个），"
            f"评分表新增 {self.sheets_created} 份、更新 {self.sheets_updated} 份、"
            f"未变 {self.sheets_unchanged} 份。"
        )


def new_session(code: str, date: dt.date, *, rules: Rules) -> MockCourtSession:
    """A session carrying the rules' rubric and trimming rule as they are today."""
    session = MockCourtSession(
        code=code,
        date=date,
        case_title="",
        case_summary="",
        case_file="",
        drop_extremes_from=rules.drop_extremes_from,
    )
    for position, (name, weight) in enumerate(rules.rubric.items()):
        session.dimensions.append(MockCourtDimension(position=position, name=name, weight=weight))
    return session


def load_sessions(session: Session, codes: Iterable[str]) -> dict[str, MockCourtSession]:
    """The named sessions with everything a sheet touches loaded."""
    query = (
        select(MockCourtSession)
        .where(MockCourtSession.code.in_(list(codes)))
        .options(
            selectinload(MockCourtSession.dimensions),
            selectinload(MockCourtSession.judges),
            selectinload(MockCourtSession.participants).selectinload(MockCourtParticipant.officer),
            selectinload(MockCourtSession.participants)
            .selectinload(MockCourtParticipant.sheets)
            .selectinload(MockCourtSheet.scores)
            .selectinload(MockCourtScore.dimension),
        )
    )
    return {s.code: s for s in session.scalars(query)}


def upsert_sheet(
    mock: MockCourtSession,
    *,
    officer: Officer,
    role: str | None,
    judge: str,
    scores: Mapping[str, Fraction],
    comment: str | None,
    source: str,
) -> str:
    """Store one judge's complete sheet for one participant: "created", "updated" or "unchanged".

    ``scores`` is keyed by the session's dimension names and must cover all of them (callers
    validate). ``role`` None keeps the participant's role; ``comment`` None keeps the comment.
    """
    participant = next((p for p in mock.participants if p.officer is officer), None)
    changed = False
    if participant is None:
        if not role:
            raise ValueError(f"{officer.officer_id} 不是场次“{mock.code}”的参加人员")
        participant = MockCourtParticipant(officer=officer, role=role)
        mock.participants.append(participant)
    elif role and participant.role != role:
        participant.role = role
        changed = True
    judge_row = next((j for j in mock.judges if j.name == judge), None)
    if judge_row is None:
        judge_row = MockCourtJudge(name=judge)
        mock.judges.append(judge_row)
    sheet = next((s for s in participant.sheets if s.judge is judge_row), None)
    created = sheet is None
    if sheet is None:
        sheet = MockCourtSheet(judge=judge_row, comment="", source=source)
        participant.sheets.append(sheet)
    stored = {score.dimension.name: score for score in sheet.scores}
    for dimension in mock.dimensions:
        value = scores[dimension.name]
        existing = stored.get(dimension.name)
        if existing is None:
            sheet.scores.append(MockCourtScore(dimension=dimension, score=float(value)))
            changed = True
        elif exact(existing.score) != value:
            existing.score = float(value)
            changed = True
    if comment is not None and sheet.comment != comment:
        sheet.comment = comment
        changed = True
    if created:
        return "created"
    if changed:
        sheet.source = source
        return "updated"
    return "unchanged"


def _grouped(rows: Iterable[ScoreRow], key: Callable[[ScoreRow], K]) -> dict[K, list[ScoreRow]]:
    groups: dict[K, list[ScoreRow]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def _rubric_keys(mock: MockCourtSession | None, rules: Rules) -> dict[str, str]:
    """Normalised dimension name → the rubric's own spelling, for a session or a new one."""
    names = [d.name for d in mock.dimensions] if mock is not None else list(rules.rubric)
    return {dimension_key(name): name for name in names}


def _validate_against_database(
    found: ScoreFile,
    officers: Mapping[str, Officer],
    sessions: Mapping[str, MockCourtSession],
    *,
    rules: Rules,
    replace: bool,
) -> None:
    """Unknown officers, unknown dimensions and judges who skipped a dimension."""
    for row in found.rows:
        if row.officer_id and row.officer_id not in officers:
            found.fail(row.line, "officer_id", f"工号“{row.officer_id}”不在人员名册中")
        if not row.session_code:
            continue
        mock = None if replace else sessions.get(row.session_code)
        rubric = _rubric_keys(mock, rules)
        if row.dimension and dimension_key(row.dimension) not in rubric:
            found.fail(
                row.line,
                "dimension",
                f"未知的评分维度“{row.dimension}”；场次“{row.session_code}”的评分维度为："
                f"{'、'.join(rubric.values())}",
            )
    sheets = _grouped((r for r in found.rows if all(r.sheet_key)), lambda r: r.sheet_key)
    # A bad row (say a mistyped 工号) can move a score into another sheet: do not also call
    # the judge's sheets in that session incomplete; report the row's own error first.
    doubtful = {(r.session_code, r.judge) for r in found.rows if r.line in found.bad_lines}
    for (code, officer_id, judge), rows in sheets.items():
        if (code, judge) in doubtful:
            continue
        rubric = _rubric_keys(None if replace else sessions.get(code), rules)
        given = {dimension_key(r.dimension) for r in rows}
        missing = [name for key, name in rubric.items() if key not in given]
        if missing:
            lines = "、".join(str(r.line) for r in rows)
            found.fail(
                rows[0].line,
                "dimension",
                f"评委“{judge}”对 {officer_id} 的评分缺少维度：{'、'.join(missing)}"
                f"（该评委对此人的评分在第 {lines} 行）",
            )


def _joined_comment(rows: list[ScoreRow]) -> str | None:
    if rows[0].comment is None:
        return None
    seen: list[str] = []
    for row in rows:
        if row.comment and row.comment not in seen:
            seen.append(row.comment)
    return "；".join(seen)


def store_scores(
    session: Session, found: ScoreFile, *, rules: Rules, replace: bool = False
) -> ImportResult:
    """Validate ``found`` against the database and store it; InputErrors and nothing written
    when any row is wrong. The caller owns the transaction."""
    officer_ids = {row.officer_id for row in found.rows if row.officer_id}
    officers = {
        o.officer_id: o
        for o in session.scalars(select(Officer).where(Officer.officer_id.in_(officer_ids)))
    }
    sessions = load_sessions(session, {row.session_code for row in found.rows})
    _validate_against_database(found, officers, sessions, rules=rules, replace=replace)
    if found.errors:
        raise InputErrors(sorted(found.errors, key=lambda e: e.row or 0))

    by_session = _grouped(found.rows, lambda r: r.session_code)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    created_sessions = 0
    for code, rows in by_session.items():
        mock = sessions.get(code)
        if mock is not None and replace:
            session.delete(mock)
            session.flush()  # the code must be free before the new session is inserted
            mock = None
        if mock is None:
            mock = new_session(code, rows[0].date, rules=rules)  # type: ignore[arg-type]
            session.add(mock)
            created_sessions += 1
        mock.date = rows[0].date  # type: ignore[assignment]
        for row in rows:
            for name, value in row.case.items():
                if value:
                    setattr(mock, name, value)
        rubric = _rubric_keys(mock, rules)
        for (_, officer_id, judge), sheet_rows in _grouped(rows, lambda r: r.sheet_key).items():
            scores = {rubric[dimension_key(r.dimension)]: r.score for r in sheet_rows}
            status = upsert_sheet(
                mock,
                officer=officers[officer_id],
                role=sheet_rows[0].role,
                judge=judge,
                scores=scores,  # type: ignore[arg-type]
                comment=_joined_comment(sheet_rows),
                source=found.path.name,
            )
            counts[status] += 1
    session.flush()
    return ImportResult(
        sessions=len(by_session),
        sessions_created=created_sessions,
        sheets_created=counts["created"],
        sheets_updated=counts["updated"],
        sheets_unchanged=counts["unchanged"],
    )


def import_file(*, settings: Settings, path: Path, replace: bool = False) -> ImportResult:
    """``fazhi mockcourt import``: read, validate and store a score file in one transaction."""
    rules = load_rules(settings.rules_path)
    found = read_score_file(path)
    with db.session_scope(settings) as session:
        return store_scores(session, found, rules=rules, replace=replace)
