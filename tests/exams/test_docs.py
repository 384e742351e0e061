"""docs/exams.md stays true: every command it shows exists and takes the options it uses."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).parents[2] / "docs" / "exams.md"


def commands() -> list[str]:
    text = DOC.read_text(encoding="utf-8").replace("\\\n", " ")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [
        line.split("#")[0].strip()
        for block in blocks
        for line in block.splitlines()
        if line.startswith("fazhi ")
    ]


def test_documented_commands_exist_with_their_options(cli) -> None:  # type: ignore[no-untyped-def]
    """Does every `fazhi ...` line of docs/exams.md name a real command and real options?"""
    shown = commands()
    assert len(shown) >= 10
    for line in shown:
        words = line.split()[1:]
        path = [w for w in words[:2] if not w.startswith("-")]
        group = cli(*path[:1], "--help")
        path = path[:2] if len(path) > 1 and path[1] in group.stdout else path[:1]
        result = cli(*path, "--help")
        assert result.exit_code == 0, line
        for option in re.findall(r"(?<!\S)(--[a-z-]+)", line):
            assert option in result.stdout, f"{line}: {option}"
