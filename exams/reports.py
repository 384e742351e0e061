"""``fazhi report scores`` / ``fazhi report items``: CSV, XLSX and HTML (with figures).

CSV is for machines (English columns, ``true``/``false``, fractions); XLSX and HTML add the
exam summary, Cronbach's alpha, a score histogram and a facility/discrimination scatter.
Files are written by the reporting layer (``fazhi.reporting``).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from fazhi.analytics import plotting
from fazhi.errors import UserError
from fazhi.reporting.csv_writer import write_csv
from fazhi.settings import Settings

from .analysis import (
    FEW_ANSWERS_NOTE,
    ITEM_COLUMNS,
    ITEM_LABELS,
    MIN_ANSWERS,
    SCORE_COLUMNS,
    ItemReport,
    ScoreRow,
    item_display_rows,
    item_report,
    score_rows,
)
from .exam import get_exam

FORMATS = ("csv", "xlsx", "html")
SCORE_LABELS = ["工号", "姓名", "单位", "得分", "满分", "是否及格", "第几次", "迟交"]


def _number(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"


def _fraction(value: float | None) -> str:
    """A CSV fraction to 4 decimals (0.3167): the contract's form, without float noise."""
    return "" if value is None else f"{round(value, 4):g}"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _yes(value: bool) -> str:
    return "是" if value else "否"


def score_cells(row: ScoreRow) -> list[str]:
    attempt = "" if row.attempt is None else str(row.attempt)
    return [
        row.officer_id,
        row.name,
        row.unit,
        _number(row.score),
        _number(row.max),
        _bool(row.passed),
        attempt,
        _bool(row.late),
    ]


def item_cells(report: ItemReport) -> list[list[str]]:
    return [
        [
            s.question_id,
            _fraction(s.facility),
            _fraction(s.discrimination),
            _fraction(s.discriminative_efficiency),
            str(s.answered),
        ]
        for s in report.items
    ]


# ---- figures -------------------------------------------------------------------------


def histogram_png(totals: Sequence[float], max_score: float, pass_score: float) -> bytes:
    fig = plotting.figure(7, 3.8)
    ax = fig.add_subplot()
    bins = max(5, min(20, int(max_score) or 5))
    ax.hist(totals, bins=bins, range=(0, max_score), color="#4c72b0", edgecolor="white")
    ax.axvline(pass_score, color="#c44e52", linestyle="--", label=f"及格线 {pass_score:g} 分")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # head counts: no 0.5 人
    ax.set_xlabel("得分")
    ax.set_ylabel("人数")
    ax.set_title("成绩分布")
    ax.legend()
    return plotting.png_bytes(fig)


def scatter_png(report: ItemReport) -> bytes:
    fig = plotting.figure(7, 4.2)
    ax = fig.add_subplot()
    shown = [s for s in report.items if s.facility is not None and s.discrimination is not None]
    ax.scatter([s.facility for s in shown], [s.discrimination for s in shown], color="#55a868")
    weak = sorted((s for s in shown if s.discrimination < 0.2), key=lambda s: s.discrimination)
    for stat in weak[:12]:  # label the weakest items only, so the labels stay legible
        ax.annotate(stat.question_id, (stat.facility, stat.discrimination), fontsize=7)
    ax.axhline(0.2, color="#c44e52", linestyle="--", linewidth=1, label="区分度 0.2")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-1.02, 1.02)
    ax.set_xlabel("难度系数（得分率）")
    ax.set_ylabel("区分度")
    ax.set_title("试题难度与区分度")
    ax.legend(loc="lower left")
    return plotting.png_bytes(fig)


# ---- writers -------------------------------------------------------------------------


def _write_csv(out: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Text cells as given; UTF-8 with BOM and CRLF, for Excel on Chinese Windows."""
    write_csv(
        pd.DataFrame(list(rows), columns=list(header), dtype=object), out, bom=True, crlf=True
    )


def _write_xlsx(
    out: Path,
    sheets: Sequence[tuple[str, Sequence[str], Any]],  # (title, header, rows)
    images: Sequence[bytes] = (),
) -> None:
    from fazhi.reporting.xlsx_writer import ImageSheet, Sheet, write_xlsx

    specs: list[Sheet | ImageSheet] = [
        Sheet(title, pd.DataFrame(list(rows), columns=list(header), dtype=object))
        for title, header, rows in sheets
    ]
    if images:
        specs.append(ImageSheet("图表", images))
    write_xlsx(specs, out)


def _write_html(
    out: Path,
    title: str,
    summary: Sequence[tuple[str, str]],
    figures: Sequence[tuple[bytes, str]],
    table: tuple[str, Sequence[str], Sequence[Sequence[str]]],
) -> None:
    from fazhi.reporting.pages import Figure, Section, Table, render_report, write_page

    heading, labels, rows = table
    sections = [Section("汇总", [Table(["项目", "数值"], [list(r) for r in summary])])]
    if figures:
        sections.append(Section("图表", [Figure(png, alt) for png, alt in figures]))
    sections.append(Section(heading, [Table(labels, [[str(c) for c in r] for r in rows])]))
    write_page(render_report(title, sections), out)


def _summary(rows: Sequence[ScoreRow], pass_mark: float) -> list[tuple[str, str]]:
    sat = [r.score for r in rows if r.score is not None]
    passed = sum(r.passed for r in rows)
    return [
        ("应考人数", str(len(rows))),
        ("实考人数", str(len(sat))),
        ("及格人数", str(passed)),
        ("及格率（应考）", f"{passed / len(rows):.1%}" if rows else ""),
        ("平均分（实考）", f"{statistics.mean(sat):.2f}" if sat else ""),
        ("及格线", f"满分的 {pass_mark:.0%}"),
    ]


def write_scores(session: Session, settings: Settings, *, exam: str, fmt: str, out: Path) -> int:
    """Write the scores report; returns the number of officers."""
    record = get_exam(session, exam)
    rows = score_rows(session, settings, record)
    cells = [score_cells(r) for r in rows]
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        _write_csv(out, SCORE_COLUMNS, cells)
        return len(rows)
    sat = [r.score for r in rows if r.score is not None]
    maximum = rows[0].max if rows else 0.0
    figure = histogram_png(sat, maximum, record.pass_mark * maximum) if sat else b""
    summary = _summary(rows, record.pass_mark)
    if fmt == "xlsx":
        numeric = [
            [*c[:3], r.score, r.max, _yes(r.passed), r.attempt, _yes(r.late)]
            for c, r in zip(cells, rows, strict=True)
        ]
        sheets = [("成绩", SCORE_LABELS, numeric), ("汇总", ["项目", "数值"], summary)]
        _write_xlsx(out, sheets, [figure] if figure else [])
    elif fmt == "html":
        charts = [(figure, "成绩分布")] if figure else []
        shown = [
            [*c[:5], _yes(r.passed), c[6], _yes(r.late)] for c, r in zip(cells, rows, strict=True)
        ]
        _write_html(out, f"{record.title} 成绩表", summary, charts, ("成绩", SCORE_LABELS, shown))
    else:
        raise UserError(f"不支持的格式“{fmt}”：应为 {'、'.join(FORMATS)}")
    return len(rows)


def write_items(
    session: Session, settings: Settings, *, exam: str, fmt: str, out: Path
) -> ItemReport:
    """Write the item-analysis report; returns the statistics."""
    record = get_exam(session, exam)
    report = item_report(session, settings, record)
    cells = item_cells(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        _write_csv(out, ITEM_COLUMNS, cells)
        return report
    alpha = "" if report.alpha is None else f"{report.alpha:.2f}"
    few = report.few_answers()
    summary = [
        ("参加统计人数（首次考试）", str(report.officers)),
        ("题目数", str(len(report.items))),
        ("Cronbach's alpha（信度系数）", alpha),
        (
            f"作答不足 {MIN_ANSWERS} 人的题目",
            f"{len(few)} 题（{FEW_ANSWERS_NOTE}）" if few else "无",
        ),
    ]
    figures = []
    if report.totals:
        maximum = report.max_score
        figures = [
            histogram_png(report.totals, maximum, record.pass_mark * maximum),
            scatter_png(report),
        ]
    if fmt == "xlsx":
        shown = [[*row[:5], int(row[5]), row[6]] for row in item_display_rows(report)]
        sheets = [("试题分析", ITEM_LABELS, shown), ("汇总", ["项目", "数值"], summary)]
        _write_xlsx(out, sheets, figures)
    elif fmt == "html":
        charts = list(zip(figures, ["成绩分布", "试题难度与区分度"], strict=False))
        table = ("试题", ITEM_LABELS, item_display_rows(report))
        _write_html(out, f"{record.title} 试题分析", summary, charts, table)
    else:
        raise UserError(f"不支持的格式“{fmt}”：应为 {'、'.join(FORMATS)}")
    return report
