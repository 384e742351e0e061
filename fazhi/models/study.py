"""Study intervals: online time measured by the tracker and imported offline records (issue 5).

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
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from fazhi.models.base import Base

STUDY_KINDS = ("online", "offline")
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


class StudyInterval(Base):
    """One study interval of one officer, [start_ts, end_ts) in Unix seconds (UTC).

    The same officer/time/kind/activity is stored once: re-importing a file (or an edited
    copy of it) adds nothing twice. Overlapping intervals are kept as recorded; reports count
    their union.
    """

    __tablename__ = "study_interval"
    __table_args__ = (
        CheckConstraint("kind IN ('online', 'offline')", name="kind"),
        CheckConstraint("end_ts >= start_ts", name="ordered"),
        UniqueConstraint("officer_id", "start_ts", "end_ts", "kind", "activity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))
    start_ts: Mapped[int] = mapped_column(BigInteger)
    end_ts: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))
    activity_id: Mapped[int] = mapped_column(ForeignKey("study_activity.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("study_source.id"))
    source_row: Mapped[int]  # the file's row number (header = 1), or the tracker's sequence

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.start_ts, dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.end_ts, dt.UTC)


class StudyYear(Base):
    """One officer's study seconds on each day of one calendar year (Asia/Shanghai days).

    Derived from ``study_interval`` — the union of the officer's intervals clipped to each
    day — and rewritten by every writer of intervals (``fazhi.analytics.store``), so that a
    report reads one small row per officer instead of millions of intervals. ``seconds`` is
    little-endian int32, one per day from 1 January.
    """

    __tablename__ = "study_year"

    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seconds: Mapped[bytes] = mapped_column(LargeBinary)
