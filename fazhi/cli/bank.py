"""``fazhi bank``: question banks."""

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
    for warning in result.warnings:
        click.echo(f"注意：{warning}", err=True)


@bank_group.command("list")
@click.argument("bank", required=False)
@workspace_option
def bank_list_command(bank: str | None) -> None:
    """列出题库，或列出一个题库的题目。

    不带参数：每行一个题库：名称<TAB>题目数，题库中有地方法规题目时再加一列
    “地方法规版本”（每部地方法规所依据文本的版本日期及题数）。
    带题库名：每行一题：题号<TAB>题型<TAB>法规版本（非地方法规题为“—”）<TAB>法律依据。
    """
    from fazhi import db
    from fazhi.exams.bank import TYPE_NAMES
    from fazhi.exams.store import get_bank, law_versions, list_banks
    from fazhi.models.bank import current_questions

    with db.session_scope(current_settings()) as session:
        if bank is not None:
            for version in current_questions(get_bank(session, bank)):
                echo(
                    f"{version.code}\t{TYPE_NAMES[version.type]}\t"
                    f"{version.law_version or '—'}\t{version.basis}"
                )
            return
        banks = list_banks(session)
        versions = law_versions(session)
    for name, count in banks:
        dated = "；".join(f"《{law}》{date}（{n} 题）" for law, date, n in versions.get(name, []))
        echo(f"{name}\t{count}" + (f"\t地方法规版本：{dated}" if dated else ""))


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
