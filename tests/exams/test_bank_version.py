"""法规版本 (the date of the local text an item rests on) and withdrawn bundled items.

A local-regulation item must say which text of the regulation it teaches; `fazhi bank list`
shows it. Items of an outdated local text are withdrawn from the bundled banks: a workspace
that imported them before has them retired at its next `fazhi init`, and no exam draws them.
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from fazhi import db
from fazhi.cli.setup import initialise
from fazhi.courses.catalog import bundled_root, content_files
from fazhi.errors import InputErrors
from fazhi.exams.bank import parse_bank
from fazhi.exams.exam import ExamPlan, create_exam, get_exam
from fazhi.exams.store import import_bank, store_bank
from fazhi.models.bank import Bank

pytestmark = pytest.mark.db

BEIJING = "《北京市市容环境卫生条例》第五十二条"
WITHDRAWN = ["SR-019", *(f"SR-0{n}" for n in range(32, 41)), "SR-042"]


def local_row(code: str = "L-01", version: str = "2021-09-24", basis: str = BEIJING) -> list[str]:
    stem = "（地方·北京）在公共场所随地吐痰的，可处____元罚款。"
    return [code, "fill", stem, "", "", "", "", "", "", "五十|50", "2", basis, "地方", "易",
            "第五十二条第二款。", version]  # fmt: skip


def header(en_header: list[str]) -> list[str]:
    return [*en_header, "version"]


def problems(path: Path) -> str:
    with pytest.raises(InputErrors) as caught:
        parse_bank(path)
    return str(caught.value)


def test_local_items_need_a_valid_version(tmp_path, bank_rows, en_header, csv_file) -> None:  # type: ignore[no-untyped-def]
    """Is a 地方· item (or one citing a local regulation) without a valid 法规版本 refused?"""
    plain = [[*row, ""] for row in bank_rows]
    missing = csv_file(tmp_path / "a.csv", header(en_header), [*plain, local_row(version="")])
    assert "法规版本" in problems(missing) and "必须填写" in problems(missing)
    cited = local_row(version="")
    cited[2] = "随地吐痰的，可处____元罚款。"  # no 地方· mark, but the basis is local
    assert "必须填写" in problems(csv_file(tmp_path / "b.csv", header(en_header), [cited]))
    bad = csv_file(tmp_path / "c.csv", header(en_header), [local_row(version="2021-13-01")])
    assert "格式不正确" in problems(bad)
    two = local_row(version="2021-09-24|2018-05-24")
    assert "2 个日期" in problems(csv_file(tmp_path / "d.csv", header(en_header), [two]))
    both = local_row(
        version="2021-09-24 | 2018/05/24",
        basis=f"{BEIJING}；《上海市城市管理行政执法条例》第十八条",
    )
    parsed = parse_bank(csv_file(tmp_path / "e.csv", header(en_header), [both, *plain]))
    assert parsed.questions[0].version == "2021-09-24|2018-05-24"
    assert all(q.version == "" for q in parsed.questions[1:])
    # a file without the column still imports when it has no local items
    assert len(parse_bank(csv_file(tmp_path / "f.csv", en_header, bank_rows)).questions) == 13


def test_bank_list_shows_versions_and_export_round_trips(
    workspace, cli, tmp_path, bank_rows, en_header, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Does `bank list` show each local text's version, per bank and per item, and does an
    export re-import without new versions; does a changed version make a new one?"""
    rows = [[*row, ""] for row in bank_rows] + [local_row("L-01"), local_row("L-02")]
    path = csv_file(tmp_path / "local.csv", header(en_header), rows)
    assert cli("bank", "import", path, "--bank", "local", "-w", workspace.workspace).exit_code == 0
    listing = cli("bank", "list", "-w", workspace.workspace).stdout.splitlines()
    line = next(x for x in listing if x.startswith("local\t"))
    assert line == "local\t15\t地方法规版本：《北京市市容环境卫生条例》2021-09-24（2 题）"
    items = cli("bank", "list", "local", "-w", workspace.workspace).stdout.splitlines()
    assert f"L-01\t填空\t2021-09-24\t{BEIJING}" in items
    assert items[0].split("\t")[2] == "—" and len(items) == 15
    exported = tmp_path / "out.xlsx"
    cli("bank", "export", "local", "--out", exported, "-w", workspace.workspace)
    sheet = load_workbook(exported).active
    assert sheet.cell(row=1, column=16).value == "法规版本"
    assert sheet.cell(row=15, column=16).value == "2021-09-24"
    again = cli("bank", "import", exported, "--bank", "local", "-w", workspace.workspace)
    assert "未变 15 题" in again.stdout, again.output
    rows[-1][-1] = "2023-01-01"
    path = csv_file(tmp_path / "local2.csv", header(en_header), rows)
    changed = cli("bank", "import", path, "--bank", "local", "-w", workspace.workspace)
    assert "修改 1 题" in changed.stdout, changed.output
    listing = cli("bank", "list", "-w", workspace.workspace).stdout.splitlines()
    assert next(x for x in listing if x.startswith("local\t")).endswith(
        "《北京市市容环境卫生条例》2021-09-24（1 题）；《北京市市容环境卫生条例》2023-01-01（1 题）"
    )


def bundled_appearance() -> Path:
    return Path(str(resources.files("fazhi.exams").joinpath("banks", "appearance.csv")))


def test_bundled_banks_withdraw_the_outdated_shanghai_items() -> None:
    """Are the 2018 上海市容条例 items gone from the bundled banks, modules and cases (case 14),
    and does every bundled local item carry its text's version?"""
    folder = bundled_appearance().parent
    codes = {q.code: q for p in folder.glob("*.csv") for q in parse_bank(p).questions}
    assert not set(WITHDRAWN) & set(codes)
    for question in codes.values():
        assert "上海市市容环境卫生管理条例" not in question.basis + question.stem, question.code
        if "地方·" in question.stem:
            assert question.version, question.code
    for path in content_files(bundled_root()):  # modules and cases (case 14 withdrawn)
        assert "上海市市容环境卫生管理条例" not in path.read_text(encoding="utf-8"), path.name
        assert "seizure-shanghai" not in path.name


def test_withdrawn_items_leave_an_older_workspace_and_its_exams(workspace, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Does `fazhi init` retire withdrawn items a workspace imported from an older bundled
    bank, so that an exam created afterwards cannot draw them?"""
    source = bundled_appearance()
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    withdrawn = [
        "SR-032", "single", "（地方·上海）随地吐痰的，处罚为：", "甲", "乙", "丙", "", "", "",
        "A", "1", "《上海市城市管理行政执法条例》第十八条", "地方", "易", "旧文本。", "2018-05-24",
    ]  # fmt: skip
    old = [*rows, withdrawn]
    older = tmp_path / "appearance.csv"
    with older.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(old)
    with db.session_scope(workspace) as session:
        store_bank(session, "appearance", parse_bank(older), origin="bundled")
        create_exam(session, ExamPlan(name="old", banks=["appearance"], all_questions=True))
    initialise(workspace.workspace)  # the bundled file no longer has SR-032
    with db.session_scope(workspace) as session:
        bank = session.scalar(select(Bank).where(Bank.name == "appearance"))
        assert bank is not None
        retired = {q.code for q in bank.questions if q.retired}
        assert retired == {"SR-032"}
        create_exam(session, ExamPlan(name="new", banks=["appearance"], all_questions=True))
        drawn = {c.version.code for s in get_exam(session, "new").sections for c in s.candidates}
        assert "SR-032" not in drawn and len(drawn) == len(rows) - 1
        kept = {c.version.code for s in get_exam(session, "old").sections for c in s.candidates}
        assert "SR-032" in kept  # an exam already set keeps what it had


def test_import_refuses_a_local_item_without_version(
    workspace, tmp_path, en_header, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Does `bank import` write nothing when a local item lacks its 法规版本?"""
    path = csv_file(tmp_path / "x.csv", header(en_header), [local_row(version="")])
    with db.session_scope(workspace) as session, pytest.raises(InputErrors):
        import_bank(session, path, "x")
    with db.session_scope(workspace) as session:
        assert session.scalar(select(Bank).where(Bank.name == "x")) is None
