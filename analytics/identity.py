"""Who is studying: the logged-in officer, never a name the notebook supplies.

Multi-user (JupyterHub): ``JUPYTERHUB_USER``, set by the hub from its authentication; in hub
mode (``FAZHI_HUB_URL`` set as well) the fazhi service, not this kernel, decides whose time
a heartbeat is. Single-user: the workspace's ``officer`` setting (``fazhi.toml``, or
``FAZHI_OFFICER``), else the operating-system user. Each is checked against the roster
(case-insensitively, as the service matches Hub names); anything else: nobody, nothing recorded.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fazhi.models import Officer
from fazhi.settings import Settings, find_workspace

__all__ = ["Identity", "current_officer", "find_workspace", "hub_mode", "multi_user"]

HINT = '（单用户模式请在工作区的 fazhi.toml 中写 officer = "工号"，或设置环境变量 FAZHI_OFFICER）'


@dataclass(frozen=True)
class Identity:
    officer_id: str | None
    how: str  # how it was determined, or why not (Chinese, shown to the officer)


def multi_user() -> bool:
    return bool(os.environ.get("JUPYTERHUB_USER"))


def hub_mode() -> bool:
    """In a user's server of the multi-user deployment: study time goes to the fazhi service."""
    return multi_user() and bool(os.environ.get("FAZHI_HUB_URL"))


def current_officer(session: Session, settings: Settings) -> Identity:
    """The officer working in this kernel: JupyterHub user > officer setting > OS user."""
    hub_user = os.environ.get("JUPYTERHUB_USER", "")
    if hub_user:
        candidate, how = hub_user, "JupyterHub 登录用户"
    elif settings.officer:
        candidate, how = settings.officer, "工作区设置的学员（officer 或 FAZHI_OFFICER）"
    else:
        candidate, how = getpass.getuser(), "本机登录用户"
    found = session.scalars(
        select(Officer.officer_id).where(func.lower(Officer.officer_id) == candidate.lower())
    ).first()
    if found is None:
        hint = "" if hub_user else HINT
        return Identity(None, f"{how}“{candidate}”不在人员名册中{hint}")
    return Identity(found, how)
