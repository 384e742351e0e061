"""Printable A4 PDFs with Chinese text (fpdf2 and the Noto Sans CJK font ``mplfonts`` ships).

A document names what its footer says; everything else (margins, font, page breaks) is shared,
so printed papers and 学法档案 look alike.
"""

from __future__ import annotations

from fpdf import FPDF

from fazhi.reporting.fonts import font_path

FONT = "cjk"


class ChinesePdf(FPDF):
    """A4 pages in the CJK font with a grey footer line of ``footer_text()``."""

    def __init__(self, *, left: float = 15, top: float = 15) -> None:
        super().__init__(format="A4")
        self.officer = ""  # whose pages are being written (the footer names them)
        self.set_margins(left, top, left)
        self.set_auto_page_break(True, margin=16)
        self.add_font(FONT, "", str(font_path()))

    def footer_text(self) -> str:
        return f"第 {self.page_no()} 页"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.cell(0, 5, self.footer_text(), align="C")
        self.set_text_color(0)
