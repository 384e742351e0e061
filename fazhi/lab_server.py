"""Jupyter server extension: Chinese titles and closing times for the Assignments tab.

nbgrader's Assignments tab lists assignment ids (``2026-11``, ``m01-penalty-basics``); the
fazhi-lab front end (``labextension/``) asks ``GET /fazhi/assignments`` for each id's title
and closing time in Beijing time, and marks closed exams 已截止. Enabled for every Jupyter
server by ``etc/jupyter/jupyter_server_config.d/fazhi.json`` (installed with the package).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from fazhi.settings import CONFIG_FILE


def _workspace(root_dir: str) -> Path | None:
    """The workspace: $FAZHI_WORKSPACE, else the nearest folder above root_dir with fazhi.toml."""
    if os.environ.get("FAZHI_WORKSPACE"):
        return Path(os.environ["FAZHI_WORKSPACE"])
    here = Path(root_dir).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).exists():
            return folder
    return None


def _notebook_titles(release: Path) -> dict[str, str]:
    """Assignment id -> the title in its released notebook's metadata (modules, cases)."""
    titles: dict[str, str] = {}
    if not release.is_dir():
        return titles
    for folder in sorted(release.iterdir()):
        for notebook in sorted(folder.glob("*.ipynb")):
            try:
                title = json.loads(notebook.read_text("utf-8")).get("metadata", {}).get("title")
            except (OSError, ValueError):
                continue
            if title:
                titles[folder.name] = str(title)
                break
    return titles


def assignment_info(workspace: Path, now: dt.datetime | None = None) -> dict[str, dict[str, Any]]:
    """Assignment id -> {title, closes (Beijing time text, may be empty), closed}."""
    from fazhi.exchange_guard import exam_deadlines

    moment = now or dt.datetime.now(dt.UTC)
    info: dict[str, dict[str, Any]] = {
        name: {"title": title, "closes": "", "closed": False}
        for name, title in _notebook_titles(workspace / "release").items()
    }
    for name, deadline in exam_deadlines(workspace).items():
        info[name] = {
            "title": deadline.title,
            "closes": deadline.closes_text(),
            "closed": deadline.closed(moment),
        }
    return info


class AssignmentsHandler(APIHandler):
    """GET: the workspace's assignment titles and deadlines ({} outside a workspace)."""

    @web.authenticated
    def get(self) -> None:
        workspace = _workspace(self.settings.get("server_root_dir", os.getcwd()))
        try:
            found = assignment_info(workspace) if workspace else {}
        except Exception as err:  # a missing or busy database must not break the tab
            self.log.warning("fazhi: no assignment titles: %s", err)
            found = {}
        self.finish(json.dumps(found, ensure_ascii=False))


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "fazhi.lab_server"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    web_app = server_app.web_app
    route = url_path_join(web_app.settings["base_url"], "fazhi", "assignments")
    web_app.add_handlers(".*$", [(route, AssignmentsHandler)])
