"""``fazhi bank``: question banks (issue #3)."""

from __future__ import annotations

from pathlib import Path

import click

from fazhi.cli.common import current_settings, echo, workspace_option


@click.group("bank")
def bank_group() -> None:
    """题库：导入、列出、导出（CSV/XLSX，中文或英文表头）。"""


@bank_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--bank", "bank", required=True, help="题库名称。")
@workspace_option
def bank_import_command(file: Path, bank: str) -> None:
    """导入题库文件；任何一行有错时不写入任何数据。

    按题号新增或更新题目；修改过的题目保存为新版本（已考过的考试仍使用原版本），
    文件中不再出现的题目停用。
    """
    from fazhi import db
    from fazhi.exams.store import import_bank

    settings = current_settings()
    with db.session_scope(settings) as session:
        result = import_bank(session, file, bank)
    echo(result.summary())


@bank_group.command("list")
@workspace_option
def bank_list_command() -> None:
    """列出题库：每行一个题库，名称在前，然后是题目数量。"""
    from fazhi import db
    from fazhi.exams.store import list_banks

    with db.session_scope(current_settings()) as session:
        banks = list_banks(session)
    for name, count in banks:
        echo(f"{name}\t{count}")


@bank_group.command("export")
@click.argument("bank")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
def bank_export_command(bank: str, out: Path) -> None:
    """按导入模板导出题库（.csv 或 .xlsx，可在 Excel 中编辑后重新导入）。"""
    from fazhi import db
    from fazhi.exams.export import export_bank

    with db.session_scope(current_settings()) as session:
        count = export_bank(session, bank=bank, out=out)
    echo(f"已导出题库“{bank}”共 {count} 题：{out}")
