"""Exams, their blueprint sections and candidate questions, per-officer papers and results.

An exam is one nbgrader assignment (``Exam.name`` is the assignment id). Its sections are
the blueprint's strata (题型 × 知识点 × 难度 with a count and points per question); each
section's candidates are the question *versions* frozen when the exam was created, so later
edits to a bank never change an exam already set. A makeup (补考) points at its original.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fazhi.models.bank import Bank, QuestionVersion
from fazhi.models.base import Base
from fazhi.models.roster import Officer

EXAM_MODES = ("all", "blueprint")


class Exam(Base):
    __tablename__ = "exam"
    __table_args__ = (
        CheckConstraint("mode IN ('all', 'blueprint')", name="mode"),
        CheckConstraint("pass_mark > 0 AND pass_mark <= 1", name="pass_mark"),
        CheckConstraint("minutes IS NULL OR minutes > 0", name="minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # nbgrader assignment id
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(10))  # all: every question; blueprint: drawn
    seed: Mapped[int]
    opens: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closes: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    minutes: Mapped[int | None]  # time limit from opening the paper
    pass_mark: Mapped[float] = mapped_column(Float)  # fraction of the maximum score
    makeup_of_id: Mapped[int | None] = mapped_column(ForeignKey("exam.id"), index=True)
    blueprint: Mapped[list[Any]] = mapped_column(JSON)  # the blueprint rows, as given
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    makeup_of: Mapped[Exam | None] = relationship(remote_side=[id], back_populates="makeups")
    makeups: Mapped[list[Exam]] = relationship(back_populates="makeup_of")
    banks: Mapped[list[ExamBank]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="ExamBank.position"
    )
    sections: Mapped[list[ExamSection]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="ExamSection.position"
    )


class ExamBank(Base):
    __tablename__ = "exam_bank"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), primary_key=True)
    position: Mapped[int]

    exam: Mapped[Exam] = relationship(back_populates="banks")
    bank: Mapped[Bank] = relationship()


class ExamSection(Base):
    """One blueprint stratum: ``count`` slots drawn from the candidates, ``points`` each."""

    __tablename__ = "exam_section"
    __table_args__ = (
        UniqueConstraint("exam_id", "position", name="uq_exam_section_exam_position"),
        CheckConstraint("count > 0", name="count"),
        CheckConstraint("points > 0", name="points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    position: Mapped[int]
    type: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str] = mapped_column(String(100))  # "" = any 知识点
    difficulty: Mapped[str] = mapped_column(String(2))  # "" = any 难度
    count: Mapped[int]
    points: Mapped[float] = mapped_column(Float)

    exam: Mapped[Exam] = relationship(back_populates="sections")
    candidates: Mapped[list[ExamCandidate]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="ExamCandidate.position"
    )


class ExamCandidate(Base):
    __tablename__ = "exam_candidate"

    section_id: Mapped[int] = mapped_column(ForeignKey("exam_section.id"), primary_key=True)
    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("question_version.id"), primary_key=True, index=True
    )
    position: Mapped[int]

    section: Mapped[ExamSection] = relationship(back_populates="candidates")
    version: Mapped[QuestionVersion] = relationship()


class Paper(Base):
    """The paper one officer sat: slot -> question version and option order (a record).

    It is reproducible from (exam, officer, seed); it is stored once the officer sits so
    that reports and audits show the exact versions, whatever happens to the banks later.
    """

    __tablename__ = "paper"
    __table_args__ = (UniqueConstraint("exam_id", "officer_id", name="uq_paper_exam_officer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    items: Mapped[list[Any]] = mapped_column(JSON)  # [{slot, question, version_id, options}]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    exam: Mapped[Exam] = relationship()
    officer: Mapped[Officer] = relationship()


class ExamResult(Base):
    """An officer's graded sitting of one exam (from nbgrader's gradebook).

    ``attempt`` is 1 for the original exam, 2 for its makeup, and so on.
    """

    __tablename__ = "exam_result"
    __table_args__ = (
        UniqueConstraint("exam_id", "officer_id", name="uq_exam_result_exam_officer"),
        CheckConstraint("attempt > 0", name="attempt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exam.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    attempt: Mapped[int]
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool]
    late: Mapped[bool]
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    graded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    exam: Mapped[Exam] = relationship()
    officer: Mapped[Officer] = relationship()
