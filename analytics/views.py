"""A filtered view of a compliance result (unit, role, date range, officer search): the HR
dashboard's logic, importable and testable without a kernel, and its XLSX export."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fazhi.analytics.compliance import Compliance
from fazhi.analytics.periods import Weeks
from fazhi.analytics.sections import (
    CERT_LABELS,
    ROLE_LABELS,
    cert_expiries,
    reasons,
    unit_rollup,
)

# The pro-rated annual requirement: the year's minutes × days in post so far / days in year.
DUE_TODAY = "年度学时今日应达（分钟）"


def whole_minutes(values: object) -> np.ndarray:
    """Whole minutes for people to read, rounded down (59.6 of a 60-minute week shows 59,
    not a "60" marked 未达标); the CSV report keeps the decimals."""
    return np.floor(np.asarray(values, dtype=float) + 1e-9).astype(int)


def percent(fractions: pd.Series) -> pd.Series:
    """0.3167 -> "31.7%" (blank stays blank)."""
    return fractions.map(lambda x: "" if pd.isna(x) else f"{float(x):.1%}")


@dataclass(frozen=True)
class Filter:
    unit: str = ""  # a unit path: the unit and its sub-units; "" = everyone
    role: str = ""  # leader / staff / "" = both
    search: str = ""  # part of a 工号 or a name
    start: dt.date | None = None
    end: dt.date | None = None


def officer_mask(result: Compliance, view: Filter) -> np.ndarray:
    roster = result.roster
    mask = np.ones(len(roster), dtype=bool)
    if view.unit:
        units = roster["unit"].astype(str)
        mask &= ((units == view.unit) | units.str.startswith(view.unit + "/")).to_numpy()
    if view.role:
        mask &= (roster["role"] == view.role).to_numpy()
    if view.search.strip():
        text = view.search.strip()
        found = roster["officer_id"].astype(str).str.contains(text, regex=False)
        found |= roster["name"].astype(str).str.contains(text, regex=False)
        mask &= found.to_numpy()
    return mask


def restrict_weeks(result: Compliance, start: dt.date | None, end: dt.date | None) -> Compliance:
    """The same result with only the weeks that overlap [start, end] (weekly figures)."""
    keep = [
        i
        for i, monday in enumerate(result.weeks.mondays)
        if (start is None or monday + dt.timedelta(days=6) >= start)
        and (end is None or monday <= end)
    ]
    if not keep:
        keep = [0]
    a, b = keep[0], keep[-1] + 1
    weeks = Weeks(
        result.weeks.mondays[a:b], result.weeks.labels[a:b], result.weeks.bounds[a : b + 1]
    )
    return dataclasses.replace(
        result,
        weeks=weeks,
        week_minutes=result.week_minutes[:, a:b],
        required=result.required[:, a:b],
    )


def view_tables(result: Compliance, view: Filter, warning_days: int) -> dict[str, pd.DataFrame]:
    """The tables the dashboard shows (and exports) for the filtered officers and weeks."""
    ranged = restrict_weeks(result, view.start, view.end)
    mask = officer_mask(result, view)
    summary = result.summary[mask]
    required = ranged.required[mask]
    minutes = ranged.week_minutes[mask]
    needed = ranged.required_minutes[mask]
    ok = required & (minutes * 60 >= needed[:, None] * 60 - 1e-6)
    people = pd.DataFrame(
        {
            "工号": summary["officer_id"],
            "姓名": summary["name"],
            "单位": summary["unit"],
            "职务类别": summary["role"].map(ROLE_LABELS),
            "所选期间学习分钟": whole_minutes(minutes.sum(axis=1)),
            "所选期间须达标周数": required.sum(axis=1),
            "所选期间达标周数": ok.sum(axis=1),
            "年度已学分钟": whole_minutes(summary["annual_minutes"]),
            DUE_TODAY: whole_minutes(summary["annual_required_minutes"]),
            "应考场数": summary["exams_required"],
            "通过场数": summary["exams_passed"],
            "执法证": summary["cert_status"].map(lambda s: CERT_LABELS.get(s, s)),
            "全部合规": np.where(summary["compliant"], "是", "否"),
        }
    ).reset_index(drop=True)
    officer, week = np.nonzero(required)
    weekly = pd.DataFrame(
        {
            "工号": summary["officer_id"].to_numpy()[officer],
            "周次": np.asarray(ranged.weeks.labels, dtype=object)[week],
            "学习分钟": whole_minutes(minutes[officer, week]),
            "要求分钟": whole_minutes(needed[officer]),
            "达标": np.where(ok[officer, week], "是", "否"),
        }
    )
    in_view = set(summary["officer_id"])
    why = reasons(result)
    expiring = cert_expiries(result, warning_days)
    units = unit_rollup(result, mask)
    units["合规率"] = percent(units["合规率"])
    return {
        "人员": people,
        "单位汇总": units,
        "未达标人员": why[why["工号"].isin(in_view)].reset_index(drop=True),
        "执法证到期": expiring[expiring["工号"].isin(in_view)].reset_index(drop=True),
        "每周明细": weekly,
    }


def export_view(tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write the current view to an Excel workbook, one sheet per table."""
    from fazhi.reporting.xlsx_writer import Sheet, write_xlsx

    path.parent.mkdir(parents=True, exist_ok=True)
    return write_xlsx([Sheet(name, table) for name, table in tables.items()], path)
