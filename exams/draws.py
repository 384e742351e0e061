"""Each officer's paper: which question version fills each slot, in which option order.

Rebuilt from (exam, officer, seed) with ``exams.paper``'s draw — the same function the
officer's kernel and the hidden test cells use — and stored in ``Paper`` once the officer sits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.kernel.paper import draw_section, option_order
from fazhi.models import Officer
from fazhi.models.bank import QuestionVersion
from fazhi.models.exam import Exam, Paper

from .compile import Slot, slots_of


@dataclass(frozen=True)
class PaperItem:
    slot: Slot
    version: QuestionVersion
    options: str  # canonical letters in the order shown ("" for non-choice questions)


def officer_paper(exam: Exam, officer: str) -> list[PaperItem]:
    """The officer's paper, slot by slot (every officer has the same slots)."""
    slots = slots_of(exam)
    items = []
    for section in exam.sections:
        versions = {c.version.code: c.version for c in section.candidates}
        section_slots = [s for s in slots if s.section is section]
        if exam.mode == "all":
            drawn = {section_slots[0].code: next(iter(versions))}
        else:
            drawn = draw_section(
                exam=exam.name,
                seed=exam.seed,
                officer=officer,
                slots=[s.code for s in section_slots],
                candidates=list(versions),
            )
        for slot in section_slots:
            version = versions[drawn[slot.code]]
            order = ""
            if version.type in ("single", "multiple"):  # shuffled per officer in every mode
                order = option_order(
                    exam=exam.name,
                    seed=exam.seed,
                    officer=officer,
                    code=version.code,
                    count=len(version.options),
                )
            items.append(PaperItem(slot=slot, version=version, options=order))
    return items


def record_papers(session: Session, exam: Exam, officers: Iterable[str]) -> int:
    """Store the papers of officers who sat (once); returns how many were added."""
    wanted = set(officers)
    have = set(
        session.scalars(
            select(Officer.officer_id)
            .join(Paper, Paper.officer_id == Officer.id)
            .where(Paper.exam_id == exam.id)
        )
    )
    ids = dict(session.execute(select(Officer.officer_id, Officer.id)).tuples().all())
    now = dt.datetime.now(dt.UTC)
    added = 0
    for officer in sorted(wanted - have):
        if officer not in ids:
            continue
        items = [
            {
                "slot": item.slot.code,
                "question": item.version.code,
                "version_id": item.version.id,
                "options": item.options,
            }
            for item in officer_paper(exam, officer)
        ]
        session.add(Paper(exam_id=exam.id, officer_id=ids[officer], items=items, created_at=now))
        added += 1
    session.flush()
    return added
