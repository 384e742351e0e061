"""import-answers is all-or-nothing on disk too: a killed import leaves no submission
visible, and the next run settles what it left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fazhi import db
from fazhi.exams.publish import STAGING_DIR, StagedBatch, recover
from fazhi.roster import parse_roster, store_roster

pytestmark = [pytest.mark.db, pytest.mark.slow]
OFFICERS = 150


def _officer_dirs(workspace: Path) -> list[str]:
    return sorted(p.name for p in (workspace / "submitted").iterdir() if not p.name.startswith("."))


@pytest.fixture
def many(workspace, cli, test_bank, tmp_path, csv_file) -> Path:  # type: ignore[no-untyped-def]
    """Exam ``k1`` (every question of the test bank) released to 150 officers, and their
    answer sheet (one row each)."""
    rows = [
        [f"KX{n:04d}", f"考生{n}", "某市城管局/一中队", "一般干部", "是", "", "", ""]
        for n in range(OFFICERS)
    ]
    header = [
        "工号",
        "姓名",
        "单位",
        "职务类别",
        "执法人员",
        "执法证有效期至",
        "入职日期",
        "离职日期",
    ]
    with db.session_scope(workspace) as session:
        store_roster(session, parse_roster(csv_file(tmp_path / "roster.csv", header, rows)))
    ws = workspace.workspace
    assert cli("exam", "create", "k1", "--all", "--bank", test_bank, "-w", ws).exit_code == 0
    assert cli("exam", "release", "k1", "-w", ws).exit_code == 0
    sheet = [[f"kx{n:04d}", "T-01", "B"] for n in range(OFFICERS)]  # lower-case ids on purpose
    return csv_file(tmp_path / "cards.csv", ["工号", "题号", "作答"], sheet)


def test_kill_during_import_leaves_nothing_visible(workspace, cli, many) -> None:  # type: ignore[no-untyped-def]
    """Does SIGKILL after the first staged folder leave submitted/ untouched, and does the
    next run clean the leftovers and import everyone?"""
    ws = workspace.workspace
    command = [sys.executable, "-m", "fazhi.cli", "exam", "import-answers", "k1", str(many)]
    env = {**os.environ, "FAZHI_DB_URL": workspace.database_url, "FAZHI_WORKSPACE": str(ws)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    staged: list[Path] = []
    while time.monotonic() < deadline and process.poll() is None and not staged:
        staged = list((ws / STAGING_DIR).glob("import-*/new/*/k1/k1.ipynb"))
        time.sleep(0.005)
    assert staged, f"no staged folder seen: {process.communicate()}"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _officer_dirs(ws) == []
    assert list((ws / STAGING_DIR).glob("import-*"))  # the killed batch is still there

    result = cli("exam", "import-answers", "k1", many, "-w", ws)
    assert result.exit_code == 0, result.output
    assert len(_officer_dirs(ws)) == OFFICERS
    assert "KX0000" in _officer_dirs(ws)  # 工号 as the roster has it, not as typed
    assert list((ws / STAGING_DIR).glob("import-*")) == []


def test_recover_finishes_committed_and_drops_uncommitted(workspace) -> None:  # type: ignore[no-untyped-def]
    """Does recovery publish a batch whose transaction committed, and drop one that did not?"""
    ws = workspace.workspace
    done, lost = StagedBatch(ws), StagedBatch(ws)
    for batch, officer in ((done, "CG001"), (lost, "CG002")):
        folder = batch.folder_for(officer, "e1")
        folder.mkdir()
        (folder / "e1.ipynb").write_text("{}")
    (done.folder / "committed").touch()
    assert recover(ws) == 2
    assert (ws / "submitted" / "CG001" / "e1" / "e1.ipynb").exists()
    assert not (ws / "submitted" / "CG002").exists()
    assert list((ws / STAGING_DIR).iterdir()) == []


def test_recover_removes_staging_left_by_older_versions(workspace) -> None:  # type: ignore[no-untyped-def]
    """Is a stray ``submitted/.import-*`` folder (older versions staged there) removed?"""
    stray = workspace.workspace / "submitted" / ".import-abc123" / "CG001" / "e1"
    stray.mkdir(parents=True)
    assert recover(workspace.workspace) == 1
    assert list((workspace.workspace / "submitted").iterdir()) == []
