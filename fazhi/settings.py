"""One settings object, read from the workspace's ``fazhi.toml`` and ``FAZHI_*`` variables.

Precedence: explicit argument > environment variable > ``fazhi.toml`` > default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from fazhi.errors import UserError

CONFIG_FILE = "fazhi.toml"
RULES_FILE = "rules.toml"
DB_FILE = "fazhi.db"
GRADEBOOK_FILE = "gradebook.db"


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True)
class Settings:
    """Where a workspace's data lives. Every field has help text (``fazhi.toml`` documents them)."""

    workspace: Path = field(metadata=_help("工作区目录（nbgrader 课程目录）"))
    course_id: str = field(default="fazhi", metadata=_help("nbgrader 课程编号 course_id"))
    db_url: str = field(
        default="",
        metadata=_help(
            "fazhi 数据库 URL；默认工作区内的 SQLite（fazhi.db），多用户部署用 PostgreSQL"
        ),
    )
    gradebook_url: str = field(
        default="",
        metadata=_help(
            "nbgrader 成绩库 URL；默认工作区内的 gradebook.db（nbgrader 自己管理其结构）"
        ),
    )
    exchange: str = field(
        default="",
        metadata=_help("nbgrader 交换目录；单用户模式默认工作区内的 exchange/"),
    )
    officer: str = field(
        default="",
        metadata=_help(
            "单用户模式下使用本机的学员工号（学习计时、本人页面）；"
            "多用户部署以 JupyterHub 登录用户为准"
        ),
    )

    smtp_host: str = field(
        default="", metadata=_help("提醒邮件的 SMTP 服务器（fazhi notify --channel email）")
    )
    smtp_port: str = field(default="", metadata=_help("SMTP 端口（默认 25，ssl 时 465）"))
    smtp_security: str = field(default="none", metadata=_help("SMTP 加密：none、starttls 或 ssl"))
    smtp_from: str = field(default="", metadata=_help("提醒邮件的发件人地址"))
    smtp_user: str = field(default="", metadata=_help("SMTP 登录用户名（不需要登录时留空）"))
    smtp_password: str = field(
        default="", metadata=_help("SMTP 登录密码（建议用环境变量 FAZHI_SMTP_PASSWORD 设置）")
    )

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.workspace / DB_FILE}"

    @property
    def gradebook_database_url(self) -> str:
        return self.gradebook_url or f"sqlite:///{self.workspace / GRADEBOOK_FILE}"

    @property
    def exchange_root(self) -> Path:
        return Path(self.exchange) if self.exchange else self.workspace / "exchange"

    @property
    def rules_path(self) -> Path:
        return self.workspace / RULES_FILE


ENV_PREFIX = "FAZHI_"


def resolve_workspace(workspace: Path | str | None = None) -> Path:
    """``--workspace DIR``, else ``$FAZHI_WORKSPACE``, else the current directory."""
    chosen = workspace or os.environ.get("FAZHI_WORKSPACE") or Path.cwd()
    return Path(chosen).expanduser().resolve()


def load_settings(workspace: Path | str | None = None, *, must_exist: bool = True) -> Settings:
    """Settings of the workspace; ``must_exist`` refuses a directory without fazhi.toml."""
    root = resolve_workspace(workspace)
    config_path = root / CONFIG_FILE
    values: dict[str, str] = {}
    if config_path.exists():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise UserError(f"配置文件 {config_path} 格式错误：{err}") from err
        values.update({k: str(v) for k, v in data.get("workspace", {}).items()})
    elif must_exist:
        raise UserError(
            f"{root} 不是 fazhi 工作区（缺少 {CONFIG_FILE}）。"
            f"请先运行 fazhi init {root}，或用 --workspace 指定工作区。"
        )
    names = {f.name for f in fields(Settings)} - {"workspace"}
    unknown = set(values) - names
    if unknown:
        raise UserError(f"配置文件 {config_path} 含未知设置：{', '.join(sorted(unknown))}")
    for name in names:
        env = os.environ.get(ENV_PREFIX + name.upper())
        if env:
            values[name] = env
    return Settings(workspace=root, **values)


def find_workspace(start: Path | None = None) -> Settings | None:
    """The workspace of a kernel: $FAZHI_WORKSPACE, else the nearest folder with fazhi.toml."""
    if os.environ.get("FAZHI_WORKSPACE"):
        return load_settings(None)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).exists():
            return load_settings(folder)
    return None


def settings_help() -> list[tuple[str, str]]:
    """(name, help) for every setting, for generated config files and docs."""
    return [(f.name, f.metadata["help"]) for f in fields(Settings) if f.name != "workspace"]
