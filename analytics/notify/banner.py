"""The banner channel: reminders stored as notices, shown at the top of 我的学习."""

from __future__ import annotations

import datetime as dt
from html import escape

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fazhi.models import Officer
from fazhi.models.notice import Notice


def store_banners(session: Session, reminders: pd.DataFrame, as_of: dt.date) -> int:
    """Replace every officer's notices with ``reminders``; returns how many were stored."""
    ids = dict(session.execute(select(Officer.officer_id, Officer.id)).all())
    session.execute(delete(Notice))
    now = dt.datetime.now(dt.UTC)
    session.add_all(
        Notice(officer_id=ids[o], kind=k, text=m, as_of=as_of, created_at=now)
        for o, k, m in zip(
            reminders["officer_id"], reminders["kind"], reminders["message"], strict=True
        )
    )
    session.flush()
    return len(reminders)


def officer_banners(session: Session, officer_id: str) -> list[tuple[dt.date, str]]:
    """(as-of date, text) of the officer's current notices, in the order they were made."""
    return [
        (as_of, text)
        for as_of, text in session.execute(
            select(Notice.as_of, Notice.text)
            .join(Officer, Notice.officer_id == Officer.id)
            .where(Officer.officer_id == officer_id)
            .order_by(Notice.id)
        )
    ]


def banner_html(notices: list[tuple[dt.date, str]]) -> str:
    """The notices as a yellow banner (texts escaped: they quote exam titles and names)."""
    items = "".join(f"<li>{escape(text)}</li>" for _day, text in notices)
    return (
        '<div style="background:#fff4ce;border:1px solid #e0b400;border-radius:4px;'
        'padding:6px 12px;margin:6px 0 12px">'
        f'<strong>提醒（截至 {notices[0][0]}）</strong><ul style="margin:4px 0">{items}</ul></div>'
    )
