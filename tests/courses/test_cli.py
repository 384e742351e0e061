"""``fazhi course``: list, check, build and release from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fazhi.settings import Settings


def test_list_shows_bundled_and_workspace_content(cli, course_ws: Settings, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Does `course list` show every bundled item and a workspace's own module?"""
    own = course_ws.workspace / "content" / "modules"
    own.mkdir(parents=True)
    shutil.copy(data_dir / "sample-module.md", own / "sample-module.md")
    result = cli("course", "list", "--workspace", course_ws.workspace)
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert ["t01-sample", "学法模块", "测试模块：简易程序", "工作区"] in rows
    kinds = {row[1] for row in rows}
    assert kinds == {"学法模块", "案例练习", "案卷评查"}
    assert any(row[0] == "m01-penalty-basics" and row[3] == "内置" for row in rows)


def test_check_names_file_line_and_field(cli, tmp_path: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Does `course check` accept a good file and refuse a bad one with file, line, field?"""
    good = cli("course", "check", data_dir / "sample-review.yaml")
    assert good.exit_code == 0 and "格式正确" in good.stdout
    bad = tmp_path / "bad-case.yaml"
    text = (data_dir / "sample-handling.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("min: 500", "min: 五百"), encoding="utf-8")
    result = cli("course", "check", bad)
    assert result.exit_code == 2
    line = text.splitlines().index("    min: 500") + 1
    assert f"文件 bad-case.yaml，第 {line} 行，列“min”" in result.stderr
    everything = cli("course", "check")
    assert everything.exit_code == 0 and "格式正确：共" in everything.stdout


def test_build_writes_source_notebooks(cli, course_ws: Settings, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Does `course build` compile by id or by path into source/, and refuse unclear input?"""
    ws = course_ws.workspace
    result = cli("course", "build", "m01-penalty-basics", data_dir / "sample-review.yaml", "-w", ws)
    assert result.exit_code == 0, result.output
    assert (ws / "source" / "m01-penalty-basics" / "m01-penalty-basics.ipynb").exists()
    assert (ws / "source" / "t03-review" / "t03-review.ipynb").exists()
    neither = cli("course", "build", "-w", ws)
    assert neither.exit_code == 2 and "--all" in neither.stderr
    unknown = cli("course", "build", "m99-none", "-w", ws)
    assert unknown.exit_code == 2 and "m01-penalty-basics" in unknown.stderr


@pytest.mark.slow
def test_release_all_reaches_the_exchange(cli, course_ws: Settings) -> None:  # type: ignore[no-untyped-def]
    """Does `course release --all` put every bundled item in the exchange for officers?"""
    result = cli("course", "release", "--all", "-w", course_ws.workspace)
    assert result.exit_code == 0, result.output
    outbound = course_ws.exchange_root / course_ws.course_id / "outbound"
    released = sorted(p.name for p in outbound.iterdir())
    listed = cli("course", "list", "-w", course_ws.workspace).stdout.splitlines()
    assert released == sorted(line.split("\t")[0] for line in listed)
