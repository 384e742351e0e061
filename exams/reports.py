"""``fazhi report scores`` / ``fazhi report items``: CSV, XLSX and HTML (with figures).

CSV is for machines (English columns, ``true``/``false``, fractions); XLSX and HTML add the
exam summary, Cronbach's alpha, a score histogram and a facility/discrimination scatter.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from fazhi.analytics import plotting
from fazhi.errors import UserError
from fazhi.settings import Settings

from .analysis import ITEM_COLUMNS, SCORE_COLUMNS, ItemReport, ScoreRow, item_report, score_rows
from .exam import get_exam

FORMATS = ("csv", "xlsx", "html")
SCORE_LABELS = ["工号", "姓名", "单位", "得分", "满分", "是否及格", "第几次", "迟交"]
ITEM_LABELS = ["题号", "难度系数（得分率）", "区分度", "区分效率", "作答人数"]


def _number(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"


def _fraction(value: float | None) -> str:
    return "" if value is None else repr(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


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
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _table_html(labels: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(x)}</th>" for x in labels)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image_html(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


STYLE = (
    "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em}"
    "table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;padding:3px 8px}"
    "th{background:#f0f0f0}"
)


def _page(title: str, parts: Sequence[str]) -> str:
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{''.join(parts)}</body></html>\n"
    )


def _write_xlsx(
    out: Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]], images=()
) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
    if images:
        sheet = book.create_sheet("图表")
        anchor = 1
        for png in images:
            sheet.add_image(Image(io.BytesIO(png)), f"A{anchor}")
            anchor += 24
    book.save(out)


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
            [*c[:3], r.score, r.max, r.passed, r.attempt, r.late]
            for c, r in zip(cells, rows, strict=True)
        ]
        sheets = [("成绩", SCORE_LABELS, numeric), ("汇总", ["项目", "数值"], summary)]
        _write_xlsx(out, sheets, [figure] if figure else [])
    elif fmt == "html":
        parts = [_table_html(["项目", "数值"], summary)]
        if figure:
            parts.append(_image_html(figure, "成绩分布"))
        parts.append(_table_html(SCORE_LABELS, cells))
        out.write_text(_page(f"{record.title} 成绩表", parts), encoding="utf-8")
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
    alpha = "" if report.alpha is None else f"{report.alpha:.4f}"
    summary = [
        ("参加统计人数（首次考试）", str(report.officers)),
        ("题目数", str(len(report.items))),
        ("Cronbach's alpha（信度系数）", alpha),
    ]
    figures = []
    if report.totals:
        maximum = report.max_score
        figures = [
            histogram_png(report.totals, maximum, record.pass_mark * maximum),
            scatter_png(report),
        ]
    if fmt == "xlsx":
        numeric = [
            [s.question_id, s.facility, s.discrimination, s.discriminative_efficiency, s.answered]
            for s in report.items
        ]
        sheets = [("试题分析", ITEM_COLUMNS, numeric), ("汇总", ["项目", "数值"], summary)]
        _write_xlsx(out, sheets, figures)
    elif fmt == "html":
        parts = [_table_html(["项目", "数值"], summary)]
        parts += [_image_html(png, "图表") for png in figures]
        shown = [[c[0], *(f"{float(x):.3f}" if x else "" for x in c[1:4]), c[4]] for c in cells]
        parts.append(_table_html(ITEM_LABELS, shown))
        out.write_text(_page(f"{record.title} 试题分析", parts), encoding="utf-8")
    else:
        raise UserError(f"不支持的格式“{fmt}”：应为 {'、'.join(FORMATS)}")
    return report
