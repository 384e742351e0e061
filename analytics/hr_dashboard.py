"""The HR dashboard (``HR看板.ipynb``): the compliance report's figures, filtered interactively.

Filters: unit (with its sub-units), role, date range, officer search; the view can be
exported to XLSX. The logic lives in ``views``; this module only lays out the widgets.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
from IPython.display import HTML, Image, display

from fazhi import db
from fazhi.analytics import figures, plotting
from fazhi.analytics.compliance import Compliance
from fazhi.analytics.dataset import load_compliance
from fazhi.analytics.views import Filter, export_view, officer_mask, restrict_weeks, view_tables
from fazhi.rules import Rules, load_rules
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ

ROLE_CHOICES = [("全部", ""), ("领导干部", "leader"), ("一般干部", "staff")]


WRAPPED_COLUMNS = {"未达标原因"}  # long text: may wrap; every other cell stays on one line


def unit_choices(result: Compliance) -> list[tuple[str, str]]:
    """(label, path) of every unit and its ancestors, tree order.

    The label is the unit's path, so two 一中队 under different 大队 stay distinguishable.
    """
    paths: set[str] = set()
    for unit in result.roster["unit"].astype(str):
        parts = unit.split("/")
        paths.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    ordered = sorted(paths, key=lambda p: tuple(p.split("/")))
    return [("全部单位", "")] + [(p, p) for p in ordered]


def table_html(frame: pd.DataFrame, limit: int = 200) -> str:
    """A table that scrolls sideways rather than squeezing Chinese into a column per character."""
    cell = "border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top"
    styles = {
        column: f"{cell};white-space:normal;min-width:24em"
        if column in WRAPPED_COLUMNS
        else f"{cell};white-space:nowrap"
        for column in frame.columns
    }
    head = "".join(
        f'<th style="{cell};white-space:nowrap;background:#f3f3f3">{html.escape(str(c))}</th>'
        for c in frame.columns
    )
    body = []
    for row in frame.head(limit).itertuples(index=False):
        cells = "".join(
            f'<td style="{styles[column]}">{"" if pd.isna(value) else html.escape(str(value))}</td>'
            for column, value in zip(frame.columns, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    more = (
        f"<p>（共 {len(frame)} 行，显示前 {limit} 行；完整内容请导出）</p>"
        if len(frame) > limit
        else ""
    )
    return (
        '<div style="overflow-x:auto;max-width:100%">'
        f'<table style="border-collapse:collapse;width:auto">{head}{"".join(body)}</table>'
        f"</div>{more}"
    )


def _table(frame: pd.DataFrame, limit: int = 200) -> HTML:
    return HTML(table_html(frame, limit))


class HRDashboard:
    """Holds the year's result and redraws the view when a filter changes."""

    def __init__(self, settings: Settings, rules: Rules, today: dt.date) -> None:
        self.settings = settings
        self.rules = rules
        self.today = today
        self._results: dict[tuple[int, dt.date], Compliance] = {}
        first = self.result(today.year, today)
        self.unit = widgets.Dropdown(
            options=unit_choices(first), description="单位", layout=widgets.Layout(width="28em")
        )
        self.role = widgets.Dropdown(options=ROLE_CHOICES, description="职务类别")
        self.start = widgets.DatePicker(value=dt.date(today.year, 1, 1), description="开始日期")
        self.end = widgets.DatePicker(value=today, description="结束日期")
        self.search = widgets.Text(placeholder="工号或姓名", description="查找人员")
        self.export = widgets.Button(
            description="导出当前视图（XLSX）", icon="download", layout=widgets.Layout(width="auto")
        )
        self.message = widgets.HTML()
        self.output = widgets.Output()
        for control in (self.unit, self.role, self.start, self.end, self.search):
            control.observe(lambda _change: self.refresh(), names="value")
        self.export.on_click(lambda _button: self.export_current())
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.unit, self.role, self.search]),
                widgets.HBox([self.start, self.end, self.export]),
                self.message,
                self.output,
            ]
        )

    def result(self, year: int, as_of: dt.date) -> Compliance:
        key = (year, as_of)
        if key not in self._results:
            with db.session_scope(self.settings) as session:
                self._results[key] = load_compliance(
                    session, rules=self.rules, year=year, as_of=as_of
                )
        return self._results[key]

    def current(self) -> tuple[Compliance, Filter]:
        end = self.end.value or self.today
        start = self.start.value or dt.date(end.year, 1, 1)
        view = Filter(self.unit.value, self.role.value, self.search.value, start, end)
        return self.result(end.year, min(end, self.today)), view

    def refresh(self) -> None:
        result, view = self.current()
        tables = view_tables(result, view, self.rules.cert_warning_days)
        mask = officer_mask(result, view)
        ranged = restrict_weeks(result, view.start, view.end)
        people = tables["人员"]
        compliant = int((people["全部合规"] == "是").sum())
        rate = f"（合规率 {compliant / len(people):.1%}）" if len(people) else ""
        self.message.value = (
            f"<b>{result.year} 年，报告日期 {result.as_of}</b>：所选 {len(people)} 人，"
            f"全部合规 {compliant} 人{rate}。周次按 ISO 周（周一起），"
            "跨年度的日期范围按结束日期所在年度统计；“年度学时今日应达”是全年要求按在岗天数"
            "折算到报告日期的分钟数。"
        )
        self.output.clear_output(wait=True)
        with self.output:
            if not mask.any():
                display(HTML("<p>没有符合条件的人员。</p>"))
                return
            display(HTML("<h4>单位汇总</h4>"), _table(tables["单位汇总"]))
            display(HTML("<h4>每周学法热力图</h4>"))
            display(Image(data=plotting.png_bytes(figures.heatmap(ranged, mask))))
            display(HTML("<h4>各单位每周达标率</h4>"))
            display(Image(data=plotting.png_bytes(figures.unit_trends(ranged, mask))))
            display(HTML("<h4>未达标人员及原因</h4>"), _table(tables["未达标人员"]))
            display(HTML(f"<h4>{self.rules.cert_warning_days} 天内到期的执法证</h4>"))
            display(_table(tables["执法证到期"]))
            display(HTML("<h4>人员明细</h4>"), _table(tables["人员"]))

    def export_current(self) -> Path:
        result, view = self.current()
        stamp = dt.datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
        path = self.settings.workspace / "exports" / f"HR看板导出-{stamp}.xlsx"
        export_view(view_tables(result, view, self.rules.cert_warning_days), path)
        self.message.value = f"已导出：{html.escape(str(path))}"
        return path


def show(today: dt.date | None = None) -> HRDashboard | None:
    """Display the dashboard for the workspace this notebook lives in."""
    from fazhi.analytics.identity import find_workspace

    settings = find_workspace()
    if settings is None:
        display(HTML("<p>未找到 fazhi 工作区：请在工作区内打开本笔记本。</p>"))
        return None
    dashboard = HRDashboard(
        settings, load_rules(settings.rules_path), today or dt.datetime.now(LOCAL_TZ).date()
    )
    display(dashboard.widget)
    dashboard.refresh()
    return dashboard
