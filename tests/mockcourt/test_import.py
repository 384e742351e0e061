"""Score-file import: encodings, XLSX, header languages, every validation case, idempotence."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from fazhi import db
from fazhi.errors import InputErrors
from fazhi.mockcourt.store import import_file
from fazhi.models.mockcourt import MockCourtSession, MockCourtSheet
from fazhi.settings import Settings

from .conftest import EN, sheet_rows

pytestmark = pytest.mark.db

DATE = "2026-03-10"


def panel(session_id: str = "MC-1", officers=(("CG0001", "负责人出庭应诉"), ("CG0002", "代理人"))):
    """Three judges scoring every listed officer on every dimension."""
    rows: list[list[object]] = []
    for n, (officer_id, role) in enumerate(officers):
        for j, judge in enumerate(("王法官", "陈律师", "刘科长")):
            rows += sheet_rows(session_id, DATE, officer_id, role, judge, [80 + n + j] * 5)
    return rows


def stored(settings: Settings) -> dict[tuple[str, str, str], dict[str, float]]:
    """(session, officer, judge) → {dimension: score} as stored."""
    with db.session_scope(settings) as session:
        return {
            (s.participant.session.code, s.participant.officer.officer_id, s.judge.name): {
                x.dimension.name: x.score for x in s.scores
            }
            for s in session.scalars(select(MockCourtSheet))
        }


def test_gb18030_csv_with_chinese_headers(roster: Settings, write_csv, counts) -> None:
    """Does a GB18030 CSV with Chinese headers (Excel on Chinese Windows) import every sheet?"""
    path = write_csv(panel(), encoding="gb18030")
    result = import_file(settings=roster, path=path)
    assert (result.sessions, result.sessions_created, result.sheets_created) == (1, 1, 6)
    assert counts(roster) == (1, 6, 30)
    assert stored(roster)[("MC-1", "CG0002", "陈律师")]["法律适用"] == 82


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_csv_with_english_headers(roster: Settings, write_csv, counts, encoding) -> None:
    """Do UTF-8 CSVs, with or without BOM, and English headers import the same way?"""
    import_file(settings=roster, path=write_csv(panel(), header=EN, encoding=encoding))
    assert counts(roster) == (1, 6, 30)


def test_xlsx_with_numbers_dates_and_optional_columns(roster: Settings, write_xlsx) -> None:
    """Does an XLSX with numeric scores, a date cell and the case/comment columns import?"""
    import datetime as dt

    header = [*EN, "case_title", "案情摘要", "case_file", "评语"]
    rows = [
        [
            *r[:1],
            dt.datetime(2026, 3, 10),
            *r[2:6],
            85.5,
            "某公司诉区城管局强制拆除案",
            "摘要",
            "案卷-017",
            "好",
        ]
        for r in sheet_rows("MC-X", DATE, "CG0001", "负责人出庭应诉", "王法官", [0] * 5)
    ]
    import_file(settings=roster, path=write_xlsx(rows, header=header))
    with db.session_scope(roster) as session:
        mock = session.scalars(select(MockCourtSession)).one()
        assert (mock.code, mock.date.isoformat(), mock.case_title, mock.case_file) == (
            "MC-X",
            DATE,
            "某公司诉区城管局强制拆除案",
            "案卷-017",
        )
        assert [d.name for d in mock.dimensions] == [
            "事实认定",
            "法律适用",
            "程序规范",
            "庭审表达",
            "文书质量",
        ]
        assert [d.weight for d in mock.dimensions] == [25, 25, 20, 20, 10]
        sheet = mock.participants[0].sheets[0]
        assert sheet.comment == "好" and {s.score for s in sheet.scores} == {85.5}


def test_reimport_is_idempotent(roster: Settings, write_csv, counts) -> None:
    """Does importing the same file twice leave the database exactly as after the first time?"""
    path = write_csv(panel())
    import_file(settings=roster, path=path)
    before = stored(roster)
    again = import_file(settings=roster, path=path)
    assert (again.sessions_created, again.sheets_created, again.sheets_updated) == (0, 0, 0)
    assert again.sheets_unchanged == 6
    assert stored(roster) == before and counts(roster) == (1, 6, 30)


def test_reimport_updates_changed_sheets_and_keeps_others(roster: Settings, write_csv) -> None:
    """Does a corrected file update its sheets and leave other judges' sheets alone?"""
    import_file(settings=roster, path=write_csv(panel()))
    fix = sheet_rows("MC-1", DATE, "CG0001", "负责人出庭应诉", "王法官", [90, 90, 90, 90, 90])
    result = import_file(settings=roster, path=write_csv(fix, name="更正.csv"))
    assert (result.sheets_updated, result.sheets_created) == (1, 0)
    sheets = stored(roster)
    assert len(sheets) == 6 and sheets[("MC-1", "CG0001", "王法官")]["文书质量"] == 90


def test_replace_makes_the_file_the_whole_session(roster: Settings, write_csv, counts) -> None:
    """With --replace, are the session's sheets not in the file removed?"""
    import_file(settings=roster, path=write_csv(panel()))
    only = sheet_rows("MC-1", DATE, "CG0003", "执法人员", "王法官", [70] * 5)
    import_file(settings=roster, path=write_csv(only, name="新.csv"), replace=True)
    assert counts(roster) == (1, 1, 5)
    assert list(stored(roster)) == [("MC-1", "CG0003", "王法官")]


def test_session_keeps_the_rubric_it_was_created_with(roster: Settings, write_csv) -> None:
    """After the rules' rubric changes, does an existing session still use its own rubric?"""
    import_file(settings=roster, path=write_csv(panel()))
    roster.rules_path.write_text(
        '[mockcourt.rubric]\n"事实认定" = 50\n"法律适用" = 50\n', encoding="utf-8"
    )
    more = sheet_rows("MC-1", DATE, "CG0003", "执法人员", "王法官", [70] * 5)
    import_file(settings=roster, path=write_csv(more, name="补.csv"))
    new = [["MC-2", DATE, "CG0003", "执法人员", "王法官", d, 70] for d in ("事实认定", "法律适用")]
    import_file(settings=roster, path=write_csv(new, name="新.csv"))
    with db.session_scope(roster) as session:
        rubrics = {
            m.code: {d.name: d.weight for d in m.dimensions}
            for m in session.scalars(select(MockCourtSession))
        }
    assert len(rubrics["MC-1"]) == 5
    assert rubrics["MC-2"] == {"事实认定": 50, "法律适用": 50}


# ---- every validation case: message names file, row and column; nothing is written --------


def bad(rows: list[list[object]], at: int, value: object) -> list[list[object]]:
    """``rows`` with column ``at`` of the third data row (spreadsheet row 4) set to ``value``."""
    changed = [list(r) for r in rows]
    changed[2][at] = value
    return changed


BASE = panel()
CASES = {
    "unknown officer": (
        bad(BASE, 2, "CG9999"),
        4,
        "工号(officer_id)",
        "工号“CG9999”不在人员名册中",
    ),
    "unknown dimension": (bad(BASE, 5, "口才"), 4, "评分维度(dimension)", "未知的评分维度“口才”"),
    "score above 100": (bad(BASE, 6, 101), 4, "得分(score)", "超出范围，应在 0 到 100 之间"),
    "negative score": (bad(BASE, 6, -5), 4, "得分(score)", "超出范围"),
    "score not a number": (bad(BASE, 6, "优"), 4, "得分(score)", "得分“优”不是数字"),
    "score with 3 decimals": (bad(BASE, 6, "80.125"), 4, "得分(score)", "最多保留两位小数"),
    "empty score": (bad(BASE, 6, ""), 4, "得分(score)", "得分不能为空"),
    "empty judge": (bad(BASE, 4, ""), 4, "评委(judge)", "评委不能为空"),
    "bad date": (bad(BASE, 1, "2026-13-01"), 4, "日期(date)", "格式不正确"),
    "date differs within session": (bad(BASE, 1, "2026-03-11"), 4, "日期(date)", "不一致"),
    "role differs for one officer": (bad(BASE, 3, "代理人"), 4, "角色(role)", "不一致"),
    "duplicate row": (
        [*BASE, BASE[0]],
        len(BASE) + 2,
        "评分维度(dimension)",
        "与第 2 行重复",
    ),
    "judge skipped a dimension": (
        BASE[:4] + BASE[5:],
        2,
        "评分维度(dimension)",
        "评委“王法官”对 CG0001 的评分缺少维度：文书质量",
    ),
}


def test_validation_error_names_file_row_column(
    roster: Settings, write_csv, counts, subtests
) -> None:
    """Is each kind of bad row refused with file, row and column named, and nothing written?"""
    for case, (rows, line, column, message) in CASES.items():
        with subtests.test(case):
            # a valid second session in the same file must not be written either
            path = write_csv(rows + panel("MC-OK"), name="坏.csv")
            with pytest.raises(InputErrors) as caught:
                import_file(settings=roster, path=path)
            text = str(caught.value)
            assert f"文件 坏.csv，第 {line} 行，列“{column}”" in text
            assert message in text
            assert counts(roster) == (0, 0, 0)


def test_errors_are_reported_together(roster: Settings, write_csv, counts) -> None:
    """Are all problems of a file listed in one message, in row order?"""
    rows = bad(bad(panel(), 6, 120), 2, "CG9999")
    rows[6][5] = "口才"
    with pytest.raises(InputErrors) as caught:
        import_file(settings=roster, path=write_csv(rows))
    text = str(caught.value)
    assert "输入有 3 处错误，未写入任何数据" in text
    assert [int(n) for n in re.findall(r"第 (\d+) 行，列", text)] == [4, 4, 8]


def test_bad_file_leaves_earlier_data_untouched(roster: Settings, write_csv) -> None:
    """Does a refused re-import leave the earlier import exactly as it was?"""
    import_file(settings=roster, path=write_csv(panel()))
    before = stored(roster)
    rows = [[*r[:6], 50] for r in panel()]
    rows[-1][6] = 200
    with pytest.raises(InputErrors):
        import_file(settings=roster, path=write_csv(rows, name="坏.csv"))
    assert stored(roster) == before


def test_missing_column_is_refused(roster: Settings, tmp_path: Path, counts) -> None:
    """Is a file without the 评委 column refused at the header row?"""
    path = tmp_path / "缺列.csv"
    path.write_text(
        "场次,日期,工号,角色,评分维度,得分\nMC-1,2026-03-10,CG0001,代理人,事实认定,80\n"
    )
    with pytest.raises(Exception, match=r"缺列.csv，第 1 行：缺少必需的列：评委\(judge\)"):
        import_file(settings=roster, path=path)
    assert counts(roster) == (0, 0, 0)


def test_full_width_ids_and_scores_are_read(roster: Settings, write_csv: Callable) -> None:
    """Are full-width officer ids and digits (Chinese input methods) read as half-width?"""
    rows = sheet_rows("ＭＣ－１", DATE, "ＣＧ０００１", "代理人", "王法官", ["８０"] * 5)
    import_file(settings=roster, path=write_csv(rows, encoding="utf-8"))
    assert stored(roster) == {
        ("MC-1", "CG0001", "王法官"): dict.fromkeys(
            ["事实认定", "法律适用", "程序规范", "庭审表达", "文书质量"], 80.0
        )
    }
