"""nbgrader's own gradebook, opened through nbgrader's public API.

The gradebook is a separate database from fazhi's: nbgrader manages its schema with its own
Alembic history (a second ``alembic_version`` table in one database would collide), and
keeping it apart means `nbgrader db`, formgrader and `nbgrader export` work unchanged.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from nbgrader.api import Base as NbgraderBase
from nbgrader.api import Gradebook
from nbgrader.dbutil import ALEMBIC_DIR
from sqlalchemy import create_engine, inspect, text

from fazhi.settings import Settings


def ensure_scripts_on_path() -> None:
    """nbgrader runs the ``alembic`` console script by name: make this environment's bin visible."""
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + path


@contextmanager
def open_gradebook(settings: Settings) -> Iterator[Gradebook]:
    ensure_scripts_on_path()
    gradebook = Gradebook(settings.gradebook_database_url, course_id=settings.course_id)
    try:
        yield gradebook
    finally:
        gradebook.close()


def ensure(settings: Settings) -> None:
    """Create the gradebook (and its course row) when it does not exist yet.

    Does what ``Gradebook()`` does for a new database (create nbgrader's tables, stamp its
    Alembic head) in-process: nbgrader would ask a ``alembic heads`` subprocess (~2 s).
    """
    # Alembic is imported here, not with the module: opening an existing gradebook (every
    # ``fazhi grade``) does not need it, and it costs ~0.1 s of start-up
    from alembic.script import ScriptDirectory

    engine = create_engine(settings.gradebook_database_url)
    try:
        if not inspect(engine).get_table_names():
            head = ScriptDirectory(ALEMBIC_DIR).get_current_head()
            with engine.begin() as connection:
                NbgraderBase.metadata.create_all(connection)
                connection.execute(
                    text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
                )
                connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
    finally:
        engine.dispose()
    with open_gradebook(settings):
        pass


def sync_students(settings: Settings, officers: Iterable[tuple[str, str]]) -> int:
    """Create or update nbgrader students from (officer_id, name); returns how many."""
    count = 0
    with open_gradebook(settings) as gradebook:
        for officer_id, name in officers:
            # Chinese names are not split into given/family name: the whole name goes to
            # last_name, which formgrader shows first.
            gradebook.update_or_create_student(officer_id, last_name=name, first_name="")
            count += 1
    return count
