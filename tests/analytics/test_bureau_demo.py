"""The demo's bureau artefacts: a sampled 抽查 exam, a leader short of 中心组学法, captured
reminder e-mails, the month's 通报 and one officer's 学法档案 in demo-data/."""

from __future__ import annotations

import datetime as dt
import email
from email.policy import default as default_policy

import pytest

from fazhi import db
from fazhi.analytics.bureau_demo import _same_day_in
from fazhi.analytics.bureau_demo import populate as bureau_step
from fazhi.analytics.dataset import load_compliance
from fazhi.analytics.demo import populate as study_step
from fazhi.audience import drawn_officers
from fazhi.cli.demo import _roster_step
from fazhi.exams.demo import SPOT_SIZE, populate_spot_check
from fazhi.rules import load_rules
from fazhi.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow]
TODAY = dt.date(2026, 11, 20)


def test_demo_writes_the_bureau_artefacts(workspace: Settings) -> None:
    """Do the demo steps leave a 5-officer 抽查 counted only for them, a flagged leader, e-mails
    received by the local SMTP server, the 通报 and a 学法档案 in demo-data/?"""
    _roster_step(workspace, TODAY)
    spot = populate_spot_check(workspace, TODAY)
    study_step(workspace, TODAY)
    summary = bureau_step(workspace, TODAY)
    with db.session_scope(workspace) as session:
        drawn = drawn_officers(session, "exam", "spot-2026-11")
        result = load_compliance(session, rules=load_rules(None), year=2026, as_of=TODAY)
    assert len(drawn) == SPOT_SIZE and "、".join(drawn) in spot
    detail = result.exam_detail
    assert set(detail.loc[detail["exam"] == "spot-2026-11", "officer_id"]) == set(drawn)
    table = result.summary
    short = table[(table["role"] == "leader") & ~table["counted_ok"].astype(bool)]
    assert not short.empty and short["counted_shortfalls"].str.startswith("中心组学法 ").all()
    assert "经本机 SMTP 服务器收取" in summary
    data = workspace.workspace / "demo-data"
    mails = sorted((data / "提醒邮件").glob("*.eml"))
    assert mails
    first = email.message_from_bytes(mails[0].read_bytes(), policy=default_policy)
    assert first["Subject"] == "学法提醒（截至 2026-11-20）"
    assert "学法提醒" in first.get_body().get_content()
    bulletin = (data / "2026-11月度通报.html").read_text(encoding="utf-8")
    assert "各单位合规率排名" in bulletin and str(short["name"].iloc[0]) in bulletin
    dossiers = list(data.glob("学法档案-*.html"))
    assert len(dossiers) == 1 and "集中学习" in dossiers[0].read_text(encoding="utf-8")
    assert (data / "提醒名单.xlsx").exists()
    assert dossiers[0].with_suffix(".pdf").read_bytes().startswith(b"%PDF")


def test_a_leap_day_expiry_gives_a_real_issue_date() -> None:
    """Does a certificate expiring on 29 February get an issue date six years earlier (a
    common year) instead of stopping the demo with "day is out of range for month"?"""
    assert _same_day_in(dt.date(2028, 2, 29), 2022) == dt.date(2022, 2, 28)
    assert _same_day_in(dt.date(2028, 3, 1), 2022) == dt.date(2022, 3, 1)
