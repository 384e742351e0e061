"""Skewed key letters: ``fazhi bank import`` warns (in Chinese) but still imports."""

from __future__ import annotations

import pytest

from fazhi.exams.bank import BankQuestion
from fazhi.exams.keybalance import key_skew_warnings

ABCD = ("甲", "乙", "丙", "丁")


def _question(number: int, kind: str, answer: str) -> BankQuestion:
    return BankQuestion(
        line=number + 1,
        code=f"K-{number:02d}",
        type=kind,
        stem=f"第 {number} 题",
        options=ABCD,
        answer=answer,
        points=1.0,
        basis="《行政处罚法》第一条",
        topic="",
        difficulty="",
        explanation="",
    )


def _bank(kind: str, answers: str | list[str]) -> list[BankQuestion]:
    return [_question(i, kind, a) for i, a in enumerate(answers)]


def test_balanced_keys_raise_no_warning() -> None:
    """Are evenly spread single keys and scattered multiple keys left alone?"""
    assert key_skew_warnings(_bank("single", "ABCDABCDDCBA")) == []
    assert (
        key_skew_warnings(_bank("multiple", ["AC", "BD", "ACD", "BC", "CD", "ABD", "AD", "BCD"]))
        == []
    )


def test_mostly_a_single_keys_are_named() -> None:
    """Is a bank whose single keys are mostly A warned about, with the letter and its share?"""
    (warning,) = key_skew_warnings(_bank("single", "AAAAAAABCD"))
    assert "单选题答案分布不均" in warning and "答案为 A 的有 7 题（70%" in warning


def test_leading_multiple_keys_are_named() -> None:
    """Are multiple keys that are mostly the leading options (AB, ABC) warned about?"""
    answers = ["AB", "ABC", "AB", "ABC", "AB", "BD", "ACD", "ABCD"]
    (warning,) = key_skew_warnings(_bank("multiple", answers))
    assert "多选题答案偏向前面的选项" in warning and "5 题（62%）" in warning
    assert "AB、ABC" in warning  # ABCD (every option) is not counted as leading


def test_small_banks_are_not_judged() -> None:
    """Does a type with too few questions to show a pattern get no warning?"""
    assert key_skew_warnings(_bank("single", "AAAA")) == []


@pytest.mark.db
def test_bank_import_warns_but_imports(
    workspace, cli, tmp_path, bank_rows, en_header, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Does ``fazhi bank import`` of a skewed bank print the warning on stderr and exit 0?"""
    rows = list(bank_rows)
    for number in range(14, 22):
        row = list(bank_rows[0])
        row[0], row[9] = f"T-{number}", "A"
        rows.append(row)
    path = csv_file(tmp_path / "skewed.csv", en_header, rows)
    result = cli("bank", "import", path, "--bank", "t", "-w", workspace.workspace)
    assert result.exit_code == 0
    assert "导入完成" in result.stdout and "新增 21 题" in result.stdout
    assert "注意：单选题答案分布不均" in result.stderr
    balanced = cli(
        "bank",
        "import",
        csv_file(tmp_path / "t.csv", en_header, bank_rows),
        "--bank",
        "u",
        "-w",
        workspace.workspace,
    )
    assert balanced.exit_code == 0 and balanced.stderr == ""
