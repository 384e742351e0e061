"""notebook_json reads, validates and writes exactly as nbformat does (grading/notebook_json.py).

Every notebook the project makes -- bundled course modules and cases, exams from the bundled
banks (all questions, and a drawn per-officer paper), the grading tests' exam and code
notebooks -- and nbgrader's own test notebooks are compared byte for byte with nbformat's
writer, as they are and as grading leaves them (outputs, attachments, execution counts), each
twice: once filling the memo, once from it.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradekit
import nbformat
import nbgrader
import pytest
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from fazhi import db
from fazhi.courses.catalog import bundled_root, content_files, load_content
from fazhi.courses.compile import content_notebook
from fazhi.grading import notebook_json

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
    "AAAABJRU5ErkJggg=="
)


def reference(nb: Any) -> str:
    """What NotebookExporter writes: nbformat.writes's v4 JSON writer (after its validation,
    which only logs), with the exporter's trailing newline."""
    text = nbformat.versions[4].writes_json(copy.deepcopy(nb))
    return text if text.endswith("\n") else text + "\n"


def ours(nb: Any) -> str:
    return notebook_json.notebook_text(copy.deepcopy(nb))


def written(write: Callable[[Any], str], nb: Any) -> str:
    """The text, or the error (some of nbgrader's test notebooks cannot be written)."""
    try:
        return write(nb)
    except Exception as err:
        return f"raises {type(err).__name__}: {err}"


@pytest.fixture(autouse=True)
def empty_memos() -> Iterator[None]:
    notebook_json._TEXTS.clear()
    notebook_json._VALID_CELLS.clear()
    yield
    notebook_json._TEXTS.clear()
    notebook_json._VALID_CELLS.clear()


# -- the corpus ----------------------------------------------------------------------------


def course_notebooks() -> dict[str, NotebookNode]:
    return {
        f"course/{path.name}": content_notebook(load_content(path))
        for path in content_files(bundled_root())
    }


def fixture_notebooks() -> dict[str, NotebookNode]:
    items = gradekit.exam_items(12, limit_minutes=30)
    return {
        "gradekit/exam": gradekit.exam_notebook("exam1", items),
        "gradekit/exam-no-essay": gradekit.exam_notebook("exam2", items[:3], essay=False),
        "gradekit/code": gradekit.code_notebook(),
        "gradekit/extra": gradekit.extra_notebook(),
    }


def nbgrader_notebooks() -> dict[str, NotebookNode]:
    """nbgrader's own test and documentation notebooks that nbformat reads as v4."""
    found = {}
    root = Path(nbgrader.__file__).parent
    for path in sorted(root.rglob("*.ipynb")):
        try:
            found[f"nbgrader/{path.relative_to(root)}"] = nbformat.read(path, as_version=4)
        except Exception:  # deliberately broken files among nbgrader's fixtures
            continue
    return found


@pytest.fixture(scope="module")
def exam_notebooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, NotebookNode]:
    """Exams over every bundled bank: all questions (timed), and a drawn per-officer paper."""
    from fazhi.exams.blueprint import blueprint_rows
    from fazhi.exams.compile import exam_notebook
    from fazhi.exams.exam import ExamPlan, create_exam, get_exam
    from fazhi.exams.store import import_bundled_banks, list_banks
    from fazhi.workspace import init_workspace

    with pytest.MonkeyPatch.context() as env:
        env.delenv("FAZHI_DB_URL", raising=False)
        env.delenv("FAZHI_WORKSPACE", raising=False)
        settings = init_workspace(tmp_path_factory.mktemp("exams"))
        try:
            with db.session_scope(settings) as session:
                import_bundled_banks(session)
                banks = [name for name, _ in list_banks(session)]
                create_exam(
                    session,
                    ExamPlan(name="all-items", banks=banks, all_questions=True, minutes=90),
                )
                counts = ["单选=6", "多选=4", "判断=4", "填空=2", "简答=2"]
                rows = blueprint_rows(counts=counts, points=["简答=10"], path=None)
                closes = dt.datetime(2026, 4, 10, 18, tzinfo=dt.UTC)
                create_exam(
                    session, ExamPlan(name="drawn", banks=banks, blueprint=rows, closes=closes)
                )
            with db.session_scope(settings) as session:
                return {
                    f"exam/{name}": exam_notebook(get_exam(session, name))
                    for name in ("all-items", "drawn")
                }
        finally:
            db.dispose_engines()


@pytest.fixture(scope="module")
def corpus(exam_notebooks: dict[str, NotebookNode]) -> dict[str, NotebookNode]:
    found = {
        **course_notebooks(),
        **exam_notebooks,
        **fixture_notebooks(),
        **nbgrader_notebooks(),
    }
    assert sum(name.startswith("course/") for name in found) >= 20
    assert sum(name.startswith("nbgrader/") for name in found) >= 20
    return found


def graded(nb: NotebookNode, seed: int = 0) -> NotebookNode:
    """``nb`` as grading leaves it: outputs of every kind, counts, attachments, transients."""
    nb = copy.deepcopy(nb)
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nb.metadata["orig_nbformat"] = 3  # transient: stripped on writing
    count = 0
    for index, cell in enumerate(nb.cells):
        cell.metadata["trusted"] = True  # transient
        if cell.cell_type == "markdown" and index % 3 == 0:
            cell["attachments"] = {"a.png": {"image/png": PNG, "text/plain": "图\n二"}}
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        outputs = [
            new_output(
                "execute_result",
                {"text/plain": repr(float((index + seed) % 3))},
                execution_count=count,
            ),
            new_output("stream", name="stdout", text="第一行\n第二行\n"),
        ]
        if index % 4 == 0:
            outputs.append(
                new_output(
                    "display_data",
                    {
                        "image/png": PNG,
                        "text/html": "<b>粗</b>\n<i>斜</i>",
                        "application/json": {"a": [1, 2.5, None], "b": {}},
                    },
                )
            )
        if index % 5 == 0:
            outputs.append(new_output("error", ename="E", evalue="坏", traceback=["a", "b\nc"]))
        cell.outputs = outputs
    return nb


# -- writing -------------------------------------------------------------------------------


def test_every_notebook_is_written_as_nbformat_writes_it(
    corpus: dict[str, NotebookNode],
) -> None:
    """Is each notebook's text nbformat's, as written, as graded, from the memo and into it?"""
    for round_ in ("filling the memo", "from the memo"):
        for name, nb in corpus.items():
            for variant in (nb, graded(nb), graded(nb, seed=1)):
                assert written(ours, variant) == written(reference, variant), f"{name} ({round_})"
    assert len(notebook_json._TEXTS) > 0


def test_the_memo_is_used_and_a_planted_difference_shows(
    corpus: dict[str, NotebookNode],
) -> None:
    """Would a wrong remembered cell text reach the output (so the comparisons above bite)?"""
    nb = graded(corpus["gradekit/exam"])
    assert ours(nb) == reference(nb)
    memo = notebook_json._TEXTS
    key = next(k for k, text in memo._values.items() if k[0] == 2 and "Q001" in text)
    memo._values[key] = memo._values[key].replace("Q001", "Q999")
    assert ours(nb) != reference(nb)


def test_the_same_cell_with_different_outputs() -> None:
    """Does one cell appear right with each of its outputs, across notebooks and (under
    another id) twice in one?"""
    cell = new_code_cell("sheet.score('Q1', kind='single', key='B', points=1)", id="q1")
    first, second = copy.deepcopy(cell), copy.deepcopy(cell)
    first.outputs = [new_output("execute_result", {"text/plain": "1.0"}, execution_count=1)]
    second.outputs = [new_output("execute_result", {"text/plain": "0.0"}, execution_count=1)]
    again, bare = copy.deepcopy(first), copy.deepcopy(cell)
    again.id, bare.id = "q1-again", "q1-bare"
    for nb in (
        new_notebook(cells=[first, again, bare]),
        new_notebook(cells=[second]),
        new_notebook(cells=[first]),
        new_notebook(cells=[second, again]),
    ):
        assert ours(nb) == reference(nb)


def test_empty_structures_unicode_and_nesting() -> None:
    deep: dict[str, Any] = {"leaf": []}
    for level in range(25):
        deep = {f"level{level}": deep, "empty": {}, "none": None}
    cells = [
        new_markdown_cell("", id="empty-source", metadata={}),
        new_markdown_cell(
            '中文 😀 \u2028 \u2029 \x85 tab\t quote" backslash\\ nul\x00 \r\n行\r末\n',
            id="unicode",
        ),
        new_code_cell("", id="empty-code", metadata={"tags": [], "nested": deep}),
        new_code_cell("x = 1\n", id="no-outputs"),
        new_markdown_cell("a", id="attach", attachments={}),
    ]
    odd = new_notebook(cells=cells)
    odd.metadata = {"kernelspec": {}, "x": [[], {}, [{}]]}
    for nb in (new_notebook(), new_notebook(cells=cells), odd):
        assert ours(nb) == reference(nb)
    assert ours(new_notebook()).endswith("}\n")


def test_values_json_renders_alike_but_distinctly() -> None:
    """Numbers of another type, special floats and integer keys: each written as nbformat
    writes it, even when an equal-looking value was remembered first."""
    values = [1, 1.0, True, 0, -0.0, 0.0, False, None, 1e22, 1e-7, math.nan, math.inf, -math.inf]
    for value in values:
        nb = new_notebook(cells=[new_code_cell("x", id="c", metadata={"v": value})])
        nb.metadata["v"] = [value, {"k": value}]
        assert ours(nb) == reference(nb), repr(value)
    nb = new_notebook(metadata={"ints": {10: "b", 2: "a"}, "tuple": (1, "二", ())})
    assert ours(nb) == reference(nb)


def test_extra_top_level_keys_and_one_value_at_two_depths() -> None:
    """A value written at the top level and as a cell is indented for each place."""
    cell = new_markdown_cell("", id="a")
    cell.source = ["a\n", "b"]  # as split_lines leaves it, so the two are written alike
    nb = new_notebook(cells=[cell])
    nb["aaa_extra"] = copy.deepcopy(cell)
    nb["zzz_extra"] = "末"
    assert ours(nb) == reference(nb)


def test_bytes_go_through_nbformats_encoder() -> None:
    """bytes, which only nbformat's BytesEncoder takes, are written as nbformat writes them."""
    cell = new_code_cell("x", id="b")
    cell.outputs = [new_output("display_data", {"image/png": PNG})]
    cell.outputs[0].data["image/png"] = PNG.encode("ascii")
    nb = new_notebook()
    nb.cells, nb.metadata["raw"] = [cell], b"abc"
    assert ours(nb) == reference(nb)
    assert PNG in ours(nb)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda nb: nb.metadata.__setitem__("loop", nb.metadata),  # circular
        lambda nb: nb.metadata.__setitem__("mixed", {1: "a", "b": 2}),  # unsortable keys
        lambda nb: nb.metadata.__setitem__("object", object()),
    ],
)
def test_what_nbformat_cannot_write_fails_alike(spoil: Callable[[NotebookNode], None]) -> None:
    nb = new_notebook(cells=[new_markdown_cell("a", id="a")])
    spoil(nb)
    with pytest.raises(Exception) as theirs:
        reference(nb)
    with pytest.raises(type(theirs.value)):
        notebook_json.notebook_text(nb)


def test_the_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    small = notebook_json.BoundedMemo(entries=5, chars=4000)
    monkeypatch.setattr(notebook_json, "_TEXTS", small)
    cells = [new_markdown_cell(f"单元 {index}", id=f"c{index}") for index in range(40)]
    cells.append(new_markdown_cell("大" * 5000, id="big"))  # larger than the whole memo
    nb = new_notebook(cells=cells)
    assert ours(nb) == reference(nb)
    assert 0 < len(small) <= 5
    assert small._chars <= 4000
    assert all("大大大" not in text for text in small._values.values())


def test_bounded_memo_limits() -> None:
    memo = notebook_json.BoundedMemo(entries=2, chars=10)
    memo.put("a", "1", 2)
    memo.put("b", "2", 2)
    memo.put("c", "3", 2)  # a third entry empties it first
    assert len(memo) == 1 and memo.get("c") == "3" and memo.get("a") is None
    memo.put("d", "4", 9)  # over the character bound with "c": emptied again
    assert memo.get("c") is None and memo.get("d") == "4"
    memo.put("e", "5", 11)  # larger than the bound: never stored
    assert memo.get("e") is None and memo.get("d") == "4"


# -- reading -------------------------------------------------------------------------------


def _same_nodes(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (NotebookNode where nbformat has one)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_nodes(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_nodes(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b or (a != a and b != b))


def nbformat_reads(text: str) -> NotebookNode:
    return nbformat.convert(nbformat.reader.reads(text), 4)


def test_reading_gives_nbformats_notebook(corpus: dict[str, NotebookNode]) -> None:
    for name, nb in corpus.items():
        for variant in (nb, graded(nb)):
            text = written(reference, variant)
            if text.startswith("raises"):
                continue
            assert _same_nodes(notebook_json.notebook_from_text(text), nbformat_reads(text)), name


def test_reading_older_formats_and_broken_files_as_nbformat_does() -> None:
    v3 = nbformat.v3.writes_json(nbformat.v3.new_notebook(worksheets=[]))
    assert _same_nodes(notebook_json.notebook_from_text(v3), nbformat_reads(v3))
    for text in ["not json", "[1, 2]", '{"nbformat": 4, "nbformat_minor": 5}', '{"nbformat": 9}']:
        with pytest.raises(Exception) as theirs:
            nbformat_reads(text)
        with pytest.raises(type(theirs.value)) as mine:
            notebook_json.notebook_from_text(text)
        assert str(mine.value) == str(theirs.value)


# -- validating ----------------------------------------------------------------------------


def _verdict(check: Callable[[Any], None], nb: Any) -> str:
    try:
        check(nb)
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    return "valid"


def nbformat_validate(nb: Any) -> None:
    nbformat.validate(nb, relax_add_props=True)


def test_validating_gives_nbformats_verdict(corpus: dict[str, NotebookNode]) -> None:
    for round_ in ("filling the memo", "from the memo"):
        for name, nb in corpus.items():
            for variant in (nb, graded(nb)):
                expected = _verdict(nbformat_validate, copy.deepcopy(variant))
                got = _verdict(notebook_json.validate, copy.deepcopy(variant))
                assert got == expected, f"{name} ({round_})"
    assert len(notebook_json._VALID_CELLS) > 0


def _spoiled(nb: NotebookNode, spoil: Callable[[NotebookNode], None]) -> NotebookNode:
    nb = copy.deepcopy(nb)
    spoil(nb)
    return nb


@pytest.mark.parametrize(
    "spoil",
    [
        lambda nb: nb.cells[3].__setitem__("outputs", "none"),
        lambda nb: nb.cells[3].__setitem__("execution_count", "一"),
        lambda nb: nb.cells[1].__delitem__("source"),
        lambda nb: nb.cells[1].metadata.__setitem__("tags", ["a", "a"]),
        lambda nb: nb.cells[2].__setitem__("cell_type", "spreadsheet"),
        lambda nb: nb.metadata.__setitem__("kernelspec", {"name": 1}),
        lambda nb: nb.__delitem__("nbformat_minor"),
        lambda nb: nb.__setitem__("cells", {}),
    ],
)
def test_an_invalid_notebook_fails_as_under_nbformat_after_its_cells_were_seen(
    spoil: Callable[[NotebookNode], None],
) -> None:
    nb = graded(gradekit.exam_notebook("exam1", gradekit.exam_items(3)))
    notebook_json.validate(copy.deepcopy(nb))  # every valid cell remembered
    bad = _spoiled(nb, spoil)
    expected = _verdict(nbformat_validate, copy.deepcopy(bad))
    assert expected != "valid"
    assert _verdict(notebook_json.validate, copy.deepcopy(bad)) == expected


def test_ids_nbformat_repairs_are_repaired() -> None:
    """Duplicate or missing cell ids: nbformat's own validation runs (and repairs them)."""
    nb = new_notebook(cells=[new_markdown_cell("a", id="same"), new_markdown_cell("b", id="x")])
    notebook_json.validate(copy.deepcopy(nb))
    nb.cells[1].id = "same"
    with pytest.warns(nbformat.warnings.DuplicateCellId):
        notebook_json.validate(nb)
    assert nb.cells[0].id == "same" and nb.cells[1].id != "same"
    del nb.cells[0]["id"]
    with pytest.warns(nbformat.warnings.MissingIDFieldWarning):
        notebook_json.validate(nb)
    assert nb.cells[0].get("id")


def test_older_minor_versions_are_judged_by_their_own_schema() -> None:
    """A cell id nbformat 4.5 rejects is an unknown, allowed field in a v4.4 notebook: the
    memo keeps the verdicts apart."""
    current = new_notebook(cells=[new_markdown_cell("a", id="ok")])
    current.cells[0].id = "not an id!"
    older = copy.deepcopy(current)
    older.nbformat_minor = 4
    verdicts = []
    for nb in (older, current, older, current):
        verdict = _verdict(notebook_json.validate, copy.deepcopy(nb))
        assert verdict == _verdict(nbformat_validate, copy.deepcopy(nb))
        verdicts.append(verdict)
    assert verdicts[0] == "valid" and verdicts[1] != "valid"
