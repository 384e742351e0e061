"""Audiences: who an exam or a law module applies to, and the officers a sample drew.

An audience is stored per target (``exam`` + exam name, or ``module`` + module id). Its
criteria (roles, unit subtrees, named officers, new hires within N days of joining) all
apply together; a sample of k officers is drawn once from the officers meeting them and
recorded in ``audience_draw``, so later roster changes never change who was drawn.
A target without an audience applies to everyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fazhi.models.base import Base
from fazhi.models.roster import Officer

AUDIENCE_TARGETS = ("exam", "module")


class Audience(Base):
    __tablename__ = "audience"
    __table_args__ = (
        UniqueConstraint("target", "target_name", name="uq_audience_target_name"),
        CheckConstraint("target IN ('exam', 'module')", name="target"),
        CheckConstraint("new_hire_days IS NULL OR new_hire_days > 0", name="new_hire_days"),
        CheckConstraint("sample_size IS NULL OR sample_size > 0", name="sample_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(10))
    target_name: Mapped[str] = mapped_column(String(100))  # exam name or module id
    roles: Mapped[list[Any]] = mapped_column(JSON)  # [] = any role
    units: Mapped[list[Any]] = mapped_column(JSON)  # unit paths (their subtrees); [] = any
    officers: Mapped[list[Any]] = mapped_column(JSON)  # 工号; [] = anyone
    new_hire_days: Mapped[int | None]  # joined (入职日期) within this many days
    sample_size: Mapped[int | None]  # k officers drawn from those meeting the criteria
    seed: Mapped[int | None]  # the draw's seed
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    draws: Mapped[list[AudienceDraw]] = relationship(
        back_populates="audience", cascade="all, delete-orphan"
    )


class AudienceDraw(Base):
    """One officer drawn into a sampled audience (the record of the draw)."""

    __tablename__ = "audience_draw"

    audience_id: Mapped[int] = mapped_column(
        ForeignKey("audience.id", ondelete="CASCADE"), primary_key=True
    )
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), primary_key=True, index=True)

    audience: Mapped[Audience] = relationship(back_populates="draws")
    officer: Mapped[Officer] = relationship()
