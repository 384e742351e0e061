"""``fazhi exam`` and the exam reports (issue #4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from fazhi.cli.common import current_settings, echo, workspace_option
from fazhi.cli.report import format_options, report_group
from fazhi.errors import UserError


def _time(value: str | None, option: str) -> dt.datetime | None:
    from fazhi.tabular import parse_time

    if not value:
        return None
    try:
        return parse_time(value)
    except ValueError as err:
        raise UserError(f"选项 {option} 有误：{err}") from None


def _blueprint_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--count",
            "counts",
            multiple=True,
            metavar="题型[:知识点[:难度]]=题数",
            help="组卷蓝图的一行（可重复），如 单选=20、多选:听证=2、判断::难=3。",
        ),
        click.option(
            "--points",
            "points",
            multiple=True,
            metavar="题型=分值",
            help="每种题型每题的分值（可重复），如 多选=2。",
        ),
        click.option(
            "--blueprint",
            type=click.Path(dir_okay=False, path_type=Path),
            help="组卷蓝图文件（CSV/XLSX：题型、知识点、难度、题数、分值），便于重复使用。",
        ),
        click.option(
            "--all", "all_questions", is_flag=True, help="使用题库全部题目（按题库顺序）。"
        ),
        click.option("--bank", "banks", multiple=True, help="题库名称（可重复指定多个题库）。"),
        click.option("--minutes", type=int, help="答题时限（分钟，从打开试卷开始计时）。"),
        click.option("--pass-mark", help="及格线（满分的比例，如 0.6 或 60%；默认取规则文件）。"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group("exam")
def exam_group() -> None:
    """考试：组卷、发布、导入答题卡、成绩反馈。"""


@exam_group.command("create")
@click.argument("exam")
@_blueprint_options
@click.option("--seed", type=int, help="随机种子（组卷可复现；默认由考试编号生成）。")
@click.option("--opens", help="开考时间 YYYY-MM-DD HH:MM（北京时间）。")
@click.option("--closes", help="截止时间 YYYY-MM-DD HH:MM（北京时间）。")
@click.option("--makeup-of", help="本场为该考试的补考（缺考、不及格者参加，取较好成绩）。")
@click.option("--title", help="考试名称（默认由考试编号生成）。")
@workspace_option
def exam_create_command(
    exam: str,
    counts: tuple[str, ...],
    points: tuple[str, ...],
    blueprint: Path | None,
    all_questions: bool,
    banks: tuple[str, ...],
    minutes: int | None,
    pass_mark: str | None,
    seed: int | None,
    opens: str | None,
    closes: str | None,
    makeup_of: str | None,
    title: str | None,
) -> None:
    """创建考试：--all 使用全部题目，或按组卷蓝图为每位考生单独抽题。"""
    from fazhi import db
    from fazhi.exams.blueprint import blueprint_rows
    from fazhi.exams.compile import max_score, slots_of
    from fazhi.exams.exam import ExamPlan, create_exam, parse_pass_mark
    from fazhi.rules import load_rules

    settings = current_settings()
    plan = ExamPlan(
        name=exam,
        banks=banks,
        all_questions=all_questions,
        blueprint=blueprint_rows(counts=counts, points=points, path=blueprint),
        seed=seed,
        opens=_time(opens, "--opens"),
        closes=_time(closes, "--closes"),
        minutes=minutes,
        pass_mark=parse_pass_mark(pass_mark)
        if pass_mark
        else load_rules(settings.rules_path).exam_pass_mark,
        makeup_of=makeup_of,
        title=title,
    )
    with db.session_scope(settings) as session:
        record = create_exam(session, plan)
        kind = "按蓝图每人抽题" if record.mode == "blueprint" else "全部题目"
        echo(
            f"考试“{record.name}”（{record.title}）已创建：{kind}，共 {len(slots_of(record))} 题，"
            f"满分 {max_score(record):g} 分，及格线 {record.pass_mark:.0%}。"
        )


@exam_group.command("schedule")
@click.option("--year", type=int, required=True, help="年度。")
@_blueprint_options
@workspace_option
def exam_schedule_command(
    year: int,
    counts: tuple[str, ...],
    points: tuple[str, ...],
    blueprint: Path | None,
    all_questions: bool,
    banks: tuple[str, ...],
    minutes: int | None,
    pass_mark: str | None,
) -> None:
    """按规则文件的间隔（默认每两个月）创建全年的考试及其补考（已存在的不变）。"""
    from fazhi import db
    from fazhi.exams.blueprint import blueprint_rows
    from fazhi.exams.exam import ExamPlan, parse_pass_mark, schedule_year
    from fazhi.rules import load_rules

    settings = current_settings()
    rules = load_rules(settings.rules_path)
    template = ExamPlan(
        name="template",
        banks=banks,
        all_questions=all_questions,
        blueprint=blueprint_rows(counts=counts, points=points, path=blueprint),
        minutes=minutes,
        pass_mark=parse_pass_mark(pass_mark) if pass_mark else rules.exam_pass_mark,
    )
    with db.session_scope(settings) as session:
        created = schedule_year(
            session, year=year, interval_months=rules.exam_interval_months, template=template
        )
        for record in created:
            echo(f"{record.name}\t{record.title}")
    echo(f"已创建 {len(created)} 场考试（含补考）。")


@exam_group.command("release")
@click.argument("exam")
@workspace_option
def exam_release_command(exam: str) -> None:
    """生成试卷并发布（nbgrader generate_assignment + release）；发布内容不含答案和解析。"""
    from fazhi import db
    from fazhi.exams.release import release_exam

    settings = current_settings()
    with db.session_scope(settings) as session:
        released = release_exam(session, settings, exam=exam)
    echo(f"试卷已发布：{released}（考生可在 Assignments 页面获取）")


@exam_group.command("import-answers")
@click.argument("exam")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--at", help="交卷时间 YYYY-MM-DD HH:MM（默认现在；考试截止后导入时必须指定）。")
@workspace_option
def exam_import_answers_command(exam: str, file: Path, at: str | None) -> None:
    """把答题卡（纸质考试、读卡机导出）导入为 nbgrader 提交；任何一行有错时不写入任何数据。

    文件列：工号、题号、作答（选项字母按题库中的字母填写）。
    """
    from fazhi import db
    from fazhi.exams.submissions import import_answers

    settings = current_settings()
    with db.session_scope(settings) as session:
        count = import_answers(session, settings, exam=exam, path=file, at=_time(at, "--at"))
    echo(
        f"已导入 {count} 人的答题卡，可运行 fazhi grade {exam} 或 nbgrader autograde {exam} 评分。"
    )


@exam_group.command("feedback")
@click.argument("exam")
@workspace_option
def exam_feedback_command(exam: str) -> None:
    """生成并发布每位考生的成绩反馈（含正确答案、解析、法律依据）；考试截止后才能发布。"""
    from fazhi import db
    from fazhi.exams.feedback import release_feedback

    settings = current_settings()
    with db.session_scope(settings) as session:
        count = release_feedback(session, settings, exam=exam)
    echo(f"已发布 {count} 人的成绩反馈。")


@exam_group.command("sync")
@click.argument("exams", nargs=-1)
@workspace_option
def exam_sync_command(exams: tuple[str, ...]) -> None:
    """从 nbgrader 成绩库同步考试成绩到 fazhi 数据库（合规报表使用）；默认全部考试。"""
    from fazhi import db
    from fazhi.exams.results import sync_all_results

    settings = current_settings()
    with db.session_scope(settings) as session:
        counts = sync_all_results(session, settings, names=exams or None)
    for name, count in counts.items():
        echo(f"{name}\t{count}")


@report_group.command("scores")
@click.argument("exam")
@format_options
@workspace_option
def report_scores_command(exam: str, fmt: str, out: Path) -> None:
    """考试成绩表：人员、单位、得分、满分、是否及格、第几次、是否迟交。"""
    from fazhi import db
    from fazhi.exams.reports import write_scores

    settings = current_settings()
    with db.session_scope(settings) as session:
        count = write_scores(session, settings, exam=exam, fmt=fmt, out=out)
    echo(f"成绩表已写入 {out}（{count} 人）")


@report_group.command("items")
@click.argument("exam")
@format_options
@workspace_option
def report_items_command(exam: str, fmt: str, out: Path) -> None:
    """试题分析：难度（得分率）、区分度、区分效率、作答人数、Cronbach α。"""
    from fazhi import db
    from fazhi.exams.reports import write_items

    settings = current_settings()
    with db.session_scope(settings) as session:
        report = write_items(session, settings, exam=exam, fmt=fmt, out=out)
    echo(f"试题分析已写入 {out}（{len(report.items)} 题，{report.officers} 人）")
