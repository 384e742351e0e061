"""Exam audiences in the compliance engine: an exam counts only for officers in its audience."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from fazhi.audience import AudienceRule, AudienceSpec, draw_sample

from .helpers import evaluate_rows, officer, roster

EXAMS = pd.DataFrame(
    [("ALL", dt.date(2026, 3, 31), None), ("SPOT", dt.date(2026, 3, 31), None)],
    columns=["exam", "closes", "makeup_of"],
)
NO_PASSES = pd.DataFrame(columns=["exam", "officer_id"])


def _required(people: pd.DataFrame, rule: AudienceRule) -> dict[str, int]:
    result = evaluate_rows(
        people, [], as_of="2026-04-30", exams=EXAMS, passes=NO_PASSES, audiences={"SPOT": rule}
    )
    return result.summary.set_index("officer_id")["exams_required"].to_dict()


def test_sampled_exam_counts_only_for_the_drawn_officers() -> None:
    """Is a sampled exam required only of the drawn officers, whatever else is on the roster?"""
    people = roster(officer("A"), officer("B"), officer("C"))
    rule = AudienceRule(AudienceSpec(sample_size=1), frozenset({"B"}))
    assert _required(people, rule) == {"A": 1, "B": 2, "C": 1}


def test_role_unit_and_new_hire_criteria_apply_together() -> None:
    """Do roles, unit subtrees and new hires (joined within N days of the closing date) all
    have to hold?"""
    people = roster(
        officer("L1", role="leader", unit="局/东城大队/一中队"),
        officer("L2", role="leader", unit="局/西城大队"),
        officer("S1", unit="局/东城大队"),
        officer("N1", unit="局/东城大队", since="2026-03-01"),
        officer("N2", unit="局/东城大队", since="2025-06-01"),
    )
    leaders_east = AudienceRule(AudienceSpec(roles=("leader",), units=("局/东城大队",)), None)
    assert _required(people, leaders_east) == {"L1": 2, "L2": 1, "S1": 1, "N1": 1, "N2": 1}
    new_hires = AudienceRule(AudienceSpec(new_hire_days=90), None)
    assert _required(people, new_hires) == {"L1": 1, "L2": 1, "S1": 1, "N1": 2, "N2": 1}


def test_sample_draw_is_reproducible() -> None:
    """Does the same seed draw the same officers, whatever order the 工号 come in?"""
    ids = [f"CG{n:03d}" for n in range(60)]
    first = draw_sample(ids, 5, 7)
    assert first == draw_sample(list(reversed(ids)), 5, 7) and len(set(first)) == 5
    assert first != draw_sample(ids, 5, 8)
