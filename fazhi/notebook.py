"""Cell factories for compiled notebooks (docs/notebook-contract.md), shared by courses and exams.

Every notebook fazhi compiles is built from these few factories, so law modules, case
exercises and exam papers carry the same nbgrader metadata and stock nbgrader
(generate_assignment, autograde, formgrader, feedback) and fazhi's fast grader agree on them.
Cell ids (nbformat 4.5) and grade ids are derived from item ids: two builds of the same
content are byte-identical.

Typical use (an exam paper)::

    cells = [
        notebook.markdown_cell(grade_id="exam1-title", source="# 2026 年第一期法律知识考试"),
        notebook.setup_cell(sheet="exam1", mode="exam"),
        notebook.markdown_cell(grade_id="PEN-001-stem", source="**1.** 题干……"),
        notebook.widget_cell(item_id="PEN-001", method="single", options="ABCD"),
        notebook.test_cell(item_id="PEN-001", points=1, kind="single", key="B"),
    ]
    notebook.write_notebook(notebook.new_notebook(cells=cells), path)

Per-officer exam papers use the general forms of the last two: ``locked_code_cell`` (a
locked cell running ``paper.show("S01")``) and ``grade_cell`` (a hidden ``paper.score(...)``).
Law modules and case exercises (not exams) follow the setup cell with ``tracker_cell``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from fazhi.nbgrader_markers import neutralise

SETUP_GRADE_ID = "fazhi-setup"
TRACKER_GRADE_ID = "fazhi-study-tracker"
SKIP_TAG = "skip-execution"  # nbclient's skip_cells_with_tag, so also nbgrader's and fazhi's
# The fazhi-lab JupyterLab extension runs these cells when the notebook opens (metadata
# ``fazhi.autorun``), so officers see the questions ready to click without running anything.
AUTORUN_TAG = "fazhi-autorun"
MODES = ("exam", "practice")
WIDGET_METHODS = (
    "single",
    "multiple",
    "truefalse",
    "fill",
    "number",
    "choice",
    "checklist",
    "essay",
)
# Sheet methods that only display (exam countdown, 已答 n/N): no item, nothing to score.
DISPLAY_METHODS = ("countdown", "summary")
# Exactly the keyword arguments of fazhi.kernel.scoring.score_answer, in the order they are written.
SCORE_KEYWORDS = ("kind", "key", "low", "high", "points", "limit_minutes")
TEST_HEADER = "# 自动评分单元（无需操作）"
# The text of a manually graded answer cell until grading copies the officer's essay into it;
# also nbgrader's ClearSolutions.text_stub in the generated nbgrader_config.py.
ESSAY_STUB = "（请在上方文本框中作答）"
ESSAY_STUBS = (ESSAY_STUB, "请在此作答")  # and the stub of workspaces made before the text box
ESSAY_HEADING = "**考生作答**（由作答文本框自动填入）"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
NBGRADER_SCHEMA = 3

_ID_OK = re.compile(r"^[A-Za-z0-9_-]+$")
_MAX_CELL_ID = 64
_LINE = 88


def check_id(value: str, *, what: str = "item id") -> str:
    """Item and grade ids are ASCII letters, digits, ``-`` and ``_`` (they become cell ids)."""
    if not isinstance(value, str) or not _ID_OK.match(value):
        raise ValueError(f"{what} {value!r} must use only ASCII letters, digits, '-' and '_'")
    return value


def cell_id(grade_id: str) -> str:
    """The nbformat cell id of a cell: its grade id, shortened with a hash past 64 characters."""
    check_id(grade_id, what="grade id")
    if len(grade_id) <= _MAX_CELL_ID:
        return grade_id
    digest = hashlib.sha1(grade_id.encode("utf-8")).hexdigest()[:10]
    return f"{grade_id[: _MAX_CELL_ID - 11]}-{digest}"


def literal(value: Any) -> str:
    """``value`` as Python source that ``ast.literal_eval`` reads back (stable, Chinese kept).

    Strings use double quotes; dicts keep their order (option order is display order).
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a literal")


def _nbgrader(
    grade_id: str,
    *,
    grade: bool = False,
    solution: bool = False,
    locked: bool = False,
    task: bool = False,
    points: float | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": check_id(grade_id, what="grade id"),
        "locked": locked,
        "schema_version": NBGRADER_SCHEMA,
        "solution": solution,
        "task": task,
    }
    if points is not None:
        meta["points"] = _points(points)
    return meta


def _points(points: float) -> float:
    value = float(points)
    if value < 0:
        raise ValueError(f"points must not be negative, got {points!r}")
    return value


def _code(grade_id: str, source: str, meta: dict[str, Any]) -> NotebookNode:
    """A locked code cell, its source collapsed in JupyterLab: officers see widgets, not code."""
    cell = nbformat.v4.new_code_cell(source=source, id=cell_id(grade_id))
    cell.metadata = NotebookNode(
        {
            "deletable": False,
            "editable": False,
            "jupyter": {"source_hidden": True},
            "nbgrader": meta,
        }
    )
    return cell


def _markdown(grade_id: str, source: str, meta: dict[str, Any], *, editable: bool) -> NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source=source, id=cell_id(grade_id))
    flags = {} if editable else {"editable": False}
    cell.metadata = NotebookNode({**flags, "deletable": False, "nbgrader": meta})
    return cell


def setup_cell(*, sheet: str, mode: str) -> NotebookNode:
    """The locked first code cell: creates the answer sheet the widgets write to."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    source = (
        "from fazhi.kernel.sheet import Sheet\n"
        f"sheet = Sheet({literal(sheet)}, mode={literal(mode)})"
    )
    cell = _code(SETUP_GRADE_ID, source, _nbgrader(SETUP_GRADE_ID, locked=True))
    cell.metadata["tags"] = [AUTORUN_TAG]
    return cell


def tracker_cell(*, activity: str) -> NotebookNode:
    """The locked cell that starts the study-time tracker for ``activity`` (a module or case id).

    Tagged ``skip-execution``: officers run it with the notebook in JupyterLab, but nbclient,
    and so nbgrader validate/autograde and fazhi's grader, never do -- grading starts no
    tracker, and the fast grader sees only the contract's cells.
    """
    source = (
        "from fazhi.analytics.study.tracker import track_study\n"
        f"tracker = track_study({literal(check_id(activity, what='activity'))})"
    )
    cell = _code(TRACKER_GRADE_ID, source, _nbgrader(TRACKER_GRADE_ID, locked=True))
    cell.metadata["tags"] = [AUTORUN_TAG, SKIP_TAG]
    return cell


def markdown_cell(*, grade_id: str, source: str) -> NotebookNode:
    """A locked markdown cell (teaching text, a stem): officers cannot change it."""
    source = neutralise(source)  # content never carries nbgrader's delimiters (nbgrader_markers)
    return _markdown(grade_id, source, _nbgrader(grade_id, locked=True), editable=False)


def widget_call(*, item_id: str, method: str, **arguments: Any) -> str:
    """The source of one widget call, e.g. ``sheet.single("PEN-001", options="ABCD")``."""
    if method not in WIDGET_METHODS:
        raise ValueError(f"unknown widget method {method!r}; expected one of {WIDGET_METHODS}")
    check_id(item_id)
    shown = {name: value for name, value in arguments.items() if value is not None}
    if not shown:
        return f"sheet.{method}({literal(item_id)})"
    lines = [f"sheet.{method}(", f"    {literal(item_id)},"]
    for name, value in shown.items():
        lines += _argument_lines(name, value)
    return "\n".join([*lines, ")"])


def _argument_lines(name: str, value: Any) -> list[str]:
    """``name=value,`` on one line, or one entry a line when long (options, checklists)."""
    line = f"    {name}={literal(value)},"
    if len(line) <= _LINE or not isinstance(value, Mapping | list | tuple) or not value:
        return [line]
    if isinstance(value, Mapping):
        entries = [f"        {literal(k)}: {literal(v)}," for k, v in value.items()]
        return [f"    {name}={{", *entries, "    },"]
    return [f"    {name}=[", *(f"        {literal(v)}," for v in value), "    ],"]


def locked_code_cell(*, grade_id: str, source: str) -> NotebookNode:
    """A locked, ungraded code cell running ``source`` (e.g. an exam paper's ``paper.show``).

    Same metadata as every widget cell: officers cannot edit or delete it, and it runs by
    itself when the notebook opens (``AUTORUN_TAG``).
    """
    source = neutralise(source)  # content never carries nbgrader's delimiters (nbgrader_markers)
    cell = _code(grade_id, source, _nbgrader(grade_id, locked=True))
    cell.metadata["tags"] = [AUTORUN_TAG]
    return cell


def widget_cell(
    *, item_id: str, method: str, grade_id: str | None = None, **arguments: Any
) -> NotebookNode:
    """A locked code cell showing one answering widget (``sheet.<method>(item_id, ...)``).

    ``arguments`` are the widget method's keyword arguments (Python literals only), e.g.
    ``options={"A": "...", ...}`` or, in practice mode, ``key``, ``explanation``, ``basis``.
    The grade id defaults to ``<item_id>-widget``.
    """
    source = widget_call(item_id=item_id, method=method, **arguments)
    return locked_code_cell(grade_id=grade_id or f"{item_id}-widget", source=source)


def score_call(*, item_id: str, **score_arguments: Any) -> str:
    """``sheet.score(item_id, kind=..., key=..., points=...)`` with literal arguments only."""
    unknown = set(score_arguments) - set(SCORE_KEYWORDS)
    if unknown:
        raise ValueError(f"unknown score arguments {sorted(unknown)}; allowed: {SCORE_KEYWORDS}")
    if "kind" not in score_arguments or "points" not in score_arguments:
        raise ValueError("score arguments need kind and points")
    parts = [literal(check_id(item_id))]
    for name in SCORE_KEYWORDS:
        value = score_arguments.get(name)
        if value is None:
            continue
        if name == "points":
            value = _points(value)
        parts.append(f"{name}={literal(value)}")
    return f"sheet.score({', '.join(parts)})"


def grade_cell(*, grade_id: str, points: float, call: str, note: str = "") -> NotebookNode:
    """An autograder test cell worth ``points`` whose scoring ``call`` is hidden.

    ``call`` is one expression whose value is the score (nbgrader's partial credit), with
    literal arguments only so the fast grader can read it back. ``note`` (e.g. 解析 and the
    article) is written as comments inside the hidden region, so it reaches graders and
    feedback but never the release.
    """
    note = neutralise(note)  # a delimiter in a 解析 would end the hidden region early
    comments = [f"# {line}".rstrip() for line in note.strip().splitlines()] if note else []
    source = "\n".join(
        [TEST_HEADER, "### BEGIN HIDDEN TESTS", *comments, call, "### END HIDDEN TESTS"]
    )
    return _code(grade_id, source, _nbgrader(grade_id, grade=True, locked=True, points=points))


def test_cell(
    *, item_id: str, points: float, note: str = "", **score_arguments: Any
) -> NotebookNode:
    """The autograder test cell of one item: a grade cell hiding ``sheet.score(item_id, ...)``.

    ``score_arguments`` are those of ``fazhi.kernel.scoring.score_answer`` except ``points``
    (``kind``, ``key``, ``low``, ``high``, ``limit_minutes``). Grade id = item id.
    """
    call = score_call(item_id=item_id, points=points, **score_arguments)
    return grade_cell(grade_id=item_id, points=points, call=call, note=note)


test_cell.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported


def manual_cells(
    *,
    item_id: str,
    prompt: str,
    points: float,
    rubric: str,
    reference: str = "",
    answer_stub: str = ESSAY_STUB,
    text_box: bool = True,
) -> list[NotebookNode]:
    """A manually graded written part: the prompt with its mark scheme, the text box, the answer.

    The prompt cell is an nbgrader task cell (0 points; nbgrader removes a mark scheme only
    from task cells) whose ``### BEGIN MARK SCHEME`` region holds the rubric and reference
    answer: graders see it in formgrader, officers never do. The officer writes in a text box
    (``sheet.essay``, saved to the answer sheet; ``text_box=False`` when another cell shows
    it, as ``paper.show`` does); the answer cell is a markdown solution + grade cell worth
    ``points`` (grade id = item id) that officers cannot edit and grading fills with the
    essay (``fazhi.grading.essay_text``), where formgrader and feedback read it.
    """
    # a delimiter in the content would end the mark scheme early and release the reference
    prompt, rubric, reference = neutralise(prompt), neutralise(rubric), neutralise(reference)
    answer_stub = neutralise(answer_stub)
    scheme = ["### BEGIN MARK SCHEME", "**评分要点**", "", rubric.strip()]
    if reference.strip():
        scheme += ["", "**参考答案**", "", reference.strip()]
    scheme.append("### END MARK SCHEME")
    prompt_id = f"{item_id}-prompt"
    prompt_cell = _markdown(
        prompt_id,
        "\n".join([prompt.strip(), "", *scheme]),
        _nbgrader(prompt_id, locked=True, task=True, points=0),
        editable=False,
    )
    answer_meta = _nbgrader(item_id, grade=True, solution=True, points=points)
    answer_cell = _markdown(item_id, answer_stub, answer_meta, editable=False)
    if not text_box:
        return [prompt_cell, answer_cell]
    return [prompt_cell, widget_cell(item_id=item_id, method="essay"), answer_cell]


def essay_markdown(text: str) -> str:
    """An officer's essay as the answer cell's Markdown: a fenced block, so it shows as typed.

    Digits, ``#``, ``-`` and HTML stay literal (no heading, list or markup); the fence is
    longer than any backtick run in the text, so the text cannot close it.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{ESSAY_HEADING}\n\n{fence}text\n{text}\n{fence}"


_ESSAY_BLOCK = re.compile(
    r"\A" + re.escape(ESSAY_HEADING) + r"\n\n(?P<fence>`{3,})text\n(?P<text>.*)\n(?P=fence)\Z",
    re.DOTALL,
)


def essay_answer(source: str) -> str:
    """The officer's essay in an answer cell's source: ``essay_markdown`` read back, ``""``
    for an untouched stub, any other text (a hand-edited cell) as it is."""
    found = _ESSAY_BLOCK.match(source)
    if found:
        return found.group("text")
    return "" if source.strip() in ESSAY_STUBS else source


def new_notebook(*, cells: Iterable[NotebookNode], title: str | None = None) -> NotebookNode:
    """A notebook (nbformat 4.5, Python 3 kernel) holding ``cells``; grade ids must be unique."""
    cells = list(cells)
    seen: set[str] = set()
    for cell in cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is None:
            continue
        if grade_id in seen:
            raise ValueError(f"duplicate grade id {grade_id!r}")
        seen.add(grade_id)
    metadata: dict[str, Any] = {
        "fazhi": {"autorun": True},  # the fazhi-lab extension runs the AUTORUN_TAG cells on open
        "kernelspec": KERNELSPEC,
        "language_info": LANGUAGE_INFO,
    }
    if title:
        metadata["title"] = title
    nb = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def write_notebook(nb: NotebookNode, path: Path | str) -> Path:
    """Validate and write ``nb`` to ``path`` (UTF-8, sorted keys, trailing newline)."""
    path = Path(path)
    nbformat.validate(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb, version=4)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path


def graded_ids(nb: NotebookNode) -> Sequence[str]:
    """Grade ids of the notebook's autograded and manually graded cells, in order."""
    return [
        cell.metadata["nbgrader"]["grade_id"]
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    ]
