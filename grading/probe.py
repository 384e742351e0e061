"""The fast path's self-check: a small contract notebook run both ways before any is trusted.

Once per run and kernel (unless ``probe_cache.py`` holds the verdict for the same versions,
kernel and probe), a probe notebook is executed by a real kernel -- the officers' kernel,
with the installed ``fazhi.kernel.sheet`` (and ``fazhi.kernel.paper`` when the assignment has
per-officer papers) -- and by ``DeclarativeExecute``. It has the setup cell and one widget and
one hidden test cell per scoring rule: half credit for a strict subset, full-width letters,
对/错, fill normalisation, ranges, labelled choice, 案卷评查, answers inside and beyond a time
limit, an unanswered item, and for papers drawn slots of two sections. Only the kinds whose
test cells all record identical outputs are scored without kernels in this run; everything
else is executed, as stock nbgrader would. The kernel run also yields the ``language_info``
nbgrader records in each autograded notebook.
"""

from __future__ import annotations

import copy
import json
import logging
import shutil
import tempfile
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from fazhi.kernel.answers import save_sheet, sheet_path

from . import paper_slots
from .declarative import SHEET_CLASS, SHEET_MODULE, DeclarativeExecute, NeedsKernel
from .kernels import KernelPool, KernelRequest, KernelSource, WarmExecute

LOG = logging.getLogger("fazhi.grading")
PROBE_SHEET = "fazhi-probe"
PROBE_OFFICER = "CG-PROBE"
STARTED = "2026-01-05T01:00:00+00:00"
EARLY, IN_TIME, LATE = (f"2026-01-05T01:{m}:00+00:00" for m in ("10", "29", "31"))


@dataclass(frozen=True)
class ProbeItem:
    kind: str  # "sheet" or "paper"
    item_id: str  # item id (sheet) or slot (paper)
    widget: str  # the widget call, e.g. ``single(options=...)``
    score: str  # the score call's keyword arguments

    def widget_cell(self) -> str:
        method, rest = self.widget.split("(", 1)
        rest = rest[:-1]
        return f'{self.kind}.{method}("{self.item_id}"{", " + rest if rest else ""})'

    def score_cell(self) -> str:
        return f'# 自动评分单元（无需操作）\n{self.kind}.score("{self.item_id}", {self.score})'


OPTIONS = '{"A": "甲", "B": "乙", "C": "丙", "D": "丁"}'
LIMITED = 'kind="single", key="C", points=1.0, limit_minutes=30'
SHEET_ITEMS = (
    ProbeItem("sheet", "PRB-1", f"single(options={OPTIONS})", 'kind="single", key="B", points=2.0'),
    ProbeItem("sheet", "PRB-2", "multiple()", 'kind="multiple", key="ACD", points=3.0'),
    ProbeItem("sheet", "PRB-3", "multiple()", 'kind="multiple", key="ACD", points=3.0'),
    ProbeItem("sheet", "PRB-4", "truefalse()", 'kind="truefalse", key="正确", points=1.0'),
    ProbeItem("sheet", "PRB-5", "fill()", 'kind="fill", key="责令改正|责令限期改正", points=1.5'),
    ProbeItem("sheet", "PRB-6", 'number(unit="元")', 'kind="range", low=50, high=200, points=2.0'),
    ProbeItem(
        "sheet", "PRB-7", 'choice(labels=["简易", "一般"])', 'kind="exact", key="一般", points=1.0'
    ),
    ProbeItem(
        "sheet",
        "PRB-8",
        'checklist(items=["甲", "乙", "丙"])',
        'kind="review", key=[0, 2], points=4.0',
    ),
    ProbeItem("sheet", "PRB-9", "single()", LIMITED),
    ProbeItem("sheet", "PRB-10", "single()", LIMITED),
    ProbeItem("sheet", "PRB-11", "single()", 'kind="single", key="A", points=1.0'),
)
SHEET_ANSWERS = {
    "PRB-1": ("ｂ", EARLY),
    "PRB-2": ("CA", EARLY),
    "PRB-3": ("AB", EARLY),
    "PRB-4": ("对", EARLY),
    "PRB-5": (" 责令 改正 ", EARLY),
    "PRB-6": ("１００", EARLY),
    "PRB-7": ("一般", EARLY),
    "PRB-8": ([0, 1, 2], EARLY),
    "PRB-9": ("C", IN_TIME),
    "PRB-10": ("C", LATE),
}
FIRST = '["S01", "S02"]'
FIRST_KEYS = '{"PQ1": "B", "PQ2": "A", "PQ3": "C"}'
SECOND_KEYS = '{"PQ4": "ACD", "PQ5": "B"}'
SLOT = 'exam="PRB", seed=7, section={section}, kind="{kind}", keys={keys}, points={points}'
PAPER_ITEMS = (
    ProbeItem(
        "paper",
        "S01",
        "show()",
        SLOT.format(section=FIRST, kind="single", keys=FIRST_KEYS, points=1.0),
    ),
    ProbeItem(
        "paper",
        "S02",
        "show()",
        SLOT.format(section=FIRST, kind="single", keys=FIRST_KEYS, points=1.0)
        + ", limit_minutes=30",
    ),
    ProbeItem(
        "paper",
        "S03",
        "show()",
        SLOT.format(section='["S03"]', kind="multiple", keys=SECOND_KEYS, points=2.0),
    ),
)
PAPER_ANSWERS = {
    "PQ1": ("B", EARLY),
    "PQ2": ("B", EARLY),
    "PQ3": ("C", LATE),
    "PQ4": ("AC", EARLY),
    "PQ5": ("B", EARLY),
}
PAPER_SPEC = {
    "exam": "PRB",
    "seed": 7,
    "sections": [
        {
            "type": "single",
            "points": 1.0,
            "slots": ["S01", "S02"],
            "candidates": ["PQ1", "PQ2", "PQ3"],
        },
        {"type": "multiple", "points": 2.0, "slots": ["S03"], "candidates": ["PQ4", "PQ5"]},
    ],
    "questions": {f"PQ{n}": {"stem": f"第{n}题", "options": list("甲乙丙丁")} for n in range(1, 6)},
}


@dataclass
class ProbeResult:
    """Which declarative kinds may be scored without a kernel, and what the kernel said."""

    verified: frozenset[str] = frozenset()
    reason: str = ""
    language_info: dict[str, Any] = field(default_factory=dict)


def _items(kinds: frozenset[str]) -> list[ProbeItem]:
    return [*SHEET_ITEMS, *(PAPER_ITEMS if "paper" in kinds else ())]


def probe_notebook(kinds: frozenset[str], kernelspec: dict[str, Any] | None) -> NotebookNode:
    """Setup, (paper,) widget cells, then test cells -- each code cell tagged with its item."""
    setup = f'from {SHEET_MODULE} import {SHEET_CLASS}\nsheet = {SHEET_CLASS}("{PROBE_SHEET}")'
    cells = [new_code_cell(setup)]
    if "paper" in kinds:
        module, cls = paper_slots.PAPER_MODULE, paper_slots.PAPER_CLASS
        paper = f"from {module} import {cls}\npaper = Paper(sheet)"
        cells.append(new_code_cell(paper, metadata={"probe": "paper"}))
    items = _items(kinds)
    for item in items:
        cells.append(new_code_cell(item.widget_cell(), metadata={"probe": item.kind}))
    for item in items:
        meta = {"probe": item.kind, "item": item.item_id}
        cells.append(new_code_cell(item.score_cell(), metadata=meta))
    metadata = {"kernelspec": kernelspec} if kernelspec else {}
    return new_notebook(cells=cells, metadata=metadata)


def _probe_sheet(kinds: frozenset[str]) -> dict[str, Any]:
    answers = {**SHEET_ANSWERS, **(PAPER_ANSWERS if "paper" in kinds else {})}
    sheet: dict[str, Any] = {
        "sheet": PROBE_SHEET,
        "started_at": STARTED,
        "answers": {item: {"value": v, "at": at} for item, (v, at) in answers.items()},
    }
    if "paper" in kinds:
        sheet["officer"] = PROBE_OFFICER
    return sheet


def write_probe_files(directory: Path, kinds: frozenset[str]) -> None:
    if "paper" in kinds:
        (directory / "paper.json").write_text(json.dumps(PAPER_SPEC, ensure_ascii=False), "utf-8")
    save_sheet(sheet_path(PROBE_SHEET, directory), _probe_sheet(kinds))


def probe_content(kinds: frozenset[str], kernelspec: dict[str, Any] | None) -> str:
    """The probe notebook and its files as text: what the verdict cache's key hashes."""
    files = {"sheet": _probe_sheet(kinds), "paper": PAPER_SPEC if "paper" in kinds else None}
    nb = probe_notebook(kinds, kernelspec)
    for index, cell in enumerate(nb.cells):
        cell.id = f"probe-{index}"  # new_code_cell draws random ids
    return json.dumps([nb, files], sort_keys=True, ensure_ascii=False)


def _output_key(output: NotebookNode) -> tuple[Any, ...]:
    text = output.get("data", {}).get("text/plain")
    return (output.get("output_type"), output.get("name"), text, output.get("ename"))


def _scores(nb: NotebookNode) -> dict[tuple[str, str], Any]:
    """(kind, item) -> the recorded outputs of each test cell, without execution counts."""
    found = {}
    for cell in nb.cells:
        if "item" in cell.metadata:
            found[(cell.metadata["probe"], cell.metadata["item"])] = [
                _output_key(o) for o in cell.get("outputs", [])
            ]
    return found


def _restricted(nb: NotebookNode, kinds: frozenset[str]) -> NotebookNode:
    restricted = copy.deepcopy(nb)
    restricted.cells = [c for c in nb.cells if c.metadata.get("probe", "sheet") in kinds]
    return copy.deepcopy(restricted)


def run_probe(
    kernels: KernelSource,
    *,
    config: Config,
    kernel_name: str,
    kinds: frozenset[str],
    kernelspec: dict[str, Any] | None,
    directory: Path,
) -> ProbeResult:
    """Execute the probe in a real kernel and compare with the kernel-free outputs."""
    nb = probe_notebook(kinds, kernelspec)
    fast = copy.deepcopy(nb)
    resources = ResourcesDict(metadata=ResourcesDict(path=str(directory)))
    write_probe_files(directory, kinds)
    execute = WarmExecute(config=config, log=LOG)
    execute.warm = kernels.take(KernelRequest(kernel_name=kernel_name, cwd=str(directory)))
    executed, _ = execute.preprocess(nb, resources)
    language_info = dict(executed.metadata.get("language_info", {}))
    expected = _scores(executed)
    reason = ""
    for attempt in (kinds, frozenset({"sheet"})):
        write_probe_files(directory, kinds)  # the fast path reads the files as submitted
        declarative = DeclarativeExecute(config=config, log=LOG)
        declarative.language_info, declarative.verified = language_info, attempt
        try:
            got = _scores(declarative.preprocess(_restricted(fast, attempt), resources)[0])
        except NeedsKernel as err:
            reason = reason or f"探针未被识别：{err}"
            continue
        wrong = [key for key in got if got[key] != expected.get(key)]
        for key in wrong:
            LOG.warning("probe %s: kernel %s, fast path %s", key, expected.get(key), got[key])
        verified = attempt - {kind for kind, _ in wrong}
        if wrong:
            first = wrong[0]
            reason = f"自检题 {first[1]}：内核输出 {expected.get(first)}，快速评分 {got[first]}"
        if "sheet" in verified:
            return ProbeResult(frozenset(verified), reason, language_info)
    return ProbeResult(frozenset(), reason, language_info)


def _probe_in(kernels: KernelSource, directory: Path, **arguments: Any) -> ProbeResult:
    try:
        return run_probe(kernels, directory=directory, **arguments)
    except Exception as err:  # any failure only disables the fast path
        LOG.warning("declarative probe failed", exc_info=True)
        return ProbeResult(reason=f"自检失败：{err}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def start_probe(
    pool: KernelPool,
    *,
    config: Config,
    kernel_name: str,
    kinds: frozenset[str],
    kernelspec: dict[str, Any] | None,
) -> Future[ProbeResult]:
    """Run the probe for ``kernel_name`` on the pool, in a temporary directory of its own."""
    directory = Path(tempfile.mkdtemp(prefix="fazhi-probe-"))
    request = KernelRequest(kernel_name=kernel_name, cwd=str(directory))

    def job(kernels: KernelSource) -> ProbeResult:
        return _probe_in(
            kernels,
            directory,
            config=config,
            kernel_name=kernel_name,
            kinds=kinds,
            kernelspec=kernelspec,
        )

    return pool.submit(job, request)
