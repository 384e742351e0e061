"""``fazhi report compliance``: docs/contract.md's tables as CSV, and HTML/XLSX with HR's sections.

The main table has exactly docs/contract.md's columns (minutes to 2 decimals, booleans ``true`` /
``false``); the HTML and XLSX forms add unit roll-ups, the heat map, unit trends,
non-compliant officers with reasons, certificate expiries, exam and mock-court results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from fazhi.analytics.compliance import EXTRA_COLUMNS, SUMMARY_COLUMNS, Compliance
from fazhi.analytics.dataset import exam_results, load_compliance, mockcourt_results
from fazhi.analytics.sections import CERT_LABELS
from fazhi.reporting.csv_writer import write_csv
from fazhi.rules import CountedRule, Rules
from fazhi.settings import Settings

if TYPE_CHECKING:
    from fazhi.reporting.xlsx_writer import ImageSheet, Sheet

FORMATS = ("csv", "xlsx", "html")

COLUMN_NOTES = {
    "officer_id": "工号",
    "name": "姓名",
    "unit": "单位",
    "role": "职务类别（leader 领导干部 / staff 一般干部）",
    "week": "ISO 周次（周一 0 时至下周一 0 时，北京时间）",
    "minutes": "该周学习时长（分钟，重叠记录只计一次）",
    "required_minutes": "该周要求时长（分钟）",
    "ok": "该周是否达标",
    "required_weeks": "须达标的周数（已结束且全周在岗）",
    "compliant_weeks": "达标周数",
    "annual_minutes": "本年度学习时长（分钟）",
    "annual_required_minutes": "年度要求时长（分钟，执法人员按在岗天数折算）",
    "annual_ok": "年度学时是否达标",
    "exams_required": "应参加的考试场数",
    "exams_passed": "已通过（含补考）的场数",
    "cert_status": "执法证状态：" + "，".join(f"{k} {v}" for k, v in CERT_LABELS.items()),
    "compliant": "是否全部合规",
    "central_group_sessions": "领导干部中心组学法次数（本年度截至报告日期）",
    "counted_ok": "计次要求（规则文件 [[counted]]，如中心组学法）是否都达到",
    "counted_shortfalls": "未达到的计次要求及次数，如“中心组学法 5/6 次”",
}


def main_table(result: Compliance, *, weekly: bool) -> pd.DataFrame:
    """The contract table: per officer and required week, or per officer."""
    if weekly:
        return result.weekly
    return result.summary[SUMMARY_COLUMNS + EXTRA_COLUMNS]


def as_text_booleans(table: pd.DataFrame) -> pd.DataFrame:
    """Booleans as ``true``/``false`` (docs/contract.md), everything else unchanged."""
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
    """Each officer's mock-court session scores in the report's year (the mock-court results)."""
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
    settings: Settings,
    rules: Rules,
    year: int,
    as_of: dt.date,
    weekly: bool,
    fmt: str,
    out: Path,
) -> Path:
    """Write the compliance report for ``year`` as of ``as_of`` to ``out``; returns ``out``.

    Exam results are first brought up to date with nbgrader's gradebook: exams graded with
    ``nbgrader autograde`` or changed in formgrader reach fazhi's database only that way.
    """
    from fazhi.exams import sync_all_results

    sync_all_results(session, settings)
    result = load_compliance(session, rules=rules, year=year, as_of=as_of)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return write_csv(main_table(result, weekly=weekly), out)
    parts = report_parts(session, result, weekly=weekly, rules=rules)
    if fmt == "html":
        from fazhi.reporting.pages import write_page

        return write_page(render_html(parts), out)
    from fazhi.reporting.xlsx_writer import write_xlsx

    return write_xlsx(workbook_sheets(parts), out)


def _rule_text(rules: Rules) -> str:
    return (
        f"一般干部每周 ≥ {rules.staff_weekly_minutes:g} 分钟，领导干部每周 ≥ "
        f"{rules.leader_weekly_minutes:g} 分钟；执法人员每年 ≥ {rules.annual_hours:g} 学时"
        f"（1 学时 = {rules.minutes_per_hour:g} 分钟，按在岗天数折算）；考试须通过（含补考）；"
        f"执法证到期前 {rules.cert_warning_days} 天提示"
        + "".join(f"；{_counted_text(rule)}" for rule in rules.counted)
        + "。"
    )


def _counted_text(rule: CountedRule) -> str:
    who = "、".join({"leader": "领导干部", "staff": "一般干部"}[r] for r in rule.roles) or "全员"
    counts = [f"每年 ≥ {rule.per_year} 次"] * bool(rule.per_year)
    counts += [f"每季度 ≥ {rule.per_quarter} 次"] * bool(rule.per_quarter)
    return f"{who}{rule.name}{'、'.join(counts)}"


def render_html(parts: ReportParts) -> str:
    """The report as one self-contained HTML page (figures embedded as PNG)."""
    from fazhi.reporting.pages import Figure, Paragraph, Section, Table, frame_table, render_report

    summary = parts.result.summary
    total = len(summary)
    compliant = int(summary["compliant"].sum())
    rate = f"{compliant / total:.1%}" if total else "—"
    legend = Table(
        headers=["列", "含义"],
        rows=[[c, COLUMN_NOTES.get(c, "")] for c in parts.table.columns],
    )
    intro = [
        Paragraph(
            f"人数 {total}，全部合规 {compliant} 人（{rate}）。规则：{_rule_text(parts.rules)}"
        )
    ]
    sections = [
        Section("单位汇总（市局 → 大队 → 中队）", [frame_table(parts.rollup, empty="无人员")]),
        Section("每周学法热力图", [Figure(parts.heatmap_png, "每周学法热力图")]),
        Section("各单位每周达标率", [Figure(parts.trends_png, "各单位每周达标率")]),
        Section("未达标人员及原因", [frame_table(parts.reasons, empty="全部人员合规。")]),
        Section(
            f"{parts.rules.cert_warning_days} 天内到期的执法证",
            [frame_table(parts.expiries, empty="无即将到期的执法证。")],
        ),
        Section("考试成绩", [frame_table(parts.exams, empty="本年度尚无考试成绩。")]),
        Section("模拟法庭成绩", [frame_table(parts.mockcourt, empty="本年度尚无模拟法庭成绩。")]),
        Section(
            "每人每周明细" if parts.weekly else "每人合规情况",
            [legend, frame_table(parts.table, empty="无数据。")],
        ),
    ]
    return render_report(parts.title, sections, intro=intro)


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    frame = as_text_booleans(frame)
    for column in frame.columns:
        if frame[column].dtype.kind == "f":
            frame[column] = frame[column].round(2)
    return frame


def workbook_sheets(parts: ReportParts) -> list[Sheet | ImageSheet]:
    """The XLSX form: the contract table first, then HR's sheets, the heat map and charts."""
    from fazhi.reporting.xlsx_writer import ColorScale, ImageSheet, Sheet

    result = parts.result
    minutes = np.round(result.week_minutes, 2)
    grid = pd.DataFrame(np.where(result.required, minutes, np.nan), columns=result.weeks.labels)
    grid.insert(0, "姓名", result.roster["name"].to_numpy())
    grid.insert(0, "工号", result.roster["officer_id"].to_numpy())
    scale = ColorScale(
        first_column=3,
        low=0,
        mid=parts.rules.staff_weekly_minutes,
        high=parts.rules.leader_weekly_minutes,
    )
    legend = pd.DataFrame(
        [(c, COLUMN_NOTES.get(c, "")) for c in parts.table.columns], columns=["列", "含义"]
    )
    return [
        Sheet(
            "每周明细" if parts.weekly else "合规汇总", _rounded(parts.table), notes=COLUMN_NOTES
        ),
        Sheet("单位汇总", parts.rollup, empty="无人员"),
        Sheet("未达标人员", parts.reasons, empty="全部人员合规。"),
        Sheet("执法证到期", parts.expiries, empty="无即将到期的执法证。"),
        Sheet("考试成绩", parts.exams, empty="本年度尚无考试成绩。"),
        Sheet("模拟法庭", parts.mockcourt, empty="本年度尚无模拟法庭成绩。"),
        Sheet("周学习热力图", grid, freeze="C2", color_scale=scale),
        ImageSheet("图表", [parts.heatmap_png, parts.trends_png], heading=parts.title),
        Sheet("列说明", legend),
    ]
