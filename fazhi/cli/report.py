"""``fazhi report``: the group; each feature's CLI module adds its report sub-command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from fazhi.cli.common import current_settings, echo, workspace_option

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("csv", "xlsx", "html")


@click.group("report")
def report_group() -> None:
    """报表：考试成绩、试题分析、学法合规、模拟法庭（CSV / XLSX / HTML）。"""


def format_options(func: F) -> F:
    """``--format csv|xlsx|html --out PATH``, shared by every report."""
    func = click.option(
        "--out",
        "out",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="输出文件路径。",
    )(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="csv",
        show_default=True,
        help="输出格式。",
    )(func)


@report_group.command("dashboards")
@workspace_option
def report_dashboards_command() -> None:
    """在工作区根目录写入（或更新）HR看板.ipynb 和 我的学习.ipynb 两个看板笔记本。"""
    from fazhi.analytics.dashboard import write_dashboards

    settings = current_settings()
    for path in write_dashboards(settings.workspace):
        echo(f"已写入 {path}")
