"""Fixtures for the courses tests: sample content, a workspace, a real kernel, stock nbgrader.

Helpers are handed out as fixtures (the suite imports test files with importlib, so test
modules cannot import a shared helper module).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from fazhi.settings import Settings

DATA = Path(__file__).parent / "data"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Small sample content with known keys (tests/courses/data)."""
    return DATA


def _legacy_env(console: str) -> dict[str, str]:
    """A non-UTF-8 locale (what nbgrader #1297 met on Windows): ASCII file encoding, and a
    console of ``console`` encoding (``ascii``, or ``gbk`` as on a Chinese Windows)."""
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONUTF8="0")
    env.pop("PYTHONIOENCODING", None)
    if console != "ascii":
        env["PYTHONIOENCODING"] = console
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="module")
def nb_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A fresh workspace with its SQLite database, shared by one module's end-to-end tests."""
    from fazhi import db
    from fazhi.workspace import init_workspace

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FAZHI_DB_URL", raising=False)
        patch.delenv("FAZHI_WORKSPACE", raising=False)
        settings = init_workspace(tmp_path_factory.mktemp("courses") / "ws")
        yield settings
    db.dispose_engines()


def run_notebook(path: Path, *, then: str = "", save: bool = False) -> str:
    """Run every cell of ``path`` in a fresh kernel (cwd = its folder), then ``then``.

    Returns what ``then`` printed. Fails on any error or stderr output in the notebook,
    as nbgrader would score a test cell with stderr as 0.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(path.parent)}}
    )
    printed = ""
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        if then:
            extra = nbformat.v4.new_code_cell(then)
            nb.cells.append(extra)
            try:
                client.execute_cell(extra, len(nb.cells) - 1)
            finally:
                nb.cells.pop()
            printed = "".join(o.get("text", "") for o in extra.outputs if o.output_type == "stream")
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", f"stderr in cell {cell.id}: {output['text']}"
    if save:
        nbformat.write(nb, path)
    return printed


@pytest.fixture(scope="session")
def kernel() -> Callable[..., str]:
    """``kernel(path, then=..., save=...)``: run a notebook in a real kernel (run_notebook)."""
    return run_notebook


def run_nbgrader(settings: Settings, *args: str, console: str = "ascii") -> str:
    """Stock ``nbgrader ARGS`` in the workspace under a non-UTF-8 locale; returns its log."""
    proc = subprocess.run(
        [str(BIN / "nbgrader"), *args],
        cwd=settings.workspace,
        env=_legacy_env(console),
        capture_output=True,
        text=True,
        encoding=console,
        errors="replace",
        timeout=600,
    )
    assert proc.returncode == 0, f"nbgrader {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def nbgrader_cli() -> Callable[..., str]:
    """``nbgrader_cli(settings, *args, console=...)``: stock nbgrader in a non-UTF-8 locale."""
    return run_nbgrader


def submit_assignment(settings: Settings, *, assignment: str, folder: Path, officer: str) -> None:
    """What an officer's Submit button does: nbgrader's exchange submit of ``folder``."""
    from nbgrader.utils import capture_log, temp_attrs

    from fazhi.nbgrader_api import nbgrader_api

    api = nbgrader_api(
        settings=settings,
        Exchange={"assignment_dir": str(folder.parent), "cache": str(folder.parent / ".cache")},
        CourseDirectory={"student_id": officer},
    )
    with temp_attrs(api.coursedir, assignment_id=assignment):
        app = api.exchange.Submit(
            coursedir=api.coursedir, authenticator=api.authenticator, parent=api
        )
        result = capture_log(app)
    assert result["success"], result.get("error") or result.get("log")


@pytest.fixture(scope="session")
def submit() -> Callable[..., None]:
    """``submit(settings, assignment=..., folder=..., officer=...)`` through the exchange."""
    return submit_assignment


def exec_cells(nb: nbformat.NotebookNode, directory: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run a notebook's code cells in this process (cwd = ``directory``), like a kernel would.

    Returns the value of each grade cell's last expression (what nbgrader reads as the
    score) and the namespace (``sheet`` ...). Fast enough for every bundled notebook.
    """
    namespace: dict[str, Any] = {}
    values: dict[str, Any] = {}
    here = Path.cwd()
    os.chdir(directory)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code" or "skip-execution" in cell.metadata.get("tags", []):
                continue  # nbclient skips tagged cells (the study tracker) too
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, cell.id, "exec"), namespace)
            value = None
            if last is not None:
                value = eval(compile(ast.Expression(last.value), cell.id, "eval"), namespace)
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                values[meta["grade_id"]] = value
    finally:
        os.chdir(here)
    return values, namespace


@pytest.fixture(scope="session")
def run_in_process() -> Callable[..., tuple[dict[str, Any], dict[str, Any]]]:
    """``run_in_process(nb, directory)``: a notebook's code cells in-process (exec_cells)."""
    return exec_cells


@pytest.fixture
def course_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh workspace (SQLite) for one test; nothing imported into it."""
    from fazhi.workspace import init_workspace

    monkeypatch.delenv("FAZHI_DB_URL", raising=False)
    monkeypatch.delenv("FAZHI_WORKSPACE", raising=False)
    return init_workspace(tmp_path / "ws")
