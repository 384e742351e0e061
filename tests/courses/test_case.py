"""Case exercise files (handling and review): parsing and located validation errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from fazhi.courses.case import HandlingCase, ReviewCase, load_case
from fazhi.errors import InputError, InputErrors, UserError


def _errors(path: Path) -> list[InputError]:
    with pytest.raises(UserError) as caught:
        load_case(path)
    err = caught.value
    return err.errors if isinstance(err, InputErrors) else [err]  # type: ignore[list-item]


def _variant(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if fragment in line)


def test_handling_sample_parses_every_part(data_dir: Path) -> None:
    """Does the handling sample yield its parts, with 普通程序 read as 一般程序?"""
    case = load_case(data_dir / "sample-handling.yaml")
    assert isinstance(case, HandlingCase)
    assert case.procedure.answer == "一般程序"
    assert case.legal_basis.answer == (0, 2) and len(case.legal_basis.options) == 4
    assert case.fine is not None and (case.fine.low, case.fine.high) == (500.0, 1000.0)
    assert case.reasoning.points == 4 and "评分要点壬" in case.reasoning.rubric
    assert case.points == 12


def test_review_sample_parses_documents_and_checklist(data_dir: Path) -> None:
    """Does the review sample yield five documents and its planted defects?"""
    case = load_case(data_dir / "sample-review.yaml")
    assert isinstance(case, ReviewCase)
    assert [d.title for d in case.documents][:2] == ["立案审批表", "调查询问笔录"]
    assert case.defects == [0, 1, 2] and case.points == 6


@pytest.mark.parametrize(
    ("old", "new", "field", "message", "at"),
    [
        ("answer: 一般\n", "answer: 较重\n", "answer", "轻微不罚 / 首违不罚", "answer: 较重"),
        ("answer: [0, 2]", "answer: [0, 9]", "answer", "序号列表", "answer: [0, 9]"),
        ("min: 500", "min: 5000", "max", "小于下限", "max: 1000"),
        ("points: 2", "points: 0", "points", "正数", "points: 0"),  # the first: procedure
        ("- 《城乡规划法》第六十四条", "- 城乡规划法64条", "options", "第X条", "城乡规划法64条"),
        ("explanation: 解析戊", "explaination: 解析戊", "explaination", "未知字段", "explaination"),
    ],
)
def test_handling_rules_name_line_and_field(
    tmp_path: Path, data_dir: Path, old: str, new: str, field: str, message: str, at: str
) -> None:
    """Is each handling-case rule reported at the offending line with its field?"""
    path = _variant(tmp_path, data_dir / "sample-handling.yaml", old, new)
    hits = [e for e in _errors(path) if e.column == field and message in e.message]
    assert hits, _errors(path)
    assert hits[0].path == path
    assert hits[0].row == _line_of(path, at)


def test_no_penalty_circumstance_refuses_a_fine(tmp_path: Path, data_dir: Path) -> None:
    """Is a fine refused when the circumstance is 首违不罚 (no penalty)?"""
    path = _variant(
        tmp_path, data_dir / "sample-handling.yaml", "answer: 一般\n", "answer: 首违不罚\n"
    )
    (error,) = _errors(path)
    assert error.column == "fine" and "不予处罚" in error.message
    assert error.row == _line_of(path, "  fine:")


def test_missing_part_and_unknown_kind(tmp_path: Path, data_dir: Path) -> None:
    """Are a missing reasoning part and an unknown kind refused?"""
    source = data_dir / "sample-handling.yaml"
    text = source.read_text(encoding="utf-8")
    path = tmp_path / "no-reasoning.yaml"
    path.write_text(text[: text.index("  reasoning:")], encoding="utf-8")
    (error,) = _errors(path)
    assert error.column == "reasoning" and "缺少答题部分" in error.message
    (error,) = _errors(_variant(tmp_path, source, "kind: handling", "kind: quiz"))
    assert error.column == "kind" and error.row == 2


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "    defect: false\n    explanation: 说明辰",
            "    defect: 否\n    explanation: 说明辰",
            "defect",
            "true",
        ),
        ("    basis: 《行政处罚法》第四十二条\n", "", "basis", "缺少"),
        ("points: 6", "points: -1", "points", "正数"),
    ],
)
def test_review_rules_name_line_and_field(
    tmp_path: Path, data_dir: Path, old: str, new: str, field: str, message: str
) -> None:
    """Is each review-case rule reported with its field (a defect must cite its article)?"""
    errors = _errors(_variant(tmp_path, data_dir / "sample-review.yaml", old, new))
    assert any(e.column == field and message in e.message and e.row for e in errors), errors


def test_review_needs_defects_and_distractors(tmp_path: Path, data_dir: Path) -> None:
    """Is a checklist whose statements are all sound refused?"""
    text = (data_dir / "sample-review.yaml").read_text(encoding="utf-8")
    path = tmp_path / "all-sound.yaml"
    path.write_text(text.replace("defect: true", "defect: false"), encoding="utf-8")
    errors = _errors(path)
    assert any(e.column == "checklist" and "同时包含" in e.message for e in errors)


def test_duplicate_yaml_key_is_an_error(tmp_path: Path, data_dir: Path) -> None:
    """Is a key given twice refused (YAML would silently keep the second)?"""
    path = _variant(tmp_path, data_dir / "sample-review.yaml", "points: 6", "points: 6\npoints: 8")
    (error,) = _errors(path)
    assert (
        error.column == "points"
        and "重复" in error.message
        and error.row == _line_of(path, "points: 8")
    )


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("参考答案子：应当按一般程序处罚。", "### END MARK SCHEME 参考答案子", "reference"),
        ("解析戊：罚款超过二百元", "解析戊 ### END HIDDEN TESTS", "explanation"),
    ],
)
def test_nbgrader_delimiters_in_a_case_are_refused(
    tmp_path: Path, data_dir: Path, old: str, new: str, field: str
) -> None:
    """Is a case whose reference answer or 解析 holds an nbgrader delimiter (which would
    release the mark scheme or key with the notebook) refused, naming line and field?"""
    path = _variant(tmp_path, data_dir / "sample-handling.yaml", old, new)
    errors = _errors(path)
    assert [(e.row, e.column) for e in errors] == [(_line_of(path, new), field)]
    assert "nbgrader 的区域标记" in errors[0].message
