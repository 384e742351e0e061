"""Two people starting the same job at once: the second is told so in Chinese instead of
dying in an IntegrityError (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from fazhi.locks import LOCK_DIR

pytestmark = pytest.mark.db
HOLD = """
import sys, time
from pathlib import Path
from fazhi.locks import exclusive
with exclusive(Path(sys.argv[1]), sys.argv[2], "busy"):
    print("held", flush=True)
    time.sleep(60)
"""


def hold_lock(workspace: Path, name: str) -> subprocess.Popen[str]:
    """Another process holding the workspace lock ``name`` (as a running job would)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(workspace), name], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_second_grade_of_one_exam_is_refused(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    """While one ``fazhi grade e1`` runs, is a second refused with a clear message?"""
    holder = hold_lock(workspace.workspace, "grade-e1")
    try:
        result = cli("grade", "e1", "-w", workspace.workspace)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 75
    assert "正在由另一个 fazhi grade 评分" in result.stderr and str(holder.pid) in result.stderr


def test_second_roster_import_is_refused_then_succeeds(workspace, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Is a roster import refused while another runs, and accepted once it has finished
    (a killed holder leaves no stale lock)?"""
    path = tmp_path / "名册.csv"
    path.write_text(
        "工号,姓名,单位,职务类别,执法人员\nCG0001,王伟,某市城管局/新大队/一中队,一般干部,是\n",
        encoding="utf-8",
    )
    holder = hold_lock(workspace.workspace, "roster")
    try:
        busy = cli("roster", "import", path, "-w", workspace.workspace)
    finally:
        holder.kill()
        holder.wait()
    assert busy.exit_code == 75 and "另一个名册导入正在进行" in busy.stderr
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        done = cli("roster", "import", path, "-w", workspace.workspace)
        if done.exit_code == 0:
            break
    assert done.exit_code == 0, done.output
    assert "新建单位 3 个" in done.stdout
    assert (workspace.workspace / LOCK_DIR / "roster.lock").exists()


def test_parallel_roster_imports_creating_units_both_finish(workspace, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Do two roster imports started together, both creating the same units, end with exit
    0 or the busy message, never a traceback?"""
    import os

    files = []
    for n in range(2):
        rows = "".join(
            f"CG{n}{i:03d},某,某市城管局/大队{i % 7}/中队{i % 5},一般干部,是\n" for i in range(200)
        )
        path = tmp_path / f"名册{n}.csv"
        path.write_text("工号,姓名,单位,职务类别,执法人员\n" + rows, encoding="utf-8")
        files.append(path)
    env = {**os.environ, "FAZHI_DB_URL": workspace.database_url}
    command = [sys.executable, "-m", "fazhi.cli", "roster", "import"]
    processes = [
        subprocess.Popen(
            [*command, str(p), "-w", str(workspace.workspace)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in files
    ]
    outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in processes]  # type: ignore[union-attr]
    for code, stderr in outcomes:
        assert code in (0, 75), stderr
        assert "Traceback" not in stderr and "IntegrityError" not in stderr
    assert any(code == 0 for code, _ in outcomes)
