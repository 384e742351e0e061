"""Attacks on grading by a hostile officer, replayed against ``fazhi grade``.

Each test hands in what an officer could hand in -- an added code cell that rewrites the
scoring or reads the keys, code that looks around the grader's machine, an answer sheet
naming another officer, a timed exam never started -- and checks that it does not pay and
that the trainer is told.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "grading"))
import gradekit as gk

from fazhi.grading.grade import grade
from fazhi.kernel import paper as kernel_paper
from fazhi.kernel.answers import load_sheet, save_sheet, sheet_path
from fazhi.settings import Settings

pytestmark = pytest.mark.slow

PAPER = "bp1"
REWRITE_SCORING = "import fazhi.kernel.paper as p\np.score_slot = lambda *a, **k: k['points']"
STEAL_KEYS = (
    "import pathlib\n"
    "keys = pathlib.Path('../../../source/bp1/bp1.ipynb').read_text(encoding='utf-8')\n"
    "pathlib.Path('../../../stolen.txt').write_text(keys, encoding='utf-8')"
)


def _add_cell(root: Path, officer: str, source: str, *, position: int) -> None:
    path = root / "submitted" / officer / PAPER / f"{PAPER}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(position, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)


def _wrong_paper(officer_id: str) -> gk.Officer:
    """Every candidate answered wrongly (so any score above 0 comes from somewhere else)."""
    officer = gk.Officer(officer_id)
    for kind, _points, _slots, keys in gk.PAPER_SECTIONS:
        for code, key in keys.items():
            outside = next(letter for letter in "ABCD" if letter not in key)  # never credited
            officer.answers[code] = (
                outside if kind != "truefalse" else "错误" if key == "正确" else "正确"
            )
            officer.minutes[code] = 5.0
    return officer


def test_added_cells_are_dropped_not_executed(workspace: Settings) -> None:
    """Does an officer's added cell that rewrites ``score_slot`` (or copies the keys out of
    source/) give no marks, run neither without nor with a kernel, and show up as tampering in
    the summary?"""
    root = workspace.workspace
    gk.paper_course(root, PAPER)
    for officer_id in ("CG0001", "CG0002"):
        gk.submit_paper(root, PAPER, _wrong_paper(officer_id))
    _add_cell(root, "CG0001", REWRITE_SCORING, position=3)
    _add_cell(root, "CG0002", STEAL_KEYS, position=3)
    # no answer sheet: CG0002's notebook is executed by a kernel, which must not run the cell
    sheet_path(PAPER, root / "submitted" / "CG0002" / PAPER).unlink()

    report = grade(workspace=root, assignment=PAPER, progress=False)

    assert report.scores == {"CG0001": 0.0, "CG0002": 0.0}
    assert not (root / "stolen.txt").exists()
    events = {o.student: {e.attribute for e in o.tampered} for o in report.outcomes}
    assert events == {"CG0001": {"added"}, "CG0002": {"added"}}
    assert {o.student: o.mode for o in report.outcomes}["CG0002"] == "kernel"
    summary = report.summary()
    assert "CG0001：bp1/" in summary and "新增的代码单元（已删除，未执行）" in summary
    for officer_id in ("CG0001", "CG0002"):
        graded = root / "autograded" / officer_id / PAPER / f"{PAPER}.ipynb"
        sources = [c.source for c in nbformat.read(graded, as_version=4).cells]
        assert REWRITE_SCORING not in sources and STEAL_KEYS not in sources


SNOOP = """import json, os, pathlib
seen = {
    "db_url": sorted(k for k in os.environ if k.startswith("FAZHI")),
    "home": os.environ.get("HOME"),
    "cwd": os.getcwd(),
    "source": pathlib.Path("../../../source").exists(),
    "gradebook": pathlib.Path("../../../gradebook.db").exists(),
    "others": pathlib.Path("../../../submitted").exists(),
}
pathlib.Path("seen.json").write_text(json.dumps(seen))
def add(a, b):
    return a + b"""


def test_code_exercises_run_in_a_copy_of_the_submission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does a code exercise's kernel run outside the course directory, without the
    workspace's settings, so officer code cannot reach source/, the gradebook or others'
    work -- while the files it writes still land in its autograded folder?"""
    monkeypatch.setenv("FAZHI_DB_URL", "sqlite:////secret/fazhi.db")
    root = tmp_path / "course"
    gk.plain_course(root, timeout=10)
    gk.submit_code(root, "s01", SNOOP)
    gk.submit_code(root, "s02", "def add(a, b):\n    return a + b")

    report = grade(workspace=root, assignment="ps1", workers=1, progress=False)

    assert not report.failed
    seen = json.loads((root / "autograded" / "s01" / "ps1" / "seen.json").read_text())
    assert seen["db_url"] == []
    assert not seen["source"] and not seen["gradebook"] and not seen["others"]
    assert not Path(seen["cwd"]).resolve().is_relative_to(root.resolve())
    assert Path(seen["home"]) != Path.home()
    assert report.scores["s01"] == report.scores["s02"] > 0


def test_a_sheet_naming_another_officer_is_graded_on_the_own_paper(workspace: Settings) -> None:
    """Is an answer sheet whose ``officer`` was edited to a friend's id (whose paper the
    answers fit) graded on the submitting officer's own paper, and reported?"""
    root = workspace.workspace
    gk.paper_course(root, PAPER)
    spec = json.loads((root / "source" / PAPER / "paper.json").read_text(encoding="utf-8"))
    drawn = kernel_paper.draw_paper(spec, "CG0001")
    keys = {code: key for _, _, _, section in gk.PAPER_SECTIONS for code, key in section.items()}
    friend = gk.Officer("CG0001", {code: keys[code] for code in drawn.values()})
    friend.minutes = dict.fromkeys(friend.answers, 5.0)
    gk.submit_paper(root, PAPER, friend)
    copier = gk.Officer("CG0002", dict(friend.answers), dict(friend.minutes))
    gk.submit_paper(root, PAPER, copier)
    sheet = sheet_path(PAPER, root / "submitted" / "CG0002" / PAPER)
    data = load_sheet(sheet)
    data["officer"] = "CG0001"
    save_sheet(sheet, data)

    report = grade(workspace=root, assignment=PAPER, progress=False)

    own = dict(data, officer="CG0002")
    expected = 0.0
    for kind, points, slots, section in gk.PAPER_SECTIONS:
        for slot in slots:
            expected += kernel_paper.score_slot(
                own,
                slot,
                exam=PAPER,
                seed=11,
                section=slots,
                keys=section,
                kind=kind,
                points=points,
                limit_minutes=60,
            )
    assert report.scores["CG0001"] == report.max_score
    assert report.scores["CG0002"] == expected < report.max_score
    events = {o.student: [(e.cell, e.attribute) for e in o.tampered] for o in report.outcomes}
    assert events == {"CG0001": [], "CG0002": [(f"{PAPER}.answers.json", "officer")]}
    graded = load_sheet(sheet_path(PAPER, root / "autograded" / "CG0002" / PAPER))
    assert graded["officer"] == "CG0002"
    assert "考生工号被改为他人" in report.summary()


def test_a_timed_exam_without_a_start_is_reported(workspace: Settings) -> None:
    """Does a timed exam handed in with no start time (a copied folder, a sheet never
    opened) score nothing on its timed items, and does the trainer see why?"""
    root = workspace.workspace
    items = gk.exam_items(5, limit_minutes=30)  # Q005 is timed
    gk.declarative_course(root, "exam1", items, essay=False)
    right = {i.item_id: gk.RIGHT[i.kind] for i in items}
    for officer_id in ("CG0001", "CG0002"):
        gk.submit_exam(root, "exam1", gk.Officer(officer_id, dict(right), dict.fromkeys(right, 5)))
    sheet = sheet_path("exam1", root / "submitted" / "CG0002" / "exam1")
    data = load_sheet(sheet)
    del data["started_at"]
    save_sheet(sheet, data)

    report = grade(workspace=root, assignment="exam1", progress=False)

    assert report.scores["CG0001"] == report.max_score
    assert report.scores["CG0002"] == report.max_score - items[4].points
    events = {o.student: {e.attribute for e in o.tampered} for o in report.outcomes}
    assert events == {"CG0001": set(), "CG0002": {"no_start"}}
    assert (
        "CG0002：exam1/exam1.answers.json：限时考试没有开始记录（限时题不计分）" in report.summary()
    )
