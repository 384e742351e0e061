"""``fazhi study`` and the compliance report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from fazhi.cli.common import current_settings, echo, workspace_option
from fazhi.cli.report import format_options, report_group


@click.group("study")
def study_group() -> None:
    """学习记录：线下集中学习、讲座、庭审观摩等签到记录和在线学习导出。"""


@study_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
def study_import_command(file: Path) -> None:
    """导入学习记录（CSV 或 XLSX，中文或英文表头）；重复导入不重复计时。

    列：工号、开始时间、结束时间、学习方式（线上/线下）、学习内容。
    任何一行有错时不写入任何数据。
    """
    from fazhi import db
    from fazhi.analytics.modules import known_module_ids
    from fazhi.analytics.study.importer import import_study_file

    settings = current_settings()
    with db.session_scope(settings) as session:
        result = import_study_file(session, path=file, modules=known_module_ids(settings.workspace))
    echo(result.message(file.name))


def _report_date(text: str | None) -> dt.date:
    from fazhi.errors import UserError
    from fazhi.tabular import LOCAL_TZ, parse_date

    if not text:
        return dt.datetime.now(LOCAL_TZ).date()
    try:
        return parse_date(text)
    except ValueError as err:
        raise UserError(f"--as-of：{err}") from None


@report_group.command("compliance")
@click.option("--year", type=int, required=True, help="统计年度。")
@click.option("--as-of", "as_of", help="报告日期 YYYY-MM-DD（默认今天）。")
@click.option("--weekly", is_flag=True, help="每人每周一行的明细。")
@format_options
@workspace_option
def report_compliance_command(
    year: int, as_of: str | None, weekly: bool, fmt: str, out: Path
) -> None:
    """学法合规报表：每周学法时长、年度学时、考试、执法证。

    每周按 ISO 周（周一 0 时起，北京时间）统计 --year 年的各周，年度学时按自然年统计；
    重叠的学习记录只计一次。HTML/XLSX 另含单位汇总、热力图、趋势图、未达标原因等。
    """
    from fazhi import db
    from fazhi.analytics.report import compliance_report
    from fazhi.errors import UserError
    from fazhi.rules import load_rules
    from fazhi.tabular import check_year

    try:
        check_year(year)
    except ValueError as err:
        raise UserError(f"--year：{err}") from None
    settings = current_settings()
    report_date = _report_date(as_of)
    rules = load_rules(settings.rules_path)
    with db.session_scope(settings) as session:
        path = compliance_report(
            session,
            settings=settings,
            rules=rules,
            year=year,
            as_of=report_date,
            weekly=weekly,
            fmt=fmt,
            out=out,
        )
    echo(f"合规报表已写入：{path}")
