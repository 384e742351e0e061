"""Start the service: ``python -m fazhi.hub --workspace W --data-dir D`` (JupyterHub runs it).

JupyterHub passes the service's URL, prefix, API URL and token in ``JUPYTERHUB_*``
environment variables; fazhi's database comes from the workspace settings
(``FAZHI_DB_URL``), so the service writes study time where the reports read it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubAuth
from tornado.ioloop import PeriodicCallback
from tornado.web import Application, RequestHandler

from fazhi import db
from fazhi.settings import load_settings

from . import exchange_api, reports, study
from .identity import Directory
from .store import ExchangeStore

log = logging.getLogger("fazhi.hub")
FLUSH_SECONDS = 60  # study intervals reach the database at least this often


class HealthHandler(RequestHandler):
    """GET api/health: no authentication, tells a starting Hub or test that we are up."""

    def get(self) -> None:
        self.finish({"ok": True})


def make_app(
    *,
    workspace: Path,
    data_dir: Path,
    prefix: str,
    hub_auth: HubAuth,
    course_groups: dict[str, str],
    idle_seconds: int = study.IDLE_SECONDS,
) -> Application:
    settings = load_settings(workspace)
    db.check_current(db.get_engine(settings.database_url))  # refuse an out-of-date database
    store = ExchangeStore(data_dir)
    directory = Directory(
        api_url=hub_auth.api_url,
        api_token=hub_auth.api_token,
        settings=settings,
        course_groups=course_groups,
    )

    routes: list[Any] = [(r"", HealthHandler), (r"api/health", HealthHandler)]
    routes += exchange_api.ROUTES + study.ROUTES + reports.ROUTES
    return Application(
        [(prefix + pattern, handler) for pattern, handler in routes],
        hub_auth=hub_auth,
        directory=directory,
        store=store,
        workspace=settings.workspace,
        course_id=settings.course_id,
        study_sink=study.StudySink(settings, idle_seconds=idle_seconds),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fazhi.hub", description=__doc__)
    parser.add_argument("--workspace", type=Path, required=True, help="共享的 fazhi 工作区")
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="交换区文件目录（仅本服务读写）"
    )
    parser.add_argument(
        "--course-groups",
        default="{}",
        help='课程 → 培训人员组，JSON，如 {"fazhi": "trainers"}；未列出的课程为 trainers',
    )
    parser.add_argument("--idle-seconds", type=int, default=study.IDLE_SECONDS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s %(name)s] %(message)s")

    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/fazhi/")
    app = make_app(
        workspace=args.workspace,
        data_dir=args.data_dir,
        prefix=prefix,
        hub_auth=HubAuth(),
        course_groups=json.loads(args.course_groups),
        idle_seconds=args.idle_seconds,
    )

    async def serve() -> None:
        server = app.listen(url.port or 80, url.hostname or "127.0.0.1", xheaders=True)
        log.info("fazhi hub service at %s%s", url.geturl(), prefix)
        flushing = PeriodicCallback(app.settings["study_sink"].flush, FLUSH_SECONDS * 1000)
        flushing.start()
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):  # the Hub stops services with these
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        await stop.wait()
        server.stop()
        flushing.stop()
        await app.settings["study_sink"].flush()
        log.info("fazhi hub service stopped")

    asyncio.run(serve())
