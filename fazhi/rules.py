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

    @property
    def annual_minutes(self) -> float:
        """Required yearly minutes for an enforcement officer active all year."""
        return self.annual_hours * self.minutes_per_hour

    def weekly_minutes(self, role: str) -> float:
        return self.leader_weekly_minutes if role == "leader" else self.staff_weekly_minutes


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
