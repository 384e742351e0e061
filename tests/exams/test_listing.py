"""``fazhi exam list`` (each exam's stage), the release warning and ``report items`` guard."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi import db
from fazhi.exams.listing import exam_state, list_exams
from fazhi.models.exam import Exam

pytestmark = pytest.mark.db

WINDOW = ["--opens", "2026-03-01 09:00", "--closes", "2026-03-10 18:00"]
BEIJING = dt.timezone(dt.timedelta(hours=8))


def _exam(**times: dt.datetime | None) -> Exam:
    return Exam(name="x", title="x", mode="all", seed=1, pass_mark=0.6, blueprint=[], **times)


def test_states_follow_release_window_grading_and_feedback() -> None:
    """Is an exam draft until released, then not yet open, open, closed, graded, feedback?"""
    opens = dt.datetime(2026, 3, 1, 1, tzinfo=dt.UTC)
    closes = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
    draft = _exam(opens=opens, closes=closes, released_at=None)
    released = _exam(opens=opens, closes=closes, released_at=opens - dt.timedelta(days=1))
    during, after = opens + dt.timedelta(days=2), closes + dt.timedelta(minutes=1)

    def state(exam: Exam, now: dt.datetime, graded: int = 0, feedback: int = 0) -> str:
        return exam_state(exam, graded=graded, feedback=feedback, now=now)

    assert state(draft, during) == "draft"
    assert state(released, opens - dt.timedelta(hours=1)) == "scheduled"
    assert state(released, during) == "open"
    assert state(released, after) == "closed"
    assert state(released, after, graded=3) == "graded"
    assert state(released, after, graded=3, feedback=3) == "feedback"
    assert state(_exam(opens=None, closes=None, released_at=opens), after) == "open"


def test_list_reads_the_workspace_folders(workspace, cli, test_bank) -> None:  # type: ignore[no-untyped-def]
    """Does ``fazhi exam list`` show every exam with its Chinese state and head counts?"""
    ws = workspace.workspace
    assert cli("exam", "list", "-w", ws).stdout.startswith("还没有任何考试")
    create = ["exam", "create"]
    assert cli(*create, "e1", "--bank", test_bank, "--all", *WINDOW, "-w", ws).exit_code == 0
    assert cli(*create, "e2", "--bank", test_bank, "--count", "单选=2", "-w", ws).exit_code == 0
    with db.session_scope(workspace) as session:
        exam = session.query(Exam).filter_by(name="e1").one()
        exam.released_at = dt.datetime(2026, 2, 28, tzinfo=dt.UTC)
    for folder, officers in (("submitted", 3), ("autograded", 2)):
        for number in range(officers):
            (ws / folder / f"CG00{number}" / "e1").mkdir(parents=True)
    result = cli("exam", "list", "-w", ws)
    assert result.exit_code == 0
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert lines[0][:4] == ["考试编号", "名称", "组卷方式", "状态"]
    rows = {line[0]: line for line in lines[1:]}
    assert rows["e1"][2:] == [
        "全部题目",
        "已评分",
        "2026-03-01 09:00",
        "2026-03-10 18:00",
        "13",
        "22",
        "3",
        "2",
    ]
    assert rows["e2"][2:4] == ["每人抽题", "草稿（未发布）"] and rows["e2"][4] == "—"
    with db.session_scope(workspace) as session:
        moment = dt.datetime(2026, 3, 5, tzinfo=BEIJING)
        states = {x.name: x.state for x in list_exams(session, workspace, now=moment)}
    assert states == {"e1": "graded", "e2": "draft"}


def test_item_report_without_submissions_fails(workspace, cli, test_bank) -> None:  # type: ignore[no-untyped-def]
    """Does ``report items`` on an exam nobody has handed in say so and exit non-zero?"""
    ws = workspace.workspace
    assert cli("exam", "create", "e1", "--bank", test_bank, "--all", "-w", ws).exit_code == 0
    result = cli("report", "items", "e1", "--out", ws / "items.csv", "-w", ws)
    assert result.exit_code != 0
    assert "还没有已评分的提交" in result.stderr and not (ws / "items.csv").exists()


@pytest.mark.slow
def test_release_after_closing_warns(workspace, cli, test_bank) -> None:  # type: ignore[no-untyped-def]
    """Does releasing an exam whose closing time has passed still release, with a warning?"""
    ws = workspace.workspace
    assert (
        cli("exam", "create", "old", "--bank", test_bank, "--all", *WINDOW, "-w", ws).exit_code == 0
    )
    result = cli("exam", "release", "old", "-w", ws)
    assert result.exit_code == 0 and "试卷已发布" in result.stdout
    assert "警告：考试“old”已于 2026-03-10 18:00 截止" in result.stderr
    listed = cli("exam", "list", "-w", ws).stdout
    assert "已截止，待评分" in listed
