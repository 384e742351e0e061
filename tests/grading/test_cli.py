"""``fazhi grade`` on bad input: a clear Chinese message, a non-zero status, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook

from fazhi.settings import Settings


def test_a_directory_that_is_no_course_is_refused(cli: Any, tmp_path: Path) -> None:
    """Is a directory without fazhi.toml or nbgrader_config.py refused, naming both?"""
    result = cli("grade", "ps1", "--workspace", tmp_path)
    assert result.exit_code == 2
    assert "既不是 fazhi 工作区" in result.output and "nbgrader_config.py" in result.output
    assert not (tmp_path / "grading-logs").exists()


def test_an_unknown_assignment_is_refused(cli: Any, workspace: Settings) -> None:
    """Does an assignment missing from the gradebook point to generate_assignment?"""
    result = cli("grade", "nosuch", "--workspace", workspace.workspace)
    assert result.exit_code == 2
    assert "成绩库中没有作业 nosuch" in result.output
    assert "generate_assignment" in result.output


def test_an_assignment_without_submissions_says_so(cli: Any, workspace: Settings) -> None:
    """Is grading an assignment nobody submitted an error that names the folder searched?"""
    with Gradebook(workspace.gradebook_database_url, workspace.course_id) as gb:
        gb.update_or_create_assignment("hw1")
    result = cli("grade", "hw1", "--workspace", workspace.workspace)
    assert result.exit_code == 2
    assert "没有找到作业 hw1 的任何提交" in result.output
    assert "submitted" in result.output


def test_workers_must_be_positive(cli: Any, workspace: Settings) -> None:
    """Is --workers 0 refused before anything runs?"""
    result = cli("grade", "hw1", "--workers", "0", "--workspace", workspace.workspace)
    assert result.exit_code == 2
    assert "--workers 至少为 1" in result.output
