"""The HR tables around the compliance report: unit roll-ups, reasons, expiries, trends."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fazhi.analytics.compliance import Compliance

LEVELS = {0: "市局", 1: "大队", 2: "中队"}
ROLE_LABELS = {"leader": "领导干部", "staff": "一般干部"}
CERT_LABELS = {
    "valid": "有效",
    "warning": "即将到期",
    "expired": "已过期",
    "missing": "未登记",
    "revoked": "已注销",
    "n/a": "不适用",
}


def _parts(path: str) -> list[str]:
    return [p for p in str(path).split("/") if p]


def unit_rollup(result: Compliance, mask: np.ndarray | None = None) -> pd.DataFrame:
    """Officers and compliance rate per unit, each unit counting its sub-units (市局 → 中队)."""
    summary = result.summary if mask is None else result.summary[mask]
    rows: list[tuple[str, int, bool]] = []
    for path, ok in zip(summary["unit"], summary["compliant"], strict=True):
        parts = _parts(path)
        rows.extend(("/".join(parts[: depth + 1]), depth, bool(ok)) for depth in range(len(parts)))
    columns = ["单位", "层级", "人数", "合规人数", "合规率"]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows, columns=["path", "depth", "ok"])
    grouped = frame.groupby(["path", "depth"], sort=False)["ok"].agg(["size", "sum"]).reset_index()
    grouped["key"] = grouped["path"].map(_parts)
    grouped = grouped.sort_values("key", key=lambda s: s.map(tuple)).reset_index(drop=True)
    return pd.DataFrame(
        {
            "单位": [
                "　" * d + _parts(p)[-1]
                for p, d in zip(grouped["path"], grouped["depth"], strict=True)
            ],
            "层级": grouped["depth"].map(lambda d: LEVELS.get(d, f"第{d + 1}级")),
            "人数": grouped["size"].astype(int),
            "合规人数": grouped["sum"].astype(int),
            "合规率": (grouped["sum"] / grouped["size"]).round(4),
        },
        columns=columns,
    )


def reasons(result: Compliance) -> pd.DataFrame:
    """Each non-compliant officer with every reason, in words HR can act on."""
    summary = result.summary
    failed_exams = result.exam_detail[~result.exam_detail["passed"].astype(bool)]
    exam_names = failed_exams.groupby("officer_id")["exam"].agg(lambda s: "、".join(map(str, s)))
    expiry = dict(zip(result.roster["officer_id"], result.roster["cert_expiry"], strict=True))
    rows = []
    for row in summary[~summary["compliant"].astype(bool)].itertuples(index=False):
        found = []
        missed = int(row.required_weeks) - int(row.compliant_weeks)
        if missed:
            found.append(f"每周学法未达标 {missed} 周（应达标 {int(row.required_weeks)} 周）")
        if not row.annual_ok:
            found.append(
                f"年度学时不足：已学 {int(row.annual_minutes)} 分钟，"  # whole minutes, down
                f"今日应达 {int(row.annual_required_minutes)} 分钟"
            )
        if int(row.exams_passed) < int(row.exams_required):
            found.append(f"考试未通过：{exam_names.get(row.officer_id, '')}")
        if row.cert_status == "expired":
            found.append(f"执法证已过期（有效期至 {expiry.get(row.officer_id)}）")
        elif row.cert_status == "missing":
            found.append("无执法证记录")
        elif row.cert_status == "revoked":
            found.append("执法证已注销")
        if "counted_shortfalls" in summary and row.counted_shortfalls:
            found.append(f"计次要求未达标：{row.counted_shortfalls}")
        rows.append(
            (
                row.officer_id,
                row.name,
                row.unit,
                ROLE_LABELS.get(row.role, row.role),
                "；".join(found),
            )
        )
    return pd.DataFrame(rows, columns=["工号", "姓名", "单位", "职务类别", "未达标原因"])


def cert_expiries(result: Compliance, days: int) -> pd.DataFrame:
    """Enforcement certificates expiring from the report date to ``days`` after it."""
    roster = result.roster
    expiry = pd.to_datetime(roster["cert_expiry"], errors="coerce")
    start = pd.Timestamp(result.as_of)
    due = roster["enforcement"].astype(bool) & (expiry >= start)
    due &= expiry <= start + pd.Timedelta(days=days)
    frame = roster[due].assign(expiry=expiry[due].dt.date)
    frame = frame.assign(left=[(d - result.as_of).days for d in frame["expiry"]])
    frame = frame.sort_values(["expiry", "officer_id"])
    return pd.DataFrame(
        {
            "工号": frame["officer_id"],
            "姓名": frame["name"],
            "单位": frame["unit"],
            "执法证有效期至": frame["expiry"],
            "剩余天数": frame["left"],
        }
    ).reset_index(drop=True)


def trend_units(result: Compliance, limit: int = 8) -> pd.Series:
    """Each officer's unit for the trend lines: the deepest level with at most ``limit`` units."""
    parts = result.roster["unit"].map(_parts)
    depth = max((len(p) for p in parts), default=1)
    for level in range(depth, 0, -1):
        units = parts.map(lambda p, n=level: "/".join(p[:n]))
        if units.nunique() <= limit:
            return units
    return parts.map(lambda p: p[0] if p else "")


def weekly_rates(result: Compliance, mask: np.ndarray | None = None) -> pd.DataFrame:
    """Weeks (that have ended) × units: share of required officer-weeks that met the minimum."""
    keep = np.ones(len(result.roster), dtype=bool) if mask is None else np.asarray(mask)
    units = trend_units(result)[keep].to_numpy()
    required = result.required[keep]
    ok = required & (
        result.week_minutes[keep] * 60 >= result.required_minutes[keep, None] * 60 - 1e-6
    )
    names = sorted(set(units))
    # drop the path's part every unit shares (the 市局), keep the rest: names stay unique
    common = len(_parts(names[0])) - 1 if len(names) == 1 else 0
    while len(names) > 1 and all(
        len(_parts(n)) > common + 1 and _parts(n)[common] == _parts(names[0])[common] for n in names
    ):
        common += 1
    columns = {}
    for unit in names:
        rows = units == unit
        needed = required[rows].sum(axis=0)
        columns["/".join(_parts(unit)[common:])] = np.where(
            needed > 0, ok[rows].sum(axis=0) / np.maximum(needed, 1), np.nan
        )
    frame = pd.DataFrame(columns, index=pd.Index(result.weeks.labels, name="周次"))
    return frame.dropna(how="all")
