"""HTML reports from Jinja2 templates sharing ``templates/base.html.j2`` (autoescaped).

A feature describes its page as a title and ``Section``s of blocks (``Paragraph``, ``Table``,
``Figure``, ``Notes``); ``render_report`` lays them out. Pages with a layout of their own
(an officer's exam feedback) have their own template extending the base.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fazhi.tabular import LOCAL_TZ

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: bool = False  # shown as a grey note
    kind: str = "paragraph"


@dataclass(frozen=True)
class Table:
    """A table as text: headers and rows of already formatted cells (numeric cells right)."""

    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: Sequence[bool] = ()
    empty: str = "无数据。"
    kind: str = "table"

    def is_numeric(self, column: int) -> bool:
        return column < len(self.numeric) and bool(self.numeric[column])


@dataclass(frozen=True)
class Figure:
    png: bytes
    alt: str
    kind: str = "figure"

    @property
    def src(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class Notes:
    items: Sequence[str]
    kind: str = "notes"


Block = Paragraph | Table | Figure | Notes


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: Sequence[Block] = field(default_factory=list)


def number(value: object, decimals: int = 2) -> str:
    """The reports' number format: fixed decimals, "" for a missing value."""
    if _missing(value):
        return ""
    return f"{float(value):.{decimals}f}"  # type: ignore[arg-type]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _cell(value: object, na: str) -> str:
    if _missing(value):
        return na
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        return number(value)
    return str(value)


def frame_table(
    frame: pd.DataFrame,
    *,
    empty: str = "无数据。",
    na: str = "",
    formats: Mapping[str, Callable[[Any], str]] | None = None,
) -> Table:
    """A DataFrame as a ``Table``: floats to 2 decimals, booleans true/false, NA as ``na``;
    ``formats`` overrides the format of named columns."""
    formats = formats or {}
    columns = [str(c) for c in frame.columns]
    cells = []
    for name, column in zip(columns, frame.columns, strict=True):
        shown = formats.get(name)
        values = frame[column].tolist()
        cells.append(
            [na if _missing(v) else shown(v) for v in values]
            if shown
            else [_cell(v, na) for v in values]
        )
    numeric = [frame[c].dtype.kind in "iuf" for c in frame.columns]
    rows = [list(r) for r in zip(*cells, strict=True)] if cells else []
    return Table(headers=columns, rows=rows, numeric=numeric, empty=empty)


@cache
def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["number"] = number
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context)


def render_report(
    title: str, sections: Sequence[Section], *, intro: Sequence[Block] = (), generated: bool = False
) -> str:
    """A report page: the title, ``intro`` blocks, then each section under its heading;
    ``generated`` adds the time it was made (Beijing time)."""
    stamp = dt.datetime.now(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if generated else ""
    return render("report.html.j2", title=title, intro=intro, sections=sections, generated=stamp)


def write_page(text: str, out: Path) -> Path:
    out.write_text(text, encoding="utf-8")
    return out
