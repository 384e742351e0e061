"""Workspace creation and adoption of plain nbgrader courses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fazhi.settings import load_settings
from fazhi.workspace import init_workspace


def nbgrader(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=cwd, capture_output=True, text=True
    )


def test_init_creates_course_directory(tmp_path: Path) -> None:
    """Does `fazhi init` create an nbgrader course with fazhi's files that nbgrader can read?"""
    settings = init_workspace(tmp_path / "ws")
    root = settings.workspace
    for name in ("source", "release", "submitted", "autograded", "feedback", "exchange"):
        assert (root / name).is_dir(), name
    for name in ("nbgrader_config.py", "fazhi.toml", "rules.toml", "fazhi.db", "gradebook.db"):
        assert (root / name).is_file(), name
    listed = nbgrader(["db", "student", "list"], root)
    assert listed.returncode == 0, listed.stderr
    assert "There are 0 students" in listed.stdout


def test_init_twice_keeps_data(tmp_path: Path) -> None:
    """Is re-running init on a workspace harmless (rules edits survive)?"""
    root = tmp_path / "ws"
    init_workspace(root)
    rules = root / "rules.toml"
    rules.write_text(rules.read_text("utf-8").replace("staff_minutes = 60", "staff_minutes = 90"))
    init_workspace(root)
    assert "staff_minutes = 90" in rules.read_text("utf-8")


def test_workspace_paths_are_relative_to_config(tmp_path: Path) -> None:
    """Does a workspace still work after the directory is moved?"""
    init_workspace(tmp_path / "a")
    (tmp_path / "a").rename(tmp_path / "b")
    listed = nbgrader(["db", "student", "list"], tmp_path / "b")
    assert listed.returncode == 0, listed.stderr
    assert not (tmp_path / "a").exists()


def test_adopt_plain_nbgrader_course(tmp_path: Path) -> None:
    """Does init adopt an nbgrader course without touching its config or gradebook?"""
    course = tmp_path / "course"
    course.mkdir()
    config = (
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'law101'\n"
        "c.CourseDirectory.db_url = 'sqlite:///" + str(course / "my_gradebook.db") + "'\n"
    )
    (course / "nbgrader_config.py").write_text(config)
    added = nbgrader(["db", "student", "add", "s1", "--last-name", "甲"], course)
    assert added.returncode == 0, added.stderr

    settings = init_workspace(course)

    assert (course / "nbgrader_config.py").read_text() == config
    assert settings.course_id == "law101"
    assert settings.gradebook_database_url.endswith("my_gradebook.db")
    listed = nbgrader(["db", "student", "list"], course)
    assert "s1 (甲" in listed.stdout
    assert load_settings(course).course_id == "law101"


def test_commands_refuse_a_non_workspace(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """Does a command outside a workspace say so in Chinese instead of crashing?"""
    result = cli("--workspace", tmp_path, "roster", "import", tmp_path / "x.csv")
    assert result.exit_code == 2
    assert "不是 fazhi 工作区" in result.stderr
    assert "fazhi init" in result.stderr


@pytest.mark.parametrize("option_first", [True, False])
def test_workspace_option_position(tmp_path: Path, cli, option_first: bool) -> None:  # type: ignore[no-untyped-def]
    """Is --workspace accepted both before and after the sub-command?"""
    init_workspace(tmp_path / "ws")
    csv = tmp_path / "r.csv"
    csv.write_text("工号,姓名,单位,职务类别,执法人员\nA1,张三,局/队,staff,是\n", encoding="utf-8")
    args = ["roster", "import", csv]
    full = (
        ["--workspace", tmp_path / "ws", *args]
        if option_first
        else [*args, "--workspace", tmp_path / "ws"]
    )
    result = cli(*full)
    assert result.exit_code == 0, result.output
    assert "新增 1 人" in result.stdout


def test_write_settings_keeps_the_file_documented(tmp_path: Path) -> None:
    """Does setting the officer keep other values and the help text of every setting?"""
    from fazhi.errors import UserError
    from fazhi.settings import settings_help
    from fazhi.workspace import write_settings

    init_workspace(tmp_path / "ws", course_id="law101")
    settings = write_settings(tmp_path / "ws", officer="CG0005")
    assert (settings.officer, settings.course_id) == ("CG0005", "law101")
    text = (tmp_path / "ws" / "fazhi.toml").read_text("utf-8")
    assert all(f"# {help_text}" in text for _, help_text in settings_help())
    assert 'officer = "CG0005"' in text and "学习计时" in text
    with pytest.raises(UserError, match="未知设置"):
        write_settings(tmp_path / "ws", officers="CG0005")
