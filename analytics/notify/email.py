"""The e-mail channel: one message per officer with an 邮箱, sent over SMTP (``smtp_*`` in
fazhi.toml) or written as ``.eml`` files to a folder (a dry run, or a mail pickup folder)."""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import pandas as pd

from fazhi.analytics.notify.reminders import KIND_LABELS
from fazhi.errors import UserError
from fazhi.settings import Settings


@dataclass(frozen=True)
class Delivery:
    sent: int  # messages sent (or written)
    officers_without_email: list[str]


def build_messages(reminders: pd.DataFrame, *, sender: str, as_of: dt.date) -> list[EmailMessage]:
    """One message per officer with an e-mail address, listing all of their reminders."""
    messages = []
    for officer_id, rows in reminders[reminders["email"] != ""].groupby("officer_id", sort=True):
        first = rows.iloc[0]
        lines = [f"{first['name']}（{officer_id}）您好：", "", f"截至 {as_of}，您有以下学法提醒："]
        lines += [
            f"{n}. 【{KIND_LABELS.get(k, k)}】{m}"
            for n, (k, m) in enumerate(zip(rows["kind"], rows["message"], strict=True), start=1)
        ]
        lines += [
            "",
            "详情请登录学法平台查看“我的学习”。",
            "",
            "——法治城管学院（系统自动发送，请勿回复）",
        ]
        message = EmailMessage()
        message["Subject"] = f"学法提醒（截至 {as_of}）"
        message["From"] = sender
        message["To"] = str(first["email"])
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        message.set_content("\n".join(lines), charset="utf-8")
        messages.append(message)
    return messages


def _without_email(reminders: pd.DataFrame) -> list[str]:
    return sorted(set(reminders.loc[reminders["email"] == "", "officer_id"]))


def write_eml(reminders: pd.DataFrame, *, folder: Path, sender: str, as_of: dt.date) -> Delivery:
    """Write each message as ``<工号>.eml`` in ``folder`` instead of sending it."""
    folder.mkdir(parents=True, exist_ok=True)
    messages = build_messages(reminders, sender=sender, as_of=as_of)
    officers = sorted(set(reminders.loc[reminders["email"] != "", "officer_id"]))
    for officer_id, message in zip(officers, messages, strict=True):
        (folder / f"{officer_id}.eml").write_bytes(bytes(message))
    return Delivery(len(messages), _without_email(reminders))


def send_email(reminders: pd.DataFrame, *, settings: Settings, as_of: dt.date) -> Delivery:
    """Send each message through the SMTP server of ``settings`` (one connection)."""
    if not settings.smtp_host:
        raise UserError("未配置邮件服务器：请在 fazhi.toml 的 [workspace] 中设置 smtp_host 等")
    sender = settings.smtp_from or "fazhi@localhost"
    messages = build_messages(reminders, sender=sender, as_of=as_of)
    port = int(settings.smtp_port or 0)
    security = settings.smtp_security or "none"
    if security not in ("none", "starttls", "ssl"):
        raise UserError(f"smtp_security“{security}”无效：应为 none、starttls 或 ssl")
    try:
        if security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, port or 465, context=ssl.create_default_context(), timeout=30
            )
        else:
            client = smtplib.SMTP(settings.smtp_host, port or 25, timeout=30)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password)
            for message in messages:
                client.send_message(message)
    except (OSError, smtplib.SMTPException) as err:
        raise UserError(f"发送邮件失败（{settings.smtp_host}:{port}）：{err}") from None
    return Delivery(len(messages), _without_email(reminders))
