"""``fazhi grade``: thin wrapper over ``fazhi.grading.grade.grade``."""

from __future__ import annotations

import sys

import click

from fazhi.cli.common import current_workspace, workspace_option
from fazhi.settings import resolve_workspace


@click.command("grade")
@click.argument("assignment")
@click.option(
    "--workers",
    type=int,
    default=2,
    show_default=True,
    help="并行评分的进程数（免内核评分的工作进程数，也是同时运行的内核数）。",
)
@click.option("--regrade", is_flag=True, help="重新评分（如答案更正后），并记录变化。")
@workspace_option
def grade_command(assignment: str, workers: int, regrade: bool) -> None:
    """为任一 nbgrader 作业的全部提交评分，写入 nbgrader 成绩库（与 nbgrader autograde 一致）。

    工作区可以是 fazhi 工作区，也可以是普通的 nbgrader 课程目录（使用该课程自己的配置与成绩库）。
    """
    from fazhi.grading.grade import grade

    report = grade(
        workspace=resolve_workspace(current_workspace()),
        assignment=assignment,
        workers=workers,
        regrade=regrade,
        progress=sys.stderr.isatty(),
    )
    click.echo(report.summary())
    _warn_unknown_submitters(assignment)
    if report.exam_results is not None:
        click.echo(f"考试成绩已同步到 fazhi 数据库（{assignment}：{report.exam_results} 人）。")
    if report.failed:
        sys.exit(1)


def _warn_unknown_submitters(assignment: str) -> None:
    """In a fazhi workspace, name the submitters nbgrader graded who are not on the roster."""
    from fazhi import db
    from fazhi.settings import CONFIG_FILE, load_settings
    from fazhi.submitters import unknown_submitters_warning

    settings = load_settings(current_workspace(), must_exist=False)
    if not (settings.workspace / CONFIG_FILE).exists():
        return  # a plain nbgrader course: no roster
    with db.session_scope(settings) as session:
        warning = unknown_submitters_warning(session, settings, assignment)
    if warning:
        click.echo(warning, err=True)
