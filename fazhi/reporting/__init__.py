"""One reporting layer: features hand it pandas DataFrames and metadata, it writes the files.

- ``csv_writer.write_csv``: the documented CSV formatting (numbers with exactly 2 decimals,
  booleans ``true``/``false``, UTF-8 without BOM unless the caller asks for one).
- ``xlsx_writer.write_xlsx``: one workbook writer (sheets, images, column notes, widths,
  number formats, a colour scale).
- ``pages.render``: Jinja2 templates sharing ``templates/base.html.j2`` (one look, Chinese
  labels, number formats, print CSS).

Spreadsheet formula injection (OWASP "CSV injection"): a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is a formula (or DDE call) to Excel and LibreOffice.
CSV writers prefix such text with a single quote (``cells.neutralise``); the XLSX writer stores
every text cell as a string cell, never a formula, so its text stays exact. Text that is a
plain number (``-0.25``) is left alone: spreadsheets read it as the number it is.

Modules import pandas, openpyxl and Jinja2 only where they need them, so a CSV report does not
pay for the others.
"""
