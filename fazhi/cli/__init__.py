"""The ``fazhi`` command. Thin: each command parses arguments and calls one package function."""

from __future__ import annotations

import atexit
import gc
import logging
import sys
from pathlib import Path

import click

from fazhi import __version__
from fazhi.cli import (
    audience_commands,
    bank,
    cert,
    course,
    demo,
    exam,
    grade,
    mockcourt,
    notify,
    report,
    study,
    workspace,
)
from fazhi.cli.common import FazhiGroup, State
from fazhi.cli.deferred_imports import defer_imports


@click.group(cls=FazhiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    help="工作区目录（默认：$FAZHI_WORKSPACE，否则当前目录）。",
)
@click.option("-v", "--verbose", count=True, help="输出更多信息（-vv 输出调试信息）。")
@click.version_option(__version__, prog_name="fazhi")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None, verbose: int) -> None:
    """法治城管学院（fazhi）：城管执法队员学法、考试、模拟法庭与合规统计平台。

    \b
    常用流程：
      fazhi init 工作区            创建工作区
      fazhi roster import 名册.xlsx 导入人员
      fazhi bank import 题库.xlsx --bank 题库名
      fazhi exam create ... / fazhi exam release ...
      fazhi grade 考试名            批量评分
      fazhi report compliance --year 2026 --format xlsx --out 合规.xlsx
    """
    defer_imports()
    state = ctx.ensure_object(State)
    state.workspace = workspace
    state.verbose = verbose
    atexit.unregister(_release_at_exit)  # once per process, however often main runs
    atexit.register(_release_at_exit)
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _release_at_exit() -> None:
    """Close database connections, then spare the interpreter its final garbage collection.

    A command is a short-lived process: walking every object pandas and SQLAlchemy built takes
    tenths of a second at exit (measured on a weekly report) and frees nothing the operating
    system would not reclaim anyway. Connections are closed first, so SQLite checkpoints and
    removes its WAL as usual; atexit handlers registered earlier (logging) still run.
    """
    db = sys.modules.get("fazhi.db")
    if db is not None:
        db.dispose_engines()
    gc.freeze()


main.add_command(workspace.init_command)
main.add_command(workspace.db_group)
main.add_command(workspace.roster_group)
main.add_command(bank.bank_group)
main.add_command(exam.exam_group)
main.add_command(grade.grade_command)
main.add_command(study.study_group)
main.add_command(mockcourt.mockcourt_group)
main.add_command(report.report_group)
main.add_command(demo.demo_command)
main.add_command(course.course_group)
main.add_command(cert.cert_group)
exam.exam_group.add_command(audience_commands.exam_audience_command)
course.course_group.add_command(audience_commands.course_audience_command)
main.add_command(notify.notify_command)
