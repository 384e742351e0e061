"""``fazhi exam audience`` and ``fazhi course audience``: set who an exam or module is for."""

from __future__ import annotations

import click

from fazhi.cli.audience import audience_options, audience_spec, store_and_describe
from fazhi.cli.common import current_settings, echo, workspace_option


@click.command("audience")
@click.argument("exam")
@audience_options
@click.option("--seed", type=int, help="抽查的随机种子（默认用考试的组卷种子）。")
@workspace_option
def exam_audience_command(
    exam: str,
    audience: str,
    units: tuple[str, ...],
    officers: tuple[str, ...],
    new_hires: int | None,
    sample: int | None,
    seed: int | None,
) -> None:
    """设置考试的适用对象（合规统计只对适用对象计入应考场数）；不带选项即恢复为全体人员。"""
    from sqlalchemy import select

    from fazhi import db
    from fazhi.errors import UserError
    from fazhi.models.exam import Exam

    settings = current_settings()
    spec = audience_spec(audience, units, officers, new_hires, sample)
    with db.session_scope(settings) as session:
        record = session.scalar(select(Exam).where(Exam.name == exam))
        if record is None:
            raise UserError(f"没有考试“{exam}”")
        if record.makeup_of_id is not None:
            raise UserError("补考的适用对象随原考试，请设置原考试的适用对象")
        text = store_and_describe(
            session, target="exam", name=exam, spec=spec, seed=record.seed if seed is None else seed
        )
    echo(f"考试“{exam}”{text}")


@click.command("audience")
@click.argument("module")
@audience_options
@click.option("--seed", type=int, default=0, show_default=True, help="抽取的随机种子。")
@workspace_option
def course_audience_command(
    module: str,
    audience: str,
    units: tuple[str, ...],
    officers: tuple[str, ...],
    new_hires: int | None,
    sample: int | None,
    seed: int,
) -> None:
    """设置学法模块的适用对象（如 --new-hires 180：新招录队员申领执法证前培训）；
    不带选项即恢复为全体人员。"""
    from fazhi import db
    from fazhi.analytics.modules import known_module_ids
    from fazhi.errors import UserError

    settings = current_settings()
    if module not in known_module_ids(settings.workspace):
        raise UserError(f"没有学法模块“{module}”（fazhi course list 查看全部模块）")
    spec = audience_spec(audience, units, officers, new_hires, sample)
    with db.session_scope(settings) as session:
        text = store_and_describe(session, target="module", name=module, spec=spec, seed=seed)
    echo(f"学法模块“{module}”{text}")
