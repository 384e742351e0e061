"""The change log of a regrade: every officer and item whose automatic score changed.

Before and after grading, the automatic scores of the assignment are read from the gradebook;
the differences for the officers graded in this run are written to
``grading-logs/<assignment>/<time>-regrade.csv`` in the course directory (UTF-8 with BOM, so
Excel opens it) and summarised on screen. A manual score, where a grader gave one, still takes
precedence in nbgrader and is listed alongside.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import (
    BaseCell,
    Grade,
    Notebook,
    SubmittedAssignment,
    SubmittedNotebook,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from .snapshot import AssignmentSnapshot

GradeKey = tuple[str, str, str]  # officer, notebook, item (grade id)
COLUMNS = [
    "officer_id",
    "notebook",
    "item",
    "old_score",
    "new_score",
    "delta",
    "max_score",
    "manual_score",
]


@dataclass(frozen=True)
class ScoreChange:
    officer: str
    notebook: str
    item: str
    old: float | None
    new: float | None
    max_score: float
    manual: float | None

    @property
    def delta(self) -> float:
        return (self.new or 0.0) - (self.old or 0.0)


@dataclass(frozen=True)
class StoredGrade:
    auto_score: float | None
    manual_score: float | None


def capture(db: Session, snapshot: AssignmentSnapshot) -> dict[GradeKey, StoredGrade]:
    """The assignment's automatic (and manual) scores as they are in the gradebook now."""
    query = (
        select(
            SubmittedAssignment.student_id,
            Notebook.name,
            BaseCell.name,
            Grade.auto_score,
            Grade.manual_score,
        )
        .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
        .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
        .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
        .join(BaseCell, Grade.cell_id == BaseCell.id)
        .where(SubmittedAssignment.assignment_id == snapshot.id)
    )
    return {
        (officer, notebook, item): StoredGrade(auto, manual)
        for officer, notebook, item, auto, manual in db.execute(query)
    }


def changes(
    before: dict[GradeKey, StoredGrade],
    after: dict[GradeKey, StoredGrade],
    officers: set[str],
    snapshot: AssignmentSnapshot,
) -> list[ScoreChange]:
    """Items of already graded officers whose automatic score differs after the run."""
    maxima = {
        (nb.name, cell.name): cell.max_score
        for nb in snapshot.notebooks.values()
        for cell in [*nb.grade_cells, *nb.task_cells]
    }
    found = []
    for key, new in sorted(after.items()):
        officer, notebook, item = key
        old = before.get(key)
        if officer not in officers or old is None or old.auto_score is None:
            continue
        if old.auto_score != new.auto_score:
            found.append(
                ScoreChange(
                    officer,
                    notebook,
                    item,
                    old.auto_score,
                    new.auto_score,
                    maxima.get((notebook, item), 0.0),
                    new.manual_score,
                )
            )
    return found


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def write_change_log(path: Path, found: list[ScoreChange]) -> None:
    """UTF-8 with BOM and CRLF (opened in Excel), formula-safe like every report."""
    import pandas as pd

    from fazhi.reporting.csv_writer import write_csv

    rows = [
        [
            change.officer,
            change.notebook,
            change.item,
            _number(change.old),
            _number(change.new),
            _number(change.delta),
            _number(change.max_score),
            _number(change.manual),
        ]
        for change in found
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(pd.DataFrame(rows, columns=COLUMNS, dtype=object), path, bom=True, crlf=True)


def describe(found: list[ScoreChange], *, limit: int = 10) -> list[str]:
    """Chinese summary lines: how many officers and items changed, the largest changes."""
    if not found:
        return ["重新评分：所有已评分队员的自动得分均无变化。"]
    per_officer: dict[str, float] = defaultdict(float)
    per_item: dict[str, int] = defaultdict(int)
    for change in found:
        per_officer[change.officer] += change.delta
        per_item[change.item] += 1
    lines = [
        f"重新评分：{len(per_officer)} 名队员、{len(per_item)} 个题目的自动得分有变化"
        f"（共 {len(found)} 处）。"
    ]
    items = "，".join(f"{item}（{n} 人）" for item, n in sorted(per_item.items())[:limit])
    lines.append(f"  变化的题目：{items}")
    largest = sorted(per_officer.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:limit]
    lines.append("  总分变化最大：" + "，".join(f"{o} {d:+g}" for o, d in largest))
    if any(change.manual is not None for change in found):
        lines.append("  注意：部分题目已有人工评分，nbgrader 以人工分为准。")
    return lines
