"""The 学法档案 as PDF (A4), drawn with fpdf2 and the bundled CJK font: pure Python, no browser.

One page run per officer: the header facts, then every dated entry as a table whose header
row repeats on each page.
"""

from __future__ import annotations

from pathlib import Path

from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from fazhi.analytics.dossier import COLUMNS, Dossier
from fazhi.reporting.pdf import FONT, ChinesePdf

HEADINGS = FontFace(emphasis="", fill_color=(240, 243, 247))  # the font has no bold face
WIDTHS = (22, 20, 70, 20, 20, 28)  # mm, the columns of ``COLUMNS`` (A4 minus 15 mm margins)


class _DossierPdf(ChinesePdf):
    """A4 pages whose footer names the officer and the page number."""

    def __init__(self, made: str) -> None:
        super().__init__()
        self.made = made

    def footer_text(self) -> str:
        return f"学法档案　{self.officer}　生成于 {self.made}　第 {self.page_no()} 页"


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def write_dossier_pdf(dossiers: list[Dossier], out: Path, *, made: str) -> Path:
    """Write ``dossiers`` to ``out``, each officer starting on a new page."""
    pdf = _DossierPdf(made)
    for dossier in dossiers:
        pdf.officer = f"{dossier.name}（{dossier.officer_id}）"
        pdf.add_page()
        pdf.set_font(FONT, size=15)
        pdf.cell(
            0, 9, f"学法档案：{dossier.name}（{dossier.officer_id}）", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font(FONT, size=9.5)
        for label, value in (
            ("单位", dossier.unit),
            ("职务类别", dossier.role),
            ("入职日期", dossier.joined or "—"),
            ("执法证", dossier.certificate),
        ):
            pdf.cell(0, 5.5, f"{label}：{value}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        if dossier.entries.empty:
            pdf.cell(0, 6, "暂无学习记录。", new_x="LMARGIN", new_y="NEXT")
            continue
        pdf.set_font(FONT, size=8.5)
        with pdf.table(
            col_widths=WIDTHS,
            line_height=4.6,
            wrapmode=WrapMode.CHAR,
            first_row_as_headings=True,
            repeat_headings=1,
            headings_style=HEADINGS,
        ) as table:
            table.row(COLUMNS)
            for values in dossier.entries.itertuples(index=False):
                table.row([_cell(v) for v in values])
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out
