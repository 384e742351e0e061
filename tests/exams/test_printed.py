"""``fazhi exam papers``: printed papers as each officer sees them, and answer sheets that
``import-answers`` reads back."""

from __future__ import annotations

import csv
import re
import zlib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fazhi import db
from fazhi.exams.draws import officer_paper
from fazhi.exams.exam import get_exam
from fazhi.exams.printed import SHEET_LABELS
from fazhi.exams.submissions import parse_answer_sheets
from fazhi.kernel.scoring import CHOICE_LETTERS

pytestmark = pytest.mark.db
BLUEPRINT = ["--count", "单选=3", "--count", "多选=2", "--count", "判断=1", "--count", "简答=1"]


def _create(cli, ws: Path, bank: str, *mode: str) -> None:  # type: ignore[no-untyped-def]
    window = ["--opens", "2026-03-01 09:00", "--closes", "2026-03-10 18:00", "--minutes", "60"]
    result = cli("exam", "create", "p1", "--bank", bank, *mode, *window, "-w", ws)
    assert result.exit_code == 0, result.output


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_html_papers_follow_each_officers_draw(workspace, cli, test_bank, roster, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Does each officer's printed paper list their own questions, in their order, with the
    option letters they would see on screen, one page run per officer?"""
    ws = workspace.workspace
    _create(cli, ws, test_bank, *BLUEPRINT)
    out = tmp_path / "papers.html"
    result = cli("exam", "papers", "p1", "--format", "html", "--out", out, "-w", ws)
    assert result.exit_code == 0, result.output
    assert "已生成 4 人的试卷" in result.stdout  # CG005 left in 2020
    page = out.read_text(encoding="utf-8")
    sections = page.split("<section class='paper'>")[1:]
    assert len(sections) == 4 and "break-after: page" in page
    with db.session_scope(workspace) as session:
        exam = get_exam(session, "p1")
        for officer, section in zip(("CG001", "CG002", "CG003", "CG004"), sections, strict=True):
            assert f"工号：<b>{officer}</b>" in section
            positions = []
            for item in officer_paper(exam, officer):
                stem = item.version.stem
                positions.append(section.index(f"<b>{item.slot.number}．</b>{stem}"))
                for shown, canonical in zip(CHOICE_LETTERS, item.options, strict=False):
                    text = item.version.options[CHOICE_LETTERS.index(canonical)]
                    assert f"{shown}．{text}</div>" in section
            assert positions == sorted(positions)
    assert "一、单选题（共 3 题，每题 1 分）" in page and "答题时限 60 分钟" in page
    assert "参考答案" not in page and "解析" not in page


def test_answer_sheet_round_trips_through_import(
    workspace, cli, test_bank, roster, tmp_path, keys
) -> None:  # type: ignore[no-untyped-def]
    """Is the pre-filled answer sheet (CSV and XLSX) the officers' papers in order, and once
    filled in with bank letters, accepted by the answer-sheet importer?"""
    ws = workspace.workspace
    _create(cli, ws, test_bank, "--all")
    out = tmp_path / "sheet.csv"
    assert (
        cli(
            "exam",
            "papers",
            "p1",
            "--format",
            "csv",
            "--out",
            out,
            "--officer",
            "CG002",
            "--officer",
            "CG001",
            "-w",
            ws,
        ).exit_code
        == 0
    )
    rows = _read_csv(out)
    assert rows[0] == SHEET_LABELS
    with db.session_scope(workspace) as session:
        exam = get_exam(session, "p1")
        expected = [
            (officer, str(item.slot.number), item.version.code)
            for officer in ("CG002", "CG001")
            for item in officer_paper(exam, officer)
        ]
        mappings = {
            (officer, item.version.code): item.options
            for officer in ("CG002", "CG001")
            for item in officer_paper(exam, officer)
        }
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == expected
    for row in rows[1:]:
        order = mappings[row[0], row[3]]
        assert row[5] == " ".join(f"{CHOICE_LETTERS[i]}={c}" for i, c in enumerate(order))
        assert row[6] == ""
        row[6] = keys[row[3]].split("|")[0]
    filled = tmp_path / "filled.csv"
    with filled.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with db.session_scope(workspace) as session:
        sittings = parse_answer_sheets(session, workspace, get_exam(session, "p1"), filled)
    assert sorted(s.officer for s in sittings) == ["CG001", "CG002"]
    assert all(len(s.answers) == 13 for s in sittings)

    book_path = tmp_path / "sheet.xlsx"
    assert (
        cli("exam", "papers", "p1", "--format", "xlsx", "--out", book_path, "-w", ws).exit_code == 0
    )
    sheet = load_workbook(book_path)["答题卡"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == SHEET_LABELS and len(values) == 1 + 4 * 13
    assert sheet["A2"].number_format == "@"


def test_all_mode_papers_shuffle_options_per_officer(
    workspace, cli, test_bank, roster, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """In an --all exam (same questions for everyone), do officers still get different option
    orders, so always answering A does not pass?"""
    ws = workspace.workspace
    _create(cli, ws, test_bank, "--all")
    with db.session_scope(workspace) as session:
        exam = get_exam(session, "p1")
        orders = {
            officer: tuple(item.options for item in officer_paper(exam, officer))
            for officer in ("CG001", "CG002", "CG003", "CG004")
        }
        keys_at_a = {
            officer: sum(
                1
                for item in officer_paper(exam, officer)
                if item.version.type == "single" and item.options[0] == item.version.answer
            )
            for officer in orders
        }
    assert len(set(orders.values())) == 4
    assert all(len(order) == 4 for paper in orders.values() for order in paper if order)
    assert keys_at_a != {officer: 1 for officer in orders}  # bank: only T-03's key is A


def test_unknown_officer_and_format_are_refused(
    workspace, cli, test_bank, roster, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Are an officer not on the roster and an unknown format refused with a message?"""
    ws = workspace.workspace
    _create(cli, ws, test_bank, "--all")
    result = cli(
        "exam", "papers", "p1", "--officer", "CG999", "--out", tmp_path / "x.html", "-w", ws
    )
    assert result.exit_code != 0 and "名册中没有工号：CG999" in result.stderr
    result = cli("exam", "papers", "p1", "--format", "doc", "--out", tmp_path / "x.doc", "-w", ws)
    assert result.exit_code != 0 and re.search("doc", result.output)


def _pdf_streams(data: bytes) -> list[bytes]:
    """The PDF's streams, inflated (fpdf2 compresses them with zlib)."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    return streams


@pytest.mark.slow  # fpdf2 subsets the 16 MB CJK font: ~10 s
def test_pdf_papers_embed_the_chinese_font(workspace, cli, test_bank, roster, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Is the PDF a page run per officer with the CJK font embedded, so Chinese prints on any
    machine, and does it map the glyphs back to the paper's Chinese text?"""
    ws = workspace.workspace
    _create(cli, ws, test_bank, *BLUEPRINT)
    out = tmp_path / "papers.pdf"
    result = cli("exam", "papers", "p1", "--format", "pdf", "--out", out, "-w", ws)
    assert result.exit_code == 0 and "已生成 4 人的试卷" in result.stdout
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"NotoSansCJKSC" in data and b"/FontFile3" in data
    assert int(re.search(rb"/Count (\d+)", data)[1]) >= 4  # each officer starts a new page
    cmap = b"".join(s for s in _pdf_streams(data) if b"beginbfchar" in s or b"beginbfrange" in s)
    for char in "工号姓名单选题王伟李娜的题干":
        assert f"{ord(char):04X}".encode() in cmap.upper(), char
