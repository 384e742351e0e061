"""Units (a tree: 市局 → 区县局/大队 → 中队) and officers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fazhi.models.base import Base

ROLES = ("leader", "staff")


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(500), unique=True)  # 某市城管局/历下区执法大队/一中队
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    depth: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")
    officers: Mapped[list[Officer]] = relationship(back_populates="unit")


class Officer(Base):
    __tablename__ = "officer"
    __table_args__ = (CheckConstraint("role IN ('leader', 'staff')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[str] = mapped_column(String(64), unique=True)  # 工号; nbgrader student id
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    enforcement: Mapped[bool]
    cert_expiry: Mapped[dt.date | None]
    active_from: Mapped[dt.date | None]
    active_to: Mapped[dt.date | None]
    email: Mapped[str | None] = mapped_column(String(200))  # 邮箱, for ``fazhi notify``

    unit: Mapped[Unit] = relationship(back_populates="officers")

    def active_on(self, day: dt.date) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )
