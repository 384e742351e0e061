"""Workspace locks: one writer at a time for jobs that two people may start at once.

``fcntl.flock`` on a file under ``<workspace>/.locks/``: the lock goes with the process (a
killed job leaves no stale lock), and a second job is refused at once with a Chinese
message instead of racing the first into an IntegrityError.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fazhi.errors import UserError
from fazhi.paths import confined

LOCK_DIR = ".locks"


class Busy(UserError):
    """Another process holds the lock for the same job."""

    exit_code = 75  # EX_TEMPFAIL: try again later


@contextmanager
def exclusive(workspace: Path, name: str, busy_message: str) -> Iterator[None]:
    """Hold the workspace lock ``name`` for the block; Busy(``busy_message``) when taken."""
    folder = Path(workspace) / LOCK_DIR
    folder.mkdir(exist_ok=True)
    path = confined(folder, f"{name}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            suffix = f"（进程 {holder}）" if holder else ""
            raise Busy(f"{busy_message}{suffix}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(fd)
