"""Submission folders staged beside ``submitted/`` and made visible only once the database
transaction that recorded them commits.

A batch lives in ``<workspace>/.staging/import-<id>/``: ``batch.json`` (owner pid and the
``[officer, exam]`` targets), ``new/<officer>/<exam>`` (the folders to publish) and, once the
transaction has committed, a ``committed`` marker. Publishing renames each folder into
``submitted/`` (same filesystem: one atomic rename per officer). A batch left by a killed
process is discarded on the next run if it never committed, and finished if it did, so
``submitted/`` never shows an import the database does not.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from fazhi.paths import confined

STAGING_DIR = ".staging"
COMMITTED = "committed"


class StagedBatch:
    """Folders destined for ``submitted/<officer>/<exam>``, built out of sight."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = Path(workspace)
        self.submitted = self.workspace / "submitted"
        self.folder = self.workspace / STAGING_DIR / f"import-{uuid.uuid4().hex}"
        self.targets: list[tuple[str, str]] = []
        (self.folder / "new").mkdir(parents=True)
        self._save()

    def folder_for(self, officer: str, exam: str) -> Path:
        """Where to build the officer's submission (its parent exists, it does not)."""
        self.targets.append((officer, exam))
        self._save()
        target = confined(self.folder / "new", officer, exam)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _save(self) -> None:
        data = {"pid": os.getpid(), "targets": self.targets}
        (self.folder / "batch.json").write_text(json.dumps(data), encoding="utf-8")

    def publish_on_commit(self, session: Session) -> None:
        """Publish when ``session``'s transaction commits; discard when it rolls back."""

        settled = False  # only the first of the two events counts

        def committed(_session: Session) -> None:
            nonlocal settled
            if not settled:
                settled = True
                (self.folder / COMMITTED).touch()
                _finish(self.folder, self.submitted)

        def rolled_back(_session: Session) -> None:
            nonlocal settled
            if not settled:
                settled = True
                shutil.rmtree(self.folder, ignore_errors=True)

        event.listen(session, "after_commit", committed, once=True)
        event.listen(session, "after_rollback", rolled_back, once=True)


def _finish(batch: Path, submitted: Path) -> None:
    """Move every staged folder of a committed batch into ``submitted/``, then drop it."""
    data = json.loads((batch / "batch.json").read_text(encoding="utf-8"))
    for officer, exam in data["targets"]:
        staged = batch / "new" / officer / exam
        if not staged.exists():
            continue  # published before a crash
        target = confined(submitted, officer, exam)
        if target.exists():
            old = confined(batch / "old", officer, exam)
            old.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        target.parent.mkdir(parents=True, exist_ok=True)
        staged.rename(target)
    shutil.rmtree(batch, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(workspace: Path) -> int:
    """Settle batches left by killed imports (finish committed ones, drop the rest);
    returns how many were settled. Batches of live processes are left to them."""
    settled = 0
    for legacy in (Path(workspace) / "submitted").glob(".import-*"):
        # staging of versions before this module: never committed as a batch
        shutil.rmtree(legacy, ignore_errors=True)
        settled += 1
    root = Path(workspace) / STAGING_DIR
    if not root.is_dir():
        return settled
    for batch in sorted(root.glob("import-*")):
        try:
            pid = int(json.loads((batch / "batch.json").read_text(encoding="utf-8"))["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            pid = 0
        if pid and pid != os.getpid() and _alive(pid):
            continue
        if (batch / COMMITTED).exists():
            _finish(batch, Path(workspace) / "submitted")
        else:
            shutil.rmtree(batch, ignore_errors=True)
        settled += 1
    return settled
