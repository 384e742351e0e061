"""Per-officer papers: the draw and option order (reproducible, complete) and slot scoring
(independent of the order an officer saw, only the drawn question counts, time limit)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from fazhi.kernel.paper import Paper, draw_paper, draw_section, option_order, score_slot

SPEC = {
    "exam": "2026-02",
    "seed": 7,
    "sections": [
        {"type": "single", "points": 1.0, "slots": ["S01", "S02", "S03"],
         "candidates": ["A1", "A2", "A3", "A4", "A5", "A6"]},
        {"type": "multiple", "points": 2.0, "slots": ["S04", "S05"],
         "candidates": ["M1", "M2", "M3"]},
        {"type": "truefalse", "points": 1.0, "slots": ["S06"], "candidates": ["T1", "T2"]},
    ],
    "questions": {
        **{f"A{i}": {"stem": f"单选{i}", "options": list("甲乙丙丁")} for i in range(1, 7)},
        **{f"M{i}": {"stem": f"多选{i}", "options": list("甲乙丙丁戊")} for i in range(1, 4)},
        "T1": {"stem": "判断1", "options": []},
        "T2": {"stem": "判断2", "options": []},
    },
}  # fmt: skip
OFFICERS = [f"CG{n:04d}" for n in range(1, 61)]


def sheet(
    officer: str | None, answers: dict[str, Any], *, started: str = "2026-02-01T01:00:00+00:00"
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "started_at": started,
        "answers": {code: {"value": value, "at": started} for code, value in answers.items()},
    }
    if officer is not None:
        data["officer"] = officer
    return data


def test_draw_is_reproducible_and_complete() -> None:
    """Does every officer get each slot filled by a distinct candidate, the same every time?"""
    for officer in OFFICERS:
        drawn = draw_paper(SPEC, officer)
        assert drawn == draw_paper(json.loads(json.dumps(SPEC)), officer)
        assert set(drawn) == {"S01", "S02", "S03", "S04", "S05", "S06"}
        for section in SPEC["sections"]:
            chosen = [drawn[slot] for slot in section["slots"]]
            assert len(set(chosen)) == len(chosen)
            assert set(chosen) <= set(section["candidates"])


def test_draw_depends_on_officer_and_seed_not_listing_order() -> None:
    """Do papers differ between officers and seeds, but not with the order candidates are listed?"""
    papers = {tuple(draw_paper(SPEC, o).values()) for o in OFFICERS}
    assert len(papers) > 30
    reseeded = {**SPEC, "seed": 8}
    assert any(draw_paper(SPEC, o) != draw_paper(reseeded, o) for o in OFFICERS)
    shuffled = json.loads(json.dumps(SPEC))
    for section in shuffled["sections"]:
        section["candidates"].reverse()
    assert all(draw_paper(SPEC, o) == draw_paper(shuffled, o) for o in OFFICERS)
    # every candidate is drawn by someone: the pool is really used
    used = {code for o in OFFICERS for code in draw_paper(SPEC, o).values()}
    assert used == set(SPEC["questions"])


def test_option_order_is_a_reproducible_permutation() -> None:
    """Is each officer's option order a permutation of the options, stable, and varied?"""
    orders = set()
    for officer in OFFICERS:
        order = option_order(exam="2026-02", seed=7, officer=officer, code="A1", count=4)
        assert sorted(order) == list("ABCD")
        assert order == option_order(exam="2026-02", seed=7, officer=officer, code="A1", count=4)
        orders.add(order)
    assert len(orders) > 10


def keys_for(section: dict[str, Any], key: str) -> dict[str, str]:
    return dict.fromkeys(section["candidates"], key)


def slot_score(data: dict[str, Any], slot: str, **extra: Any) -> float:
    section = next(s for s in SPEC["sections"] if slot in s["slots"])
    arguments = {
        "exam": SPEC["exam"],
        "seed": SPEC["seed"],
        "section": section["slots"],
        "kind": section["type"],
        "points": section["points"],
        "keys": keys_for(
            section, {"single": "B", "multiple": "ACD", "truefalse": "正确"}[section["type"]]
        ),
    }
    return score_slot(data, slot, **{**arguments, **extra})


def test_scores_do_not_depend_on_option_order() -> None:
    """Do two officers who saw the options in different orders, answering the same canonical
    letters, score the same — and is a strict subset of a multiple-choice key half marks?"""
    for officer in OFFICERS[:10]:
        drawn = draw_paper(SPEC, officer)
        full = sheet(
            officer,
            {drawn["S01"]: "B", drawn["S04"]: "ACD", drawn["S05"]: "AC", drawn["S06"]: "对"},
        )
        assert slot_score(full, "S01") == 1.0
        assert slot_score(full, "S04") == 2.0
        assert slot_score(full, "S05") == 1.0
        assert slot_score(full, "S06") == 1.0
        assert slot_score(full, "S02") == 0.0  # unanswered


def test_only_the_drawn_question_counts() -> None:
    """Is an answer to a candidate the officer did not draw ignored (and no officer → 0)?"""
    officer = OFFICERS[0]
    drawn = draw_paper(SPEC, officer)
    others = [c for c in SPEC["sections"][0]["candidates"] if c not in drawn.values()]
    data = sheet(officer, dict.fromkeys(others, "B"))
    assert [slot_score(data, s) for s in ("S01", "S02", "S03")] == [0.0, 0.0, 0.0]
    anonymous = sheet(None, {drawn["S01"]: "B"})
    assert slot_score(anonymous, "S01") == 0.0
    impostor = sheet(OFFICERS[1], {drawn["S01"]: "B"})
    assert slot_score(impostor, "S01") == (
        1.0 if draw_paper(SPEC, OFFICERS[1])["S01"] == drawn["S01"] else 0.0
    )


def test_time_limit_applies_to_slots() -> None:
    """Does an answer given after started_at + limit not count, and one within it count?"""
    officer = OFFICERS[2]
    drawn = draw_paper(SPEC, officer)
    data = sheet(officer, {drawn["S01"]: "B", drawn["S02"]: "B"})
    data["answers"][drawn["S02"]]["at"] = "2026-02-01T02:00:01+00:00"
    data["answers"][drawn["S01"]]["at"] = "2026-02-01T01:59:59+00:00"
    assert slot_score(data, "S01", limit_minutes=60) == 1.0
    assert slot_score(data, "S02", limit_minutes=60) == 0.0
    assert slot_score(data, "S02") == 1.0


class RecordingSheet:
    """Stands in for ``Sheet``: records the widget calls ``Paper.show`` makes."""

    read_only = False

    def __init__(self, folder: Path) -> None:
        self.path = folder / "2026-02.answers.json"
        self.calls: list[tuple[str, str, Any]] = []

    def single(self, code: str, *, options: dict[str, str]) -> None:
        self.calls.append(("single", code, options))

    def multiple(self, code: str, *, options: dict[str, str]) -> None:
        self.calls.append(("multiple", code, options))

    def truefalse(self, code: str) -> None:
        self.calls.append(("truefalse", code, None))


def test_paper_shows_the_officers_draw_in_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does Paper record nbgrader's user id once, show that officer's question, and hand the
    widget canonical letters in the officer's order?"""
    (tmp_path / "paper.json").write_text(json.dumps(SPEC, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr("nbgrader.utils.get_osusername", lambda: "CG0042")
    recorder = RecordingSheet(tmp_path)
    paper = Paper(recorder)
    assert json.loads(recorder.path.read_text(encoding="utf-8"))["officer"] == "CG0042"
    for slot in ("S01", "S04", "S06"):
        paper.show(slot)
    drawn = draw_paper(SPEC, "CG0042")
    (kind1, code1, options1), (kind4, code4, options4), (kind6, code6, _) = recorder.calls
    assert (kind1, code1, kind4, code4, kind6, code6) == (
        "single",
        drawn["S01"],
        "multiple",
        drawn["S04"],
        "truefalse",
        drawn["S06"],
    )
    assert "".join(options1) == option_order(
        exam="2026-02", seed=7, officer="CG0042", code=code1, count=4
    )
    assert options1 == {c: "甲乙丙丁"["ABCD".index(c)] for c in options1}
    assert sorted(options4) == list("ABCDE")
    monkeypatch.setattr("nbgrader.utils.get_osusername", lambda: "someone-else")
    assert Paper(RecordingSheet(tmp_path)).officer == "CG0042"  # recorded once, never re-guessed


def test_grading_never_guesses_the_officer(tmp_path: Path) -> None:
    """Under nbgrader's execution (read-only sheet) with no officer recorded, is nothing drawn?"""
    (tmp_path / "paper.json").write_text(json.dumps(SPEC, ensure_ascii=False), encoding="utf-8")
    recorder = RecordingSheet(tmp_path)
    recorder.read_only = True
    paper = Paper(recorder)
    assert paper.officer == "" and paper.drawn == {}
    assert not recorder.path.exists()


def test_draw_section_needs_enough_candidates() -> None:
    """Is a section with fewer candidates than slots refused?"""
    with pytest.raises(ValueError):
        draw_section(exam="x", seed=1, officer="o", slots=["S01", "S02"], candidates=["A"])


def test_started_at_is_utc_aware() -> None:
    """Is a naive started_at read as UTC (as fazhi.kernel.answers writes it)?"""
    officer = OFFICERS[3]
    drawn = draw_paper(SPEC, officer)
    data = sheet(officer, {drawn["S01"]: "B"}, started="2026-02-01T01:00:00")
    data["answers"][drawn["S01"]]["at"] = (
        dt.datetime(2026, 2, 1, 1, 30, tzinfo=dt.UTC)
    ).isoformat()
    assert slot_score(data, "S01", limit_minutes=45) == 1.0
    assert slot_score(data, "S01", limit_minutes=20) == 0.0
