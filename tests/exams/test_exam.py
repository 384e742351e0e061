"""Creating exams: --all, blueprints (options and file), makeups, the year's schedule."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi import db
from fazhi.errors import UserError
from fazhi.exams.compile import max_score, slots_of
from fazhi.exams.exam import ExamPlan, create_exam, get_exam, parse_pass_mark, schedule_year
from fazhi.tabular import LOCAL_TZ

pytestmark = pytest.mark.db


def create(cli, workspace, *args):  # type: ignore[no-untyped-def]
    return cli("exam", "create", *args, "--workspace", workspace.workspace)


def test_all_questions_in_bank_order(workspace, cli, test_bank) -> None:  # type: ignore[no-untyped-def]
    """Does --all take every question in bank order, each with its own points?"""
    result = create(cli, workspace, "q1", "--bank", test_bank, "--all", "--minutes", "30")
    assert result.exit_code == 0, result.output
    assert "共 13 题，满分 22 分" in result.stdout
    with db.session_scope(workspace) as session:
        exam = get_exam(session, "q1")
        assert [s.code for s in slots_of(exam)] == [f"T-{n:02d}" for n in range(1, 14)]
        assert exam.mode == "all" and exam.minutes == 30 and exam.pass_mark == 0.6


def test_blueprint_from_options(workspace, cli, test_bank) -> None:  # type: ignore[no-untyped-def]
    """Do --count rows become sections in 题型 order with their candidates and points?"""
    result = create(
        cli, workspace, "b1", "--bank", test_bank,
        "--count", "判断=1", "--count", "单选:简易程序=2", "--count", "多选::中=2",
        "--points", "多选=3", "--seed", "11", "--pass-mark", "70%",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with db.session_scope(workspace) as session:
        exam = get_exam(session, "b1")
        sections = [
            (
                s.type,
                s.topic,
                s.difficulty,
                s.count,
                s.points,
                [c.version.code for c in s.candidates],
            )
            for s in exam.sections
        ]
        assert sections == [
            ("single", "简易程序", "", 2, 1.0, ["T-01", "T-02", "T-03"]),
            ("multiple", "", "中", 2, 3.0, ["T-06", "T-07"]),
            ("truefalse", "", "", 1, 1.0, ["T-09", "T-10"]),
        ]
        assert [s.code for s in slots_of(exam)] == ["S01", "S02", "S03", "S04", "S05"]
        assert max_score(exam) == 9.0 and exam.seed == 11 and exam.pass_mark == 0.7


BLUEPRINT_ERRORS = [
    pytest.param(["--count", "单选=2", "--count", "单选:听证=1"], "重叠", id="overlap"),
    pytest.param(["--count", "多选:听证=3"], "只有 2 题，不够抽取 3 题", id="too-few"),
    pytest.param(["--count", "选择=2"], "无法识别的题型", id="unknown-type"),
    pytest.param(["--count", "单选=0"], "必须是正整数", id="zero-count"),
    pytest.param(["--count", "单选:简易程序:极难=1"], "难度", id="bad-difficulty"),
    pytest.param(["--all", "--count", "单选=1"], "只能选一个", id="all-and-blueprint"),
    pytest.param([], "请指定 --all", id="neither"),
]


@pytest.mark.parametrize(("extra", "expected"), BLUEPRINT_ERRORS)
def test_bad_blueprints_are_refused(workspace, cli, test_bank, extra, expected) -> None:  # type: ignore[no-untyped-def]
    """Is each bad blueprint refused with a message, and no exam created?"""
    result = create(cli, workspace, "bad", "--bank", test_bank, *extra)
    assert result.exit_code == 2
    assert expected in result.stderr, result.stderr
    with db.session_scope(workspace) as session, pytest.raises(UserError):
        get_exam(session, "bad")


def test_points_must_agree_or_be_given(
    workspace, cli, tmp_path, bank_rows, en_header, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """When a stratum's questions differ in points, is --points required (same max for all)?"""
    bank_rows[1][10] = "2"
    cli(
        "bank",
        "import",
        csv_file(tmp_path / "p.csv", en_header, bank_rows),
        "--bank",
        "p",
        "-w",
        workspace.workspace,
    )
    refused = create(cli, workspace, "p1", "--bank", "p", "--count", "单选=2")
    assert refused.exit_code == 2 and "分值不一（1、2）" in refused.stderr
    assert (
        create(
            cli, workspace, "p1", "--bank", "p", "--count", "单选=2", "--points", "单选=1"
        ).exit_code
        == 0
    )


def test_blueprint_file(workspace, cli, test_bank, tmp_path, csv_file, xlsx_file) -> None:  # type: ignore[no-untyped-def]
    """Does a blueprint file (Chinese headers) work, and a bad row name file, row and column?"""
    header = ["题型", "知识点", "难度", "题数", "分值"]
    good = xlsx_file(
        tmp_path / "蓝图.xlsx", header, [["单选", "", "易", 2, None], ["填空", "", "", 1, 3]]
    )
    result = create(cli, workspace, "f1", "--bank", test_bank, "--blueprint", good)
    assert result.exit_code == 0, result.output
    assert "共 3 题，满分 5 分" in result.stdout
    bad = csv_file(tmp_path / "坏蓝图.csv", header, [["单选", "", "", "两", ""]])
    refused = create(cli, workspace, "f2", "--bank", test_bank, "--blueprint", bad)
    assert refused.exit_code == 2
    assert (
        "坏蓝图.csv" in refused.stderr and "第 2 行" in refused.stderr and "题数" in refused.stderr
    )


def test_exam_names_banks_and_times_are_checked(
    workspace, cli, test_bank, tmp_path, bank_rows, en_header, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Are a bad name, a duplicate, an unknown bank, clashing 题号 and bad times refused?"""
    assert (
        "考试编号“第一期”无效"
        in create(cli, workspace, "第一期", "--bank", test_bank, "--all").stderr
    )
    assert create(cli, workspace, "e1", "--bank", test_bank, "--all").exit_code == 0
    assert "已存在" in create(cli, workspace, "e1", "--bank", test_bank, "--all").stderr
    assert "没有名为“nope”的题库" in create(cli, workspace, "e2", "--bank", "nope", "--all").stderr
    cli(
        "bank",
        "import",
        csv_file(tmp_path / "c.csv", en_header, bank_rows),
        "--bank",
        "copy",
        "-w",
        workspace.workspace,
    )
    clash = create(cli, workspace, "e3", "--bank", test_bank, "--bank", "copy", "--all")
    assert clash.exit_code == 2 and "重复的题号" in clash.stderr and "T-01" in clash.stderr
    times = create(
        cli, workspace, "e4", "--bank", test_bank, "--all",
        "--opens", "2026-03-10 09:00", "--closes", "2026-03-01 18:00",
    )  # fmt: skip
    assert times.exit_code == 2 and "不晚于开考时间" in times.stderr
    odd = create(cli, workspace, "e5", "--bank", test_bank, "--all", "--opens", "明天")
    assert odd.exit_code == 2 and "--opens" in odd.stderr


@pytest.mark.parametrize(
    ("text", "value"), [("0.6", 0.6), ("60%", 0.6), ("60", 0.6), ("75％", 0.75)]
)
def test_pass_mark_forms(text: str, value: float) -> None:
    """Are 0.6, 60% and 60 the same pass mark?"""
    assert parse_pass_mark(text) == pytest.approx(value)


def test_pass_mark_out_of_range() -> None:
    """Is a pass mark above 100% refused?"""
    with pytest.raises(UserError):
        parse_pass_mark("150%")


def test_makeup_inherits_the_original(workspace, cli, test_bank) -> None:  # type: ignore[no-untyped-def]
    """Does a makeup reuse the original's banks and blueprint, and open only after it closes?"""
    create(
        cli, workspace, "m", "--bank", test_bank, "--count", "单选=2", "--count", "判断=1",
        "--opens", "2026-04-01 09:00", "--closes", "2026-04-10 18:00",
    )  # fmt: skip
    early = create(cli, workspace, "m-bk", "--makeup-of", "m", "--opens", "2026-04-05 09:00")
    assert early.exit_code == 2 and "早于原考试“m”的截止时间 2026-04-10 18:00" in early.stderr
    result = create(cli, workspace, "m-bk", "--makeup-of", "m", "--opens", "2026-04-20 09:00")
    assert result.exit_code == 0, result.output
    with db.session_scope(workspace) as session:
        makeup = get_exam(session, "m-bk")
        assert makeup.makeup_of is not None and makeup.makeup_of.name == "m"
        assert [(s.type, s.count) for s in makeup.sections] == [("single", 2), ("truefalse", 1)]
        assert makeup.title.endswith("（补考）") and makeup.seed != get_exam(session, "m").seed


def test_schedule_creates_the_years_exams_and_makeups(workspace, test_bank) -> None:  # type: ignore[no-untyped-def]
    """Does the schedule helper create six bimonthly exams with makeups, and nothing twice?"""
    template = ExamPlan(name="t", banks=[test_bank], all_questions=True, minutes=60)
    with db.session_scope(workspace) as session:
        created = schedule_year(session, year=2026, interval_months=2, template=template)
        assert [e.name for e in created][:4] == ["2026-02", "2026-02-bk", "2026-04", "2026-04-bk"]
        assert len(created) == 12
        exam, makeup = created[0], created[1]
        assert exam.title == "2026年第1期法律知识考试" and exam.minutes == 60
        assert exam.opens.astimezone(LOCAL_TZ) == dt.datetime(2026, 2, 1, 9, tzinfo=LOCAL_TZ)
        assert makeup.makeup_of is exam
        assert makeup.closes.astimezone(LOCAL_TZ) == dt.datetime(2026, 2, 28, 18, tzinfo=LOCAL_TZ)
    with db.session_scope(workspace) as session:
        assert schedule_year(session, year=2026, interval_months=2, template=template) == []


def test_schedule_command(workspace, cli, test_bank) -> None:  # type: ignore[no-untyped-def]
    """Does `fazhi exam schedule` follow the rules file's interval?"""
    rules = workspace.rules_path
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("interval_months = 2", "interval_months = 3"),
        encoding="utf-8",
    )
    result = cli(
        "exam",
        "schedule",
        "--year",
        "2027",
        "--bank",
        test_bank,
        "--count",
        "单选=2",
        "-w",
        workspace.workspace,
    )
    assert result.exit_code == 0, result.output
    assert "已创建 8 场考试" in result.stdout and "2027-12-bk" in result.stdout


def test_create_exam_api_is_session_scoped(workspace, test_bank) -> None:  # type: ignore[no-untyped-def]
    """Does a failing create inside the caller's transaction leave no exam behind?"""
    with pytest.raises(UserError), db.session_scope(workspace) as session:
        create_exam(session, ExamPlan(name="ok", banks=[test_bank], all_questions=True))
        create_exam(session, ExamPlan(name="ok", banks=[test_bank], all_questions=True))
    with db.session_scope(workspace) as session, pytest.raises(UserError):
        get_exam(session, "ok")
