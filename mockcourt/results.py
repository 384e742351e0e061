"""Mock-court results from the database: officers' session scores, ICC, dimension means,
judge deviation. Other reports call ``officer_mockcourt_results``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from fazhi.models import Officer
from fazhi.models.mockcourt import (
    MockCourtParticipant,
    MockCourtScore,
    MockCourtSession,
    MockCourtSheet,
)

from .scoring import (
    JudgeDeviation,
    Number,
    exact,
    icc_2_1,
    judge_deviations,
    judge_score,
    round2,
    session_score,
)

RESULT_COLUMNS = ["session_id", "date", "officer_id", "role", "score"]


@dataclass(frozen=True)
class ParticipantResult:
    officer_id: str
    name: str
    role: str
    judge_scores: dict[str, Fraction]  # judge → weighted score
    score: Fraction  # the session score (trimmed mean of judge_scores)

    @property
    def judges(self) -> int:
        return len(self.judge_scores)


@dataclass(frozen=True)
class SessionResult:
    code: str
    date: dt.date
    case_title: str
    case_summary: str
    case_file: str
    rubric: dict[str, float]  # dimension → weight, as used
    drop_extremes_from: int
    participants: list[ParticipantResult]  # scored participants, by officer id
    dimension_means: dict[str, Fraction]  # mean raw score (0–100) over every sheet
    icc: float | None  # ICC(2,1) over icc_participants × icc_judges
    icc_participants: int
    icc_judges: int
    deviations: list[JudgeDeviation]


def _sessions_query(officer_ids: Iterable[str] | None) -> Select[MockCourtSession]:
    query = select(MockCourtSession).options(
        selectinload(MockCourtSession.dimensions),
        selectinload(MockCourtSession.participants).selectinload(MockCourtParticipant.officer),
        selectinload(MockCourtSession.participants)
        .selectinload(MockCourtParticipant.sheets)
        .options(
            selectinload(MockCourtSheet.judge),
            selectinload(MockCourtSheet.scores).selectinload(MockCourtScore.dimension),
        ),
    )
    if officer_ids is not None:
        taking_part = (
            select(MockCourtParticipant.session_id)
            .join(Officer)
            .where(Officer.officer_id.in_(list(officer_ids)))
        )
        query = query.where(MockCourtSession.id.in_(taking_part))
    return query.order_by(MockCourtSession.date, MockCourtSession.code)


def summarise_session(
    mock: MockCourtSession, *, deviation_threshold: Number | None = None
) -> SessionResult:
    """Every figure of one session, computed exactly from its stored sheets and rubric.

    ``deviation_threshold`` flags judges (rules' ``mockcourt.deviation_threshold``; None:
    the default rules').
    """
    rubric = {d.name: d.weight for d in mock.dimensions}
    totals: dict[str, Fraction] = dict.fromkeys(rubric, Fraction(0))
    sheets = 0
    participants = []
    for participant in sorted(mock.participants, key=lambda p: p.officer.officer_id):
        by_judge: dict[str, Fraction] = {}
        for sheet in participant.sheets:
            raw = {score.dimension.name: exact(score.score) for score in sheet.scores}
            by_judge[sheet.judge.name] = judge_score(rubric, raw)
            for name in rubric:
                totals[name] += raw[name]
            sheets += 1
        if by_judge:
            participants.append(
                ParticipantResult(
                    officer_id=participant.officer.officer_id,
                    name=participant.officer.name,
                    role=participant.role,
                    judge_scores=dict(sorted(by_judge.items())),
                    score=session_score(list(by_judge.values()), mock.drop_extremes_from),
                )
            )
    # ICC needs a complete table: the judges who scored every scored participant.
    judges = sorted({j for p in participants for j in p.judge_scores})
    complete = [j for j in judges if all(j in p.judge_scores for p in participants)]
    matrix = [[p.judge_scores[j] for j in complete] for p in participants]
    icc = icc_2_1(matrix) if complete else None
    return SessionResult(
        code=mock.code,
        date=mock.date,
        case_title=mock.case_title,
        case_summary=mock.case_summary,
        case_file=mock.case_file,
        rubric=rubric,
        drop_extremes_from=mock.drop_extremes_from,
        participants=participants,
        dimension_means={n: t / sheets for n, t in totals.items()} if sheets else {},
        icc=icc,
        icc_participants=len(participants) if complete else 0,
        icc_judges=len(complete),
        deviations=judge_deviations(
            {p.officer_id: p.judge_scores for p in participants}, threshold=deviation_threshold
        ),
    )


def session_results(
    session: Session,
    *,
    officer_ids: Iterable[str] | None = None,
    deviation_threshold: Number | None = None,
) -> list[SessionResult]:
    """Every session (or those in which any of ``officer_ids`` took part), by date."""
    found = session.scalars(_sessions_query(officer_ids)).all()
    return [summarise_session(m, deviation_threshold=deviation_threshold) for m in found]


def officer_mockcourt_results(
    session: Session, officer_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """One row per officer and scored session: ``session_id, date, officer_id, role, score``.

    ``score`` is the session score of docs/contract.md (weighted rubric, judges' mean, highest
    and lowest dropped with enough judges), a float rounded to 2 decimals; ``date`` is a
    ``datetime.date``. Sorted by officer, date and session. For the compliance report and the
    officer's page; ``officer_ids`` None means every officer.
    """
    wanted = None if officer_ids is None else set(officer_ids)
    rows = []
    for result in session_results(session, officer_ids=wanted):
        for participant in result.participants:
            if wanted is None or participant.officer_id in wanted:
                rows.append(
                    (
                        result.code,
                        result.date,
                        participant.officer_id,
                        participant.role,
                        float(round2(participant.score)),
                    )
                )
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    frame["score"] = frame["score"].astype(float)
    return frame.sort_values(["officer_id", "date", "session_id"], ignore_index=True)
