"""The CJK font every chart and PDF uses: Noto Sans CJK SC, shipped by ``mplfonts`` so that
Chinese renders on a fresh machine without system fonts."""

from __future__ import annotations

from pathlib import Path

FONT_FILE = "NotoSansCJKsc-Regular.otf"


def font_path() -> Path:
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
