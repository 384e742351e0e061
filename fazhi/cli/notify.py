"""``fazhi notify``, ``fazhi report bulletin`` (月度通报), ``fazhi report dossier`` (学法档案)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from fazhi.cli.common import current_settings, echo, workspace_option
from fazhi.cli.report import report_group

CHANNELS = ("banner", "email", "list")


def _day(text: str | None, option: str) -> dt.date:
    from fazhi.errors import UserError
    from fazhi.tabular import LOCAL_TZ, parse_date

    if not text:
        return dt.datetime.now(LOCAL_TZ).date()
    try:
        return parse_date(text)
    except ValueError as err:
        raise UserError(f"{option}：{err}") from None


@click.command("notify")
@click.option("--as-of", "as_of", help="提醒日期 YYYY-MM-DD（默认今天）。")
@click.option(
    "--channel",
    "channels",
    multiple=True,
    type=click.Choice(CHANNELS),
    help="发送渠道（可重复）：banner 我的学习页面横幅（默认）、email 邮件、list 名单文件。",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="list 渠道的名单文件（.xlsx 或 .csv）。",
)
@click.option(
    "--eml-dir",
    "eml_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="email 渠道不发送，而把每封邮件写成 <工号>.eml 放在该目录（试运行或邮件投递目录）。",
)
@workspace_option
def notify_command(
    as_of: str | None, channels: tuple[str, ...], out: Path | None, eml_dir: Path | None
) -> None:
    """计算应提醒的人员和事项并发送：本周学法未达标、年度学时落后进度、考试未提交、
    需补考、执法证即将到期或已过期、计次要求（中心组学法等）未达标。

    邮件服务器在 fazhi.toml 的 smtp_host、smtp_port、smtp_security、smtp_from 中设置；
    队员邮箱来自名册的“邮箱”列。
    """
    from fazhi import db
    from fazhi.analytics.notify.banner import store_banners
    from fazhi.analytics.notify.email import send_email, write_eml
    from fazhi.analytics.notify.listing import write_list
    from fazhi.analytics.notify.reminders import compute_reminders
    from fazhi.errors import UserError
    from fazhi.exams import sync_all_results
    from fazhi.rules import load_rules

    chosen = channels or ("banner",)
    if "list" in chosen and out is None:
        raise UserError("list 渠道需要 --out 名单文件")
    settings = current_settings()
    day = _day(as_of, "--as-of")
    rules = load_rules(settings.rules_path)
    with db.session_scope(settings) as session:
        sync_all_results(session, settings)  # results graded in nbgrader reach fazhi's database
        reminders = compute_reminders(session, rules=rules, as_of=day, workspace=settings.workspace)
        officers = reminders["officer_id"].nunique()
        echo(f"截至 {day}：{officers} 人共 {len(reminders)} 条提醒。")
        if "banner" in chosen:
            stored = store_banners(session, reminders, day)
            echo(f"已更新“我的学习”页面提醒 {stored} 条。")
    if "list" in chosen and out is not None:
        echo(f"提醒名单已写入：{write_list(reminders, out)}")
    if "email" in chosen:
        if eml_dir is not None:
            sender = settings.smtp_from or "fazhi@localhost"
            done = write_eml(reminders, folder=eml_dir, sender=sender, as_of=day)
            echo(f"已写出 {done.sent} 封提醒邮件到 {eml_dir}（未发送）。")
        else:
            done = send_email(reminders, settings=settings, as_of=day)
            echo(f"已发送 {done.sent} 封提醒邮件。")
        if done.officers_without_email:
            missing = "、".join(done.officers_without_email[:20])
            more = "等" if len(done.officers_without_email) > 20 else ""
            count = len(done.officers_without_email)
            echo(f"名册中无邮箱、未发邮件：{missing}{more}（共 {count} 人）")


@report_group.command("bulletin")
@click.option("--month", required=True, help="通报月份 YYYY-MM。")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "xlsx"]),
    default="html",
    show_default=True,
    help="输出格式。",
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="输出文件路径。"
)
@workspace_option
def report_bulletin_command(month: str, fmt: str, out: Path) -> None:
    """月度学法通报：各单位合规率排名、未达标人员及原因（截至当月最后一天）。"""
    from fazhi import db
    from fazhi.analytics.bulletin import write_bulletin
    from fazhi.exams import sync_all_results
    from fazhi.rules import load_rules

    settings = current_settings()
    rules = load_rules(settings.rules_path)
    with db.session_scope(settings) as session:
        sync_all_results(session, settings)
        path = write_bulletin(
            session, rules=rules, month=month, fmt=fmt, out=out, today=_day(None, "")
        )
    echo(f"月度通报已写入：{path}")


@report_group.command("dossier")
@click.option("--officer", "officer_id", help="队员工号。")
@click.option("--unit", help="单位完整路径（含下级单位的全部人员）。")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "xlsx", "pdf"]),
    default="html",
    show_default=True,
    help="输出格式（HTML、PDF 可直接打印，每人一页）。",
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="输出文件路径。"
)
@workspace_option
def report_dossier_command(officer_id: str | None, unit: str | None, fmt: str, out: Path) -> None:
    """学法档案：每人每项学习活动的日期记录（在线学习、线下学习及学习内容、考试、
    模拟法庭、执法证发证/年检/注销），按人（--officer）或按单位（--unit）导出。"""
    from fazhi import db
    from fazhi.analytics.dossier import build_dossiers, write_dossier
    from fazhi.errors import UserError
    from fazhi.exams import sync_all_results

    if (officer_id is None) == (unit is None):
        raise UserError("请指定 --officer 工号 或 --unit 单位（二选一）")
    settings = current_settings()
    with db.session_scope(settings) as session:
        sync_all_results(session, settings)
        dossiers = build_dossiers(session, officer_id=officer_id, unit=unit)
    path = write_dossier(dossiers, fmt=fmt, out=out)
    echo(f"学法档案（{len(dossiers)} 人）已写入：{path}")
