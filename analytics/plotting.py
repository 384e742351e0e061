"""Matplotlib with Chinese glyphs on a fresh machine: the font ships with ``mplfonts``.

Shared by every report that draws (exams, compliance, mock court): make figures with
``figure()`` and turn them into PNG with ``png_bytes()``. Figures are created without pyplot,
so no GUI backend is involved and a notebook's own ``%matplotlib`` setting is left alone.
"""

from __future__ import annotations

import io

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from fazhi.reporting.fonts import font_path

_family: str | None = None


def setup() -> str:
    """Register the bundled Noto Sans CJK SC font and make it the default; returns its name."""
    global _family
    if _family is None:
        path = font_path()
        font_manager.fontManager.addfont(str(path))
        _family = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = [_family]
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212 minus
    return _family


def figure(width: float = 8, height: float = 4.5) -> Figure:
    """A new figure with the Chinese font set up."""
    setup()
    return Figure(figsize=(width, height), dpi=100)


def png_bytes(fig: Figure, *, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()
