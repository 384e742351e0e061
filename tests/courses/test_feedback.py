"""Case feedback: the officer's answers, keys, scores (待评阅 while ungraded), 解析 — in Chinese,
with none of nbgrader's English labels, code or hidden tests."""

from __future__ import annotations

from pathlib import Path

from fazhi.courses.case import HandlingCase, ReviewCase, load_case
from fazhi.courses.compile import basis_options, review_checklist
from fazhi.courses.feedback import case_feedback_html, case_feedback_items

ENGLISH = ("Score", "Comments", "BEGIN", "HIDDEN", "sheet.", "import ", "True", "False", "None")


def _handling(data_dir: Path) -> HandlingCase:
    case = load_case(data_dir / "sample-handling.yaml")
    assert isinstance(case, HandlingCase)
    return case


def test_ungraded_reasoning_shows_pending_not_zero(data_dir: Path) -> None:
    """Before a trainer grades the reasoning, does it read 待评阅 (not 0 / 4) while the
    automatically graded parts show the answer, the key, the score and the 解析?"""
    case = _handling(data_dir)
    options, key = basis_options(case)
    sheet = {
        "answers": {
            f"{case.id}-procedure": {"value": "简易程序"},
            f"{case.id}-legal_basis": {"value": key[0]},
            f"{case.id}-circumstance": {"value": "一般"},
            f"{case.id}-fine": {"value": 800},
        }
    }
    grades = {
        f"{case.id}-procedure": 0.0,
        f"{case.id}-legal_basis": 1.0,
        f"{case.id}-circumstance": 2.0,
        f"{case.id}-fine": 2.0,
        f"{case.id}-reasoning": None,
    }
    items = case_feedback_items(case, sheet, grades, "当事人甲在店外经营。")
    assert [item.title for item in items] == [
        "一、程序选择",
        "二、法律依据",
        "三、情节认定",
        "四、罚款数额",
        "五、处理理由（人工评阅）",
    ]
    procedure, basis, _, fine, reasoning = items
    assert (procedure.given, procedure.key, procedure.css) == ("简易程序", "一般程序", "no")
    assert basis.css == "part" and basis.key == "、".join(key)
    assert basis.options == [f"{letter}．{text}" for letter, text in options.items()]
    assert (fine.given, fine.key, fine.key_label) == ("800 元", "500～1000 元", "正确范围")
    assert reasoning.score is None and reasoning.css == "wait" and reasoning.notes == []
    page = case_feedback_html(case, officer_id="CG0001", name="王伟", items=items)
    assert "待评阅" in page and "0 / 4" not in page and "处理理由待评阅" in page
    assert "已评部分得分 <b>5</b>" in page and "解析戊" in page and "评分要点壬" not in page
    for word in ENGLISH:
        assert word not in page, word


def test_graded_reasoning_shows_score_and_mark_scheme(data_dir: Path) -> None:
    """Once graded, does the reasoning show its score with the 评分要点 and 参考答案, and the
    page the total?"""
    case = _handling(data_dir)
    grades = {f"{case.id}-{part}": 2.0 for part in ("procedure", "legal_basis", "circumstance")}
    grades |= {f"{case.id}-fine": 0.0, f"{case.id}-reasoning": 3.0}
    items = case_feedback_items(case, {"answers": {}}, grades, "")
    page = case_feedback_html(case, officer_id="CG0001", name="王伟", items=items)
    assert "得分 <b>9</b> / 12" in page and "得分 3 / 4" in page
    assert "评分要点壬" in page and "参考答案子" in page and "（未作答）" in page
    assert "待评阅" not in page


def test_review_feedback_explains_every_statement(data_dir: Path) -> None:
    """Does review feedback list what was ticked, the real defects and each statement's
    explanation in the order the officer saw them?"""
    case = load_case(data_dir / "sample-review.yaml")
    assert isinstance(case, ReviewCase)
    statements, defects = review_checklist(case)
    sheet = {"answers": {f"{case.id}-review": {"value": [defects[0]]}}}
    (item,) = case_feedback_items(case, sheet, {f"{case.id}-review": 1.0})
    assert item.given == f"第 {defects[0] + 1} 项"
    assert item.key == "、".join(f"第 {i + 1} 项" for i in defects)
    assert item.notes[0][0].startswith("第 1 项")
    assert len(item.notes) == len(statements)
    page = case_feedback_html(case, officer_id="CG0001", name="王伟", items=[item])
    assert "案卷评查" in page and "存在问题" in page
    for word in ENGLISH:
        assert word not in page, word
