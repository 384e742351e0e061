"""``fazhi report compliance``: the DESIGN.md tables as CSV, and HTML/XLSX with HR's sections.

The main table has exactly DESIGN.md's columns (minutes to 2 decimals, booleans ``true`` /
``false``); the HTML and XLSX forms add unit roll-ups, the heat map, unit trends,
non-compliant officers with reasons, certificate expiries, exam and mock-court results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from fazhi.analytics.compliance import EXTRA_COLUMNS, SUMMARY_COLUMNS, Compliance
from fazhi.analytics.dataset import exam_results, load_compliance, mockcourt_results
from fazhi.analytics.report_csv import write_csv
from fazhi.rules import Rules

FORMATS = ("csv", "xlsx", "html")


def main_table(result: Compliance, *, weekly: bool) -> pd.DataFrame:
    """The contract table: per officer and required week, or per officer."""
    if weekly:
        return result.weekly
    return result.summary[SUMMARY_COLUMNS + EXTRA_COLUMNS]


def as_text_booleans(table: pd.DataFrame) -> pd.DataFrame:
    """Booleans as ``true``/``false`` (DESIGN.md), everything else unchanged."""
    table = table.copy()
    for column in table.columns:
        if table[column].dtype == bool:
            table[column] = np.where(table[column].to_numpy(), "true", "false")
    return table


@dataclass
class ReportParts:
    """Everything the HTML and XLSX forms show besides the main table."""

    result: Compliance
    table: pd.DataFrame
    weekly: bool
    rules: Rules
    rollup: pd.DataFrame
    reasons: pd.DataFrame
    expiries: pd.DataFrame
    exams: pd.DataFrame
    mockcourt: pd.DataFrame
    heatmap_png: bytes
    trends_png: bytes

    @property
    def title(self) -> str:
        return f"{self.result.year} 年度学法合规报告（报告日期 {self.result.as_of}）"


def _names(result: Compliance) -> dict[str, str]:
    return dict(zip(result.roster["officer_id"], result.roster["name"], strict=True))


def exam_table(session: Session, result: Compliance) -> pd.DataFrame:
    """Each officer's graded exams whose closing date falls in the report's year."""
    frame = exam_results(session)
    year = result.year
    in_year = [c is not None and c.year == year for c in frame["closes"]]
    frame = frame.loc[np.array(in_year, dtype=bool)]
    names = _names(result)
    return pd.DataFrame(
        {
            "工号": frame["officer_id"],
            "姓名": frame["officer_id"].map(names),
            "考试": frame["title"].where(frame["title"] != "", frame["exam"]),
            "截止日期": frame["closes"],
            "第几次": frame["attempt"],
            "得分": frame["score"].round(2),
            "满分": frame["max_score"].round(2),
            "是否及格": np.where(frame["passed"].astype(bool), "及格", "不及格"),
            "迟交": np.where(frame["late"].astype(bool), "是", "否"),
        }
    ).reset_index(drop=True)


def mockcourt_table(session: Session, result: Compliance) -> pd.DataFrame:
    """Each officer's mock-court session scores in the report's year (issue #6's results)."""
    frame = mockcourt_results(session)
    dates = pd.to_datetime(frame["date"], errors="coerce")
    frame = frame[dates.dt.year == result.year]
    return pd.DataFrame(
        {
            "工号": frame["officer_id"],
            "姓名": frame["officer_id"].map(_names(result)),
            "场次": frame["session_id"],
            "日期": frame["date"],
            "角色": frame["role"],
            "得分": pd.to_numeric(frame["score"]).round(2),
        }
    ).reset_index(drop=True)


def report_parts(
    session: Session, result: Compliance, *, weekly: bool, rules: Rules
) -> ReportParts:
    # matplotlib is imported only here: a CSV report starts without it
    from fazhi.analytics import figures, plotting
    from fazhi.analytics.sections import cert_expiries, reasons, unit_rollup

    return ReportParts(
        result=result,
        table=main_table(result, weekly=weekly),
        weekly=weekly,
        rules=rules,
        rollup=unit_rollup(result),
        reasons=reasons(result),
        expiries=cert_expiries(result, rules.cert_warning_days),
        exams=exam_table(session, result),
        mockcourt=mockcourt_table(session, result),
        heatmap_png=plotting.png_bytes(figures.heatmap(result)),
        trends_png=plotting.png_bytes(figures.unit_trends(result)),
    )


def compliance_report(
    session: Session,
    *,
    rules: Rules,
    year: int,
    as_of: dt.date,
    weekly: bool,
    fmt: str,
    out: Path,
) -> Path:
    """Write the compliance report for ``year`` as of ``as_of`` to ``out``; returns ``out``."""
    result = load_compliance(session, rules=rules, year=year, as_of=as_of)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        write_csv(main_table(result, weekly=weekly), out)
        return out
    parts = report_parts(session, result, weekly=weekly, rules=rules)
    if fmt == "html":
        from fazhi.analytics.report_html import write_html

        write_html(parts, out)
    else:
        from fazhi.analytics.report_xlsx import write_xlsx

        write_xlsx(parts, out)
    return out
