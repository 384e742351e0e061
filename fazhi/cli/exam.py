"""``fazhi exam`` and the exam reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from fazhi.cli.audience import audience_options
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
            help="组卷蓝图的一行（可重复），如 单选=20、多选:听证程序=2、判断::难=3。",
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
            "--all",
            "all_questions",
            is_flag=True,
            help="使用题库全部题目（题目按题库顺序，选项顺序每人不同）。",
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
    """考试：组卷、发布、打印试卷、导入答题卡、成绩反馈、状态一览。"""


@exam_group.command("create")
@click.argument("exam")
@_blueprint_options
@click.option("--seed", type=int, help="随机种子（组卷可复现；默认由考试编号生成）。")
@click.option("--opens", help="开考时间 YYYY-MM-DD HH:MM（北京时间）。")
@click.option("--closes", help="截止时间 YYYY-MM-DD HH:MM（北京时间）。")
@click.option("--makeup-of", help="本场为该考试的补考（缺考、不及格者参加，取较好成绩）。")
@click.option("--title", help="考试名称（默认由考试编号生成）。")
@audience_options
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
    audience: str,
    units: tuple[str, ...],
    officers: tuple[str, ...],
    new_hires: int | None,
    sample: int | None,
) -> None:
    """创建考试：--all 使用全部题目，或按组卷蓝图为每位考生单独抽题。

    适用对象（--audience、--unit、--officer、--new-hires、--sample）决定合规统计中谁须参加；
    --sample 按 --seed 抽取并记录抽中名单（抽查考核）。补考的适用对象随原考试。
    """
    from fazhi import db
    from fazhi.cli.audience import audience_spec, store_and_describe
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
        spec = audience_spec(audience, units, officers, new_hires, sample)
        if not spec.everyone:
            if record.makeup_of_id is not None:
                raise UserError("补考的适用对象随原考试，不能单独设置")
            text = store_and_describe(
                session, target="exam", name=record.name, spec=spec, seed=record.seed
            )
            echo(text)


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
    from fazhi.exams.exam import get_exam
    from fazhi.exams.listing import closed_already
    from fazhi.exams.release import release_exam
    from fazhi.tabular import LOCAL_TZ

    settings = current_settings()
    with db.session_scope(settings) as session:
        released = release_exam(session, settings, exam=exam)
        closed = closed_already(get_exam(session, exam))
    echo(f"试卷已发布：{released}（考生可在 Assignments 页面获取）")
    _check_fast_path(settings.workspace, exam)
    if closed is not None:
        click.echo(
            f"警告：考试“{exam}”已于 {closed.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} 截止，"
            "现在提交的试卷都记为迟交。如需重新考试，请另建考试或补考。",
            err=True,
        )


@exam_group.command("list")
@workspace_option
def exam_list_command() -> None:
    """列出全部考试及其状态：草稿、已发布未开考、进行中、已截止、已评分、已发布成绩反馈。"""
    from fazhi import db
    from fazhi.exams.listing import list_exams
    from fazhi.tabular import LOCAL_TZ

    def when(moment: dt.datetime | None) -> str:
        return "—" if moment is None else f"{moment.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"

    settings = current_settings()
    with db.session_scope(settings) as session:
        listings = list_exams(session, settings)
    if not listings:
        echo("还没有任何考试：用 fazhi exam create 创建。")
        return
    echo("考试编号\t名称\t组卷方式\t状态\t开考\t截止\t题数\t满分\t已提交\t已评分")
    for item in listings:
        mode = "每人抽题" if item.mode == "blueprint" else "全部题目"
        echo(
            f"{item.name}\t{item.title}\t{mode}\t{item.state_label}\t{when(item.opens)}\t"
            f"{when(item.closes)}\t{item.questions}\t{item.max_score:g}\t"
            f"{item.submitted}\t{item.graded}"
        )


@exam_group.command("papers")
@click.argument("exam")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "csv", "xlsx"]),
    default="pdf",
    show_default=True,
    help="pdf/html：每人一份可打印的试卷；csv/xlsx：预填工号和题号的答题卡（供 import-answers）。",
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="输出文件。"
)
@click.option(
    "--officer",
    "officers",
    multiple=True,
    help="只生成这些工号的试卷（可重复；默认全部应考人员）。",
)
@workspace_option
def exam_papers_command(exam: str, fmt: str, out: Path, officers: tuple[str, ...]) -> None:
    """纸质考试：打印每位考生的试卷（题目和选项字母与其在线看到的一致），或生成预填答题卡。

    PDF/HTML 每人从新的一页开始（A4）。答题卡的“作答”列按题库字母填写，
    “选项对照”列给出该考生试卷上的字母对应的题库字母。
    """
    from fazhi import db
    from fazhi.exams.printed import write_papers

    settings = current_settings()
    with db.session_scope(settings) as session:
        count = write_papers(session, settings, exam=exam, fmt=fmt, out=out, officers=officers)
    what = "试卷" if fmt in ("pdf", "html") else "答题卡"
    echo(f"已生成 {count} 人的{what}：{out}")


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
    from fazhi.submitters import unknown_submitters_warning

    settings = current_settings()
    with db.session_scope(settings) as session:
        count = release_feedback(session, settings, exam=exam)
        warning = unknown_submitters_warning(session, settings, exam)
    echo(f"已发布 {count} 人的成绩反馈。")
    if warning:
        click.echo(warning, err=True)


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
    few = report.few_answers()
    if few:
        from fazhi.exams.analysis import FEW_ANSWERS_NOTE

        click.echo(
            f"提示：{len(few)} 题{FEW_ANSWERS_NOTE}（每人一卷时各题只统计抽到它的人）。", err=True
        )


def _check_fast_path(workspace: Path, exam: str) -> None:
    """Run grading's self-check now, so grading after the exam starts no probe kernel; a
    failure here only means grading will run the check itself."""
    from fazhi.grading.grade import check_fast_path

    try:
        line = check_fast_path(workspace=workspace, assignment=exam)
    except Exception as err:  # release has succeeded; grading checks again anyway
        click.echo(f"提示：评分自检未能预先完成（{err}），评分时会重新自检。", err=True)
        return
    if line:
        echo(f"评分{line}")
