"""Shared fixtures. Database tests run on SQLite and, with FAZHI_TEST_PG_URL, on PostgreSQL.

Each PostgreSQL test gets its own schema (a random name, created and dropped here), so parallel
pytest-xdist workers share the database without colliding. With FAZHI_REQUIRE_PG=1 (set by
.ci/run) the session fails when no PostgreSQL test ran or any of them skipped.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from fazhi import db
from fazhi.settings import Settings

# Grading signs its cached self-check verdicts with a per-user key in $XDG_STATE_HOME: the
# suite keeps its key out of the real home directory (shared by the tests of one run).
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="fazhi-test-state-")

PG_URL = os.environ.get("FAZHI_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("FAZHI_REQUIRE_PG") == "1"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fazhi-test.db'}"
        db.dispose_engines()
        return
    if not PG_URL:
        pytest.skip("FAZHI_TEST_PG_URL is not set")
    schema = f"fz_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        db.dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def workspace(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """An initialised workspace in tmp_path whose fazhi database is ``db_url``."""
    from fazhi.cli.setup import initialise
    from fazhi.settings import load_settings

    monkeypatch.setenv("FAZHI_DB_URL", db_url)
    monkeypatch.delenv("FAZHI_WORKSPACE", raising=False)
    root = tmp_path / "ws"
    initialise(root)
    return load_settings(root)


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run ``fazhi ARGS`` in-process; returns click's Result (exit_code, stdout, stderr)."""
    from fazhi.cli import main

    def run(*args: str | Path) -> Result:
        runner = CliRunner()
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


# ---- PostgreSQL must really run in CI ----------------------------------------------------

_pg_outcomes: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "[postgresql" not in report.nodeid and "-postgresql" not in report.nodeid:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _pg_outcomes[report.outcome] = _pg_outcomes.get(report.outcome, 0) + 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not REQUIRE_PG or hasattr(session.config, "workerinput"):
        return  # under pytest-xdist the controller judges: it receives every worker's reports
    ran = _pg_outcomes["passed"] + _pg_outcomes["failed"]
    problem = None
    if _pg_outcomes["skipped"]:
        problem = f"{_pg_outcomes['skipped']} PostgreSQL tests skipped"
    elif ran == 0 and session.testscollected:
        problem = "no PostgreSQL test ran"
    if problem:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            f"FAZHI_REQUIRE_PG=1 but {problem}: failing the run", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
