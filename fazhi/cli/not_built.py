"""Commands of the contract whose feature has not landed yet say so (exit status 3)."""

from __future__ import annotations

import sys

import click


def not_built(issue: int) -> None:
    click.echo(f"该命令尚未实现（见 issue #{issue}）。", err=True)
    sys.exit(3)
