"""Write many rows at once inside the caller's transaction: ``executemany`` on SQLite, binary
COPY on PostgreSQL (where ``executemany`` of thousands of blobs costs seconds)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session


def insert_rows(
    session: Session,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: list[tuple[Any, ...]],
    *,
    replace_on: Sequence[str] = (),
) -> None:
    """Insert ``rows`` into ``table``; ``columns`` are (name, PostgreSQL type) pairs.

    With ``replace_on`` (the primary key's columns), a row whose key is stored already
    replaces the stored row's other columns.
    """
    if not rows:
        return
    names = [name for name, _ in columns]
    upsert = ""
    if replace_on:
        others = [n for n in names if n not in replace_on]
        updates = ", ".join(f"{n} = excluded.{n}" for n in others)
        upsert = f" ON CONFLICT ({', '.join(replace_on)}) DO UPDATE SET {updates}"
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        marks = ", ".join("?" for _ in names)
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks}){upsert}", rows
        )
        return
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        target = table
        if replace_on:  # COPY cannot resolve conflicts: stage the rows, then upsert them
            target = f"{table}_load"
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {target} (LIKE {table}) ON COMMIT DELETE ROWS"
            )
            cursor.execute(f"TRUNCATE {target}")
        with cursor.copy(f"COPY {target} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([kind for _, kind in columns])
            for row in rows:
                copy.write_row(row)
        if replace_on:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} "
                f"FROM {target}{upsert}"
            )
