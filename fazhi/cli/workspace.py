"""Commands of the base package: init, db upgrade, roster import."""

from __future__ import annotations

from pathlib import Path

import click

from fazhi.cli.common import current_settings, echo, workspace_option


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--course-id", help="nbgrader 课程编号（默认 fazhi；接管已有课程时沿用其设置）。")
@workspace_option
def init_command(directory: Path, course_id: str | None) -> None:
    """创建工作区（nbgrader 课程目录 + fazhi 文件），或接管已有的 nbgrader 课程目录。

    生成 nbgrader_config.py、fazhi.toml、rules.toml，建立数据库并导入内置题库。
    对已有的 nbgrader 课程，保留其配置和成绩库不变。
    """
    from fazhi.cli.setup import initialise

    echo(initialise(directory, course_id=course_id))


@click.group("db")
def db_group() -> None:
    """数据库维护（结构升级）。"""


@db_group.command("upgrade")
@workspace_option
def db_upgrade_command() -> None:
    """把工作区数据库升级到当前程序的结构版本（Alembic 迁移）。"""
    from fazhi import db

    settings = current_settings()
    before = db.current_revision(db.get_engine(settings.database_url))
    db.upgrade(settings.database_url)
    echo(f"数据库已升级：{before or '（空）'} → {db.head_revision()}")


@click.group("roster")
def roster_group() -> None:
    """人员名册（工号、姓名、单位、职务类别、执法人员、执法证有效期、在岗日期）。"""


@roster_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
def roster_import_command(file: Path) -> None:
    """导入人员名册（CSV 或 XLSX，中文或英文表头）。

    按工号新增或更新人员（重复导入结果不变），按单位路径建立单位层级，并同步到
    nbgrader 学员表。任何一行有错时不写入任何数据。
    """
    from fazhi.roster import import_roster

    result, synced = import_roster(settings=current_settings(), path=file)
    echo(
        f"名册导入完成：新增 {result.created} 人，更新 {result.updated} 人，"
        f"未变 {result.unchanged} 人，新建单位 {result.units_created} 个；"
        f"已同步 nbgrader 学员 {synced} 人。"
    )
