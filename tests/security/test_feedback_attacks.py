"""Feedback before an exam closes, and keys inside feedback, at every path.

Replays: formgrader's generate/release feedback buttons (stock nbgrader commands in the
workspace) before the close; a feedback page quoting ``sheet.score(... key=...)`` and the
essay's mark scheme; the hub service storing and handing out feedback before the close; a
timed hub submission from an officer who never fetched the paper.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "grading"))
import gradekit as gk

from fazhi.grading.grade import grade
from fazhi.hub.exchange import apply_server_facts
from fazhi.hub.store import ExchangeStore
from fazhi.kernel.answers import load_sheet, save_sheet, sheet_path
from fazhi.kernel.scoring import score_answer
from fazhi.settings import Settings

EXAM = "exam1"


def _page_text(path: Path) -> str:
    """What a reader of the feedback page sees (tags and syntax highlighting removed)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_nbgrader_feedback_waits_for_the_close_and_hides_keys(workspace: Settings) -> None:
    """Do nbgrader's generate_feedback and release_feedback (formgrader's buttons) refuse
    before the due date, and does the feedback made after it hold no key or mark scheme?"""
    root = workspace.workspace
    items = gk.exam_items(3)
    gk.declarative_course(root, EXAM, items)
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    gk.set_duedate(db_url, EXAM, "fazhi", "2099-01-01 00:00:00 Asia/Shanghai")
    right = {i.item_id: gk.RIGHT[i.kind] for i in items}
    folder = gk.submit_exam(
        root, EXAM, gk.Officer("CG0001", right, dict.fromkeys(right, 5), essay="答")
    )
    (folder / "submission_secret.txt").write_text("secret", encoding="utf-8")
    grade(workspace=root, assignment=EXAM, progress=False)

    early = gk.nbgrader(root, "generate_feedback", EXAM, check=False)
    assert early.returncode != 0 and "截止之后才能生成或发布成绩反馈" in early.stdout + early.stderr
    page = root / "feedback" / "CG0001" / EXAM / f"{EXAM}.html"
    assert not page.exists()
    page.parent.mkdir(parents=True)
    page.write_text("<html>早发的反馈</html>", encoding="utf-8")
    released = gk.nbgrader(root, "release_feedback", EXAM, check=False)
    assert released.returncode != 0
    assert not list((workspace.exchange_root / "fazhi" / "feedback").glob("*.html"))

    gk.set_duedate(db_url, EXAM, "fazhi", "2020-01-01 00:00:00 Asia/Shanghai")
    gk.nbgrader(root, "generate_feedback", EXAM, "--force")
    text = _page_text(page)
    assert "自动评分单元" in text and "答" in text
    for secret in ("sheet.score", "key=", "HIDDEN TESTS", "MARK SCHEME", "数额、证据、程序"):
        assert secret not in text, secret
    gk.nbgrader(root, "release_feedback", EXAM)
    assert list((workspace.exchange_root / "fazhi" / "feedback").glob("*.html"))


def _store_with_release(
    tmp_path: Path, *, closes: dt.datetime, limit: float | None
) -> ExchangeStore:
    store = ExchangeStore(tmp_path / "exchange")
    store.release(
        "fazhi", EXAM, b"release", by="trainer", notebooks=[f"{EXAM}.ipynb"],
        limit_minutes=limit, closes=closes,
    )  # fmt: skip
    return store


def test_the_hub_keeps_feedback_until_the_close(tmp_path: Path) -> None:
    """Does the hub service refuse to store feedback, and show officers none, before the
    close the trainer released the exam with -- and accept it afterwards?"""
    now = dt.datetime.now(dt.UTC)
    store = _store_with_release(tmp_path, closes=now + dt.timedelta(days=1), limit=None)
    sub = store.submit("fazhi", EXAM, "CG0001", b"answers", notebooks=[], user="cg0001")
    with pytest.raises(ValueError, match="截止之后才能发布和查看成绩反馈"):
        store.put_feedback("fazhi", EXAM, "CG0001", sub["id"], b"feedback")
    stored = tmp_path / "exchange" / "fazhi" / EXAM / "feedback" / "CG0001" / f"{sub['id']}.tar.gz"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"feedback written behind the service's back")
    assert store.feedback("fazhi", EXAM, "CG0001") == {}

    store = _store_with_release(tmp_path, closes=now - dt.timedelta(minutes=1), limit=None)
    store.put_feedback("fazhi", EXAM, "CG0001", sub["id"], b"feedback")
    assert set(store.feedback("fazhi", EXAM, "CG0001")) == {sub["id"]}


def test_a_timed_hub_submission_without_a_fetch_scores_nothing(tmp_path: Path) -> None:
    """Is a timed exam posted by an officer who never fetched it (a friend's copy, whose sheet
    says it was started in time) marked late and left without a start, so no timed answer
    counts?"""
    store = _store_with_release(tmp_path, closes=dt.datetime.now(dt.UTC), limit=30)
    meta = store.submit("fazhi", EXAM, "CG0002", b"copy", notebooks=[], user="cg0002")
    assert meta["late"] is True and meta["started_at"] is None

    folder = tmp_path / "collected"
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    answers = {"Q001": {"value": "B", "at": (started + dt.timedelta(minutes=5)).isoformat()}}
    path = sheet_path(EXAM, folder)
    save_sheet(path, {"sheet": EXAM, "started_at": started.isoformat(), "answers": answers})
    apply_server_facts(folder, meta)
    sheet = load_sheet(path)
    assert "started_at" not in sheet
    score = score_answer(sheet, "Q001", kind="single", key="B", points=2.0, limit_minutes=30)
    assert score == 0.0
