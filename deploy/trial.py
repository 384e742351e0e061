"""Prepare the one-machine trial of the multi-user platform (``make hub`` runs this first).

    python deploy/trial.py STATE_DIR

Creates (or refreshes) under STATE_DIR: the shared workspace, adopted from
``deploy/workspace/nbgrader_config.py`` so that nbgrader and fazhi use the hub exchange;
fazhi's PostgreSQL database at ``$FAZHI_DB_URL`` (created when missing); and the trial
roster (``deploy/trial/roster.csv``), whose 工号 match the trial Hub users.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
DEFAULT_DB_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/fazhi_hub"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it does not exist."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


def prepare(state: Path, *, db_url: str, roster: Path = HERE / "trial" / "roster.csv") -> Path:
    """Workspace, database and roster for the trial; returns the workspace."""
    workspace = state / "workspace"
    workspace.mkdir(parents=True, exist_ok=True)
    config = workspace / "nbgrader_config.py"
    if not config.exists():
        shutil.copy(HERE / "workspace" / "nbgrader_config.py", config)
    ensure_database(db_url)
    env = {**os.environ, "FAZHI_DB_URL": db_url}
    fazhi = [sys.executable, "-m", "fazhi.cli"]
    for args in (
        ["init", str(workspace)],
        ["--workspace", str(workspace), "roster", "import", str(roster)],
    ):
        subprocess.run([*fazhi, *args], env=env, check=True)
    return workspace


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    prepare(Path(sys.argv[1]).resolve(), db_url=os.environ.get("FAZHI_DB_URL", DEFAULT_DB_URL))
