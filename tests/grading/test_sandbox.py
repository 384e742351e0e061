"""The sandbox a grading kernel runs in: a copy of the submission, outside the course."""

from __future__ import annotations

import os
from pathlib import Path

from fazhi.grading.kernels import Sandbox


def _submission(tmp_path: Path) -> tuple[Path, Path]:
    course = tmp_path / "course"
    secret = course / "source" / "exam1" / "exam1.ipynb"
    secret.parent.mkdir(parents=True)
    secret.write_text("keys", encoding="utf-8")
    folder = course / "autograded" / "CG0001" / "exam1"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "input.txt").write_text("数据", encoding="utf-8")
    (folder / "timestamp.txt").write_text("2026-03-02 10:30:00", encoding="utf-8")
    (folder / "keys.lnk").symlink_to(secret)
    return folder, secret


def test_the_copy_holds_only_the_submissions_regular_files(tmp_path: Path) -> None:
    """Does the sandbox hold the submission's files but no link out of it, outside the course,
    with a minimal environment?"""
    folder, _secret = _submission(tmp_path)
    sandbox = Sandbox(str(folder))
    try:
        sandbox.fill()
        copied = sorted(str(p.relative_to(sandbox.work)) for p in sandbox.work.rglob("*"))
        assert copied == ["data", "data/input.txt", "timestamp.txt"]
        assert not sandbox.root.resolve().is_relative_to(tmp_path.resolve())
        env = sandbox.env()
        assert env["HOME"] == str(sandbox.home) and env["NBGRADER_EXECUTION"] == "autograde"
        assert not any(name.startswith(("FAZHI", "JUPYTERHUB")) for name in env)
    finally:
        sandbox.remove()
    assert not sandbox.root.exists()


def test_copy_back_brings_new_files_but_never_writes_through_links(tmp_path: Path) -> None:
    """Are files the code wrote copied back -- but not nbgrader's bookkeeping, and never
    through a link the submission planted?"""
    folder, secret = _submission(tmp_path)
    sandbox = Sandbox(str(folder))
    try:
        sandbox.fill()
        (sandbox.work / "result.csv").write_text("1,2", encoding="utf-8")
        (sandbox.work / "timestamp.txt").write_text("2099-01-01 00:00:00", encoding="utf-8")
        (sandbox.work / "keys.lnk").write_text("overwritten", encoding="utf-8")
        os.utime(sandbox.work / "data" / "input.txt", (0, 0))  # touched, same content
        sandbox.copy_back()
    finally:
        sandbox.remove()
    assert (folder / "result.csv").read_text(encoding="utf-8") == "1,2"
    assert (folder / "timestamp.txt").read_text(encoding="utf-8") == "2026-03-02 10:30:00"
    assert secret.read_text(encoding="utf-8") == "keys"  # the link was not written through
