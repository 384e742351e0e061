"""The workspace's rules file (``rules.toml``): thresholds bureaus change, never hard-coded."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fazhi.errors import UserError


def default_rules_text() -> str:
    return resources.files("fazhi").joinpath("rules_default.toml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class CountedRule:
    """A counted requirement: at least ``per_year`` / ``per_quarter`` distinct days with a
    record of one of ``activities`` (学习内容), for officers of ``roles`` (empty = everyone).

    ``binding``: a shortfall makes the officer non-compliant. The implicit 中心组学法 rule of
    ``[leaders]`` is reported and flagged only, so the documented ``compliant`` stays exactly
    as docs/contract.md defines it until a bureau writes its own ``[[counted]]`` rules.
    """

    name: str
    activities: tuple[str, ...]
    roles: tuple[str, ...] = ()
    per_year: int = 0
    per_quarter: int = 0
    binding: bool = True

    def applies_to(self, role: str) -> bool:
        return not self.roles or role in self.roles


@dataclass(frozen=True)
class Rules:
    staff_weekly_minutes: float
    leader_weekly_minutes: float
    annual_hours: float
    minutes_per_hour: float
    exam_interval_months: int
    exam_pass_mark: float
    cert_warning_days: int
    central_group_sessions: int
    central_group_activity: str
    idle_minutes: float
    rubric: dict[str, float]
    drop_extremes_from: int
    deviation_threshold: float
    counted: tuple[CountedRule, ...] = ()

    @property
    def annual_minutes(self) -> float:
        """Required yearly minutes for an enforcement officer active all year."""
        return self.annual_hours * self.minutes_per_hour

    def weekly_minutes(self, role: str) -> float:
        return self.leader_weekly_minutes if role == "leader" else self.staff_weekly_minutes


def _counted(data: dict, source: str) -> tuple[CountedRule, ...]:
    """``[[counted]]`` entries; without any, the leaders' 中心组学法 rule of ``[leaders]``."""
    entries = data.get("counted")
    if entries is None:
        leaders = data["leaders"]
        entries = [
            {
                "name": leaders["central_group_activity"],
                "activity": leaders["central_group_activity"],
                "roles": ["leader"],
                "per_year": leaders["central_group_sessions"],
                "binding": False,
            }
        ]
    if not isinstance(entries, list):
        raise UserError(f"规则文件 {source}：counted 应为 [[counted]] 表的列表")
    rules = []
    for number, entry in enumerate(entries, start=1):
        where = f"规则文件 {source}：第 {number} 条 counted"
        if not isinstance(entry, dict) or "activity" not in entry:
            raise UserError(f"{where} 缺少 activity（学习内容名称）")
        activity = entry["activity"]
        activities = tuple(str(a) for a in (activity if isinstance(activity, list) else [activity]))
        roles = tuple(str(r) for r in entry.get("roles", []))
        if set(roles) - {"leader", "staff"}:
            raise UserError(f"{where}：roles 只能是 leader、staff")
        try:
            per_year, per_quarter = int(entry.get("per_year", 0)), int(entry.get("per_quarter", 0))
        except (TypeError, ValueError):
            raise UserError(f"{where}：per_year、per_quarter 应为整数") from None
        if per_year < 0 or per_quarter < 0 or not (per_year or per_quarter):
            raise UserError(f"{where}：per_year 或 per_quarter 应为正整数")
        binding = entry.get("binding", True)
        if not isinstance(binding, bool):
            raise UserError(f"{where}：binding 应为 true 或 false")
        name = str(entry.get("name") or activities[0])
        rules.append(CountedRule(name, activities, roles, per_year, per_quarter, binding))
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise UserError(f"规则文件 {source}：counted 的 name 不能重复")
    return tuple(rules)


def _parse(data: dict, source: str) -> Rules:
    try:
        rubric = {str(k): float(v) for k, v in data["mockcourt"]["rubric"].items()}
        rules = Rules(
            staff_weekly_minutes=float(data["weekly"]["staff_minutes"]),
            leader_weekly_minutes=float(data["weekly"]["leader_minutes"]),
            annual_hours=float(data["annual"]["hours"]),
            minutes_per_hour=float(data["annual"]["minutes_per_hour"]),
            exam_interval_months=int(data["exams"]["interval_months"]),
            exam_pass_mark=float(data["exams"]["pass_mark"]),
            cert_warning_days=int(data["certificate"]["warning_days"]),
            central_group_sessions=int(data["leaders"]["central_group_sessions"]),
            central_group_activity=str(data["leaders"]["central_group_activity"]),
            idle_minutes=float(data["study"]["idle_minutes"]),
            rubric=rubric,
            drop_extremes_from=int(data["mockcourt"]["drop_extremes_from"]),
            deviation_threshold=float(data["mockcourt"]["deviation_threshold"]),
            counted=_counted(data, source),
        )
    except KeyError as err:
        raise UserError(f"规则文件 {source} 缺少设置项 {err}") from err
    except (TypeError, ValueError) as err:
        raise UserError(f"规则文件 {source} 的取值无效：{err}") from err
    if not 0 < rules.exam_pass_mark <= 1:
        raise UserError(f"规则文件 {source}：exams.pass_mark 应在 0 到 1 之间（如 0.6）")
    if abs(sum(rubric.values()) - 100) > 1e-9:
        raise UserError(f"规则文件 {source}：mockcourt.rubric 各维度权重之和应为 100")
    if not rules.deviation_threshold > 0:
        raise UserError(f"规则文件 {source}：mockcourt.deviation_threshold 应为正数（如 10）")
    return rules


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and key != "rubric":
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def load_rules(path: Path | None = None) -> Rules:
    """Rules from ``path`` (missing keys fall back to the defaults), or the defaults."""
    defaults = tomllib.loads(default_rules_text())
    if path is None or not path.exists():
        return _parse(defaults, "默认规则")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"规则文件 {path} 格式错误：{err}") from err
    return _parse(_merge(defaults, data), str(path))
