"""``fazhi exam release``: compile, ``nbgrader generate_assignment``, ``release_assignment``.

generate_assignment strips the hidden tests (keys), mark schemes (reference answers) and
outputs; ``paper.json`` never held keys or 解析. The exam's closing time becomes nbgrader's
due date, so nbgrader itself records how late a submission is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from fazhi.gradebook import open_gradebook
from fazhi.nbgrader_api import check_result, nbgrader_api
from fazhi.paths import confined
from fazhi.settings import Settings

from .compile import build_source
from .exam import get_exam
from .timestamps import naive_utc


def generate_exam(session: Session, settings: Settings, *, exam: str) -> Path:
    """Build ``source/<exam>`` and generate ``release/<exam>`` (not yet in the exchange)."""
    record = get_exam(session, exam)
    build_source(record, source_dir=settings.workspace / "source")
    api = nbgrader_api(settings=settings)
    check_result(api.generate_assignment(exam, force=True, create=True), what="生成试卷")
    with open_gradebook(settings) as gradebook:
        gradebook.update_or_create_assignment(exam, duedate=naive_utc(record.closes))
    return confined(settings.workspace / "release", exam)


def release_exam(
    session: Session, settings: Settings, *, exam: str, now: dt.datetime | None = None
) -> Path:
    """Generate the exam and release it to the exchange (again, if it was released before)."""
    released = generate_exam(session, settings, exam=exam)
    api = nbgrader_api(settings=settings, ExchangeReleaseAssignment={"force": True})
    check_result(api.release_assignment(exam), what="发布试卷")
    get_exam(session, exam).released_at = now or dt.datetime.now(dt.UTC)
    session.flush()
    return released
