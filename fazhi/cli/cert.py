"""``fazhi cert``: 执法证 records (证号, 发证, 年检, 注销)."""

from __future__ import annotations

from pathlib import Path

import click

from fazhi.cli.common import current_settings, echo, workspace_option


@click.group("cert")
def cert_group() -> None:
    """执法证：导入证号、发证日期、有效期、年检和注销记录。"""


@cert_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
def cert_import_command(file: Path) -> None:
    """导入执法证记录（CSV 或 XLSX）。

    列：工号、证号、发证日期、有效期至、年检日期（可多个，用分号或顿号分隔，可省略）、
    注销日期（可省略）。同一证号再次导入时更新。任何一行有错时不写入任何数据。
    导入后，合规统计以每人最新发证的执法证为准（代替名册的“执法证有效期至”）。
    """
    from fazhi import db
    from fazhi.certificates import import_certificates

    settings = current_settings()
    with db.session_scope(settings) as session:
        result = import_certificates(session, path=file)
    echo(result.message(file.name))
