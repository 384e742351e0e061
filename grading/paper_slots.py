"""Per-officer exam papers (docs/exams.md §4) for the kernel-free path.

A blueprint exam's notebook adds ``paper = Paper(sheet)`` after the setup cell, shows each slot
with ``paper.show("S01")`` and scores it with ``paper.score("S01", exam=..., seed=...,
section=[...], kind=..., keys={...}, points=..., limit_minutes=...)``. In the kernel,
``Paper.score`` is ``fazhi.kernel.paper.score_slot`` of the answer sheet -- the function the
exams package documents for kernel-free grading, used here through that public name only.

``Paper(sheet)`` itself reads ``paper.json`` beside the notebook and rebuilds the officer's
draw; when that fails in the kernel, every ``paper.score`` cell after it fails too (0 points).
``prepare_paper`` therefore repeats those reads and hands the notebook to a kernel when any of
them would fail.
"""

from __future__ import annotations

import inspect
from functools import cache
from pathlib import Path
from typing import Any

from fazhi.kernel import paper as kernel_paper

PAPER_MODULE = kernel_paper.__name__
PAPER_CLASS = "Paper"
WIDGET_METHODS = frozenset({"show"})


@cache
def keywords() -> frozenset[str]:
    """The keyword arguments ``paper.score`` passes on to ``score_slot``."""
    signature = inspect.signature(kernel_paper.score_slot)
    return frozenset(
        name
        for name, param in signature.parameters.items()
        if param.kind is inspect.Parameter.KEYWORD_ONLY
    )


def prepare_paper(directory: Path, sheet: dict[str, Any]) -> None:
    """What ``Paper(sheet)`` reads and computes in the kernel (raises where it would)."""
    module = kernel_paper
    spec = module.load_spec(directory / module.PAPER_FILE)
    officer = sheet.get(module.OFFICER_KEY)
    if isinstance(officer, str) and officer:
        module.draw_paper(spec, officer)
    module.slot_numbers(spec)


def score_paper(sheet: dict[str, Any], slot: str, **arguments: Any) -> float:
    score: float = kernel_paper.score_slot(sheet, slot, **arguments)
    return score
