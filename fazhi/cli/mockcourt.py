"""``fazhi mockcourt`` and its report."""

from __future__ import annotations

from pathlib import Path

import click

from fazhi.cli.common import current_settings, echo, workspace_option
from fazhi.cli.report import format_options, report_group


@click.group("mockcourt")
def mockcourt_group() -> None:
    """模拟法庭：评委评分导入、评分笔记本。"""


@mockcourt_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="以本文件为准：先删除文件中各场次已有的全部评分（含评分笔记本录入的），再导入。",
)
@workspace_option
def mockcourt_import_command(file: Path, replace: bool) -> None:
    """导入评委评分表（CSV 或 XLSX，中文或英文表头）；任何一行有错时不写入任何数据。

    \b
    列：场次 session_id、日期 date、工号 officer_id、角色 role、评委 judge、
        评分维度 dimension、得分 score（0–100）；
    选填：案件名称 case_title、案情摘要 case_summary、案卷材料 case_file、评语 comment。
    每位评委对每名参加人员须给出评分细则中全部维度的得分。按“场次+工号+评委”更新评分，
    重复导入同一文件结果不变。
    """
    from fazhi.mockcourt.store import import_file

    result = import_file(settings=current_settings(), path=file, replace=replace)
    echo(result.describe())


@mockcourt_group.command("notebook")
@workspace_option
def mockcourt_notebook_command() -> None:
    """在工作区生成（或更新）评委评分笔记本 模拟法庭评分.ipynb。"""
    from fazhi.mockcourt.notebook import write_scoring_notebook

    path = write_scoring_notebook(workspace=current_settings().workspace)
    echo(f"评分笔记本已生成：{path}")


@report_group.command("mockcourt")
@format_options
@workspace_option
def report_mockcourt_command(fmt: str, out: Path) -> None:
    """模拟法庭成绩：场次、日期、人员、角色、评委数、得分；HTML/XLSX 含评分者信度。"""
    from fazhi.mockcourt.report import write_report

    path = write_report(settings=current_settings(), fmt=fmt, out=out)
    echo(f"模拟法庭报表已写入：{path}")
