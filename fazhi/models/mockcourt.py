"""Mock-court sessions (模拟法庭): case, rubric as used, participants, judges and score sheets.

A judge's score sheet (``MockCourtSheet``) holds one score per rubric dimension for one
participant. The rubric (dimensions, weights) and the trimming rule are stored with the
session as they were when it was created, so later changes to the rules file never silently
change past results.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fazhi.models.base import Base
from fazhi.models.roster import Officer

_CHILDREN = "all, delete-orphan"


class MockCourtSession(Base):
    __tablename__ = "mockcourt_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # 场次, e.g. MC-2026-01
    date: Mapped[dt.date]
    case_title: Mapped[str] = mapped_column(String(200), default="")
    case_summary: Mapped[str] = mapped_column(Text, default="")
    case_file: Mapped[str] = mapped_column(String(500), default="")  # the case file used
    drop_extremes_from: Mapped[int]  # judges needed before dropping the highest and lowest

    dimensions: Mapped[list[MockCourtDimension]] = relationship(
        back_populates="session", cascade=_CHILDREN, order_by="MockCourtDimension.position"
    )
    participants: Mapped[list[MockCourtParticipant]] = relationship(
        back_populates="session", cascade=_CHILDREN
    )
    judges: Mapped[list[MockCourtJudge]] = relationship(back_populates="session", cascade=_CHILDREN)


class MockCourtDimension(Base):
    """One rubric dimension of a session, with the weight used (weights sum to 100)."""

    __tablename__ = "mockcourt_dimension"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mockcourt_session.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(50))
    weight: Mapped[float]

    session: Mapped[MockCourtSession] = relationship(back_populates="dimensions")


class MockCourtParticipant(Base):
    """An officer taking part in a session in one role (负责人出庭应诉, 代理人, 执法人员...)."""

    __tablename__ = "mockcourt_participant"
    __table_args__ = (UniqueConstraint("session_id", "officer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mockcourt_session.id", ondelete="CASCADE"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    role: Mapped[str] = mapped_column(String(50))

    session: Mapped[MockCourtSession] = relationship(back_populates="participants")
    officer: Mapped[Officer] = relationship()
    sheets: Mapped[list[MockCourtSheet]] = relationship(
        back_populates="participant", cascade=_CHILDREN
    )


class MockCourtJudge(Base):
    """A judge (评委) of one session, by name: judges are often outside experts, not officers."""

    __tablename__ = "mockcourt_judge"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("mockcourt_session.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))

    session: Mapped[MockCourtSession] = relationship(back_populates="judges")
    sheets: Mapped[list[MockCourtSheet]] = relationship(back_populates="judge", cascade=_CHILDREN)


class MockCourtSheet(Base):
    """One judge's scores for one participant, with the judge's comment."""

    __tablename__ = "mockcourt_sheet"
    __table_args__ = (UniqueConstraint("participant_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("mockcourt_participant.id", ondelete="CASCADE")
    )
    judge_id: Mapped[int] = mapped_column(
        ForeignKey("mockcourt_judge.id", ondelete="CASCADE"), index=True
    )
    comment: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")  # file name or 评分笔记本

    participant: Mapped[MockCourtParticipant] = relationship(back_populates="sheets")
    judge: Mapped[MockCourtJudge] = relationship(back_populates="sheets")
    scores: Mapped[list[MockCourtScore]] = relationship(back_populates="sheet", cascade=_CHILDREN)


class MockCourtScore(Base):
    """A score from 0 to 100 on one dimension."""

    __tablename__ = "mockcourt_score"
    __table_args__ = (
        UniqueConstraint("sheet_id", "dimension_id"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("mockcourt_sheet.id", ondelete="CASCADE"))
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("mockcourt_dimension.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float]

    sheet: Mapped[MockCourtSheet] = relationship(back_populates="scores")
    dimension: Mapped[MockCourtDimension] = relationship()
