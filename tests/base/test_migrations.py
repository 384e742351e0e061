"""Alembic migrations: empty → head, models match the migrations, and the start-up check."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from fazhi import db
from fazhi.errors import DatabaseOutOfDate
from fazhi.models import Base
from fazhi.settings import Settings

pytestmark = pytest.mark.db


def test_empty_to_head_matches_models(db_url: str) -> None:
    """Does upgrading an empty database give exactly the tables the models declare?"""
    db.upgrade(db_url)
    engine = db.get_engine(db_url)
    assert db.current_revision(engine) == db.head_revision()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_migrations_are_linear() -> None:
    """Is there exactly one head, so parallel branches never land?"""
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_start_up_check_knows_alembics_head() -> None:
    """Does the head the start-up check reads from the migration files (without importing
    Alembic) equal Alembic's own?"""
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert db.head_revision() == script.get_current_head()


def test_downgrade_then_upgrade(db_url: str) -> None:
    """Can every migration be undone and redone?"""
    db.upgrade(db_url)
    config = db.alembic_config(db_url)
    from alembic import command

    with db.get_engine(db_url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert db.current_revision(db.get_engine(db_url)) is None
    db.upgrade(db_url)
    assert db.current_revision(db.get_engine(db_url)) == db.head_revision()


def test_out_of_date_database_is_refused(workspace: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    """Is a database behind the code refused with the upgrade command named, and does it upgrade?"""
    db.upgrade(workspace.database_url, "0001_roster")
    from alembic import command

    config = db.alembic_config(workspace.database_url)
    with db.get_engine(workspace.database_url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_roster")
    db.dispose_engines()
    with pytest.raises(DatabaseOutOfDate) as caught:
        db.check_current(db.get_engine(workspace.database_url))
    assert "fazhi db upgrade" in str(caught.value)

    csv = workspace.workspace / "r.csv"
    csv.write_text("工号,姓名,单位,职务类别,执法人员\nA1,张三,局/队,staff,是\n", encoding="utf-8")
    refused = cli("roster", "import", csv, "--workspace", workspace.workspace)
    assert refused.exit_code == 2
    assert "fazhi db upgrade" in refused.stderr

    upgraded = cli("db", "upgrade", "--workspace", workspace.workspace)
    assert upgraded.exit_code == 0, upgraded.output
    db.dispose_engines()
    assert cli("roster", "import", csv, "--workspace", workspace.workspace).exit_code == 0


def test_study_intervals_are_packed_and_unpacked(db_url: str) -> None:
    """Does 0006 pack the rows of a database with study intervals, one pack per source and
    officer, and does its downgrade give the same rows back?"""
    from alembic import command
    from sqlalchemy import text

    from fazhi.analytics.study.store import load_records
    from fazhi.db import get_engine

    db.upgrade(db_url, "0005_mockcourt")
    rows = [  # officer, start, end, kind, activity, source, row
        (1, 1_767_600_000, 1_767_603_600, "offline", 1, 1, 2),
        (1, 1_767_590_000, 1_767_593_600, "online", 2, 1, 3),
        (2, 1_767_600_000, 1_767_601_000, "online", 2, 1, 4),
        (1, 1_767_700_000, 1_767_700_900, "online", 2, 2, 1),
    ]
    engine = get_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO unit (id, path, name, depth) VALUES (1, '局', '局', 0)")
        )
        for number in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO officer (id, officer_id, name, unit_id, role, enforcement) "
                    f"VALUES ({number}, 'CG00{number}', '队员', 1, 'staff', true)"
                )
            )
        connection.execute(
            text("INSERT INTO study_activity (id, name) VALUES (1, '集中学习'), (2, 'm01')")
        )
        for source, kind in ((1, "file"), (2, "tracker")):
            connection.execute(
                text(
                    "INSERT INTO study_source (id, kind, digest, name, created_at) VALUES "
                    f"({source}, '{kind}', 'd{source}', 'n', CURRENT_TIMESTAMP)"
                )
            )
        connection.execute(
            text(
                "INSERT INTO study_interval (officer_id, start_ts, end_ts, kind, activity_id, "
                "source_id, source_row) VALUES (:o, :s, :e, :k, :a, :src, :r)"
            ),
            [dict(zip(["o", "s", "e", "k", "a", "src", "r"], row, strict=True)) for row in rows],
        )
    db.upgrade(db_url)
    with Session(engine) as session:
        packed = load_records(session)
        packs = session.execute(text("SELECT source_id, officer_id, count FROM study_pack")).all()
    names = {"集中学习": 1, "m01": 2}
    officers = {"CG001": 1, "CG002": 2}
    got = [
        (officers[r.officer_id], r.start, r.end, r.kind, names[r.activity], r.source_id, r.row)
        for r in packed.itertuples()
    ]
    assert sorted(got) == sorted(rows)
    assert sorted(tuple(p) for p in packs) == [(1, 1, 2), (1, 2, 1), (2, 1, 1)]
    if engine.dialect.name == "postgresql":  # packs stored uncompressed: writing stays fast
        with engine.connect() as connection:
            storage = connection.scalar(
                text(
                    "SELECT attstorage FROM pg_attribute WHERE attname = 'records' "
                    "AND attrelid = 'study_pack'::regclass"
                )
            )
        assert storage == "e"

    config = db.alembic_config(db_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005_mockcourt")
    with engine.connect() as connection:
        back = connection.execute(
            text(
                "SELECT officer_id, start_ts, end_ts, kind, activity_id, source_id, source_row "
                "FROM study_interval"
            )
        ).all()
    assert sorted(tuple(r) for r in back) == sorted(rows)
