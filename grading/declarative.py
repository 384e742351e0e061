"""Score fazhi's declarative items without a kernel (docs/notebook-contract.md, docs/exams.md).

A compiled fazhi notebook runs a few kinds of code: the setup cell (``sheet = Sheet(...)``),
for per-officer papers ``paper = Paper(sheet)``, widget cells (``sheet.single(...)``,
``paper.show(...)``) and hidden test cells (``sheet.score("ID", kind=..., key=...,
points=...)``, ``paper.score("S01", ...)``) with literal arguments. Under ``nbgrader
autograde`` the kernel runs them and each test cell's value -- ``fazhi.kernel.scoring.score_answer``
(or the exams package's ``score_slot``) of the officer's ``<sheet>.answers.json`` -- becomes an
``execute_result`` that nbgrader reads as partial credit.

``DeclarativeExecute`` takes the place of nbgrader's Execute for such notebooks: it reads the
same calls from the (restored) cells, applies the same functions to the same file and records
the output the kernel would have recorded (an ``execute_result`` whose ``text/plain`` is the
float, with the kernel's execution counts). Anything it cannot vouch for -- a code cell of
another shape, a missing or odd answer sheet, a score that is not a float -- raises
``NeedsKernel`` and the notebook is executed by a real kernel instead. Widget cells get their
execution count but no output (widget views need a live kernel; see docs/grading.md).
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import inspect
import io
import json
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Any as AnyTrait

from fazhi import notebook
from fazhi.kernel.answers import SUFFIX
from fazhi.kernel.scoring import score_answer

from . import paper_slots

SHEET_MODULE = "fazhi.kernel.sheet"
SHEET_CLASS = "Sheet"


class NeedsKernel(Exception):
    """This notebook must be executed by a kernel (the reason is the message)."""


def _score_sheet(sheet: dict[str, Any], item_id: str, **arguments: Any) -> float:
    return score_answer(sheet, item_id, **arguments)


def _keyword_only(function: Callable[..., Any]) -> frozenset[str]:
    return frozenset(
        name
        for name, param in inspect.signature(function).parameters.items()
        if param.kind is inspect.Parameter.KEYWORD_ONLY
    )


@dataclass(frozen=True)
class Kind:
    """A declarative object: its widget methods and the pure function behind its ``score``."""

    name: str
    widget_methods: frozenset[str]
    keywords: Callable[[], frozenset[str]]
    score: Callable[..., float]
    prepare: Callable[[Path, dict[str, Any]], None] | None = None  # its constructor's reads


_SHEET_KEYWORDS = _keyword_only(score_answer)
SHEET = Kind(
    "sheet",
    frozenset(notebook.WIDGET_METHODS + notebook.DISPLAY_METHODS),
    lambda: _SHEET_KEYWORDS,
    _score_sheet,
)
PAPER = Kind(
    "paper",
    paper_slots.WIDGET_METHODS,
    paper_slots.keywords,
    paper_slots.score_paper,
    paper_slots.prepare_paper,
)
DERIVED_KINDS = {(paper_slots.PAPER_MODULE, paper_slots.PAPER_CLASS): PAPER}


@dataclass(frozen=True)
class Setup:
    variable: str
    sheet: str


@dataclass(frozen=True)
class Derived:
    """``paper = Paper(sheet)``: an object built on the answer sheet."""

    variable: str
    module: str
    cls: str
    base: str


@dataclass(frozen=True)
class MethodCall:
    variable: str
    method: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]


Statement = Setup | Derived | MethodCall


@dataclass(frozen=True)
class ScoreCall:
    kind: Kind
    item_id: str
    kwargs: dict[str, Any]


def _literal(node: ast.expr) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _literal_call(call: ast.Call) -> tuple[list[Any], dict[str, Any]] | None:
    args: list[Any] = []
    for arg in call.args:
        ok, value = _literal(arg)
        if not ok or isinstance(arg, ast.Starred):
            return None
        args.append(value)
    kwargs: dict[str, Any] = {}
    for keyword in call.keywords:
        ok, value = _literal(keyword.value)
        if not ok or keyword.arg is None:
            return None
        kwargs[keyword.arg] = value
    return args, kwargs


def _has_semicolon(source: str) -> bool:
    """IPython shows no result for a cell ending in ';' -- such cells are not ours to mimic."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return True
    return any(t.type == tokenize.OP and t.string == ";" for t in tokens)


def _construction(body: list[ast.stmt]) -> tuple[str, str, str, ast.Call] | None:
    """``from M import C`` then ``v = C(...)``: (module, class, variable, call)."""
    if len(body) != 2:
        return None
    first, second = body
    if not (
        isinstance(first, ast.ImportFrom)
        and first.module is not None
        and first.level == 0
        and len(first.names) == 1
        and first.names[0].asname is None
    ):
        return None
    cls = first.names[0].name
    if not (
        isinstance(second, ast.Assign)
        and len(second.targets) == 1
        and isinstance(second.targets[0], ast.Name)
        and isinstance(second.value, ast.Call)
        and isinstance(second.value.func, ast.Name)
        and second.value.func.id == cls
    ):
        return None
    return first.module, cls, second.targets[0].id, second.value


def _setup_or_derived(body: list[ast.stmt]) -> Setup | Derived | None:
    found = _construction(body)
    if found is None:
        return None
    module, cls, variable, call = found
    if (module, cls) == (SHEET_MODULE, SHEET_CLASS):
        literal = _literal_call(call)
        if literal is None or len(literal[0]) != 1 or not isinstance(literal[0][0], str):
            return None
        return Setup(variable=variable, sheet=literal[0][0])
    if (module, cls) in DERIVED_KINDS and not call.keywords and len(call.args) == 1:
        base = call.args[0]
        if isinstance(base, ast.Name):
            return Derived(variable=variable, module=module, cls=cls, base=base.id)
    return None


@lru_cache(maxsize=8192)
def classify(source: str) -> Statement | None:
    """What a code cell does, when it is one of the contract's shapes; else None."""
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError):
        return None
    if _has_semicolon(source):
        return None
    construction = _setup_or_derived(body)
    if construction is not None or len(body) != 1:
        return construction
    node = body[0]
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return None
    func = node.value.func
    if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
        return None
    literal = _literal_call(node.value)
    if literal is None:
        return None
    args, kwargs = literal
    return MethodCall(func.value.id, func.attr, tuple(args), tuple(sorted(kwargs.items())))


def _parses_as_time(value: object) -> bool:
    try:
        dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return False
    return isinstance(value, str)


def load_answer_sheet(path: Path, *, needs_start: bool) -> dict[str, Any]:
    """The officer's answer sheet, or NeedsKernel when the kernel might read it differently."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NeedsKernel(f"没有答题文件 {path.name}") from None
    except (OSError, ValueError):
        raise NeedsKernel(f"答题文件 {path.name} 无法读取") from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise NeedsKernel(f"答题文件 {path.name} 格式不符")
    if needs_start and not _parses_as_time(data.get("started_at")):
        # The sheet would record a start time when opened in the kernel.
        raise NeedsKernel(f"答题文件 {path.name} 没有开始时间")
    return data


def executed_cells(nb: NotebookNode, skip_tag: str) -> list[tuple[int, NotebookNode]]:
    """The cells nbclient executes: non-empty code cells without the skip tag."""
    return [
        (index, cell)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and cell.source.strip()
        and skip_tag not in cell.metadata.get("tags", [])
    ]


@dataclass
class Plan:
    """A contract notebook: its sheet, the objects built on it, and what each cell does."""

    setup: Setup
    kinds: list[Kind]  # the kinds of declarative objects it uses (sheet first)
    cells: list[ScoreCall | None]  # per executed cell: its score call, or None
    executed: list[tuple[int, NotebookNode]]  # the executed cells (``executed_cells``)


def plan(nb: NotebookNode, skip_tag: str) -> Plan:
    """Check that every executed cell is the contract's; NeedsKernel otherwise."""
    executed = executed_cells(nb, skip_tag)
    statements = [classify(cell.source) for _, cell in executed]
    if not statements or not isinstance(statements[0], Setup):
        raise NeedsKernel("第一个代码单元不是答题卡设置单元")
    setup = statements[0]
    objects: dict[str, Kind] = {setup.variable: SHEET}
    kinds: list[Kind] = [SHEET]
    cells: list[ScoreCall | None] = [None]
    for statement in statements[1:]:
        if isinstance(statement, Derived) and statement.base == setup.variable:
            if statement.variable in objects:
                raise NeedsKernel(f"变量 {statement.variable} 被重新赋值")
            objects[statement.variable] = DERIVED_KINDS[(statement.module, statement.cls)]
            kinds.append(objects[statement.variable])
            cells.append(None)
            continue
        if not isinstance(statement, MethodCall) or statement.variable not in objects:
            raise NeedsKernel("含有非声明式代码单元")
        kind = objects[statement.variable]
        cells.append(_method(kind, statement))
    return Plan(setup=setup, kinds=kinds, cells=cells, executed=executed)


def _method(kind: Kind, call: MethodCall) -> ScoreCall | None:
    if call.method in kind.widget_methods:
        return None
    kwargs = dict(call.kwargs)
    if (
        call.method == "score"
        and len(call.args) == 1
        and isinstance(call.args[0], str)
        and set(kwargs) <= kind.keywords()
    ):
        return ScoreCall(kind=kind, item_id=call.args[0], kwargs=kwargs)
    raise NeedsKernel(f"{kind.name}.{call.method} 不是声明式调用")


class DeclarativeExecute(Execute):
    """In place of nbgrader's Execute: the outputs the kernel would record, without a kernel.

    ``verified`` names the kinds the run's probe has checked against a real kernel.
    """

    language_info = AnyTrait()
    verified = AnyTrait(frozenset({"sheet"}))

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict, km: Any = None
    ) -> tuple[NotebookNode, ResourcesDict]:
        found = plan(nb, self.skip_cells_with_tag)
        unverified = {k.name for k in found.kinds} - set(self.verified)
        if unverified:
            raise NeedsKernel(f"未经自检的声明式对象：{', '.join(sorted(unverified))}")
        calls = [c for c in found.cells if c is not None]
        needs_start = any(c.kwargs.get("limit_minutes") is not None for c in calls)
        directory = Path(resources["metadata"]["path"])
        path = directory / f"{found.setup.sheet}{SUFFIX}"
        sheet = load_answer_sheet(path, needs_start=needs_start)
        for kind in found.kinds:
            if kind.prepare is not None:
                try:
                    kind.prepare(directory, sheet)
                except Exception as err:  # the kernel's constructor would fail here too
                    raise NeedsKernel(f"{kind.name} 无法建立：{err}") from None
        outputs = [self._output(call, sheet, count) for count, call in enumerate(found.cells, 1)]
        nb.metadata["language_info"] = copy.deepcopy(self.language_info)
        # the cells plan() found: scoring reads files only, the notebook's cells are unchanged
        for count, ((_, cell), cell_outputs) in enumerate(
            zip(found.executed, outputs, strict=True), start=1
        ):
            cell.execution_count = count
            cell.outputs = cell_outputs
        return nb, resources

    @staticmethod
    def _output(call: ScoreCall | None, sheet: dict[str, Any], count: int) -> list[NotebookNode]:
        if call is None:
            return []
        try:
            value = call.kind.score(sheet, call.item_id, **call.kwargs)
        except Exception as err:  # the kernel would show a traceback: let it
            raise NeedsKernel(f"{call.item_id} 评分出错：{err}") from None
        if type(value) is not float:
            raise NeedsKernel(f"{call.item_id} 的得分不是浮点数")
        result = NotebookNode(
            output_type="execute_result",
            data=NotebookNode({"text/plain": repr(value)}),
            metadata=NotebookNode(),
            execution_count=count,
        )
        return [result]


def kinds_declared(source: str) -> set[str]:
    """The declarative kinds a master cell sets up (for deciding which probes to run)."""
    statement = classify(source)
    if isinstance(statement, Setup):
        return {SHEET.name}
    if isinstance(statement, Derived):
        return {DERIVED_KINDS[(statement.module, statement.cls)].name}
    return set()
