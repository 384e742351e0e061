"""``fazhi mockcourt import`` and ``fazhi report mockcourt`` end to end on real files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fazhi.settings import Settings

from .conftest import EN, ROSTER, sheet_rows

pytestmark = pytest.mark.db


def test_cli_end_to_end(workspace: Settings, cli, write_csv, write_xlsx, tmp_path: Path) -> None:
    """Roster, a GB18030 CSV and an XLSX of scores, then all three reports, through the CLI?"""
    ws = workspace.workspace
    roster = tmp_path / "名册.csv"
    roster.write_bytes(ROSTER.encode("gb18030"))
    assert cli("roster", "import", roster, "--workspace", ws).exit_code == 0

    first = []
    for judge, score in (("王法官", 80), ("陈律师", 84), ("刘科长", 88)):
        first += sheet_rows("MC-1", "2026-03-10", "CG0001", "负责人出庭应诉", judge, [score] * 5)
        first += sheet_rows("MC-1", "2026-03-10", "CG0002", "代理人", judge, [score - 10] * 5)
    done = cli("mockcourt", "import", write_csv(first, encoding="gb18030"), "--workspace", ws)
    assert done.exit_code == 0, done.output
    assert "场次 1 个（新建 1 个），评分表新增 6 份" in done.stdout

    second = []
    for judge, score in (("王法官", 70), ("陈律师", 75), ("刘科长", 80), ("赵检察官", 85)):
        second += sheet_rows("MC-2", "2026-05-20", "CG0001", "代理人", judge, [score] * 5)
    xlsx = write_xlsx(second, header=EN)
    assert cli("mockcourt", "import", xlsx, "--workspace", ws).exit_code == 0
    again = cli("mockcourt", "import", xlsx, "--workspace", ws)
    assert "评分表新增 0 份、更新 0 份、未变 4 份" in again.stdout

    out = tmp_path / "报表"
    for fmt in ("csv", "xlsx", "html"):
        made = cli("report", "mockcourt", "--format", fmt, "--out", out / f"mc.{fmt}", "-w", ws)
        assert made.exit_code == 0, made.output
    with (out / "mc.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["session_id", "date", "officer_id", "role", "judges", "score"],
            ["MC-1", "2026-03-10", "CG0001", "负责人出庭应诉", "3", "84.00"],
            ["MC-1", "2026-03-10", "CG0002", "代理人", "3", "74.00"],
            ["MC-2", "2026-05-20", "CG0001", "代理人", "4", "77.50"],
        ]
    assert load_workbook(out / "mc.xlsx")["成绩"]["F2"].value == 84
    assert "ICC(2,1)" in (out / "mc.html").read_text(encoding="utf-8")


def test_cli_refuses_bad_file(workspace: Settings, cli, write_csv, tmp_path: Path) -> None:
    """Does a bad file exit non-zero with file, row and column in the message?"""
    rows = sheet_rows("MC-1", "2026-03-10", "CG0001", "代理人", "王法官", [80, 80, 80, 80, 180])
    result = cli(
        "mockcourt", "import", write_csv(rows, name="评分表.csv"), "-w", workspace.workspace
    )
    assert result.exit_code == 2
    assert "文件 评分表.csv，第 6 行，列“得分(score)”：得分 180 超出范围" in result.stderr
    assert "工号“CG0001”不在人员名册中" in result.stderr  # the roster is empty here


def test_cli_writes_the_scoring_notebook(workspace: Settings, cli) -> None:
    """Does ``fazhi mockcourt notebook`` write 模拟法庭评分.ipynb into the workspace?"""
    result = cli("mockcourt", "notebook", "--workspace", workspace.workspace)
    assert result.exit_code == 0
    assert (workspace.workspace / "模拟法庭评分.ipynb").exists()
