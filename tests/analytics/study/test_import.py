"""`fazhi study import` end to end on SQLite and PostgreSQL: all-or-nothing, idempotent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from fazhi import db
from fazhi.analytics.study import store
from fazhi.analytics.study.daily import blob_seconds
from fazhi.analytics.study.yearstore import refresh_years
from fazhi.models import StudyActivity, StudyPack, StudySource, StudyYear
from fazhi.settings import Settings

from ..helpers import STUDY_HEADER_EN, STUDY_HEADER_ZH, import_roster, write_csv, write_xlsx

pytestmark = pytest.mark.db

ROWS = [
    ["CG001", "2026-01-05 09:00", "2026-01-05 10:30", "线下", "集中学习"],
    ["CG001", "2026-01-05 10:00", "2026-01-05 11:00", "线上", "m01-penalty-basics"],
    ["CG002", "2026-01-11 23:30", "2026-01-12 00:45", "线上", "在线学法"],
    ["CG002", "2026-01-11 23:30", "2026-01-12 00:45", "线上", "在线学法"],  # duplicate row
]


def counts(settings: Settings) -> dict[str, int]:
    with db.session_scope(settings) as session:
        found = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (StudySource, StudyActivity, StudyYear)
        }
        found["study_interval"] = int(session.scalar(select(func.sum(StudyPack.count))) or 0)
        return found


def day_totals(settings: Settings) -> dict[tuple[int, int], float]:
    with db.session_scope(settings) as session:
        rows = session.execute(select(StudyYear.officer_id, StudyYear.year, StudyYear.seconds))
        return {(o, y): float(blob_seconds(b).sum()) for o, y, b in rows}


def test_import_stores_intervals_and_day_totals(workspace: Settings, cli, tmp_path: Path) -> None:
    """Does an import store each distinct row once, link module ids and total each day?"""
    import_roster(cli, workspace, tmp_path)
    path = write_csv(tmp_path / "签到.csv", STUDY_HEADER_ZH, ROWS, "gb18030")
    result = cli("study", "import", path, "--workspace", workspace.workspace)
    assert result.exit_code == 0, result.output
    assert "共 4 条，新增 3 条，已存在 1 条" in result.stdout
    assert counts(workspace) == {
        "study_interval": 3,
        "study_source": 1,
        "study_activity": 3,
        "study_year": 2,
    }
    with db.session_scope(workspace) as session:
        modules = dict(session.execute(select(StudyActivity.name, StudyActivity.module_id)).all())
    assert modules == {
        "集中学习": None,
        "m01-penalty-basics": "m01-penalty-basics",
        "在线学法": None,
    }
    # CG001: 09:00–11:00 (union), CG002: 75 minutes across midnight
    assert sorted(day_totals(workspace).values()) == [75 * 60.0, 120 * 60.0]


def test_reimport_changes_nothing_and_an_edited_copy_adds_only_new_rows(
    workspace: Settings, cli, tmp_path: Path
) -> None:
    """Does importing the same file again add nothing, and an edited copy only its new row?"""
    import_roster(cli, workspace, tmp_path)
    path = write_csv(tmp_path / "s.csv", STUDY_HEADER_EN, ROWS)
    cli("study", "import", path, "--workspace", workspace.workspace)
    before, totals = counts(workspace), day_totals(workspace)
    again = cli("study", "import", path, "--workspace", workspace.workspace)
    assert "新增 0 条，已存在 4 条" in again.stdout
    assert counts(workspace) == before and day_totals(workspace) == totals
    edited = [*ROWS, ["CG001", "2026-01-07 09:00", "2026-01-07 09:30", "offline", "专题讲座"]]
    xlsx = write_xlsx(tmp_path / "s2.xlsx", STUDY_HEADER_EN, edited)
    third = cli("study", "import", xlsx, "--workspace", workspace.workspace)
    assert "新增 1 条" in third.stdout
    assert counts(workspace)["study_interval"] == before["study_interval"] + 1
    assert sum(day_totals(workspace).values()) == sum(totals.values()) + 30 * 60


@pytest.mark.parametrize(
    ("line", "column", "value", "expected"),
    [
        (3, "结束时间", "2026-01-05 09:59", "结束时间早于开始时间"),
        (4, "工号", "CG404", "名册中没有工号“CG404”"),
        (2, "开始时间", "2026-01-05 25:00", "格式不正确"),
    ],
    ids=["end-before-start", "unknown-officer", "unparseable-time"],
)
def test_bad_rows_are_refused_and_nothing_written(
    workspace: Settings, cli, tmp_path: Path, line: int, column: str, value: str, expected: str
) -> None:
    """Is each bad row reported (file, row, column) with exit status 2 and nothing written?"""
    import_roster(cli, workspace, tmp_path)
    rows = [r[:] for r in ROWS]
    rows[line - 2][STUDY_HEADER_ZH.index(column)] = value
    path = write_csv(tmp_path / "bad.csv", STUDY_HEADER_ZH, rows)
    result = cli("study", "import", path, "--workspace", workspace.workspace)
    assert result.exit_code == 2
    assert "bad.csv" in result.stderr and f"第 {line} 行" in result.stderr
    assert column in result.stderr and expected in result.stderr
    assert "Traceback" not in result.stderr
    assert counts(workspace) == {
        "study_interval": 0,
        "study_source": 0,
        "study_activity": 0,
        "study_year": 0,
    }


@pytest.mark.parametrize(
    ("setting", "value"),
    [("_BY_OFFICER", 1), ("_FEW_OFFICERS", 2)],
    ids=["all-packs-then-pick", "by-officer-in-batches"],
)
def test_day_totals_equal_a_fresh_recomputation(
    workspace: Settings,
    cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setting: str,
    value: int,
) -> None:
    """After several imports, do the stored day totals equal a recomputation from the
    intervals, however the stored packs are read back?"""
    monkeypatch.setattr(store, setting, value)
    import_roster(cli, workspace, tmp_path)
    rng = np.random.default_rng(3)
    for part in range(3):
        rows = []
        for _ in range(40):
            day = int(rng.integers(1, 28))
            hour = int(rng.integers(0, 23))
            minutes = int(rng.integers(5, 300))
            start = f"2026-02-{day:02d} {hour:02d}:00"
            end_hour, end_minute = divmod(hour * 60 + minutes, 60)
            end_day, end_hour = day + end_hour // 24, end_hour % 24
            end = f"2026-02-{end_day:02d} {end_hour:02d}:{end_minute:02d}"
            rows.append([f"CG00{rng.integers(1, 4)}", start, end, "线上", f"内容{part}"])
        path = write_csv(tmp_path / f"p{part}.csv", STUDY_HEADER_ZH, rows)
        assert cli("study", "import", path, "--workspace", workspace.workspace).exit_code == 0
    stored = day_totals(workspace)
    with db.session_scope(workspace) as session:
        officers = np.array(sorted({o for o, _ in stored}))
        refresh_years(session, officers=officers, years=range(2026, 2027))
    assert day_totals(workspace) == stored


def test_equal_rows_are_stored_once_across_files(workspace: Settings, cli, tmp_path: Path) -> None:
    """Is the first of equal rows kept (by row number), does an edited copy add only its new
    row, in a pack of its own source, and are the packs' constraints in force?"""
    import_roster(cli, workspace, tmp_path)
    path = write_csv(tmp_path / "s.csv", STUDY_HEADER_EN, ROWS)
    first = cli("study", "import", path, "--workspace", workspace.workspace)
    assert "共 4 条，新增 3 条，已存在 1 条" in first.stdout
    assert sorted(day_totals(workspace).values()) == [75 * 60.0, 120 * 60.0]
    edited = [*ROWS, ["CG001", "2026-01-07 09:00", "2026-01-07 09:30", "offline", "专题讲座"]]
    path = write_csv(tmp_path / "s2.csv", STUDY_HEADER_EN, edited)
    again = cli("study", "import", path, "--workspace", workspace.workspace)
    assert "共 5 条，新增 1 条，已存在 4 条" in again.stdout
    with db.session_scope(workspace) as session:
        records = store.load_records(session)
        packs = session.execute(select(StudyPack.source_id, StudyPack.count)).all()
        kept = session.execute(select(StudyPack).where(StudyPack.source_id == 1)).scalars().first()
        assert kept is not None
        copy = {c: getattr(kept, c) for c in ("count", "first_ts", "last_ts", "records")}
        officer = kept.officer_id
    assert sorted(records["row"]) == [2, 3, 4, 6]
    assert sorted(records.loc[records["row"] == 6, "source_id"]) == [2]
    assert sorted(packs) == [(1, 1), (1, 2), (2, 1)]
    assert set(records["kind"]) == {"online", "offline"}
    with pytest.raises(IntegrityError), db.session_scope(workspace) as session:
        session.add(StudyPack(**copy, source_id=1, officer_id=officer))  # same source+officer
        session.flush()
    with pytest.raises(IntegrityError), db.session_scope(workspace) as session:
        session.add(StudyPack(**copy, source_id=1, officer_id=999_999))  # no such officer
        session.flush()
