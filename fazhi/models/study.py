"""Study intervals: online time measured by the tracker and imported offline records.

Times are Unix timestamps (UTC seconds): the compliance engine works on integer arrays, and
periods (ISO weeks, calendar years) are clipped in Asia/Shanghai by the analytics package.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from fazhi.models.base import Base

SOURCE_KINDS = ("file", "tracker")


class StudySource(Base):
    """Where intervals came from: an imported file (by content hash) or one tracker session."""

    __tablename__ = "study_source"
    __table_args__ = (CheckConstraint("kind IN ('file', 'tracker')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    # sha256 of a file's bytes, or the tracker session's random id: the same file is one source
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))  # file name, or officer@host for the tracker
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class StudyActivity(Base):
    """What was studied (学习内容, free text); linked to a module when it equals a module id."""

    __tablename__ = "study_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    module_id: Mapped[str | None] = mapped_column(String(100))


class StudyPack(Base):
    """The study intervals of one officer from one source, packed into one blob.

    ``records`` holds ``fazhi.analytics.study.packs.RECORD``s (start, end, activity, row, online),
    sorted by (start, end, activity, online). Intervals are [start, end) in Unix seconds. An
    imported row equal to a stored one (same officer/time/kind/activity) is not stored again,
    so re-importing a file (or an edited copy of it) adds nothing twice. Overlapping intervals
    are kept as recorded; reports count their union. ``first_ts``/``last_ts`` (the earliest
    start, the latest end) let readers skip packs outside a period without unpacking them.
    """

    __tablename__ = "study_pack"
    __table_args__ = (
        UniqueConstraint("source_id", "officer_id"),
        CheckConstraint("last_ts >= first_ts", name="ordered"),
        Index("ix_study_pack_officer_id", "officer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("study_source.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))
    count: Mapped[int]
    first_ts: Mapped[int] = mapped_column(BigInteger)
    last_ts: Mapped[int] = mapped_column(BigInteger)
    records: Mapped[bytes] = mapped_column(LargeBinary)


class StudyYear(Base):
    """One officer's study seconds on each day of one calendar year (Asia/Shanghai days).

    Derived from ``study_pack`` — the union of the officer's intervals clipped to each
    day — and rewritten by every writer of intervals (``fazhi.analytics.study.store``), so that a
    report reads one small row per officer instead of millions of intervals. ``seconds`` is
    little-endian int32, one per day from 1 January.
    """

    __tablename__ = "study_year"

    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seconds: Mapped[bytes] = mapped_column(LargeBinary)
