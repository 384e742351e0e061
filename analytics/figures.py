"""The compliance figures (matplotlib, Chinese labels): heat map, unit trends, my weeks."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from fazhi.analytics import plotting
from fazhi.analytics.compliance import Compliance
from fazhi.analytics.sections import weekly_rates

HEATMAP_ROWS = 80  # more officers than this: the least compliant are shown


def heatmap_rows(result: Compliance, mask: np.ndarray | None = None) -> np.ndarray:
    """Row positions shown in the heat map: everyone, or the least compliant first."""
    rows = np.flatnonzero(np.ones(len(result.roster), bool) if mask is None else mask)
    if rows.size <= HEATMAP_ROWS:
        return rows
    required = result.required[rows]
    share = np.where(
        required,
        np.minimum(result.week_minutes[rows] / result.required_minutes[rows, None], 1),
        np.nan,
    )
    with np.errstate(invalid="ignore"):
        score = np.nan_to_num(np.nanmean(share, axis=1), nan=1.0)
    return np.sort(rows[np.argsort(score, kind="stable")[:HEATMAP_ROWS]])


def heatmap(result: Compliance, mask: np.ndarray | None = None) -> Figure:
    """Week × officer: each required week's minutes as a share of the minimum.

    Grey cells are weeks not required of the officer; weeks not begun are left out.
    """
    rows = heatmap_rows(result, mask)
    begun = max(1, sum(m <= result.as_of for m in result.weeks.mondays))  # no future weeks
    share = np.where(
        result.required[rows],
        np.minimum(result.week_minutes[rows] / result.required_minutes[rows, None], 1.0),
        np.nan,
    )[:, :begun]
    height = 1.6 + 0.16 * max(len(rows), 8)
    fig = plotting.figure(11, height)
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#e0e0e0")
    image = ax.imshow(share, aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    labels = [
        f"{o} {n}"
        for o, n in zip(
            result.roster["officer_id"].to_numpy()[rows],
            result.roster["name"].to_numpy()[rows],
            strict=True,
        )
    ]
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    step = 4 if begun > 20 else 1
    ticks = list(range(0, begun, step))
    ax.set_xticks(ticks, [result.weeks.labels[i][5:] for i in ticks], fontsize=7, rotation=90)
    shown = "" if len(rows) == len(result.roster) else f"（未达标最多的 {len(rows)} 人）"
    ax.set_title(f"{result.year} 年每周学法完成度{shown}：达标=绿，灰色=不要求")
    fig.colorbar(image, ax=ax, fraction=0.025, pad=0.01, label="完成度（学习时长 / 要求）")
    return fig


def unit_trends(result: Compliance, mask: np.ndarray | None = None) -> Figure:
    """Per unit, the weekly share of officers who met the weekly minimum."""
    rates = weekly_rates(result, mask)
    fig = plotting.figure(10, 4.2)
    ax = fig.add_subplot()
    if rates.empty:
        ax.text(0.5, 0.5, "尚无已结束且须达标的周", ha="center", va="center")
        ax.set_axis_off()
        return fig
    x = np.arange(len(rates))
    for unit in rates.columns:
        ax.plot(x, rates[unit].to_numpy() * 100, marker=".", linewidth=1.4, label=unit)
    step = max(1, len(rates) // 13)
    ax.set_xticks(x[::step], [w[5:] for w in rates.index[::step]], fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("每周学法达标率（%）")
    ax.set_xlabel("周次")
    ax.set_title(f"{result.year} 年各单位每周学法达标率")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left", ncols=min(4, len(rates.columns)))
    return fig


def my_weeks(weeks: pd.DataFrame, required_minutes: float, title: str) -> Figure:
    """One officer's minutes per week (``week``, ``minutes``, ``required``) against the minimum."""
    fig = plotting.figure(10, 3.6)
    ax = fig.add_subplot()
    x = np.arange(len(weeks))
    met = weeks["minutes"].to_numpy() >= required_minutes
    colours = np.where(
        ~weeks["required"].to_numpy(), "#bdbdbd", np.where(met, "#2e7d32", "#c62828")
    )
    ax.bar(x, weeks["minutes"].to_numpy(), color=colours)
    ax.axhline(required_minutes, color="#333", linestyle="--", linewidth=1)
    # The key sits above the plot, so no label ever covers a bar.
    key = [
        Patch(color="#2e7d32", label="达标"),
        Patch(color="#c62828", label="未达标"),
        Patch(color="#bdbdbd", label="不要求"),
        Line2D([], [], color="#333", linestyle="--", label=f"每周要求 {required_minutes:g} 分钟"),
    ]
    ax.legend(
        handles=key,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=4,
        frameon=False,
        fontsize=8,
        borderaxespad=0.2,
    )
    highest = float(weeks["minutes"].max()) if len(weeks) else 0.0
    ax.set_ylim(0, max(highest, required_minutes) * 1.12 or 1)
    step = max(1, len(weeks) // 13)
    ax.set_xticks(x[::step], [w[5:] for w in weeks["week"].iloc[::step]], fontsize=8)
    ax.set_ylabel("分钟")
    ax.set_title(title, loc="left", fontsize=10)
    return fig
