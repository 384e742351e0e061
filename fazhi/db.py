"""The only module that creates engines and sessions, and runs or checks Alembic migrations.

Functions elsewhere take a ``Session`` and never commit; callers own the transaction
(``with session_scope(settings) as session:``), so an import is all-or-nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from fazhi.errors import DatabaseOutOfDate
from fazhi.settings import Settings

if TYPE_CHECKING:  # Alembic is imported only to migrate: every command checks, few migrate
    from alembic.config import Config

UPGRADE_COMMAND = "fazhi db upgrade"


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str) -> Engine:
    """One engine per URL per process; SQLite gets foreign keys and WAL."""
    if url not in _ENGINES:
        engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _enable_sqlite_pragmas)
        _ENGINES[url] = engine
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every pooled connection (tests drop their databases afterwards)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()
    _checked.clear()


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("fazhi") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


_REVISION = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(?:None|[\"']([^\"']+)[\"'])", re.M)


@functools.cache
def head_revision() -> str | None:
    """The newest migration: the one no other revises (migrations are kept linear).

    Read from the migration files' ``revision``/``down_revision`` lines rather than through
    Alembic, whose import alone would add a sizeable share of every command's start-up.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (resources.files("fazhi") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py") or script.name.startswith("_"):
            continue
        for name, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            if value:
                (revisions if name == "revision" else revised).add(value)
    heads = sorted(revisions - revised)
    if len(heads) > 1:
        raise RuntimeError(f"migrations have more than one head: {heads}")
    return heads[0] if heads else None


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the database's ``alembic_version`` table (None when empty)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(versions) > 1:
        raise DatabaseOutOfDate(f"数据库结构版本不唯一：{', '.join(v for (v,) in versions)}")
    return versions[0][0] if versions else None


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (creating tables on an empty database)."""
    from alembic import command

    config = alembic_config(url)
    engine = get_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def check_current(engine: Engine) -> None:
    """Refuse a database that is behind (or ahead of) the code's revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise DatabaseOutOfDate(
            f"数据库结构版本为 {current or '（空）'}，本程序需要 {head}。"
            f"请先备份数据库，然后运行：{UPGRADE_COMMAND} --workspace <工作区>"
        )


_checked: set[str] = set()


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A session in one transaction: committed when the block succeeds, rolled back otherwise."""
    url = settings.database_url
    engine = get_engine(url)
    if url not in _checked:
        check_current(engine)
        _checked.add(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
