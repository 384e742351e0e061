"""Every shell example in README.md and docs/*.md runs, block after block, as a reader would.

Each document's ```bash blocks run in order in one shell (`set -euo pipefail`), in a fresh
directory holding the example input files of docs/examples/. A document that does not create a
workspace itself (`fazhi init`) gets one first, with the bundled content and the example
roster, and its blocks run inside it. A block that cannot run in a test (a server, a cluster)
is preceded by `<!-- not-run: reason -->`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "docs" / "examples"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(
    r"(?:<!--\s*not-run:(?P<reason>[^>]*)-->\s*\n)?^```bash\n(?P<code>.*?)^```", re.S | re.M
)
MARKER = re.compile(r"^<!--\s*not-run\b(?P<rest>[^>]*)-->(?P<after>\s*\n```[^\n]*)?", re.M)


@dataclass(frozen=True)
class Block:
    line: int
    code: str
    not_run: str | None  # the reason, for blocks that are not run


def blocks(document: Path) -> list[Block]:
    text = document.read_text(encoding="utf-8")
    return [
        Block(
            line=text.count("\n", 0, match.start("code")),
            code=match["code"],
            not_run=None if match["reason"] is None else match["reason"].strip(),
        )
        for match in BLOCK.finditer(text)
    ]


def runnable(document: Path) -> list[Block]:
    return [block for block in blocks(document) if block.not_run is None]


def script(document: Path) -> str:
    """One bash script: each block, with a trap naming the block that failed."""
    name = document.relative_to(ROOT)
    parts = ["set -euo pipefail", "trap 'echo \"failed: $BLOCK (exit $?)\" >&2' ERR"]
    for block in runnable(document):
        parts += [f'BLOCK="{name}, block at line {block.line}"', block.code]
    return "\n".join(parts) + "\n"


def shell_env() -> dict[str, str]:
    """The reader's environment: the installed fazhi first on PATH, no FAZHI_* settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FAZHI_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)


def test_not_run_markers_give_a_reason() -> None:
    """Does every not-run marker say why, and stand right before a ```bash block?"""
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in MARKER.finditer(text):
            where = f"{document.name}: {match[0]!r}"
            assert match["rest"].startswith(":") and match["rest"][1:].strip(), where
            assert match["after"] and match["after"].strip() == "```bash", where


def test_the_examples_are_found() -> None:
    """Are the README's and the guides' examples found and run (not silently skipped)?"""
    names = {document.name for document in DOCUMENTS if runnable(document)}
    assert {"README.md", "exams.md", "analytics.md", "courses.md"} <= names
    assert any("fazhi init" in block.code for block in runnable(ROOT / "README.md"))


@pytest.mark.slow
@pytest.mark.parametrize(
    "document",
    [document for document in DOCUMENTS if runnable(document)],
    ids=lambda document: document.name,
)
def test_shell_examples_run(document: Path, tmp_path: Path) -> None:
    """Do the document's shell examples all succeed, in order, on the example files?"""
    env = shell_env()
    shutil.copytree(EXAMPLES, tmp_path, dirs_exist_ok=True)
    source = script(document)
    cwd = tmp_path
    if "fazhi init" not in source:
        cwd = tmp_path / "工作区"
        for args in (
            ["fazhi", "init", str(cwd)],
            ["fazhi", "-w", str(cwd), "roster", "import", "名册.csv"],
        ):
            prepared = run(args, tmp_path, env)
            assert prepared.returncode == 0, prepared.stderr
        shutil.copytree(EXAMPLES, cwd, dirs_exist_ok=True)
    result = run(["bash", "-c", source], cwd, env)
    assert result.returncode == 0, (
        f"{result.stderr[-3000:]}\n--- stdout ---\n{result.stdout[-2000:]}"
    )
