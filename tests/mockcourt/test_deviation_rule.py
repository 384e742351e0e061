"""The judge-deviation threshold comes from the workspace's rules file, read for every report."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from fazhi.mockcourt.store import import_file
from fazhi.rules import load_rules
from fazhi.settings import Settings

from .conftest import sheet_rows

pytestmark = pytest.mark.db


@pytest.fixture
def lenient(roster: Settings, write_csv) -> Settings:
    """One session where judge 丁 scores both participants 8 points above the other three."""
    rows: list[list[object]] = []
    for officer_id, base in (("CG0001", 80), ("CG0002", 70)):
        for judge, score in (("甲", base), ("乙", base), ("丙", base), ("丁", base + 8)):
            rows += sheet_rows("MC-1", "2026-03-10", officer_id, "代理人", judge, [score] * 5)
    import_file(settings=roster, path=write_csv(rows))
    return roster


def _flags_and_notes(cli, settings: Settings, out: Path) -> tuple[dict[str, str], str]:  # type: ignore[no-untyped-def]
    done = cli("report", "mockcourt", "--format", "xlsx", "--out", out, "-w", settings.workspace)
    assert done.exit_code == 0, done.output
    book = load_workbook(out)
    flags = {r[1]: r[4] for r in book["评委偏差"].iter_rows(min_row=2, values_only=True)}
    notes = "\n".join(str(r[0]) for r in book["计算说明"].iter_rows(min_row=2, values_only=True))
    return flags, notes


def test_rules_file_threshold_takes_effect(lenient: Settings, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Is 丁 (+8 on average) unflagged at the default 10 and flagged 偏高 once rules.toml says 8?"""
    assert load_rules(lenient.rules_path).deviation_threshold == 10
    flags, notes = _flags_and_notes(cli, lenient, tmp_path / "before.xlsx")
    assert flags == {"甲": "—", "乙": "—", "丙": "—", "丁": "—"}
    assert "≥ +10 分标记“偏高”" in notes

    rules = lenient.rules_path
    text = rules.read_text(encoding="utf-8")
    assert "deviation_threshold = 10" in text  # a fresh workspace's rules file lists it
    rules.write_text(text.replace("deviation_threshold = 10", "deviation_threshold = 8"), "utf-8")
    flags, notes = _flags_and_notes(cli, lenient, tmp_path / "after.xlsx")
    assert flags == {"甲": "—", "乙": "—", "丙": "—", "丁": "偏高"}
    assert "≥ +8 分标记“偏高”" in notes


def test_older_rules_file_falls_back_and_bad_threshold_is_refused(tmp_path: Path) -> None:
    """Does a rules file without the key use the default, and is a non-positive one refused?"""
    from fazhi.errors import UserError

    older = tmp_path / "rules.toml"
    older.write_text("[mockcourt]\ndrop_extremes_from = 5\n", encoding="utf-8")
    assert load_rules(older).deviation_threshold == 10
    older.write_text("[mockcourt]\ndeviation_threshold = 0\n", encoding="utf-8")
    with pytest.raises(UserError, match="deviation_threshold"):
        load_rules(older)
