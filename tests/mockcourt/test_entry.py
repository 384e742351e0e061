"""Manual entry (what the scoring notebook calls): registering sessions and saving sheets."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from fazhi import db
from fazhi.errors import UserError
from fazhi.mockcourt import entry
from fazhi.mockcourt.store import import_file
from fazhi.models.mockcourt import MockCourtSession
from fazhi.rules import load_rules
from fazhi.settings import Settings

from .conftest import sheet_rows

pytestmark = pytest.mark.db

FULL = {"事实认定": "80", "法律适用": "90", "程序规范": "70", "庭审表达": "60", "文书质量": "100"}


def register(settings: Settings, participants: str, **changes) -> str:
    fields = {
        "code": "MC-9",
        "date": dt.date(2026, 4, 2),
        "case_title": "某公司诉区城管局强制拆除案",
        "case_summary": "摘要",
        "case_file": "案卷-017",
        **changes,
    }
    with db.session_scope(settings) as session:
        return entry.register_session(
            session,
            rules=load_rules(settings.rules_path),
            participants=entry.parse_participants(participants),
            **fields,
        )


def record(settings: Settings, **changes):  # type: ignore[no-untyped-def]
    fields = {
        "code": "MC-9",
        "officer_id": "CG0001",
        "judge": "王法官",
        "scores": FULL,
        "comment": "",
        **changes,
    }
    with db.session_scope(settings) as session:
        return entry.record_sheet(session, **fields)


def test_register_then_record_a_sheet(roster: Settings, counts) -> None:
    """Can a session be registered with participants and scored one sheet at a time?"""
    message = register(roster, "CG0001 负责人出庭应诉\nCG0002，代理人\n\nCG0003:执法人员")
    assert message == "已登记场次“MC-9”（2026-04-02），参加人员 3 名。"
    status, total = record(roster, comment="答辩有力")
    assert status == "created" and total == 78.5  # 25·80+25·90+20·70+20·60+10·100 = 7850
    assert record(roster, comment="答辩有力")[0] == "unchanged"
    assert record(roster, scores={**FULL, "文书质量": "90"})[0] == "updated"
    assert counts(roster) == (1, 1, 5)
    with db.session_scope(roster) as session:
        assert entry.stored_sheet(session, "MC-9", "CG0001", "王法官") == (
            {"事实认定": 80, "法律适用": 90, "程序规范": 70, "庭审表达": 60, "文书质量": 90},
            "",
        )
        view = entry.session_view(session, "MC-9")
    assert view.judges == ["王法官"]
    assert view.participants[0] == ("王伟（CG0001）· 负责人出庭应诉", "CG0001")


BAD_ENTRIES = [
    ({"judge": " "}, "请填写评委姓名"),
    ({"officer_id": "CG0005"}, "CG0005 不是场次“MC-9”的参加人员"),
    ({"code": "MC-404"}, "场次“MC-404”不存在"),
    ({"scores": {**FULL, "文书质量": ""}}, "请为“文书质量”打分（0–100）"),
    ({"scores": {**FULL, "事实认定": "101"}}, "“事实认定”：得分 101 超出范围"),
    ({"scores": {**FULL, "法律适用": "良"}}, "“法律适用”：得分“良”不是数字"),
    ({"scores": {**FULL, "口才": "80"}}, "未知的评分维度：口才"),
]


def test_record_sheet_validation(roster: Settings, counts, subtests) -> None:
    """Is each bad entry refused with a Chinese message and nothing saved?"""
    register(roster, "CG0001 负责人出庭应诉")
    for changes, message in BAD_ENTRIES:
        with subtests.test(message):
            with pytest.raises(UserError) as caught:
                record(roster, **changes)
            assert message in str(caught.value) and str(caught.value).startswith("未保存")
            assert counts(roster) == (1, 0, 0)


def test_register_session_validation(roster: Settings, counts) -> None:
    """Are a missing code and date, unknown or repeated officers and a bad line all reported?"""
    with pytest.raises(UserError) as caught:
        register(roster, "CG0001 代理人\nCG0001 代理人\nCG9999 执法人员", code=" ", date=None)
    text = str(caught.value)
    for part in (
        "请填写场次编号",
        "请选择开庭日期",
        "工号“CG0001”重复",
        "工号“CG9999”不在人员名册中",
    ):
        assert part in text
    with pytest.raises(UserError, match="参加人员第 2 行“CG0002”应为“工号 角色”"):
        register(roster, "CG0001 代理人\nCG0002")
    assert counts(roster) == (0, 0, 0)


def test_scored_participant_cannot_be_removed(roster: Settings) -> None:
    """Is removing a participant who already has scores refused, and an unscored one allowed?"""
    register(roster, "CG0001 负责人出庭应诉\nCG0002 代理人")
    record(roster)
    with pytest.raises(UserError, match="CG0001 已有评委评分，不能从场次中移除"):
        register(roster, "CG0002 代理人")
    assert register(roster, "CG0001 负责人出庭应诉", case_title="新名称").startswith("已更新")
    with db.session_scope(roster) as session:
        mock = session.scalars(select(MockCourtSession)).one()
        assert [p.officer.officer_id for p in mock.participants] == ["CG0001"]
        assert mock.case_title == "新名称"


def test_notebook_sheets_and_imports_meet(roster: Settings, write_csv, counts) -> None:
    """Do a notebook sheet and an imported file for the same session add up (same records)?"""
    register(roster, "CG0001 负责人出庭应诉")
    record(roster)
    rows = sheet_rows("MC-9", "2026-04-02", "CG0001", "负责人出庭应诉", "陈律师", [70] * 5)
    result = import_file(settings=roster, path=write_csv(rows))
    assert (result.sessions_created, result.sheets_created) == (0, 1)
    assert counts(roster) == (1, 2, 10)
    with db.session_scope(roster) as session:
        assert entry.session_view(session, "MC-9").judges == ["王法官", "陈律师"]
