"""Bank questions as a module's practice self-checks (```bank blocks), filled in at build time."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pytest
from openpyxl import Workbook

from fazhi import db
from fazhi.courses.compile import content_notebook
from fazhi.courses.module import Question, load_module
from fazhi.courses.practice import with_bank_questions
from fazhi.courses.release import build
from fazhi.errors import InputError, InputErrors, UserError
from fazhi.settings import Settings

HEADER = ["id", "type", "stem", "option_a", "option_b", "option_c", "option_d", "answer"]
HEADER += ["points", "basis", "topic", "difficulty", "explanation"]
ZH_HEADER = ["题号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案"]
ZH_HEADER += ["分值", "法律依据", "知识点", "难度", "解析"]
ABCD = ["甲项", "乙项", "丙项", "丁项"]


def _row(code: str, kind: str, options: list[str], answer: str, *rest: object) -> list[object]:
    """A bank row: 题号, 题型, 题干, options A–D (padded), 答案, then the remaining columns."""
    stem = f"{code} 题干" + ("____" if kind == "fill" else "")
    return [code, kind, stem, *options, *[""] * (4 - len(options)), answer, *rest]


BANK = [
    _row("P-01", "single", ABCD, "B", 1, "《行政处罚法》第九条", "简易程序", "易", "解析一"),
    _row(
        "P-02", "essay", [], "参考答案", 5, "《行政处罚法》第五十一条", "简易程序", "难", "解析二"
    ),
    _row(
        "P-03", "truefalse", [], "正确", 1, "《行政处罚法》第五十二条", "简易程序", "中", "解析三"
    ),
    _row("P-04", "multiple", ABCD, "ACD", 2, "《行政处罚法》第六十三条", "听证", "中", "解析四"),
    _row("P-05", "fill", [], "二百|200", 2, "《行政处罚法》第五十一条", "简易程序", "易", "解析五"),
]
MODULE = """---
id: t20-practice
title: 题库练习模块
law: 《中华人民共和国行政处罚法》
minutes: 20
topics: [简易程序]
---

# 一、简易程序

正文。

```question
id: own-q1
type: truefalse
stem: 模块自己的题目。
answer: 正确
basis: 《行政处罚法》第五十一条
explanation: 自带解析。
```
{blocks}
# 二、小结

正文。
"""


def write_bank(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def write_module(folder: Path, *blocks: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(f"\n```bank\n{block.strip()}\n```\n" for block in blocks)
    path = folder / "t20-practice.md"
    path.write_text(MODULE.replace("{blocks}", body), encoding="utf-8")
    return path


@pytest.fixture
def banked(workspace: Settings, cli, tmp_path: Path) -> Settings:  # type: ignore[no-untyped-def]
    """The workspace with bank ``p`` (P-01..P-05, one of them an essay) imported."""
    path = write_bank(tmp_path / "p.csv", BANK)
    result = cli("bank", "import", path, "--bank", "p", "--workspace", workspace.workspace)
    assert result.exit_code == 0, result.output
    return workspace


def _resolved(settings: Settings, path: Path) -> list[Question]:
    with db.session_scope(settings) as session:
        module = with_bank_questions(module=load_module(path), session=session)
    assert not module.bank_blocks
    return module.questions


def _errors(call) -> list[InputError]:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError) as caught:
        call()
    err = caught.value
    return err.errors if isinstance(err, InputErrors) else [err]  # type: ignore[list-item]


# ---- the block's form (no database) ------------------------------------------------------


def test_bank_block_parses_in_place(tmp_path: Path) -> None:
    """Is a ```bank block kept where it stands, after its section, with its fields?"""
    module = load_module(write_module(tmp_path, "bank: p\ntopics: 简易程序\ncount: 2"))
    kinds = [type(b).__name__ for b in module.blocks]
    assert kinds == ["Section", "Question", "BankBlock", "Section"]
    (block,) = module.bank_blocks
    assert (block.bank, block.topics, block.count, block.codes) == ("p", ("简易程序",), 2, ())
    assert len(module.questions) == 1  # only the module's own question until built


@pytest.mark.parametrize(
    ("block", "field", "message"),
    [
        ("bank: p", None, "questions（题号列表）或 topics（知识点列表）之一"),
        ("bank: p\nquestions: [P-01]\ntopics: [听证]", None, "之一"),
        ("bank: p\nquestions: [P-01]\ncount: 2", "count", "只用于按知识点取题"),
        ("bank: p\ntopics: [听证]\ncount: 0", "count", "应为正整数"),
        ("bank: p\nquestions: [P-01, P-01]", "questions", "题号重复：P-01"),
        ("bank: p\nquestions: [001]", "questions", "应加引号"),
        ("bank: p\ntopics: [听证]\ndifficulty: 很难", "difficulty", "易、中 或 难"),
        ("bank: p\ntopic: [听证]", "topic", "未知字段"),
        ("topics: [听证]", "bank", "缺少“bank”"),
    ],
)
def test_bad_bank_blocks_name_line_and_field(
    tmp_path: Path, block: str, field: str | None, message: str
) -> None:
    """Is each malformed block refused with the file, its line and the field?"""
    path = write_module(tmp_path, block)
    errors = _errors(lambda: load_module(path))
    fence = path.read_text(encoding="utf-8").splitlines().index("```bank") + 1
    assert any(
        e.path == path
        and fence < (e.row or 0) <= fence + 4
        and e.column == field
        and message in e.message
        for e in errors
    ), [e.describe() for e in errors]


def test_compiling_without_a_workspace_fails_clearly(tmp_path: Path) -> None:
    """Without a database to fill it in, is the module refused (not compiled without them)?"""
    path = write_module(tmp_path, "bank: p\nquestions: [P-01]")
    (error,) = _errors(lambda: content_notebook(load_module(path)))
    assert error.path == path and error.column == "bank"
    assert "只能在工作区中编译" in error.message and "fazhi course build" in error.message


# ---- filled in from the workspace database ----------------------------------------------


@pytest.mark.db
def test_explicit_questions_keep_their_order_and_skip_essays(
    banked: Settings, tmp_path: Path
) -> None:
    """Are listed 题号 shown in the listed order, as practice questions, essays left out?"""
    path = write_module(tmp_path, "bank: p\nquestions: [P-04, P-02, P-01]")
    questions = _resolved(banked, path)
    assert [q.id for q in questions] == ["own-q1", "P-04", "P-01"]
    p04 = questions[1]
    assert p04.options == dict(zip("ABCD", ABCD, strict=True)) and p04.answer == "ACD"
    assert (p04.basis, p04.explanation, p04.type) == (
        "《行政处罚法》第六十三条",
        "解析四",
        "multiple",
    )


@pytest.mark.db
def test_topic_draws_follow_bank_order_without_repeats(banked: Settings, tmp_path: Path) -> None:
    """Does a topic draw take the topic's questions in bank order, never one shown already?"""
    path = write_module(
        tmp_path, "bank: p\ntopics: [简易程序]\ncount: 1", "bank: p\ntopics: [简易程序]"
    )
    assert [q.id for q in _resolved(banked, path)] == ["own-q1", "P-01", "P-03", "P-05"]
    easy = write_module(tmp_path / "easy", "bank: p\ntopics: [简易程序, 听证]\ndifficulty: 中")
    assert [q.id for q in _resolved(banked, easy)] == ["own-q1", "P-03", "P-04"]


@pytest.mark.db
def test_unknown_banks_and_questions_are_reported_together(
    banked: Settings, tmp_path: Path
) -> None:
    """Are a missing bank, a missing 题号, a repeat and an empty draw all reported by line?"""
    path = write_module(
        tmp_path,
        "bank: nope\nquestions: [P-01]",
        "bank: p\nquestions: [P-01, P-99]",
        "bank: p\nquestions: [P-01]",
        "bank: p\ntopics: [无此知识点]",
    )
    with db.session_scope(banked) as session:
        module = load_module(path)
        errors = _errors(lambda: with_bank_questions(module=module, session=session))
    messages = [(e.column, e.message) for e in errors]
    assert [column for column, _ in messages] == ["bank", "questions", "questions", "topics"]
    assert "没有名为“nope”的题库" in messages[0][1]
    assert "没有题号“P-99”" in messages[1][1]
    assert "“P-01”在本模块中已经出现过" in messages[2][1]
    assert "没有知识点为 无此知识点 的可练习题目" in messages[3][1]
    assert len({e.row for e in errors}) == 4


@pytest.mark.db
def test_build_uses_the_current_version_and_is_deterministic(
    banked: Settings, cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """After an edit is imported, does the build show the new version, the same bytes twice?"""
    path = write_module(tmp_path, "bank: p\nquestions: [P-01]")
    module = load_module(path)
    first = build(settings=banked, content=module).read_bytes()
    assert build(settings=banked, content=module).read_bytes() == first
    edited = [list(row) for row in BANK]
    edited[0][2] = "P-01 修改后的题干"
    bank = write_bank(tmp_path / "p2.csv", edited)
    assert cli("bank", "import", bank, "--bank", "p", "-w", banked.workspace).exit_code == 0
    text = build(settings=banked, content=module).read_text(encoding="utf-8")
    assert "P-01 修改后的题干" in text and "P-01 题干" not in text


@pytest.mark.db
def test_course_check_looks_up_bank_questions_only_in_a_workspace(
    banked: Settings, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Does `course check` report a missing 题号 in a workspace, and only note it outside one?"""
    path = write_module(tmp_path, "bank: p\nquestions: [P-01, P-99]")
    inside = cli("course", "check", path, "-w", banked.workspace)
    line = path.read_text(encoding="utf-8").splitlines().index("bank: p") + 1
    assert inside.exit_code == 2
    assert f"文件 t20-practice.md，第 {line} 行，列“questions”" in inside.stderr
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FAZHI_WORKSPACE", raising=False)
    outside = cli("course", "check", path)
    assert outside.exit_code == 0, outside.output
    assert "未核对题库" in outside.stdout and "格式正确" in outside.stdout


# ---- the "done when": Excel → bank import → released module ---------------------


def _zh_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(ZH_HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.db
@pytest.mark.slow
def test_question_added_in_excel_shows_in_the_released_module(
    workspace: Settings, cli, tmp_path: Path, run_in_process
) -> None:  # type: ignore[no-untyped-def]
    """Excel → `fazhi bank import` → `fazhi course release`: is the new question released as
    a practice self-check, with no grade cell and its key only on the practice widget?"""
    ws = workspace.workspace
    stem = "简易程序当场作出罚款决定的，执法人员应当向当事人出示什么？"
    new = ["CJ-901", "单选", stem, "执法证件", "营业执照", "身份证", "工作证", "A", 1]
    new += [
        "《行政处罚法》第五十二条",
        "当场处罚",
        "易",
        "第五十二条：执法人员应当向当事人出示执法证件。",
    ]
    xlsx = _zh_xlsx(tmp_path / "新增题目.xlsx", [new])
    imported = cli("bank", "import", xlsx, "--bank", "练习题库", "-w", ws)
    assert imported.exit_code == 0, imported.output
    write_module(ws / "content" / "modules", "bank: 练习题库\ntopics: [当场处罚]")
    checked = cli("course", "check", "-w", ws)
    assert checked.exit_code == 0, checked.output

    released = cli("course", "release", "t20-practice", "-w", ws)
    assert released.exit_code == 0, released.output
    outbound = workspace.exchange_root / workspace.course_id / "outbound" / "t20-practice"
    nb = nbformat.read(outbound / "t20-practice.ipynb", as_version=4)
    stems = [c.source for c in nb.cells if c.id == "CJ-901-stem"]
    assert len(stems) == 1 and stem in stems[0] and "A．执法证件" in stems[0]
    assert "自测题**：2 道" in nb.cells[0].source
    # Nothing is graded: no grade, solution or task cell, no hidden test, no scoring call.
    metas = [c.metadata["nbgrader"] for c in nb.cells]
    assert not any(m["grade"] or m["solution"] or m["task"] for m in metas)
    assert not any("sheet.score" in c.source or "HIDDEN TESTS" in c.source for c in nb.cells)
    # The key is allowed only where practice feedback needs it: the widget call.
    keyed = [c for c in nb.cells if 'key="A"' in c.source]
    assert [c.id for c in keyed] == ["CJ-901-widget"]
    assert 'mode="practice"' in nb.cells[1].source
    assert json.dumps(nb.metadata, ensure_ascii=False).count("CJ-901") == 0

    # An officer clicking the right answer gets the practice feedback.
    officer = tmp_path / "officer"
    officer.mkdir()
    _, namespace = run_in_process(nb, officer)
    view = namespace["sheet"].items["CJ-901"]
    view.control.value = "A"
    assert "回答正确" in view.feedback.value and "第五十二条" in view.feedback.value
