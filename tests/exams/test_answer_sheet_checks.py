"""Answer sheets that try too much: two letters for one choice, a hand-in time years before
the exam, a 工号 that is a path (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from fazhi import db
from fazhi.exams.draws import officer_paper
from fazhi.exams.exam import get_exam
from fazhi.models import Officer, Unit

pytestmark = [pytest.mark.db, pytest.mark.slow]
HEADER = ["工号", "题号", "作答"]


@pytest.fixture
def exam(workspace, cli, test_bank, roster) -> str:  # type: ignore[no-untyped-def]
    """Exam ``a1`` (every question of the test bank) opening 2026-03-01, released."""
    ws = workspace.workspace
    created = cli(
        "exam",
        "create",
        "a1",
        "--all",
        "--bank",
        test_bank,
        "--opens",
        "2026-03-01 09:00",
        "-w",
        ws,
    )
    assert created.exit_code == 0, created.output
    assert cli("exam", "release", "a1", "-w", ws).exit_code == 0
    return "a1"


def single_choice(settings, exam: str) -> str:  # type: ignore[no-untyped-def]
    with db.session_scope(settings) as session:
        paper = officer_paper(get_exam(session, exam), "CG001")
        return next(i.version.code for i in paper if i.version.type == "single")


def test_two_letters_for_a_single_choice_are_refused(
    workspace, cli, exam, tmp_path, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Is ``AB`` for a single-choice question refused with row and column, nothing written?"""
    path = csv_file(tmp_path / "卡.csv", HEADER, [["CG001", single_choice(workspace, exam), "AB"]])
    result = cli(
        "exam", "import-answers", exam, path, "--at", "2026-03-01 10:00", "-w", workspace.workspace
    )
    assert result.exit_code == 2
    assert (
        "第 2 行" in result.stderr
        and "作答" in result.stderr
        and "单选题只能选一项" in result.stderr
    )
    assert not (workspace.workspace / "submitted" / "CG001").exists()


def test_hand_in_before_the_exam_opened_is_refused(
    workspace, cli, exam, tmp_path, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Is ``--at`` years before the exam opened (a mistyped year) refused?"""
    path = csv_file(tmp_path / "卡.csv", HEADER, [["CG001", single_choice(workspace, exam), "A"]])
    result = cli(
        "exam", "import-answers", exam, path, "--at", "2016-03-01 10:00", "-w", workspace.workspace
    )
    assert result.exit_code == 2 and "早于考试“a1”的开考时间" in result.stderr
    assert not (workspace.workspace / "submitted" / "CG001").exists()


def test_a_path_as_officer_id_cannot_reach_the_keys(
    workspace, cli, exam, tmp_path, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """With ``../source`` already in an old database, does import-answers refuse it and leave
    ``source/<exam>`` (the keys) as it was?"""
    with db.session_scope(workspace) as session:  # written by a version that did not check
        unit = session.query(Unit).first()
        session.add(
            Officer(officer_id="../source", name="坏人", unit=unit, role="staff", enforcement=True)
        )
    keys = workspace.workspace / "source" / exam / f"{exam}.ipynb"
    before = keys.read_bytes()
    path = csv_file(
        tmp_path / "卡.csv", HEADER, [["../source", single_choice(workspace, exam), "A"]]
    )
    result = cli(
        "exam", "import-answers", exam, path, "--at", "2026-03-01 10:00", "-w", workspace.workspace
    )
    assert result.exit_code == 2 and "工号“../SOURCE”无效" in result.stderr
    assert keys.read_bytes() == before
    assert [p.name for p in (workspace.workspace / "submitted").iterdir()] == []
