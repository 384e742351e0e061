"""Audience options (适用对象) shared by ``exam create``, ``exam audience`` and
``course audience`` (those two in ``fazhi.cli.audience_commands``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

AUDIENCE_ROLES = {"all": (), "leaders": ("leader",), "staff": ("staff",)}


def audience_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--audience``, ``--unit``, ``--officer``, ``--new-hires``, ``--sample``."""
    options = [
        click.option(
            "--audience",
            type=click.Choice(list(AUDIENCE_ROLES)),
            default="all",
            show_default=True,
            help="适用对象：all 全体、leaders 领导干部、staff 一般干部。",
        ),
        click.option(
            "--unit",
            "units",
            multiple=True,
            metavar="单位路径",
            help="只适用于该单位及其下级单位（可重复），如 某市城管局/东城大队。",
        ),
        click.option(
            "--officer",
            "officers",
            multiple=True,
            metavar="工号",
            help="只适用于指定人员（可重复）。",
        ),
        click.option(
            "--new-hires",
            "new_hires",
            type=int,
            metavar="天数",
            help="只适用于入职不超过该天数的新招录队员（如申领执法证前培训）。",
        ),
        click.option(
            "--sample",
            type=int,
            metavar="人数",
            help="从符合条件的在岗人员中按随机种子抽取该人数（抽查），抽中名单记录在数据库中。",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def audience_spec(
    audience: str,
    units: tuple[str, ...],
    officers: tuple[str, ...],
    new_hires: int | None,
    sample: int | None,
):
    from fazhi.audience import AudienceSpec

    return AudienceSpec(
        roles=AUDIENCE_ROLES[audience],
        units=units,
        officers=officers,
        new_hire_days=new_hires,
        sample_size=sample,
    )


def store_and_describe(session, *, target: str, name: str, spec, seed: int) -> str:
    """Store the audience and say, in Chinese, who it is (naming a sample's officers)."""
    import datetime as dt

    from fazhi.audience import describe, set_audience
    from fazhi.tabular import LOCAL_TZ

    today = dt.datetime.now(LOCAL_TZ).date()
    audience = set_audience(session, target=target, name=name, spec=spec, seed=seed, today=today)
    if audience is None:
        return "适用对象：全体人员"
    text = f"适用对象：{describe(spec, len(audience.draws) if spec.sample_size else None)}"
    if spec.sample_size:
        from fazhi.audience import drawn_officers

        text += "；抽中：" + "、".join(drawn_officers(session, target, name))
    return text
