"""The compliance report as one self-contained HTML page (figures embedded as PNG)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from fazhi.analytics.report import ReportParts, as_text_booleans
from fazhi.analytics.sections import CERT_LABELS

STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
th { background: #f0f3f7; } td.num { text-align: right; }
.note { color: #555; font-size: 0.9em; } img { max-width: 100%; }
"""

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
}


def _table(frame: pd.DataFrame, empty: str) -> str:
    if frame.empty:
        return f'<p class="note">{html.escape(empty)}</p>'
    return as_text_booleans(frame).to_html(
        index=False, na_rep="", float_format=lambda v: f"{v:.2f}", border=0
    )


def _image(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def render_html(parts: ReportParts) -> str:
    result, rules = parts.result, parts.rules
    summary = result.summary
    total = len(summary)
    compliant = int(summary["compliant"].sum())
    rate = f"{compliant / total:.1%}" if total else "—"
    legend = "".join(
        f"<tr><td>{html.escape(c)}</td><td>{html.escape(COLUMN_NOTES.get(c, ''))}</td></tr>"
        for c in parts.table.columns
    )
    rule_text = (
        f"一般干部每周 ≥ {rules.staff_weekly_minutes:g} 分钟，领导干部每周 ≥ "
        f"{rules.leader_weekly_minutes:g} 分钟；执法人员每年 ≥ {rules.annual_hours:g} 学时"
        f"（1 学时 = {rules.minutes_per_hour:g} 分钟，按在岗天数折算）；考试须通过（含补考）；"
        f"执法证到期前 {rules.cert_warning_days} 天提示。"
    )
    main_title = "每人每周明细" if parts.weekly else "每人合规情况"
    sections = [
        f"<h1>{html.escape(parts.title)}</h1>",
        f"<p>人数 {total}，全部合规 {compliant} 人（{rate}）。规则：{html.escape(rule_text)}</p>",
        "<h2>单位汇总（市局 → 大队 → 中队）</h2>",
        _table(parts.rollup, "无人员"),
        "<h2>每周学法热力图</h2>",
        _image(parts.heatmap_png, "每周学法热力图"),
        "<h2>各单位每周达标率</h2>",
        _image(parts.trends_png, "各单位每周达标率"),
        "<h2>未达标人员及原因</h2>",
        _table(parts.reasons, "全部人员合规。"),
        f"<h2>{rules.cert_warning_days} 天内到期的执法证</h2>",
        _table(parts.expiries, "无即将到期的执法证。"),
        "<h2>考试成绩</h2>",
        _table(parts.exams, "本年度尚无考试成绩。"),
        "<h2>模拟法庭成绩</h2>",
        _table(parts.mockcourt, "本年度尚无模拟法庭成绩。"),
        f"<h2>{main_title}</h2>",
        f"<table><tr><th>列</th><th>含义</th></tr>{legend}</table>",
        _table(parts.table, "无数据。"),
    ]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(parts.title)}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def write_html(parts: ReportParts, out: Path) -> None:
    out.write_text(render_html(parts), encoding="utf-8")
