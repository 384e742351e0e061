"""Audiences, counted requirements, 执法证 records, reminders, the monthly 通报 and the 学法档案,
through the CLI on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import email
import socket
from email.policy import default as default_policy
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from fazhi import db
from fazhi.audience import drawn_officers
from fazhi.models import Officer
from fazhi.models.exam import Exam, ExamResult
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ

from .helpers import STUDY_HEADER_ZH, write_csv

pytestmark = pytest.mark.db

ROSTER_HEADER = [
    "工号",
    "姓名",
    "单位",
    "职务类别",
    "执法人员",
    "执法证有效期至",
    "入职日期",
    "邮箱",
]
EAST, WEST = "某市城管局/东城大队", "某市城管局/西城大队"
ROSTER = [
    ["L1", "王局", f"{EAST}/一中队", "领导干部", "是", "2030-01-01", "", "l1@example.cn"],
    ["L2", "李局", WEST, "领导干部", "是", "2030-01-01", "", "l2@example.cn"],
    ["S1", "张一", f"{EAST}/一中队", "一般干部", "是", "2030-01-01", "", "s1@example.cn"],
    ["S2", "张二", f"{EAST}/二中队", "一般干部", "是", "2027-01-20", "", ""],
    ["S3", "张三", WEST, "一般干部", "是", "2030-01-01", "", "s3@example.cn"],
    ["S4", "张四", WEST, "一般干部", "是", "2030-01-01", "", ""],
    ["S5", "张五", f"{EAST}/二中队", "一般干部", "否", "", "", ""],
    ["N1", "新队员", f"{EAST}/二中队", "一般干部", "是", "", "2026-11-02", "n1@example.cn"],
]
CENTRAL = ["2026-01-08", "2026-03-05", "2026-05-07", "2026-07-02", "2026-09-03", "2026-11-05"]
STUDY = (
    [["L1", f"{d} 09:00", f"{d} 11:00", "线下", "中心组学法"] for d in CENTRAL[:5]]
    + [["L2", f"{d} 09:00", f"{d} 11:00", "线下", "中心组学法"] for d in CENTRAL]
    + [["S1", "2026-12-02 09:00", "2026-12-02 10:30", "线下", "《城市管理执法办法》专题讲座"]]
    + [["S1", "2026-12-03 20:00", "2026-12-03 20:40", "线上", "m01-penalty-basics"]]
)
AS_OF = "2026-12-31"


def _run(cli, workspace: Settings, *args: str | Path) -> str:  # type: ignore[no-untyped-def]
    result = cli(*args, "--workspace", workspace.workspace)
    assert result.exit_code == 0, result.output
    return result.output


def _exam(session, name: str, closes: dt.datetime, opens: dt.datetime | None = None, **kw) -> Exam:  # type: ignore[no-untyped-def]
    exam = Exam(
        name=name,
        title=kw.pop("title", name),
        mode="all",
        seed=kw.pop("seed", 11),
        opens=None if opens is None else opens.astimezone(dt.UTC),
        closes=closes.astimezone(dt.UTC),
        pass_mark=0.6,
        blueprint=[],
        created_at=dt.datetime.now(dt.UTC),
        **kw,
    )
    session.add(exam)
    session.flush()
    return exam


def _local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


@pytest.fixture
def bureau(cli, workspace: Settings, tmp_path: Path) -> Settings:  # type: ignore[no-untyped-def]
    """Roster with e-mail addresses, 中心组学法 records, a bimonthly exam everyone passed, a
    3-officer 抽查 exam and an exam still open at the end of the year."""
    _run(
        cli, workspace, "roster", "import", write_csv(tmp_path / "名册.csv", ROSTER_HEADER, ROSTER)
    )
    _run(
        cli, workspace, "study", "import", write_csv(tmp_path / "学习.csv", STUDY_HEADER_ZH, STUDY)
    )
    with db.session_scope(workspace) as session:
        ids = dict(session.execute(select(Officer.officer_id, Officer.id)).all())
        bimonthly = _exam(session, "B06", _local("2026-06-30 18:00"), title="六月考试")
        _exam(session, "SPOT", _local("2026-06-30 18:00"), title="法制员抽查测试", seed=5)
        _exam(
            session, "DEC", _local("2027-01-05 18:00"), _local("2026-12-28 09:00"), title="年终考试"
        )
        for officer in ids.values():
            session.add(
                ExamResult(
                    exam_id=bimonthly.id,
                    officer_id=officer,
                    attempt=1,
                    score=90,
                    max_score=100,
                    passed=True,
                    late=False,
                    graded_at=dt.datetime.now(dt.UTC),
                )
            )
    return workspace


def _summary(cli, workspace: Settings, tmp_path: Path) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    out = tmp_path / "合规.csv"
    _run(
        cli,
        workspace,
        "report",
        "compliance",
        "--year",
        "2026",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        "--out",
        out,
    )
    with out.open(encoding="utf-8", newline="") as handle:
        return {r["officer_id"]: r for r in csv.DictReader(handle)}


def test_sampled_exam_is_required_only_of_the_drawn_officers(
    cli, bureau: Settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Does a 3-officer sample drawn for an exam count only for them (compliance, roll call),
    and stay the same draw after the roster grows?"""
    output = _run(cli, bureau, "exam", "audience", "SPOT", "--audience", "staff", "--sample", "3")
    with db.session_scope(bureau) as session:
        drawn = drawn_officers(session, "exam", "SPOT")
    assert len(drawn) == 3 and set(drawn) <= {"S1", "S2", "S3", "S4", "S5"}
    with db.session_scope(bureau) as session:  # the exam's papers and roll call: only them
        from fazhi.exams.results import required_officers

        spot = session.scalar(select(Exam).where(Exam.name == "SPOT"))
        assert required_officers(session, spot) == set(drawn)
    assert "抽中：" + "、".join(drawn) in output
    rows = _summary(cli, bureau, tmp_path)
    assert {o: r["exams_required"] for o, r in rows.items() if o != "N1"} == {
        o: "2" if o in drawn else "1" for o in ["L1", "L2", "S1", "S2", "S3", "S4", "S5"]
    }
    more = [*ROSTER, ["S9", "后来者", WEST, "一般干部", "是", "2030-01-01", "", ""]]
    _run(cli, bureau, "roster", "import", write_csv(tmp_path / "名册2.csv", ROSTER_HEADER, more))
    with db.session_scope(bureau) as session:
        assert drawn_officers(session, "exam", "SPOT") == drawn
    refused = cli(
        "exam", "audience", "SPOT", "--unit", "某市城管局/南城大队", "--workspace", bureau.workspace
    )
    assert refused.exit_code == 2 and "南城大队" in refused.stderr


def test_leader_short_of_central_group_sessions_is_flagged_in_every_report(
    cli, bureau: Settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Is a leader with 5 of 6 中心组学法 sessions flagged, with the reason in the CSV, the
    HTML and XLSX reports?"""
    rows = _summary(cli, bureau, tmp_path)
    assert rows["L1"]["central_group_sessions"] == "5" and rows["L1"]["counted_ok"] == "false"
    assert rows["L1"]["counted_shortfalls"] == "中心组学法 5/6 次"
    assert rows["L2"]["central_group_sessions"] == "6" and rows["L2"]["counted_ok"] == "true"
    assert rows["S1"]["central_group_sessions"] == "" and rows["S1"]["counted_ok"] == "true"
    html, xlsx = tmp_path / "合规.html", tmp_path / "合规.xlsx"
    for fmt, out in (("html", html), ("xlsx", xlsx)):
        _run(
            cli,
            bureau,
            "report",
            "compliance",
            "--year",
            "2026",
            "--as-of",
            AS_OF,
            "--format",
            fmt,
            "--out",
            out,
        )
    assert "计次要求未达标：中心组学法 5/6 次" in html.read_text(encoding="utf-8")
    sheet = load_workbook(xlsx)["未达标人员"]
    reasons = {r[0]: r[-1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert "中心组学法 5/6 次" in reasons["L1"] and "中心组学法" not in (reasons.get("L2") or "")


def test_certificate_import_lifecycle(cli, bureau: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Are 执法证 records imported all-or-nothing, a revoked certificate non-compliant, and an
    imported expiry used instead of the roster's?"""
    header = ["工号", "证号", "发证日期", "有效期至", "年检日期", "注销日期"]
    bad = write_csv(
        tmp_path / "证件坏.csv",
        header,
        [
            ["S3", "Z-003", "2024-01-01", "2030-01-01", "", ""],
            ["XX9", "Z-009", "2024-01-01", "2023-01-01", "", ""],
        ],
    )
    refused = cli("cert", "import", bad, "--workspace", bureau.workspace)
    assert refused.exit_code == 2
    assert "第 3 行" in refused.stderr and "工号(officer_id)" in refused.stderr
    assert "有效期至(expires)" in refused.stderr
    good = write_csv(
        tmp_path / "证件.csv",
        header,
        [
            ["S3", "Z-003", "2024-01-01", "2027-02-01", "2025-01-10；2026-01-12", ""],
            ["S4", "Z-004", "2022-01-01", "2030-01-01", "", "2026-10-01"],
        ],
    )
    assert "新增执法证 2 个" in _run(cli, bureau, "cert", "import", good)
    rows = _summary(cli, bureau, tmp_path)
    assert rows["S3"]["cert_status"] == "warning"
    assert rows["S4"]["cert_status"] == "revoked" and rows["S4"]["compliant"] == "false"
    assert "更新 2 个" in _run(cli, bureau, "cert", "import", good)
    out = tmp_path / "档案.html"
    _run(cli, bureau, "report", "dossier", "--officer", "S3", "--format", "html", "--out", out)
    page = out.read_text(encoding="utf-8")
    assert page.count("执法证年检") == 2 and "证号 Z-003" in page


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_notify_sends_email_banner_and_list(
    cli, bureau: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Does ``fazhi notify`` mail each officer with an address their reminders through a local
    SMTP server, store the banners 我的学习 shows, and write the list for units?"""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    from fazhi.analytics.notify.banner import officer_banners

    received: list[email.message.EmailMessage] = []

    class Collect(Message):
        def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
            received.append(message)

    port = _free_port()
    controller = Controller(Collect(email.message.EmailMessage), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("FAZHI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FAZHI_SMTP_PORT", str(port))
    monkeypatch.setenv("FAZHI_SMTP_FROM", "fazhi@example.cn")
    out = tmp_path / "提醒.xlsx"
    try:
        output = _run(
            cli,
            bureau,
            "notify",
            "--as-of",
            AS_OF,
            "--channel",
            "banner",
            "--channel",
            "email",
            "--channel",
            "list",
            "--out",
            out,
        )
    finally:
        controller.stop()
    by_recipient = {m["To"]: m for m in received}
    assert set(by_recipient) == {
        "l1@example.cn",
        "l2@example.cn",
        "s1@example.cn",
        "s3@example.cn",
        "n1@example.cn",
    }
    leader = email.message_from_bytes(bytes(by_recipient["l1@example.cn"]), policy=default_policy)
    body = leader.get_body().get_content()
    assert leader["Subject"] == "学法提醒（截至 2026-12-31）"
    assert "中心组学法 5/6 次" in body and "考试“年终考试”已开放，尚未提交" in body
    new_hire = email.message_from_bytes(bytes(by_recipient["n1@example.cn"]), policy=default_policy)
    assert "申领执法证" in new_hire.get_body().get_content()
    assert "无邮箱、未发邮件：S2、S4、S5" in output
    with db.session_scope(bureau) as session:
        banners = [text for _day, text in officer_banners(session, "L1")]
    assert "计次要求未达标：中心组学法 5/6 次" in banners
    rows = list(load_workbook(out)["学法提醒"].iter_rows(values_only=True))
    assert rows[0] == ("单位", "工号", "姓名", "邮箱", "提醒类别", "提醒内容")
    assert ("S2", "执法证") in {(r[1], r[4]) for r in rows[1:]}  # expires 2027-01-20: 20 days


def test_monthly_bulletin_and_unit_dossier(cli, bureau: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Does the 通报 rank the 大队 by compliance rate and name the shortfalls, and does a unit's
    学法档案 hold every officer's stored 学习内容?"""
    out = tmp_path / "通报.xlsx"
    _run(cli, bureau, "report", "bulletin", "--month", "2026-12", "--format", "xlsx", "--out", out)
    book = load_workbook(out)
    ranked = list(book["单位排名"].iter_rows(values_only=True))
    assert ranked[0][:2] == ("名次", "单位") and len(ranked) == 3
    assert [r[4] for r in ranked[1:]] == sorted((r[4] for r in ranked[1:]), reverse=True)
    short = {r[0] for r in book["未达标人员"].iter_rows(min_row=2, values_only=True)}
    assert "L1" in short
    html = tmp_path / "通报.html"
    _run(cli, bureau, "report", "bulletin", "--month", "2026-12", "--format", "html", "--out", html)
    assert "2026 年 12 月学法情况通报" in html.read_text(encoding="utf-8")
    dossier = tmp_path / "档案.xlsx"
    _run(cli, bureau, "report", "dossier", "--unit", EAST, "--format", "xlsx", "--out", dossier)
    entries = list(load_workbook(dossier)["学法档案"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in entries} <= {"L1", "S1", "S2", "S5", "N1"}
    contents = {(r[0], r[3], r[4]) for r in entries}
    assert ("S1", "线下学习", "《城市管理执法办法》专题讲座") in contents
    assert ("S1", "在线学习", "m01-penalty-basics") in contents
    assert ("L1", "线下学习", "中心组学法") in contents and ("L1", "考试", "六月考试") in contents
    pdf = tmp_path / "档案.pdf"
    _run(cli, bureau, "report", "dossier", "--unit", EAST, "--format", "pdf", "--out", pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.read_bytes().count(b"/Type /Page\n") >= 5
    refused = cli(
        "report", "dossier", "--format", "xlsx", "--out", dossier, "--workspace", bureau.workspace
    )
    assert refused.exit_code == 2


def test_reminders_name_makeups_weekly_minutes_and_open_exams(
    bureau: Settings, tmp_path: Path
) -> None:
    """Are the failed and the absent told of the open makeup (and nobody else), every active
    officer of this week's missing minutes, and the unsubmitted of the open exam?"""
    from fazhi.analytics.notify.reminders import compute_reminders
    from fazhi.rules import load_rules

    with db.session_scope(bureau) as session:
        ids = dict(session.execute(select(Officer.officer_id, Officer.id)).all())
        original = _exam(session, "E11", _local("2026-11-30 18:00"), title="十一月考试")
        _exam(
            session,
            "E11-bk",
            _local("2027-01-05 18:00"),
            _local("2026-12-28 09:00"),
            title="十一月补考",
            makeup_of=original,
        )
        for officer, score in (("S1", 30), ("S2", 90), ("L1", 80)):
            session.add(
                ExamResult(
                    exam_id=original.id,
                    officer_id=ids[officer],
                    attempt=1,
                    score=score,
                    max_score=100,
                    passed=score >= 60,
                    late=False,
                    graded_at=dt.datetime.now(dt.UTC),
                )
            )
    submitted = bureau.workspace / "submitted" / "S3" / "DEC"
    submitted.mkdir(parents=True)  # collected, not yet graded: no reminder
    with db.session_scope(bureau) as session:
        reminders = compute_reminders(
            session,
            rules=load_rules(None),
            as_of=dt.date.fromisoformat(AS_OF),
            workspace=bureau.workspace,
        )
    by_kind = {
        kind: dict(zip(rows["officer_id"], rows["message"], strict=True))
        for kind, rows in reminders.groupby("kind")
    }
    assert by_kind["makeup"] == {
        "S1": "需参加补考“十一月补考”，截止 2027-01-05 18:00",
        **{
            o: "缺考，需参加补考“十一月补考”，截止 2027-01-05 18:00"
            for o in ("L2", "S3", "S4", "S5", "N1")
        },
    }
    assert by_kind["weekly"]["L1"] == (
        "本周（2026-W53）已学习 0 分钟，每周要求 120 分钟，还需 120 分钟"
    )
    assert set(by_kind["weekly"]) == {o for o, *_ in ROSTER}
    assert set(by_kind["exam"]) == {o for o, *_ in ROSTER} - {"S3"}
    assert by_kind["cert"]["N1"].startswith("尚无执法证记录")


def _module_reminders(workspace: Settings) -> set[str]:
    from fazhi.analytics.notify.reminders import compute_reminders
    from fazhi.rules import load_rules

    with db.session_scope(workspace) as session:
        reminders = compute_reminders(
            session, rules=load_rules(None), as_of=dt.date.fromisoformat(AS_OF)
        )
    return set(reminders.loc[reminders["kind"] == "module", "officer_id"])


def test_audience_options_on_exam_create_and_modules(cli, bureau: Settings) -> None:  # type: ignore[no-untyped-def]
    """Does ``exam create`` store an audience given with its options, and ``course audience``
    one for a module (reminding those in it who have not studied it), refusing an unknown 工号?"""
    created = _run(
        cli,
        bureau,
        "exam",
        "create",
        "spot-02",
        "--bank",
        "penalty",
        "--count",
        "单选=3",
        "--opens",
        "2026-03-02 09:00",
        "--closes",
        "2026-03-06 18:00",
        "--audience",
        "leaders",
        "--unit",
        EAST,
    )
    assert "适用对象：领导干部；单位 某市城管局/东城大队（含下级）" in created
    with db.session_scope(bureau) as session:
        from fazhi.audience import audience_members

        assert audience_members(session, "exam", "spot-02", dt.date(2026, 3, 6)) == {"L1"}
    module = _run(cli, bureau, "course", "audience", "m01-penalty-basics", "--new-hires", "180")
    assert "入职 180 天内的新招录队员" in module
    assert _module_reminders(bureau) == {"N1"}
    _run(cli, bureau, "course", "audience", "m01-penalty-basics", "--audience", "staff")
    assert _module_reminders(bureau) == {"S2", "S3", "S4", "S5", "N1"}  # S1 studied it
    refused = cli(
        "course",
        "audience",
        "m01-penalty-basics",
        "--officer",
        "ZZ99",
        "--workspace",
        bureau.workspace,
    )
    assert refused.exit_code == 2 and "ZZ99" in refused.stderr


def test_email_dry_run_and_missing_server(cli, bureau: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Does ``--eml-dir`` write one .eml per officer with an address instead of sending, and is
    sending without a configured server refused with a message?"""
    folder = tmp_path / "邮件"
    _run(cli, bureau, "notify", "--as-of", AS_OF, "--channel", "email", "--eml-dir", folder)
    assert sorted(p.stem for p in folder.glob("*.eml")) == ["L1", "L2", "N1", "S1", "S3"]
    refused = cli("notify", "--channel", "email", "--workspace", bureau.workspace)
    assert refused.exit_code == 2 and "smtp_host" in refused.stderr


def test_roster_email_column_is_checked(cli, workspace: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Is a malformed 邮箱 refused naming the file, row and column?"""
    rows = [ROSTER[0], [*ROSTER[1][:-1], "not-an-address"]]
    refused = cli(
        "roster",
        "import",
        write_csv(tmp_path / "名册.csv", ROSTER_HEADER, rows),
        "--workspace",
        workspace.workspace,
    )
    assert refused.exit_code == 2
    assert "第 3 行" in refused.stderr and "邮箱(email)" in refused.stderr
