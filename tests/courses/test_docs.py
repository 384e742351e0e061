"""The examples in docs/courses.md are valid content (documentation checked by tests)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from fazhi.courses.catalog import load_content
from fazhi.courses.release import build
from fazhi.settings import Settings

GUIDE = Path(__file__).parents[2] / "docs" / "courses.md"
TEXT = GUIDE.read_text(encoding="utf-8")
EXAMPLES = [("md", block) for block in re.findall(r"````markdown\n(.*?)\n````", TEXT, re.S)]
EXAMPLES += [("yaml", block) for block in re.findall(r"```yaml\n(.*?)\n```", TEXT, re.S)]


@pytest.mark.parametrize(
    ("suffix", "block"), EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))]
)
def test_guide_example_is_valid(tmp_path: Path, suffix: str, block: str) -> None:
    """Does each module or case example in the trainer guide pass the format checks?"""
    path = tmp_path / f"example.{suffix}"
    path.write_text(block + "\n", encoding="utf-8")
    assert load_content(path).id


def test_guide_shows_modules_and_both_case_kinds() -> None:
    """Does the guide carry two module examples (one with bank blocks) and both case kinds?"""
    kinds = sorted(re.findall(r"^kind: (\w+)$", TEXT, re.M))
    assert len(EXAMPLES) == 4 and kinds == ["handling", "review"]
    assert sum("```bank" in block for suffix, block in EXAMPLES if suffix == "md") == 1


@pytest.mark.db
def test_bank_example_builds_from_the_bundled_banks(workspace: Settings, tmp_path: Path) -> None:
    """Does the guide's ```bank example find its questions in a fresh workspace's bundled banks?"""
    (block,) = [block for suffix, block in EXAMPLES if "```bank" in block]
    path = tmp_path / "example.md"
    path.write_text(block + "\n", encoding="utf-8")
    built = build(settings=workspace, content=load_content(path))
    nb = nbformat.read(built, as_version=4)
    widgets = [c.id.removesuffix("-widget") for c in nb.cells if c.id.endswith("-widget")]
    assert widgets == ["PEN-026", "PEN-027", "PEN-028", "PEN-031", "PEN-032"]
