"""Banner notices: reminders ``fazhi notify`` leaves for an officer's 我的学习 page.

Each run of the banner channel replaces the officer's notices with the current ones, so the
page shows what is still true as of the last run, never a stale backlog.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fazhi.models.base import Base


class Notice(Base):
    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # weekly, annual, exam, makeup, cert, counted
    text: Mapped[str] = mapped_column(Text)
    as_of: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
