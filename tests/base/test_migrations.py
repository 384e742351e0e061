"""Alembic migrations: empty → head, models match the migrations, and the start-up check."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

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
