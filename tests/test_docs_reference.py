"""docs/commands.md is exactly what `python -m fazhi.cli.reference` generates today."""

from __future__ import annotations

from pathlib import Path

from fazhi.cli.reference import reference

COMMANDS_MD = Path(__file__).parents[1] / "docs" / "commands.md"


def test_command_reference_is_current() -> None:
    """Does docs/commands.md equal the --help of every command (else run `make docs`)?"""
    assert COMMANDS_MD.read_text(encoding="utf-8") == reference(), (
        "docs/commands.md is stale: run `make docs`"
    )


def test_command_reference_covers_every_contract_command() -> None:
    """Does the reference have a section for each command scripts depend on?"""
    text = reference()
    for command in (
        "fazhi init",
        "fazhi roster import",
        "fazhi bank import",
        "fazhi bank export",
        "fazhi exam create",
        "fazhi exam release",
        "fazhi exam import-answers",
        "fazhi grade",
        "fazhi study import",
        "fazhi mockcourt import",
        "fazhi report scores",
        "fazhi report items",
        "fazhi report compliance",
        "fazhi report mockcourt",
        "fazhi report dashboards",
        "fazhi demo",
    ):
        assert f"`{command}`\n\n```text\nUsage: {command}" in text, command
