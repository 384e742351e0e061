"""Law module files: parsing, and errors that name the file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from fazhi.courses.module import Question, Section, load_module
from fazhi.errors import InputError, InputErrors, UserError

HEAD = """---
id: t09-bad
title: 测试
law: 《中华人民共和国行政处罚法》
minutes: 20
topics: [测试]
---

# 一、正文

正文。
"""

GOOD_QUESTION = """
```question
id: q1
type: single
stem: 题干
options:
  A: 甲
  B: 乙
  C: 丙
answer: B
basis: 《行政处罚法》第九条
explanation: 解析。
```
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t09-bad.md"
    path.write_text(text, encoding="utf-8")
    return path


def _errors(path: Path) -> list[InputError]:
    with pytest.raises(UserError) as caught:
        load_module(path)
    err = caught.value
    return err.errors if isinstance(err, InputErrors) else [err]  # type: ignore[list-item]


def test_sample_module_keeps_sections_and_questions_in_order(data_dir: Path) -> None:
    """Does the sample split into intro, headed sections and questions, in file order?"""
    module = load_module(data_dir / "sample-module.md")
    kinds = [type(b).__name__ for b in module.blocks]
    expected = ["Section", "Section", "Question", "Section", "Question", "Section"]
    assert kinds == [*expected, "Question", "Question"]
    assert module.id == "t01-sample" and module.minutes == 30
    assert module.topics == ("简易程序", "罚款")
    intro, first = module.sections[:2]
    assert intro.text == "本模块用于测试编译器。"
    assert "# 这一行在代码块里，不是标题" in first.text  # a '#' inside a fence is not a heading
    assert [q.type for q in module.questions] == ["single", "multiple", "truefalse", "fill"]
    multiple = module.questions[1]
    assert isinstance(multiple, Question) and multiple.answer == "AC"
    assert multiple.options == {"A": "对公民罚款一百元", "B": "对公民罚款五百元"} | {
        "C": "对单位罚款二千元",
        "D": "对单位罚款五千元",
    }
    assert isinstance(module.blocks[-1], Question) and not isinstance(module.blocks[-1], Section)


def test_wrong_answer_letter_names_line_and_field(tmp_path: Path) -> None:
    """Does an answer letter without that option report the answer's line and field?"""
    text = HEAD + GOOD_QUESTION.replace("answer: B", "answer: E")
    (error,) = _errors(_write(tmp_path, text))
    assert error.path == tmp_path / "t09-bad.md"
    assert error.row == text.splitlines().index("answer: E") + 1
    assert error.column == "answer"
    assert "t09-bad.md" in str(error) and "第" in str(error)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    """Are a bad type, a missing basis and a misspelt field all reported together?"""
    broken = (
        GOOD_QUESTION.replace("type: single", "type: choice")
        .replace("basis: 《行政处罚法》第九条\n", "")
        .replace("explanation:", "explaination:")
    )
    errors = _errors(_write(tmp_path, HEAD + broken))
    fields = {e.column for e in errors}
    assert {"type", "basis", "explaination", "explanation"} <= fields
    assert all(e.row and e.row > HEAD.count("\n") for e in errors)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (("answer: B", "answer: AB"), "answer", "单选题答案应为一个字母"),
        (("basis: 《行政处罚法》第九条", "basis: 行政处罚法第9条"), "basis", "中文数字"),
        (("  C: 丙\n", ""), "options", "至少需要 3 个选项"),
        (("  C: 丙", "  E: 丙"), "options", "依次为 ABC"),
        (("id: q1", "id: 题一"), "id", "英文字母"),
    ],
)
def test_question_rules(tmp_path: Path, change: tuple[str, str], field: str, message: str) -> None:
    """Is each bank-style rule of a question enforced with its field named?"""
    errors = _errors(_write(tmp_path, HEAD + GOOD_QUESTION.replace(*change)))
    assert any(e.column == field and message in e.message for e in errors), errors


def test_multiple_needs_two_correct_and_fill_needs_blank(tmp_path: Path) -> None:
    """Are a one-letter multiple-choice key and a fill stem without ____ refused?"""
    multiple = GOOD_QUESTION.replace("type: single", "type: multiple").replace(
        "  C: 丙", "  C: 丙\n  D: 丁"
    )
    fill = "\n```question\nid: q2\ntype: fill\nstem: 没有空格\nanswer: 二百\n"
    fill += "basis: 《行政处罚法》第五十一条\nexplanation: 解析。\n```\n"
    errors = _errors(_write(tmp_path, HEAD + multiple + fill))
    messages = {(e.column, e.message.split("，")[0]) for e in errors}
    assert ("answer", "多选题答案至少两个字母") in messages
    assert any(e.column == "stem" and "____" in e.message for e in errors)


def test_duplicate_question_ids_and_yaml_errors(tmp_path: Path) -> None:
    """Are a repeated question id and a YAML syntax error located by line?"""
    bad_yaml = "\n```question\nid: q3\nstem: [未闭合\n```\n"
    errors = _errors(_write(tmp_path, HEAD + GOOD_QUESTION + GOOD_QUESTION + bad_yaml))
    assert any("重复" in e.message and e.column == "id" for e in errors)
    assert any("YAML 格式错误" in e.message and e.row for e in errors)


def test_front_matter_is_required_and_checked(tmp_path: Path) -> None:
    """Are a missing front matter and a non-positive study time refused?"""
    (error,) = _errors(_write(tmp_path, "# 只有正文\n"))
    assert error.row == 1 and "YAML 头信息" in error.message
    errors = _errors(_write(tmp_path, HEAD.replace("minutes: 20", "minutes: 0")))
    assert [(e.row, e.column) for e in errors] == [(5, "minutes")]


def test_unclosed_question_block(tmp_path: Path) -> None:
    """Is a question block without its closing fence reported at its opening line?"""
    text = HEAD + GOOD_QUESTION.rstrip().removesuffix("```")
    (error,) = _errors(_write(tmp_path, text))
    assert error.row == text.splitlines().index("```question") + 1
    assert "没有结束行" in error.message


@pytest.mark.parametrize(
    "marker", ["### END HIDDEN TESTS", "### BEGIN SOLUTION", "end  mark scheme", "ＥＮＤ SOLUTION"]
)
def test_nbgrader_delimiters_in_a_module_are_refused(tmp_path: Path, marker: str) -> None:
    """Is a module whose text or 解析 holds an nbgrader delimiter (which would end a hidden
    region early and release the key) refused, naming the file and line?"""
    question = GOOD_QUESTION.replace("explanation: 解析。", f'explanation: "解析。{marker}"')
    path = _write(tmp_path, HEAD + question)
    errors = _errors(path)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if marker in text)
    assert [(e.path.name, e.row) for e in errors] == [("t09-bad.md", line)]
    assert "nbgrader 的区域标记" in errors[0].message
