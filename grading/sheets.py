"""Answer-sheet checks before grading: whose paper the sheet claims, and whether it was started.

An officer controls only their own ``<sheet>.answers.json``. Two edits of it must not pay:
naming another officer in ``officer`` (per-officer papers are drawn from it, so the answers
would be scored on that officer's paper) and handing in a timed exam with no start time
(a copy of somebody else's folder, or a sheet never opened). The first is undone in the
autograded copy -- the submitting officer's own paper is graded -- and both are reported to
the trainer in ``fazhi grade``'s summary. A sheet without a start scores 0 on timed items by
the scoring rules themselves (``fazhi.kernel.scoring.counted_response``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fazhi.kernel.answers import load_sheet, save_sheet, sheet_path
from fazhi.kernel.paper import OFFICER_KEY

from .declarative import MethodCall, Setup, classify
from .sanitize import TamperEvent, runs_no_officer_code
from .snapshot import AssignmentSnapshot


@dataclass(frozen=True)
class SheetRule:
    """One contract notebook's answer sheet and whether any of its items is timed."""

    notebook: str
    sheet: str
    timed: bool


def sheet_rules(snapshot: AssignmentSnapshot) -> list[SheetRule]:
    """The answer sheets of the assignment's contract notebooks (from the master cells)."""
    rules = []
    for name, info in snapshot.notebooks.items():
        if not runs_no_officer_code(info):
            continue
        statements = [classify(c.source) for c in info.source_cells if c.cell_type == "code"]
        setup = next(s for s in statements if isinstance(s, Setup))
        timed = any(
            isinstance(s, MethodCall)
            and s.method == "score"
            and dict(s.kwargs).get("limit_minutes") is not None
            for s in statements
        )
        rules.append(SheetRule(notebook=name, sheet=setup.sheet, timed=timed))
    return rules


def same_officer(a: str, b: str) -> bool:
    """Officer ids compare like the hub maps user names: case- and width-insensitively."""
    return (
        unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()
    )


def _started(value: object) -> bool:
    try:
        dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return False
    return isinstance(value, str)


def check_sheets(rules: list[SheetRule], directory: Path, student: str) -> list[TamperEvent]:
    """Check (and where needed repair) the answer sheets in an autograded folder."""
    events = []
    for rule in rules:
        path = sheet_path(rule.sheet, directory)
        if path.is_symlink() or not path.is_file():
            continue
        data = load_sheet(path)
        claimed = data.get(OFFICER_KEY)
        if isinstance(claimed, str) and claimed and not same_officer(claimed, student):
            data[OFFICER_KEY] = student
            path.unlink()  # a fresh file: never write through whatever the officer left there
            save_sheet(path, data)
            events.append(TamperEvent(rule.notebook, path.name, "officer"))
        if rule.timed and not _started(data.get("started_at")):
            events.append(TamperEvent(rule.notebook, path.name, "no_start"))
    return events
