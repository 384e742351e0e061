"""`make demo` builds a workspace whose roster nbgrader also sees, then serves JupyterLab."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fazhi.cli.demo import lab_command
from fazhi.courses.demo import demo_notebook
from fazhi.settings import Settings, load_settings


@pytest.mark.slow
def test_demo_builds_workspace_nbgrader_sees(tmp_path: Path) -> None:
    """Does `fazhi demo --no-launch` build a workspace with ~60 officers in nbgrader's table?"""
    workspace = tmp_path / "demo"
    env = dict(os.environ)
    env.pop("FAZHI_DB_URL", None)
    built = subprocess.run(
        [sys.executable, "-m", "fazhi.cli", "demo", "--no-launch", "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "演示工作区已建立" in built.stdout
    # the demo's JupyterLab studies as one roster officer (tracker, 我的学习)
    settings = load_settings(workspace)
    assert settings.officer.startswith("CG") and f"工号 {settings.officer}" in built.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "nbgrader", "db", "student", "list"],
        cwd=workspace,
        capture_output=True,
        text=True,
        env=env,
    )
    assert listed.returncode == 0, listed.stderr
    assert "There are 60 students" in listed.stdout

    rebuilt = subprocess.run(
        [sys.executable, "-m", "fazhi.cli", "demo", "--no-launch", "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert_lab_serves(load_settings(workspace), tmp_path / "lab.log")


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def assert_lab_serves(settings: Settings, log: Path) -> None:
    """Does the command `make demo` launches serve JupyterLab with the demo module to open?"""
    notebook = demo_notebook(settings)
    assert notebook is not None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "fazhi-demo-test"
    extra = [f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", "--no-browser"]
    # the server's log goes to a file: a pipe nobody reads would fill up and stall it
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*lab_command(settings, notebook), *extra],
            cwd=settings.workspace,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            try:
                _get(f"{base}/api/status", token)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "JupyterLab did not start within 120 s"
                time.sleep(0.5)
        status, page = _get(f"{base}/lab/tree/{notebook}", token)
        assert status == 200 and b"JupyterLab" in page
        status, body = _get(f"{base}/api/contents/{notebook}?content=0", token)
        assert status == 200 and json.loads(body)["type"] == "notebook"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_demo_refuses_a_non_demo_directory(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """Does the demo refuse to overwrite a directory that is not a demo workspace?"""
    (tmp_path / "mine.txt").write_text("x")
    result = cli("demo", "--no-launch", "--workspace", tmp_path)
    assert result.exit_code == 2
    assert "不是演示工作区" in result.stderr
    assert (tmp_path / "mine.txt").exists()
