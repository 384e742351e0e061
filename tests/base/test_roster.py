"""Roster import: encodings, XLSX, header languages, every bad-input case, idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from fazhi import db
from fazhi.gradebook import open_gradebook
from fazhi.models import Officer, Unit
from fazhi.settings import Settings

pytestmark = pytest.mark.db

ZH_HEADER = [
    "工号",
    "姓名",
    "单位",
    "职务类别",
    "执法人员",
    "执法证有效期至",
    "入职日期",
    "离职日期",
]
EN_HEADER = [
    "officer_id",
    "name",
    "unit",
    "role",
    "enforcement",
    "cert_expiry",
    "active_from",
    "active_to",
]
ROWS = [
    [
        "CG001",
        "王伟",
        "某市城管局/东城大队/一中队",
        "领导干部",
        "是",
        "2027-03-01",
        "2015-07-01",
        "",
    ],
    ["CG002", "李娜", "某市城管局/东城大队/一中队", "一般干部", "是", "2026-12-01", "", ""],
    ["CG003", "张敏", "某市城管局/东城大队/二中队", "staff", "否", "", "2026-03-16", ""],
    ["CG004", "欧阳雪", "某市城管局/西城大队", "leader", "yes", "2028-01-31", "", "2026-06-30"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> Path:
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def officers(settings: Settings) -> dict[str, Officer]:
    with db.session_scope(settings) as session:
        found = session.scalars(select(Officer)).all()
        for officer in found:
            _ = officer.unit.path
        return {o.officer_id: o for o in found}


def test_import_chinese_headers_gb18030(workspace: Settings, cli, tmp_path: Path) -> None:
    """Does a GB18030 CSV with Chinese headers (Excel on Chinese Windows) import correctly?"""
    path = write_csv(tmp_path / "名册.csv", ZH_HEADER, ROWS, "gb18030")
    result = cli("roster", "import", path, "--workspace", workspace.workspace)
    assert result.exit_code == 0, result.output
    assert "新增 4 人" in result.stdout
    found = officers(workspace)
    assert found["CG001"].role == "leader" and found["CG001"].enforcement
    assert found["CG003"].role == "staff" and not found["CG003"].enforcement
    assert str(found["CG004"].active_to) == "2026-06-30"
    assert found["CG004"].name == "欧阳雪"
    assert found["CG002"].unit.path == "某市城管局/东城大队/一中队"
    with db.session_scope(workspace) as session:
        units = {u.path: u for u in session.scalars(select(Unit))}
        assert set(units) == {
            "某市城管局",
            "某市城管局/东城大队",
            "某市城管局/东城大队/一中队",
            "某市城管局/东城大队/二中队",
            "某市城管局/西城大队",
        }
        squad = units["某市城管局/东城大队/一中队"]
        assert squad.parent.path == "某市城管局/东城大队" and squad.depth == 2
        assert squad.name == "一中队"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_import_english_headers_utf8(
    workspace: Settings, cli, tmp_path: Path, encoding: str
) -> None:
    """Do UTF-8 files with and without BOM and English headers import?"""
    path = write_csv(tmp_path / "roster.csv", EN_HEADER, ROWS, encoding)
    result = cli("roster", "import", path, "--workspace", workspace.workspace)
    assert result.exit_code == 0, result.output
    assert len(officers(workspace)) == 4


def test_import_xlsx_and_sync_to_nbgrader(workspace: Settings, cli, tmp_path: Path) -> None:
    """Does an XLSX roster import, and does nbgrader's student table then list the officers?"""
    path = write_xlsx(tmp_path / "roster.xlsx", ZH_HEADER, ROWS)
    result = cli("roster", "import", path, "--workspace", workspace.workspace)
    assert result.exit_code == 0, result.output
    with open_gradebook(workspace) as gradebook:
        students = {s.id: s.last_name for s in gradebook.students}
    assert students == {"CG001": "王伟", "CG002": "李娜", "CG003": "张敏", "CG004": "欧阳雪"}


def test_reimport_is_idempotent_and_updates(workspace: Settings, cli, tmp_path: Path) -> None:
    """Does importing the same file twice change nothing, and an edited file update in place?"""
    path = write_csv(tmp_path / "r.csv", ZH_HEADER, ROWS, "utf-8")
    cli("roster", "import", path, "--workspace", workspace.workspace)
    again = cli("roster", "import", path, "--workspace", workspace.workspace)
    assert "新增 0 人，更新 0 人，未变 4 人" in again.stdout
    edited = [row[:] for row in ROWS]
    edited[1][2] = "某市城管局/西城大队"
    edited[1][3] = "领导干部"
    cli(
        "roster",
        "import",
        write_csv(tmp_path / "r2.csv", ZH_HEADER, edited, "utf-8"),
        "--workspace",
        workspace.workspace,
    )
    found = officers(workspace)
    assert len(found) == 4
    assert found["CG002"].role == "leader" and found["CG002"].unit.path == "某市城管局/西城大队"


BAD_CASES = [
    pytest.param(2, "职务类别", "科长", "无法识别的职务类别", id="unknown-role"),
    pytest.param(3, "工号", "CG001", "与第 2 行重复", id="duplicate-id"),
    pytest.param(4, "入职日期", "2026-13-01", "格式不正确", id="bad-date"),
    pytest.param(2, "执法人员", "也许", "不是有效的是/否值", id="bad-bool"),
    pytest.param(3, "姓名", "", "姓名不能为空", id="empty-name"),
    pytest.param(5, "单位", "某市城管局//一中队", "单位", id="bad-unit"),
]


@pytest.mark.parametrize(("line", "column", "value", "expected"), BAD_CASES)
def test_bad_rows_are_refused_and_nothing_written(
    workspace: Settings, cli, tmp_path: Path, line: int, column: str, value: str, expected: str
) -> None:
    """Is each bad cell reported with file, row and column, and is nothing written?"""
    rows = [row[:] for row in ROWS]
    rows[line - 2][ZH_HEADER.index(column)] = value
    path = write_csv(tmp_path / "bad.csv", ZH_HEADER, rows, "utf-8")
    result = cli("roster", "import", path, "--workspace", workspace.workspace)
    assert result.exit_code == 2
    message = result.stderr
    assert "bad.csv" in message and f"第 {line} 行" in message and column in message
    assert expected in message
    assert "Traceback" not in message
    assert officers(workspace) == {}
    with db.session_scope(workspace) as session:
        assert session.scalar(select(func.count()).select_from(Unit)) == 0


def test_missing_column_is_named(workspace: Settings, cli, tmp_path: Path) -> None:
    """Is a missing required column named in the message?"""
    header = [h for h in ZH_HEADER if h != "职务类别"]
    rows = [[v for i, v in enumerate(r) if ZH_HEADER[i] != "职务类别"] for r in ROWS]
    result = cli(
        "roster",
        "import",
        write_csv(tmp_path / "m.csv", header, rows, "utf-8"),
        "--workspace",
        workspace.workspace,
    )
    assert result.exit_code == 2
    assert "缺少必需的列" in result.stderr and "职务类别(role)" in result.stderr


def test_bad_file_after_good_import_changes_nothing(
    workspace: Settings, cli, tmp_path: Path
) -> None:
    """Does a failing re-import leave the earlier roster exactly as it was?"""
    cli(
        "roster",
        "import",
        write_csv(tmp_path / "ok.csv", ZH_HEADER, ROWS, "utf-8"),
        "--workspace",
        workspace.workspace,
    )
    rows = [row[:] for row in ROWS]
    rows[0][1] = "王伟伟"
    rows[3][3] = "主任"
    result = cli(
        "roster",
        "import",
        write_csv(tmp_path / "bad.csv", ZH_HEADER, rows, "utf-8"),
        "--workspace",
        workspace.workspace,
    )
    assert result.exit_code == 2
    assert officers(workspace)["CG001"].name == "王伟"


def test_unsupported_and_missing_files(workspace: Settings, cli, tmp_path: Path) -> None:
    """Do a missing file and a non-table file give clear messages?"""
    missing = cli("roster", "import", tmp_path / "nope.csv", "--workspace", workspace.workspace)
    assert missing.exit_code == 2 and "文件不存在" in missing.stderr
    (tmp_path / "r.pdf").write_bytes(b"%PDF")
    other = cli("roster", "import", tmp_path / "r.pdf", "--workspace", workspace.workspace)
    assert other.exit_code == 2 and "不支持的文件类型" in other.stderr
