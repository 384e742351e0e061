"""执法证 (enforcement certificates): number, issue and expiry, annual inspections, revocation.

Imported with ``fazhi cert import``; an officer's latest certificate (by issue date) decides
the certificate status in compliance, overriding the roster's 执法证有效期至.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fazhi.models.base import Base
from fazhi.models.roster import Officer


class Certificate(Base):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)  # 证号
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    issued: Mapped[dt.date]  # 发证日期
    expires: Mapped[dt.date]  # 有效期至
    revoked: Mapped[dt.date | None]  # 注销日期

    officer: Mapped[Officer] = relationship()
    inspections: Mapped[list[CertificateInspection]] = relationship(
        back_populates="certificate",
        cascade="all, delete-orphan",
        order_by="CertificateInspection.date",
    )


class CertificateInspection(Base):
    """One 年检 (annual inspection) of a certificate."""

    __tablename__ = "certificate_inspection"
    __table_args__ = (UniqueConstraint("certificate_id", "date", name="uq_certificate_inspection"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificate.id", ondelete="CASCADE"), index=True
    )
    date: Mapped[dt.date]

    certificate: Mapped[Certificate] = relationship(back_populates="inspections")
