"""Bulk-load study intervals into PostgreSQL, inside the caller's transaction.

Rows go by binary COPY into a temporary staging table, and from there into
``study_interval``: those whose key is stored already are left out, and of equal rows the
first in the file is kept. A load as large as a good part of the table (a year of a
province's records into a new database) would spend most of its time in per-row checks —
three foreign-key triggers and a speculative insert into the unique index for every row — so
then the table's foreign keys and unique constraint are dropped, the new rows inserted in one
statement, and the same constraints added back, which checks them all at once. That is
transactional DDL: a failure rolls everything back. Until the commit ``study_interval`` is
locked, also against readers; the per-day totals in ``study_year`` stay readable.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # binary COPY header, no flags/extension
BULK_MIN_ROWS = 100_000  # below this the per-row checks cost less than rebuilding
BULK_TABLE_SHARE = 4  # …and only when the table holds at most this many times the rows
_COLUMNS = "officer_id, start_ts, end_ts, kind, activity_id, source_id, source_row"
_KEY = "officer_id, start_ts, end_ts, online, activity_id"
_KIND = "CASE WHEN online = 1 THEN 'online' ELSE 'offline' END"
_SAME_KEY = (  # a stored row s with the key of the staged row l
    "s.officer_id = l.officer_id AND s.start_ts = l.start_ts AND s.end_ts = l.end_ts "
    "AND s.kind = (CASE WHEN l.online = 1 THEN 'online' ELSE 'offline' END) "
    "AND s.activity_id = l.activity_id"
)
_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("officer_len", ">i4"),
        ("officer", ">i4"),
        ("start_len", ">i4"),
        ("start", ">i8"),
        ("end_len", ">i4"),
        ("end", ">i8"),
        ("online_len", ">i4"),
        ("online", ">i2"),
        ("activity_len", ">i4"),
        ("activity", ">i4"),
        ("row_len", ">i4"),
        ("row", ">i4"),
    ]
)


def copy_payload(frame: pd.DataFrame) -> bytes:
    """The frame's rows (officer, start, end, kind, activity_id, row) as binary COPY data."""
    rows = np.empty(len(frame), dtype=_ROW)
    rows["fields"] = 6
    for name, size in (("officer", 4), ("start", 8), ("end", 8), ("online", 2)):
        rows[f"{name}_len"] = size
    rows["activity_len"] = rows["row_len"] = 4
    rows["officer"] = frame["officer"].to_numpy()
    rows["start"] = frame["start"].to_numpy()
    rows["end"] = frame["end"].to_numpy()
    rows["online"] = (frame["kind"] == "online").to_numpy()
    rows["activity"] = frame["activity_id"].to_numpy()
    rows["row"] = frame["row"].to_numpy()
    return _SIGNATURE + rows.tobytes() + b"\xff\xff"


def insert_postgresql(raw: Any, frame: pd.DataFrame, source_id: int) -> int:
    """Insert the new rows of ``frame`` (psycopg connection ``raw``); returns how many."""
    with raw.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS study_interval_load (officer_id int4, "
            "start_ts int8, end_ts int8, online int2, activity_id int4, source_row int4) "
            "ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE study_interval_load")
        with cursor.copy("COPY study_interval_load FROM STDIN (FORMAT binary)") as copy:
            copy.write(copy_payload(frame))
        cursor.execute("ANALYZE study_interval_load")  # so the planner knows its size
        # rows whose key is not stored yet (equal rows of the file counted each)
        cursor.execute(
            "SELECT count(*) FROM study_interval_load l WHERE NOT EXISTS (SELECT FROM "
            f"study_interval s WHERE {_SAME_KEY})"
        )
        (unseen,) = cursor.fetchone()
        if unseen == 0:
            return 0
        if _is_bulk(cursor, unseen):
            return _insert_rebuilding(cursor, source_id)
        cursor.execute(
            f"INSERT INTO study_interval ({_COLUMNS}) SELECT officer_id, start_ts, end_ts, "
            f"{_KIND}, activity_id, %s, source_row FROM study_interval_load "
            "ORDER BY source_row ON CONFLICT DO NOTHING",
            (source_id,),
        )
        return int(cursor.rowcount)


def _is_bulk(cursor: Any, rows: int) -> bool:
    if rows < BULK_MIN_ROWS:
        return False
    # the planner's row estimate (kept by ANALYZE and index builds), else the size on disk
    cursor.execute(
        "SELECT CASE WHEN reltuples >= 0 THEN reltuples::int8 "
        "ELSE pg_relation_size(oid) / 100 END FROM pg_class "
        "WHERE oid = 'study_interval'::regclass"
    )
    (stored,) = cursor.fetchone()
    return bool(stored <= BULK_TABLE_SHARE * rows)


def _insert_rebuilding(cursor: Any, source_id: int) -> int:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'study_interval'::regclass AND contype IN ('f', 'u') ORDER BY conname"
    )
    constraints = cursor.fetchall()
    if constraints:
        cursor.execute(
            "ALTER TABLE study_interval "
            + ", ".join(f'DROP CONSTRAINT "{name}"' for name, _ in constraints)
        )
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    # one row per key (its first in the file), and none whose key is stored already
    cursor.execute(
        f"INSERT INTO study_interval ({_COLUMNS}) SELECT DISTINCT ON ({_KEY}) officer_id, "
        f"start_ts, end_ts, {_KIND}, activity_id, %s, source_row FROM study_interval_load l "
        f"WHERE NOT EXISTS (SELECT FROM study_interval s WHERE {_SAME_KEY}) "
        f"ORDER BY {_KEY}, source_row",
        (source_id,),
    )
    inserted = int(cursor.rowcount)
    if constraints:
        cursor.execute(
            "ALTER TABLE study_interval "
            + ", ".join(f'ADD CONSTRAINT "{name}" {sql}' for name, sql in constraints)
        )
    return inserted
