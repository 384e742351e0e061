"""`make demo NO_LAUNCH=1` leaves a workspace whose roster nbgrader also sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fazhi.settings import load_settings


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


def test_demo_refuses_a_non_demo_directory(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """Does the demo refuse to overwrite a directory that is not a demo workspace?"""
    (tmp_path / "mine.txt").write_text("x")
    result = cli("demo", "--no-launch", "--workspace", tmp_path)
    assert result.exit_code == 2
    assert "不是演示工作区" in result.stderr
    assert (tmp_path / "mine.txt").exists()
