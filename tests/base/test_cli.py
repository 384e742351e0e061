"""The CLI contract of docs/contract.md: command names, --workspace everywhere, Chinese help."""

from __future__ import annotations

import pytest

CONTRACT = [
    ["init"],
    ["roster", "import"],
    ["bank", "import"],
    ["bank", "list"],
    ["bank", "export"],
    ["exam", "create"],
    ["exam", "release"],
    ["exam", "import-answers"],
    ["grade"],
    ["study", "import"],
    ["mockcourt", "import"],
    ["report", "scores"],
    ["report", "items"],
    ["report", "compliance"],
    ["report", "mockcourt"],
    ["demo"],
]


@pytest.mark.parametrize("command", CONTRACT, ids=" ".join)
def test_contract_command_has_help_and_workspace(cli, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Does every contract command exist, explain itself in Chinese and take --workspace?"""
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "--workspace" in result.stdout
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stdout)


def test_version_and_top_help(cli) -> None:  # type: ignore[no-untyped-def]
    """Does `fazhi --help` list the commands and -v?"""
    result = cli("--help")
    assert result.exit_code == 0
    for name in ("init", "roster", "bank", "exam", "grade", "study", "mockcourt", "report", "demo"):
        assert name in result.stdout
    assert "--verbose" in result.stdout


def test_a_command_process_exits_cleanly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Does a `fazhi` process (which skips the final garbage collection) keep its exit status,
    write its output and close SQLite properly, leaving no write-ahead log behind?"""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    fazhi = [sys.executable, "-m", "fazhi.cli"]
    done = subprocess.run([*fazhi, "init", str(tmp_path / "ws")], env=env, capture_output=True)
    assert done.returncode == 0, done.stderr
    roster = tmp_path / "r.csv"
    roster.write_text(
        "工号,姓名,单位,职务类别,执法人员\nA1,张三,局/队,staff,是\n", encoding="utf-8"
    )
    ws = ["--workspace", str(tmp_path / "ws")]
    done = subprocess.run(
        [*fazhi, "roster", "import", str(roster), *ws], env=env, text=True, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    assert [p.name for p in (tmp_path / "ws").glob("fazhi.db*")] == ["fazhi.db"]
    missing = subprocess.run(
        [*fazhi, "study", "import", str(tmp_path / "无.csv"), *ws],
        env=env,
        text=True,
        capture_output=True,
    )
    assert missing.returncode == 2 and "文件不存在" in missing.stderr
