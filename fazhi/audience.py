"""Audiences of exams and modules: set them, draw samples once, and say who belongs.

Criteria (roles, unit subtrees, named 工号, new hires within N days of joining) apply
together. A sample of k officers is drawn from the officers meeting them and active on the
day it is set, with a seeded generator over the sorted 工号 (reproducible), and the drawn
officers are stored: later roster changes do not change who was drawn.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.errors import UserError
from fazhi.identifiers import normalise_officer_id
from fazhi.models import Officer, Unit
from fazhi.models.audience import Audience, AudienceDraw

ROLE_NAMES = {"leader": "领导干部", "staff": "一般干部"}


@dataclass(frozen=True)
class AudienceSpec:
    """Who a target applies to; every field empty/None means everyone."""

    roles: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    officers: tuple[str, ...] = ()
    new_hire_days: int | None = None
    sample_size: int | None = None

    @property
    def everyone(self) -> bool:
        return not (
            self.roles or self.units or self.officers or self.new_hire_days or self.sample_size
        )


@dataclass(frozen=True)
class AudienceRule:
    """A stored audience, ready to test officers against (``drawn``: the recorded sample)."""

    spec: AudienceSpec
    drawn: frozenset[str] | None

    def members(self, roster: pd.DataFrame, day: dt.date) -> np.ndarray:
        """Boolean per row of ``roster`` (officer_id, unit, role, active_from): in the audience
        on ``day`` (new hires are counted from their 入职日期 to ``day``)."""
        if self.drawn is not None:
            return roster["officer_id"].isin(self.drawn).to_numpy()
        return criteria_mask(self.spec, roster, day)


def _under(path: str, units: Sequence[str]) -> bool:
    return any(path == unit or path.startswith(unit + "/") for unit in units)


def criteria_mask(spec: AudienceSpec, roster: pd.DataFrame, day: dt.date) -> np.ndarray:
    """Officers in ``roster`` meeting every criterion of ``spec`` on ``day``."""
    keep = np.ones(len(roster), dtype=bool)
    if spec.roles:
        keep &= roster["role"].isin(spec.roles).to_numpy()
    if spec.units:
        keep &= np.array([_under(str(u), spec.units) for u in roster["unit"]], dtype=bool)
    if spec.officers:
        keep &= roster["officer_id"].isin(spec.officers).to_numpy()
    if spec.new_hire_days:
        joined = pd.to_datetime(roster["active_from"], errors="coerce")
        start = pd.Timestamp(day) - pd.Timedelta(days=spec.new_hire_days)
        keep &= ((joined >= start) & (joined <= pd.Timestamp(day))).fillna(False).to_numpy(bool)
    return keep


def describe(spec: AudienceSpec, drawn: int | None = None) -> str:
    """The audience in words (Chinese), for CLI messages and reports."""
    if spec.everyone:
        return "全体人员"
    parts = []
    if spec.roles:
        parts.append("、".join(ROLE_NAMES.get(r, r) for r in spec.roles))
    if spec.units:
        parts.append("单位 " + "、".join(spec.units) + "（含下级）")
    if spec.officers:
        parts.append("指定人员 " + "、".join(spec.officers))
    if spec.new_hire_days:
        parts.append(f"入职 {spec.new_hire_days} 天内的新招录队员")
    text = "；".join(parts) if parts else "全体人员"
    if spec.sample_size:
        text += f"中随机抽取 {spec.sample_size} 人"
        if drawn is not None:
            text += f"（已抽取 {drawn} 人并记录）"
    return text


def _roster_frame(session: Session) -> pd.DataFrame:
    officer, unit = Officer.__table__, Unit.__table__
    rows = session.execute(
        select(
            officer.c.id,
            officer.c.officer_id,
            unit.c.path,
            officer.c.role,
            officer.c.active_from,
            officer.c.active_to,
        ).join(unit, officer.c.unit_id == unit.c.id)
    ).all()
    columns = ["id", "officer_id", "unit", "role", "active_from", "active_to"]
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _checked(session: Session, spec: AudienceSpec, roster: pd.DataFrame) -> AudienceSpec:
    for role in spec.roles:
        if role not in ROLE_NAMES:
            raise UserError(f"适用对象的职务类别“{role}”无效：应为 leader 或 staff")
    units = []
    for text in spec.units:
        path = "/".join(p.strip() for p in text.replace("\\", "/").split("/") if p.strip())
        if session.scalar(select(Unit.id).where(Unit.path == path)) is None:
            raise UserError(f"单位“{text}”不在名册中（应为完整路径，如 某市城管局/某大队）")
        units.append(path)
    officers = []
    known = set(roster["officer_id"])
    for text in spec.officers:
        try:
            officer_id = normalise_officer_id(text)
        except ValueError as err:
            raise UserError(f"--officer：{err}") from None
        if officer_id not in known:
            raise UserError(f"工号 {officer_id} 不在名册中")
        officers.append(officer_id)
    if spec.new_hire_days is not None and spec.new_hire_days <= 0:
        raise UserError("新招录队员的天数应为正整数")
    if spec.sample_size is not None and spec.sample_size <= 0:
        raise UserError("抽查人数应为正整数")
    return AudienceSpec(
        roles=tuple(dict.fromkeys(spec.roles)),
        units=tuple(dict.fromkeys(units)),
        officers=tuple(dict.fromkeys(officers)),
        new_hire_days=spec.new_hire_days,
        sample_size=spec.sample_size,
    )


def draw_sample(officer_ids: Sequence[str], size: int, seed: int) -> list[str]:
    """``size`` of ``officer_ids``, the same for the same ids and seed (sorted 工号 order)."""
    return sorted(random.Random(seed).sample(sorted(officer_ids), size))


def set_audience(
    session: Session,
    *,
    target: str,
    name: str,
    spec: AudienceSpec,
    seed: int,
    today: dt.date,
) -> Audience | None:
    """Store the audience of ``target`` ``name`` (replacing any earlier one); None = everyone.

    A sample is drawn now, from the officers meeting the criteria and active ``today``.
    """
    roster = _roster_frame(session)
    spec = _checked(session, spec, roster)
    old = session.scalar(
        select(Audience).where(Audience.target == target, Audience.target_name == name)
    )
    if old is not None:
        session.delete(old)
        session.flush()
    if spec.everyone:
        return None
    audience = Audience(
        target=target,
        target_name=name,
        roles=list(spec.roles),
        units=list(spec.units),
        officers=list(spec.officers),
        new_hire_days=spec.new_hire_days,
        sample_size=spec.sample_size,
        seed=seed if spec.sample_size else None,
        created_at=dt.datetime.now(dt.UTC),
    )
    if spec.sample_size:
        since = pd.to_datetime(roster["active_from"], errors="coerce")
        until = pd.to_datetime(roster["active_to"], errors="coerce")
        day = pd.Timestamp(today)
        active = ((since.isna() | (since <= day)) & (until.isna() | (until >= day))).to_numpy()
        eligible = roster[criteria_mask(spec, roster, today) & active]
        if len(eligible) < spec.sample_size:
            raise UserError(
                f"符合条件的在岗人员只有 {len(eligible)} 人，不足抽查人数 {spec.sample_size}"
            )
        ids = dict(zip(eligible["officer_id"], eligible["id"], strict=True))
        chosen = draw_sample(list(ids), spec.sample_size, seed)
        audience.draws = [AudienceDraw(officer_id=int(ids[o])) for o in chosen]
    session.add(audience)
    session.flush()
    return audience


def _rule(audience: Audience, drawn: dict[int, list[str]]) -> AudienceRule:
    spec = AudienceSpec(
        roles=tuple(audience.roles),
        units=tuple(audience.units),
        officers=tuple(audience.officers),
        new_hire_days=audience.new_hire_days,
        sample_size=audience.sample_size,
    )
    return AudienceRule(
        spec, frozenset(drawn.get(audience.id, [])) if audience.sample_size else None
    )


def load_audiences(session: Session, target: str) -> dict[str, AudienceRule]:
    """Every stored audience of ``target`` kind: name → rule (names absent = everyone)."""
    audiences = session.scalars(select(Audience).where(Audience.target == target)).all()
    draw, officer = AudienceDraw.__table__, Officer.__table__
    drawn: dict[int, list[str]] = {}
    for audience_id, officer_id in session.execute(
        select(draw.c.audience_id, officer.c.officer_id).join(
            officer, draw.c.officer_id == officer.c.id
        )
    ):
        drawn.setdefault(audience_id, []).append(officer_id)
    return {a.target_name: _rule(a, drawn) for a in audiences}


def audience_text(session: Session, target: str, name: str) -> str:
    """The stored audience of one target, in words."""
    rule = load_audiences(session, target).get(name)
    if rule is None:
        return "全体人员"
    return describe(rule.spec, None if rule.drawn is None else len(rule.drawn))


def drawn_officers(session: Session, target: str, name: str) -> list[str]:
    """The 工号 recorded for a sampled audience, sorted ([] when not sampled)."""
    rule = load_audiences(session, target).get(name)
    return sorted(rule.drawn) if rule is not None and rule.drawn is not None else []


def audience_members(
    session: Session, target: str, name: str, day: dt.date | None
) -> set[str] | None:
    """The 工号 in the audience of one target on ``day`` (today when None); None = everyone."""
    rule = load_audiences(session, target).get(name)
    if rule is None:
        return None
    roster = _roster_frame(session)
    chosen = day or dt.date.today()
    return set(roster.loc[rule.members(roster, chosen), "officer_id"])
