"""Attacks through the 工号: a roster or answer sheet cannot write outside its folder, and
one officer cannot appear twice under two spellings (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fazhi import db
from fazhi.models import Officer

pytestmark = pytest.mark.db
ROSTER = ["工号", "姓名", "单位", "职务类别", "执法人员", "执法证有效期至", "入职日期", "离职日期"]


def person(officer_id: str, name: str = "王伟") -> list[str]:
    return [officer_id, name, "某市城管局/一中队", "一般干部", "是", "", "", ""]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def officers(settings) -> list[str]:  # type: ignore[no-untyped-def]
    with db.session_scope(settings) as session:
        return sorted(session.scalars(select(Officer.officer_id)))


@pytest.mark.parametrize("bad", ["../source", "../../../tmp/x", "a/b", "CG 01"])
def test_roster_refuses_ids_that_could_be_paths(workspace, cli, tmp_path, bad) -> None:  # type: ignore[no-untyped-def]
    """Is a 工号 like ``../source`` refused with file, row and column, and nothing stored?"""
    path = write_csv(tmp_path / "名册.csv", ROSTER, [person("CG0001"), person(bad, "坏人")])
    result = cli("roster", "import", path, "-w", workspace.workspace)
    assert result.exit_code == 2
    assert "名册.csv" in result.stderr and "第 3 行" in result.stderr and "工号" in result.stderr
    assert officers(workspace) == []


def test_roster_refuses_one_officer_under_two_spellings(workspace, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Are ``CG0001`` and ``cg0001`` (the hub maps names case-insensitively) refused together?"""
    rows = [person("CG0001"), person("CG0002", "李娜"), person("cg0001", "冒名")]
    result = cli(
        "roster",
        "import",
        write_csv(tmp_path / "名册.csv", ROSTER, rows),
        "-w",
        workspace.workspace,
    )
    assert result.exit_code == 2
    assert "第 4 行" in result.stderr and "与第 2 行重复" in result.stderr
    assert officers(workspace) == []


def test_roster_stores_the_canonical_id(workspace, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Is a full-width, lower-case 工号 stored as its canonical upper-case form?"""
    path = write_csv(tmp_path / "名册.csv", ROSTER, [person("ｃｇ０００１")])
    assert cli("roster", "import", path, "-w", workspace.workspace).exit_code == 0
    assert officers(workspace) == ["CG0001"]


@pytest.mark.parametrize(
    ("cells", "expected"), [({"name": "王\x00伟"}, "空字符"), ({"name": "王" * 101}, "内容过长")]
)
def test_nul_and_long_values_refused_alike_on_both_databases(
    workspace, cli, tmp_path, cells, expected
) -> None:  # type: ignore[no-untyped-def]
    """Are NUL bytes and over-long names refused before the database (which would accept
    them on SQLite and fail with a traceback on PostgreSQL)?"""
    path = write_csv(tmp_path / "名册.csv", ROSTER, [person("CG0001", cells["name"])])
    result = cli("roster", "import", path, "-w", workspace.workspace)
    assert result.exit_code == 2 and expected in result.stderr and "姓名" in result.stderr
    with db.session_scope(workspace) as session:
        assert session.scalar(select(func.count()).select_from(Officer)) == 0


def test_hub_maps_user_names_to_the_canonical_id(workspace, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Does the hub's lower-case user name ``cg0001`` find the roster's CG0001?"""
    from fazhi.hub.identity import Directory

    path = write_csv(tmp_path / "名册.csv", ROSTER, [person("CG0001")])
    assert cli("roster", "import", path, "-w", workspace.workspace).exit_code == 0
    directory = Directory(
        api_url="http://127.0.0.1:1", api_token="", settings=workspace, course_groups={}
    )
    assert directory.officer_id("cg0001") == "CG0001"
    assert directory.officer_id("ＣＧ0001") == "CG0001"
    assert directory.officer_id("cg0002") is None


def test_compliance_year_out_of_range_is_a_message(workspace, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Is ``report compliance --year 99999`` refused with a Chinese message, not a traceback?"""
    result = cli(
        "report",
        "compliance",
        "--year",
        "99999",
        "--format",
        "csv",
        "--out",
        tmp_path / "r.csv",
        "-w",
        workspace.workspace,
    )
    assert result.exit_code == 2 and "年度 99999 超出合理范围" in result.stderr


def test_local_officer_setting_follows_the_id_rule(workspace) -> None:  # type: ignore[no-untyped-def]
    """Is the single-user ``officer`` setting normalised, and a path-like one refused?"""
    from fazhi.errors import UserError
    from fazhi.workspace import write_settings

    with pytest.raises(UserError, match="工号"):
        write_settings(workspace.workspace, officer="../source")
    assert write_settings(workspace.workspace, officer="ｃｇ0001").officer == "CG0001"


def test_schedule_year_out_of_range_is_a_message(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    """Is ``exam schedule --year 99999`` refused with a Chinese message, not a traceback?"""
    result = cli(
        "exam", "schedule", "--year", "99999", "--all", "--bank", "x", "-w", workspace.workspace
    )
    assert result.exit_code == 2 and "年度 99999 超出合理范围" in result.stderr


def test_the_officer_setting_cannot_point_the_officers_lab_elsewhere(tmp_path: Path) -> None:
    """Is a workspace `officer` setting like ``../source`` refused before it names the officer's
    JupyterLab directory, and a lower-case 工号 given its canonical folder?"""
    from fazhi.errors import UserError
    from fazhi.officer_lab import officer_lab
    from fazhi.settings import Settings

    lab = officer_lab(Settings(workspace=tmp_path, officer="ｃｇ0005"))
    assert lab.officer == "CG0005" and lab.home == tmp_path / "officers" / "CG0005"
    for bad in ("../source", "a/b", "..", "CG0005/../../x"):
        with pytest.raises(UserError, match="officer"):
            officer_lab(Settings(workspace=tmp_path, officer=bad))
