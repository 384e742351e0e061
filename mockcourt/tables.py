"""The report's tables (pandas), built from ``SessionResult``s. Column names of the first
table are the docs/contract.md contract; the others are for people and use Chinese headers."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from .results import SessionResult
from .scoring import (
    MIN_FLAG_PARTICIPANTS,
    MIN_OTHER_JUDGES,
    Number,
    round2,
    trims,
)

SCORE_COLUMNS = ["session_id", "date", "officer_id", "role", "judges", "score"]
ICC_FORM = "ICC(2,1)：双向随机效应、绝对一致性、单个评委（Shrout & Fleiss, 1979）"
# Koo & Li (2016), the usual reading of an ICC's size.
ICC_BANDS = ((0.9, "优秀"), (0.75, "良好"), (0.5, "一般"))


def as_number(value: Fraction | None) -> float | None:
    """2-decimal float for tables (half-up rounding of the exact value)."""
    return None if value is None else float(round2(value))


def icc_reading(icc: float | None) -> str:
    if icc is None:
        return "无法计算"
    for bound, word in ICC_BANDS:
        if icc >= bound:
            return word
    return "较差"


def score_rows(results: list[SessionResult]) -> pd.DataFrame:
    """``session_id, date, officer_id, role, judges, score`` — score exact, rounded at the end."""
    rows = [
        (r.code, r.date, p.officer_id, p.role, p.judges, round2(p.score))
        for r in results
        for p in r.participants
    ]
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def session_table(results: list[SessionResult]) -> pd.DataFrame:
    rows = []
    for r in results:
        panel = max((p.judges for p in r.participants), default=0)
        rows.append(
            {
                "场次": r.code,
                "日期": r.date,
                "案件名称": r.case_title,
                "案卷材料": r.case_file,
                "参加人数": len(r.participants),
                "评委人数": panel,
                "计分方法": (
                    "去掉一个最高分和一个最低分后取平均"
                    if trims(panel, r.drop_extremes_from)
                    else "各评委得分取平均"
                ),
                "ICC(2,1)": None if r.icc is None else round(r.icc, 3),
                "信度": icc_reading(r.icc),
                "ICC 计算范围": f"{r.icc_participants} 人 × {r.icc_judges} 名评委",
            }
        )
    return pd.DataFrame(rows)


def dimension_table(results: list[SessionResult]) -> pd.DataFrame:
    """Mean raw score (0–100) of each dimension per session, and the weights used."""
    names: list[str] = []
    for r in results:
        names.extend(n for n in r.rubric if n not in names)
    rows = []
    for r in results:
        row: dict[str, object] = {"场次": r.code, "日期": r.date}
        for name in names:
            row[name] = as_number(r.dimension_means.get(name))
        row["权重"] = "、".join(f"{n} {w:g}" for n, w in r.rubric.items())
        rows.append(row)
    return pd.DataFrame(rows, columns=["场次", "日期", *names, "权重"])


def trend_table(results: list[SessionResult]) -> pd.DataFrame:
    """One row per officer: score in each session (in date order), count, mean, change."""
    headers = [f"{r.code}（{r.date}）" for r in results]
    officers: dict[str, dict[str, object]] = {}
    series: dict[str, list[Fraction]] = {}
    for header, r in zip(headers, results, strict=True):
        for p in r.participants:
            row = officers.setdefault(p.officer_id, {"工号": p.officer_id, "姓名": p.name})
            row[header] = as_number(p.score)
            series.setdefault(p.officer_id, []).append(p.score)
    for officer_id, row in officers.items():
        scores = series[officer_id]
        row["参加场次"] = len(scores)
        row["平均分"] = as_number(sum(scores, Fraction(0)) / len(scores))
        row["变化（末场−首场）"] = as_number(scores[-1] - scores[0]) if len(scores) > 1 else None
    columns = ["工号", "姓名", *headers, "参加场次", "平均分", "变化（末场−首场）"]
    return pd.DataFrame([officers[k] for k in sorted(officers)], columns=columns)


def deviation_table(results: list[SessionResult]) -> pd.DataFrame:
    rows = [
        {
            "场次": r.code,
            "评委": d.judge,
            "比较人数": d.compared,
            "平均偏差": as_number(d.mean_deviation),
            "标记": d.flag or "—",
        }
        for r in results
        for d in r.deviations
    ]
    return pd.DataFrame(rows, columns=["场次", "评委", "比较人数", "平均偏差", "标记"])


def method_notes(threshold: Number) -> list[str]:
    """How the figures are computed, in the words the report shows."""
    return [
        "评委得分 = Σ 维度权重 × 维度得分 ÷ 100；权重为该场次建立时规则文件中的评分细则。",
        "场次得分 = 各评委得分的平均；评委人数达到规则文件 drop_extremes_from（默认 5）时，"
        "先去掉一个最高分和一个最低分。得分保留两位小数（四舍五入）。",
        f"评分者信度采用 {ICC_FORM}，以各评委对每名参加人员的加权得分计算；只使用给本场"
        "每名参加人员都打了分的评委。≥0.90 优秀，0.75–0.90 良好，0.50–0.75 一般，<0.50 较差"
        "（Koo & Li, 2016）。",
        f"评委偏差：某评委对一名参加人员的得分减去其他评委（至少 {MIN_OTHER_JUDGES} 名）"
        f"得分的平均为该人的偏差；对至少 {MIN_FLAG_PARTICIPANTS} 名参加人员的平均偏差"
        f"≥ +{float(threshold):g} 分标记“偏高”，≤ −{float(threshold):g} 分标记“偏低”"
        "（门槛为规则文件的 deviation_threshold），提示该评委系统性偏宽或偏严。",
    ]
