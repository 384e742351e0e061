"""The list channel: every reminder as a CSV or XLSX for units that send messages themselves."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fazhi.analytics.notify.reminders import KIND_LABELS


def reminder_table(reminders: pd.DataFrame) -> pd.DataFrame:
    """The reminders with Chinese headers, by unit then officer."""
    frame = reminders.sort_values(["unit", "officer_id"], kind="stable")
    return pd.DataFrame(
        {
            "单位": frame["unit"],
            "工号": frame["officer_id"],
            "姓名": frame["name"],
            "邮箱": frame["email"],
            "提醒类别": frame["kind"].map(KIND_LABELS),
            "提醒内容": frame["message"],
        }
    ).reset_index(drop=True)


def write_list(reminders: pd.DataFrame, out: Path) -> Path:
    """``out`` as XLSX when it ends in .xlsx, else CSV (UTF-8 with BOM, for Excel)."""
    table = reminder_table(reminders)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".xlsx":
        from fazhi.reporting.xlsx_writer import Sheet, write_xlsx

        return write_xlsx([Sheet("学法提醒", table, empty="无需提醒的人员。")], out)
    from fazhi.reporting.csv_writer import write_csv

    return write_csv(table, out, bom=True)
