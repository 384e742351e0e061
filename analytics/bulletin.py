"""The monthly 通报: units ranked by compliance rate and the officers short, with reasons.

Compliance as of the month's last day (or today, for the month still running), over the
calendar year the month belongs to; units are ranked at the 大队 level (the first level
under the 市局), or the top level when there is none.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from fazhi.analytics.dataset import load_compliance
from fazhi.analytics.sections import reasons, unit_rollup
from fazhi.errors import UserError
from fazhi.rules import Rules


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` → (year, month); UserError otherwise."""
    try:
        day = dt.date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise UserError(f"--month“{text}”无效：应为 YYYY-MM，如 2026-05") from None
    return day.year, day.month


def ranking(rollup: pd.DataFrame) -> pd.DataFrame:
    """Units of the ranking level, best compliance rate first (ties by name)."""
    level = "大队" if (rollup["层级"] == "大队").any() else "市局"
    units = rollup[rollup["层级"] == level].copy()
    units["单位"] = units["单位"].str.strip("　")
    units = units.sort_values(["合规率", "单位"], ascending=[False, True], kind="stable")
    units.insert(0, "名次", units["合规率"].rank(method="min", ascending=False).astype(int))
    return units.drop(columns="层级").reset_index(drop=True)


def write_bulletin(
    session: Session, *, rules: Rules, month: str, fmt: str, out: Path, today: dt.date
) -> Path:
    """Write the 通报 of ``month`` (YYYY-MM) to ``out`` as ``html`` or ``xlsx``."""
    year, number = parse_month(month)
    last = dt.date(year, number, calendar.monthrange(year, number)[1])
    as_of = min(last, today)
    if as_of < dt.date(year, number, 1):
        raise UserError(f"{month} 尚未开始，无法通报")
    result = load_compliance(session, rules=rules, year=year, as_of=as_of)
    ranked = ranking(unit_rollup(result))
    short = reasons(result)
    summary = result.summary
    total, compliant = len(summary), int(summary["compliant"].sum())
    title = f"{year} 年 {number} 月学法情况通报"
    intro = (
        f"统计截至 {as_of}（{year} 年度累计）：应参加学法 {total} 人，全部合规 {compliant} 人"
        + (f"，合规率 {compliant / total:.1%}" if total else "")
        + f"；未达标 {len(short)} 人，名单及原因如下。"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        from fazhi.reporting.pages import (
            Paragraph,
            Section,
            frame_table,
            render_report,
            write_page,
        )

        rate = {"合规率": lambda v: f"{float(v):.1%}"}
        sections = [
            Section("各单位合规率排名", [frame_table(ranked, empty="无人员。", formats=rate)]),
            Section("未达标人员及原因", [frame_table(short, empty="全部人员合规。")]),
        ]
        page = render_report(title, sections, intro=[Paragraph(intro)], generated=True)
        return write_page(page, out)
    if fmt != "xlsx":
        raise UserError("通报只支持 html 或 xlsx 格式")
    from fazhi.reporting.xlsx_writer import Sheet, write_xlsx

    return write_xlsx(
        [
            Sheet("单位排名", ranked, empty="无人员。", number_formats={"合规率": "0.0%"}),
            Sheet("未达标人员", short, empty="全部人员合规。"),
            Sheet("说明", pd.DataFrame({"通报": [title, intro]})),
        ],
        out,
    )
