"""Question banks and versioned questions.

A ``Question`` is the stable identity of one 题号 in one bank; its content lives in
``QuestionVersion`` rows. Editing a question adds a version and never changes an old one, so
an exam keeps pointing at the exact versions it was sat with.

``find_bank`` and ``current_questions`` are the read side every feature shares (exams draw
papers from the current questions; law modules show them as practice self-checks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from fazhi.models.base import Base

QUESTION_TYPES = ("single", "multiple", "truefalse", "fill", "essay")
DIFFICULTIES = ("易", "中", "难")
BANK_ORIGINS = ("bundled", "file")


class Bank(Base):
    __tablename__ = "bank"
    __table_args__ = (CheckConstraint("origin IN ('bundled', 'file')", name="origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # Where the last import came from: the bundled file (re-imported when it changes) or a
    # trainer's file (then the bundled copy never overwrites it).
    origin: Mapped[str] = mapped_column(String(10))
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the last imported file
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", order_by="Question.position"
    )


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("bank_id", "code", name="uq_question_bank_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))  # 题号
    position: Mapped[int]  # bank order (row order of the last import)
    retired: Mapped[bool] = mapped_column(default=False)  # absent from the last import

    bank: Mapped[Bank] = relationship(back_populates="questions")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.version"
    )

    @property
    def current(self) -> QuestionVersion:
        return self.versions[-1]


class QuestionVersion(Base):
    __tablename__ = "question_version"
    __table_args__ = (
        UniqueConstraint("question_id", "version", name="uq_question_version_question_version"),
        CheckConstraint(
            "type IN ('single', 'multiple', 'truefalse', 'fill', 'essay')", name="type"
        ),
        CheckConstraint("points > 0", name="points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    version: Mapped[int]
    type: Mapped[str] = mapped_column(String(10))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[Any]] = mapped_column(JSON)  # option texts, A first; [] when none
    answer: Mapped[str] = mapped_column(Text)  # canonical: B, ACD, 正确/错误, fill variants
    points: Mapped[float] = mapped_column(Float)
    basis: Mapped[str] = mapped_column(Text)  # 法律依据
    topic: Mapped[str] = mapped_column(String(100), default="")
    difficulty: Mapped[str] = mapped_column(String(2), default="")  # 易/中/难 or ""
    explanation: Mapped[str] = mapped_column(Text, default="")  # 解析
    # 法规版本: date (YYYY-MM-DD) of the local regulation's text the question rests on, or ""
    law_version: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    question: Mapped[Question] = relationship(back_populates="versions")

    @property
    def code(self) -> str:
        return self.question.code


def find_bank(session: Session, name: str) -> Bank | None:
    """The bank called ``name`` with its questions and their versions loaded, or None."""
    return session.scalar(
        select(Bank)
        .where(Bank.name == name)
        .options(selectinload(Bank.questions).selectinload(Question.versions))
    )


def current_questions(bank: Bank) -> list[QuestionVersion]:
    """The current version of every question still in the bank, in bank order."""
    return [q.current for q in bank.questions if not q.retired]
