"""The multi-user platform, for real, on loopback: the shipped local JupyterHub configuration,
its proxy from deploy/node_modules, the fazhi service, PostgreSQL and users' servers.

One Hub per test session. The only addition to the shipped configuration is a test-only
service token allowed to create users, groups and tokens (what a Hub admin does by hand).
Missing Node/proxy/Chromium/PostgreSQL skip these tests on a developer's machine and fail
them when ``CI`` is set: CI must run them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROXY = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "fazhi-e2e-口令"
SERVICE_SCOPES = ["access:services!service=fazhi"]
OFFICERS = ["110001", "110002", "110003"]
TRAINER, HR = "trainer1", "hr1"

TEST_CONFIG = """
import os
c = get_config()  # noqa: F821
load_subconfig({local!r})  # noqa: F821
# test-only: a service token that can do what a Hub admin does (users, groups, tokens, servers)
_token = os.environ["FAZHI_TEST_ADMIN_TOKEN"]
c.JupyterHub.services.append({{"name": "fazhi-tests", "api_token": _token}})
c.JupyterHub.load_roles.append({{
    "name": "fazhi-tests",
    "scopes": ["admin:users", "admin:groups", "tokens", "admin:servers", "access:servers"],
    "services": ["fazhi-tests"],
}})
"""


def need(condition: bool, what: str) -> None:
    """Skip on a developer's machine, fail in CI, when a prerequisite is missing."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"end-to-end prerequisite missing in CI: {what}")
    pytest.skip(f"end-to-end prerequisite missing: {what}")


def free_base_port(span: int = 4) -> int:
    """A port p such that p..p+span-1 are free on 127.0.0.1 (the Hub uses four)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + span >= 65535:
            continue
        ok = True
        for port in range(base, base + span):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free ports on 127.0.0.1")


def wait_for(predicate: Any, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"timed out waiting for {what}")


@dataclass
class Platform:
    """A running Hub and the handles tests need to act as its users."""

    url: str
    state: Path
    workspace: Path
    db_url: str
    admin_token: str
    process: subprocess.Popen[bytes]
    log_path: Path
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def service_url(self) -> str:
        return f"{self.url}/services/fazhi/"

    def admin(self, method: str, route: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"token {self.admin_token}"}
        response = requests.request(
            method, f"{self.url}/hub/api/{route}", headers=headers, timeout=60, **kwargs
        )
        if response.status_code >= 400 and response.status_code != 409:
            raise RuntimeError(f"{method} {route}: {response.status_code} {response.text}")
        return response

    def token(self, user: str, scopes: list[str] | None = None) -> str:
        """A Hub token of ``user`` (like their server's $JUPYTERHUB_API_TOKEN)."""
        key = f"{user}:{','.join(scopes or SERVICE_SCOPES)}"
        if key not in self.tokens:
            body = {"scopes": scopes or SERVICE_SCOPES, "note": "e2e"}
            self.tokens[key] = self.admin("POST", f"users/{user}/tokens", json=body).json()["token"]
        return self.tokens[key]

    def add_users(self, group: str, names: list[str]) -> None:
        self.admin("POST", "users", json={"usernames": names})
        self.admin("POST", f"groups/{group}/users", json={"users": names})

    def service(
        self, user: str | None, method: str, route: str, **kwargs: Any
    ) -> requests.Response:
        """A raw request to the fazhi service as ``user`` (None: no token at all)."""
        headers = kwargs.pop("headers", {})
        if user is not None:
            headers["Authorization"] = f"token {self.token(user)}"
        return requests.request(
            method, self.service_url + route, headers=headers, timeout=120, **kwargs
        )

    def env_as(self, user: str, role_dir: str) -> dict[str, str]:
        """The environment a command sees in ``user``'s JupyterLab terminal."""
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "JUPYTERHUB_API_TOKEN": self.token(user),
            "JUPYTERHUB_USER": user,
            "FAZHI_HUB_URL": self.service_url,
            "JUPYTER_CONFIG_PATH": str(DEPLOY / "jupyter" / role_dir),
            "TZ": "Asia/Shanghai",
        }
        if role_dir in ("trainer", "hr"):
            env |= {"FAZHI_WORKSPACE": str(self.workspace), "FAZHI_DB_URL": self.db_url}
        else:
            env.pop("FAZHI_DB_URL", None)
            env.pop("FAZHI_WORKSPACE", None)
        return env

    def run_as(
        self, user: str, role_dir: str, args: list[str], cwd: Path, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            args,
            cwd=cwd,
            env=self.env_as(user, role_dir),
            capture_output=True,
            text=True,
            timeout=900,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def start_server(self, user: str) -> requests.Session:
        """Start ``user``'s JupyterLab server; a session authorised to call its API."""
        self.admin("POST", f"users/{user}/server")
        session = requests.Session()
        token = self.token(user, [f"access:servers!user={user}", *SERVICE_SCOPES])
        session.headers["Authorization"] = f"token {token}"

        def ready() -> bool:
            model = self.admin("GET", f"users/{user}").json()
            server = model.get("servers", {}).get("", {})
            return bool(server.get("ready"))

        wait_for(ready, f"{user}'s server")
        return session

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def _drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    need(PROXY.exists(), f"{PROXY} (run: make -C {ROOT} deploy/node_modules)")
    need(shutil.which("node") is not None, "node (Node.js 20)")
    base_pg = os.environ.get(
        "FAZHI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    try:
        psycopg.connect(
            make_url(base_pg).set(drivername="postgresql").render_as_string(hide_password=False),
            connect_timeout=5,
        ).close()
    except psycopg.Error as err:
        need(False, f"PostgreSQL at {base_pg}: {err}")
    db_url = (
        make_url(base_pg)
        .set(database=f"fazhi_e2e_{secrets.token_hex(4)}")
        .render_as_string(hide_password=False)
    )
    state = tmp_path_factory.mktemp("hub")
    env = {
        **os.environ,
        "FAZHI_DB_URL": db_url,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    subprocess.run(
        [sys.executable, str(DEPLOY / "trial.py"), str(state)],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_base_port()
    admin_token = secrets.token_hex(32)
    config = state / "jupyterhub_config_test.py"
    config.write_text(TEST_CONFIG.format(local=str(DEPLOY / "jupyterhub_config_local.py")), "utf-8")
    env |= {
        "FAZHI_HUB_STATE": str(state),
        "FAZHI_HUB_PORT": str(port),
        "FAZHI_HUB_PASSWORD": PASSWORD,
        "FAZHI_TEST_ADMIN_TOKEN": admin_token,
        "FAZHI_COURSE_GROUPS": '{"other": "trainers-other"}',
    }
    env.pop("FAZHI_WORKSPACE", None)
    log_path = state / "hub.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=state,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    hub = Platform(
        url=f"http://127.0.0.1:{port}",
        state=state,
        workspace=state / "workspace",
        db_url=db_url,
        admin_token=admin_token,
        process=process,
        log_path=log_path,
    )
    try:
        wait_for(lambda: requests.get(f"{hub.url}/hub/api/", timeout=5).ok, "the Hub", 90)
        wait_for(
            lambda: requests.get(f"{hub.service_url}api/health", timeout=5).ok,
            "the fazhi service",
            60,
        )
        yield hub
    except BaseException:
        print(log_path.read_text("utf-8", "replace")[-8000:])
        raise
    finally:
        hub.stop()
        from fazhi import db

        db.dispose_engines()
        _drop_database(db_url)


FAZHI = str(Path(sys.executable).parent / "fazhi")
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
COURSE, MODULE, EXAM = "fazhi", "m01-penalty-basics", "E1"


@pytest.fixture(scope="session")
def released(platform: Platform) -> Platform:
    """The trainer has released a law module and a timed exam through the hub exchange."""
    ws = platform.workspace
    platform.run_as(TRAINER, "trainer", [FAZHI, "course", "release", MODULE], cwd=ws)
    blueprint = ["--count", "单选=4", "--count", "判断=2", "--minutes", "30", "--seed", "1"]
    platform.run_as(
        TRAINER, "trainer", [FAZHI, "exam", "create", EXAM, "--bank", "penalty", *blueprint], cwd=ws
    )
    platform.run_as(TRAINER, "trainer", [FAZHI, "exam", "release", EXAM], cwd=ws)
    return platform


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser test (test_browser.py) after the other tests of this folder.

    Its officer, 110001, submits a second exam on the shared Hub; test_flow's exact checks of
    110001's submissions and of E1's collected folders must not see it. Nothing else moves.
    """
    here = Path(__file__).resolve().parent
    browser = [item for item in items if item.path == here / "test_browser.py"]
    if not browser:
        return
    rest = [item for item in items if item.path != here / "test_browser.py"]
    ours = [index for index, item in enumerate(rest) if item.path.parent == here]
    at = ours[-1] + 1 if ours else len(rest)
    items[:] = rest[:at] + browser + rest[at:]
