"""Shared CLI plumbing: the ``--workspace`` option, settings lookup and user-error handling."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from fazhi.errors import UserError
from fazhi.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Options given before the sub-command (``fazhi --workspace W -v roster import ...``)."""

    def __init__(self) -> None:
        self.workspace: Path | None = None
        self.verbose = 0


def _remember_workspace(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(State).workspace = value


def workspace_option(func: F) -> F:
    """Every command takes ``--workspace DIR`` (else $FAZHI_WORKSPACE, else the current dir)."""
    return click.option(
        "--workspace",
        "-w",
        type=click.Path(file_okay=False, path_type=Path),
        expose_value=False,
        is_eager=True,
        callback=_remember_workspace,
        help="工作区目录（默认：$FAZHI_WORKSPACE，否则当前目录）。",
    )(func)


def current_settings() -> Settings:
    """Settings of the workspace chosen on the command line (must exist)."""
    state = click.get_current_context().ensure_object(State)
    return load_settings(state.workspace)


def current_workspace() -> Path | None:
    return click.get_current_context().ensure_object(State).workspace


class FazhiGroup(click.Group):
    """A group that turns UserError into a Chinese message and an exit status, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as err:
            click.echo(f"错误：{err}", err=True)
            sys.exit(err.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception:
            if ctx.ensure_object(State).verbose:
                raise
            logging.getLogger("fazhi").debug("internal error", exc_info=True)
            click.echo("内部错误（这是程序缺陷，请报告）：", err=True)
            click.echo(traceback.format_exc(limit=-3), err=True)
            sys.exit(70)


def echo(message: str) -> None:
    click.echo(message)
