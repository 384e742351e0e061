"""The report's dimension chart: each session's mean score per rubric dimension (radar)."""

from __future__ import annotations

import math

from fazhi.analytics import plotting

from .results import SessionResult

MAX_SESSIONS = 6  # more polygons than this are unreadable; the latest sessions are shown


def dimension_chart_png(results: list[SessionResult]) -> bytes | None:
    """A radar chart (a bar chart under 3 dimensions) as PNG; None when nothing was scored."""
    shown = [r for r in results if r.dimension_means][-MAX_SESSIONS:]
    if not shown:
        return None
    names: list[str] = []
    for result in shown:
        names.extend(n for n in result.rubric if n not in names)
    series = [
        (f"{r.code}（{r.date}）", [float(r.dimension_means.get(n, 0)) for n in names])
        for r in shown
    ]
    if len(names) < 3:
        return _bars(names, series)
    lowest = min(v for _, values in series for v in values)
    floor = max(0, math.floor((lowest - 5) / 10) * 10)
    fig = plotting.figure(7.5, 6)
    axes = fig.add_subplot(projection="polar")
    angles = [2 * math.pi * i / len(names) for i in range(len(names))]
    for label, values in series:
        axes.plot([*angles, angles[0]], [*values, values[0]], linewidth=2, label=label)
        axes.fill([*angles, angles[0]], [*values, values[0]], alpha=0.08)
    axes.set_theta_offset(math.pi / 2)
    axes.set_theta_direction(-1)
    axes.set_thetagrids([math.degrees(a) for a in angles], names, fontsize=12)
    axes.set_ylim(floor, 100)
    axes.set_rlabel_position(180 / len(names))  # between the first two axes, off the lines
    axes.tick_params(axis="y", labelsize=9, labelcolor="#666666")
    axes.set_title("各场次评分维度均分（满分 100）", fontsize=14, pad=34)
    axes.legend(loc="upper right", bbox_to_anchor=(1.35, 1.12), fontsize=9)
    return plotting.png_bytes(fig)


def _bars(names: list[str], series: list[tuple[str, list[float]]]) -> bytes:
    fig = plotting.figure(8, 4.5)
    axes = fig.add_subplot()
    width = 0.8 / len(series)
    for index, (label, values) in enumerate(series):
        positions = [i + index * width for i in range(len(names))]
        axes.bar(positions, values, width=width, label=label)
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], names)
    axes.set_ylim(0, 100)
    axes.set_ylabel("平均得分")
    axes.set_title("各场次评分维度均分（满分 100）")
    axes.legend(fontsize=9)
    return plotting.png_bytes(fig)
