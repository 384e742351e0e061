"""The demo step: every bundled module and case released, a module opened in JupyterLab."""

from __future__ import annotations

import datetime as dt

import nbformat
import pytest

from fazhi.courses.demo import DEMO_MODULE, demo_notebook, populate
from fazhi.settings import Settings


@pytest.mark.slow
def test_demo_releases_content_and_opens_a_module(
    cli, course_ws: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Does populate release everything, fetch a module, and `fazhi demo` open that module?"""
    assert demo_notebook(course_ws) is None
    summary = populate(course_ws, dt.date(2026, 3, 2))
    assert "学法模块 " in summary and "案卷评查" in summary and DEMO_MODULE in summary
    opened = demo_notebook(course_ws)
    assert opened == f"{DEMO_MODULE}/{DEMO_MODULE}.ipynb"
    officer_copy = nbformat.read(course_ws.workspace / opened, as_version=4)
    assert 'mode="practice"' in officer_copy.cells[1].source
    assert populate(course_ws, dt.date(2026, 3, 2))  # a rebuilt demo keeps the officer's copy

    import fazhi.cli.demo as demo_cli

    launched: list[tuple[Settings, str | None]] = []
    monkeypatch.setattr(demo_cli, "build_demo", lambda directory: course_ws)
    monkeypatch.setattr(demo_cli, "launch", lambda s, path=None: launched.append((s, path)))
    result = cli("demo", "--workspace", course_ws.workspace)
    assert result.exit_code == 0, result.output
    assert launched == [(course_ws, opened)]
