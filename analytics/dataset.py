"""Load what the compliance engine needs from the database (roster, study, exams).

The exam tables are the exams package's (``fazhi.models.exam``): an exam's closing date and
its makeup link, and each officer's graded results. Mock-court results come from the
mock-court package's ``officer_mockcourt_results``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.analytics.compliance import Compliance, evaluate
from fazhi.analytics.periods import local_midnight, report_days
from fazhi.analytics.study.store import load_activity_starts, load_roster
from fazhi.analytics.study.yearstore import load_daily
from fazhi.audience import load_audiences
from fazhi.models import Officer
from fazhi.models.cert import Certificate
from fazhi.models.exam import Exam, ExamResult
from fazhi.rules import Rules
from fazhi.tabular import LOCAL_TZ


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    """A stored time (SQLite hands back naive UTC) as its Asia/Shanghai date."""
    if moment is None:
        return None
    aware = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return aware.astimezone(LOCAL_TZ).date()


def load_exams(session: Session) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(exams: exam, closes, makeup_of; passes: exam, officer_id) for the exam rule."""
    # Core tables, not ORM entities: a report needs no mapped objects, and a CLI process
    # that builds none skips configuring every mapper
    exam, result, officer = Exam.__table__, ExamResult.__table__, Officer.__table__
    original = exam.alias("original")
    rows = session.execute(
        select(exam.c.name, exam.c.closes, original.c.name).outerjoin(
            original, exam.c.makeup_of_id == original.c.id
        )
    ).all()
    exams = pd.DataFrame(
        [(name, _local_date(closes), parent) for name, closes, parent in rows],
        columns=["exam", "closes", "makeup_of"],
    )
    exams = exams[exams["closes"].notna()].reset_index(drop=True)
    passes = pd.DataFrame(
        [
            tuple(row)
            for row in session.execute(
                select(exam.c.name, officer.c.officer_id)
                .join(result, result.c.exam_id == exam.c.id)
                .join(officer, result.c.officer_id == officer.c.id)
                .where(result.c.passed.is_(True))
            )
        ],
        columns=["exam", "officer_id"],
    )
    return exams, passes


def exam_results(session: Session) -> pd.DataFrame:
    """Every graded sitting: officer_id, exam, title, closes, attempt, score, max, passed, late."""
    rows = session.execute(
        select(
            Officer.officer_id,
            Exam.name,
            Exam.title,
            Exam.closes,
            ExamResult.attempt,
            ExamResult.score,
            ExamResult.max_score,
            ExamResult.passed,
            ExamResult.late,
        )
        .join(ExamResult, ExamResult.exam_id == Exam.id)
        .join(Officer, ExamResult.officer_id == Officer.id)
        .order_by(Officer.officer_id, Exam.closes, Exam.name)
    ).all()
    columns = ["officer_id", "exam", "title", "closes", "attempt", "score", "max_score"]
    frame = pd.DataFrame(rows, columns=[*columns, "passed", "late"])
    frame["closes"] = [_local_date(c) for c in frame["closes"]]
    return frame


def mockcourt_results(session: Session, officer_ids: list[str] | None = None) -> pd.DataFrame:
    """Each officer's mock-court scores (session_id, date, officer_id, role, score), from #6."""
    from fazhi.mockcourt import officer_mockcourt_results

    return officer_mockcourt_results(session, officer_ids)


def apply_certificates(session: Session, roster: pd.DataFrame) -> pd.DataFrame:
    """The roster with each officer's latest imported 执法证 (by issue date) replacing the
    roster's expiry date, and its 注销 date as ``cert_revoked``."""
    table = Certificate.__table__
    rows = session.execute(
        select(table.c.officer_id, table.c.issued, table.c.expires, table.c.revoked).order_by(
            table.c.officer_id, table.c.issued, table.c.id
        )
    ).all()
    latest = {officer: (expires, revoked) for officer, _issued, expires, revoked in rows}
    roster = roster.copy()
    roster["cert_revoked"] = [latest.get(i, (None, None))[1] for i in roster["id"]]
    roster["cert_expiry"] = [
        latest[i][0] if i in latest else e
        for i, e in zip(roster["id"], roster["cert_expiry"], strict=True)
    ]
    return roster


def counted_starts(
    session: Session, roster: pd.DataFrame, rules: Rules, first: dt.date, stop: dt.date
) -> dict[str, pd.DataFrame]:
    """Rule name → (officer table id, start) of its activities' records in [first, stop)."""
    found = {}
    for rule in rules.counted:
        officers = roster.loc[[rule.applies_to(r) for r in roster["role"]], "id"].to_numpy()
        parts = [
            load_activity_starts(
                session, activity, local_midnight(first), local_midnight(stop), officers=officers
            )
            for activity in rule.activities
        ]
        found[rule.name] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return found


def load_compliance(
    session: Session,
    *,
    rules: Rules,
    year: int,
    as_of: dt.date,
    officer_ids: list[str] | None = None,
) -> Compliance:
    """Evaluate every officer on the roster (or only ``officer_ids``) for ``year`` as of
    ``as_of``."""
    first, stop = report_days(year)
    exams, passes = load_exams(session)
    roster = apply_certificates(session, load_roster(session))
    if officer_ids is not None:
        roster = roster[roster["officer_id"].isin(officer_ids)].reset_index(drop=True)
    leaders = roster.loc[roster["role"] == "leader", "id"].to_numpy()
    return evaluate(
        roster=roster,
        daily=load_daily(session, first, stop),
        rules=rules,
        year=year,
        as_of=as_of,
        exams=exams,
        passes=passes,
        central_group=load_activity_starts(
            session,
            rules.central_group_activity,
            local_midnight(first),
            local_midnight(stop),
            officers=leaders,
        ),
        counted=counted_starts(session, roster, rules, first, stop),
        audiences=load_audiences(session, "exam"),
    )
