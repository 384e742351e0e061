"""Demo step: what the bureaus ask for beyond hours, written into ``demo-data/``.

执法证 records (年检, one 注销) through ``cert import``; the compliance of a leader short of
中心组学法 (the study simulation has one leader miss two sessions); a reminder run whose
e-mails are captured by a local SMTP server started in-process (aiosmtpd, when installed;
otherwise the e-mail channel's ``.eml`` output) into ``demo-data/提醒邮件/``, with the
banners on 我的学习 and the list for units; the month's 通报 and one officer's 学法档案.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import socket
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from fazhi import db
from fazhi.analytics.bulletin import write_bulletin
from fazhi.analytics.dataset import load_compliance
from fazhi.analytics.dossier import build_dossiers, write_dossier
from fazhi.analytics.notify.banner import store_banners
from fazhi.analytics.notify.email import send_email, write_eml
from fazhi.analytics.notify.listing import write_list
from fazhi.analytics.notify.reminders import compute_reminders
from fazhi.analytics.study.store import load_roster
from fazhi.certificates import import_certificates
from fazhi.rules import load_rules
from fazhi.settings import Settings

DATA = Path("demo-data")


def _same_day_in(day: dt.date, year: int) -> dt.date:
    """``day`` in another year; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def _certificates(settings: Settings, today: dt.date) -> tuple[Path, int]:
    """A 执法证 file for the enforcement officers with an expiry on the roster: issued six
    years before it, inspected every year since; the last one revoked last month."""
    with db.session_scope(settings) as session:
        roster = load_roster(session)
    holders = roster[roster["enforcement"] & roster["cert_expiry"].notna()]
    rows = []
    for number, row in enumerate(holders.itertuples(), start=1):
        expires = row.cert_expiry
        issued = _same_day_in(expires, expires.year - 6)
        checks = [issued.replace(year=y) for y in range(issued.year + 1, today.year + 1)]
        checks = [d for d in checks if d <= today][-3:]
        revoked = today - dt.timedelta(days=30) if number == len(holders) else None
        rows.append(
            [
                row.officer_id,
                f"鲁执-{number:05d}",
                issued.isoformat(),
                expires.isoformat(),
                "；".join(d.isoformat() for d in checks),
                revoked.isoformat() if revoked else "",
            ]
        )
    path = settings.workspace / DATA / "执法证.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工号", "证号", "发证日期", "有效期至", "年检日期", "注销日期"])
        writer.writerows(rows)
    with db.session_scope(settings) as session:
        import_certificates(session, path=path)
    return path, len(rows)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _mail(settings: Settings, reminders, today: dt.date, folder: Path) -> str:
    """Send the reminders to a local SMTP server and keep what it received as .eml files."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        from aiosmtpd.controller import Controller
    except ImportError:  # a runtime install without the dev tools: the channel's own output
        done = write_eml(reminders, folder=folder, sender="fazhi@demo-bureau.cn", as_of=today)
        return f"{done.sent} 封提醒邮件写为 .eml（未安装 aiosmtpd，未经 SMTP）"
    received: list[bytes] = []

    class Capture:
        async def handle_DATA(self, server, session, envelope) -> str:
            received.append(envelope.original_content or envelope.content)
            return "250 OK"

    port = _free_port()
    controller = Controller(Capture(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        local = dataclasses.replace(
            settings, smtp_host="127.0.0.1", smtp_port=str(port), smtp_from="fazhi@demo-bureau.cn"
        )
        done = send_email(reminders, settings=local, as_of=today)
    finally:
        controller.stop()
    for raw in received:
        to = message_from_bytes(raw, policy=default_policy)["To"]
        (folder / f"{str(to).partition('@')[0].upper()}.eml").write_bytes(raw)
    return f"{done.sent} 封提醒邮件经本机 SMTP 服务器收取（{len(received)} 封已存为 .eml）"


def populate(settings: Settings, today: dt.date) -> str:
    cert_file, certificates = _certificates(settings, today)
    rules = load_rules(settings.rules_path)
    data = settings.workspace / DATA
    with db.session_scope(settings) as session:
        result = load_compliance(session, rules=rules, year=today.year, as_of=today)
        summary = result.summary
        short = summary[(summary["role"] == "leader") & ~summary["counted_ok"].astype(bool)]
        reminders = compute_reminders(
            session, rules=rules, as_of=today, workspace=settings.workspace
        )
        store_banners(session, reminders, today)
        write_bulletin(
            session,
            rules=rules,
            month=f"{today:%Y-%m}",
            fmt="html",
            out=data / f"{today:%Y-%m}月度通报.html",
            today=today,
        )
        officer = settings.officer or str(summary["officer_id"].iloc[0])
        dossiers = build_dossiers(session, officer_id=officer)
    write_list(reminders, data / "提醒名单.xlsx")
    mailed = _mail(settings, reminders, today, data / "提醒邮件")
    write_dossier(dossiers, fmt="html", out=data / f"学法档案-{officer}.html")
    write_dossier(dossiers, fmt="xlsx", out=data / f"学法档案-{officer}.xlsx")
    write_dossier(dossiers, fmt="pdf", out=data / f"学法档案-{officer}.pdf")
    flagged = "、".join(
        f"{row.name}（{row.counted_shortfalls}）" for row in short.itertuples(index=False)
    )
    return (
        f"执法证 {certificates} 个（{cert_file.relative_to(settings.workspace)}，"
        "含年检、1 个注销）；"
        f"中心组学法不足的领导干部：{flagged or '无'}；"
        f"提醒 {reminders['officer_id'].nunique()} 人 {len(reminders)} 条：我的学习横幅、"
        f"demo-data/提醒名单.xlsx、{mailed}（demo-data/提醒邮件/）；"
        f"月度通报 demo-data/{today:%Y-%m}月度通报.html；"
        f"学法档案 demo-data/学法档案-{officer}.html（及 .pdf、.xlsx）"
    )
