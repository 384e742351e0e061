"""Write study intervals in bulk (all-or-nothing, idempotent) and read them back for reports.

A year of a province's records is millions of rows, so both directions bypass the ORM:
multi-row INSERTs on SQLite, binary COPY on PostgreSQL (``pgload``). Both run on the caller's
session connection, inside the caller's transaction; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from fazhi.analytics.pgload import insert_postgresql
from fazhi.models import Officer, StudyActivity, StudyInterval, StudySource, Unit

_INSERT_COLUMNS = "officer_id, start_ts, end_ts, kind, activity_id, source_id, source_row"
_FEW_OFFICERS = 500  # below this, read intervals by officer (index) rather than by time
_SQLITE_ROWS = 500  # rows per INSERT statement (6 parameters each, far below SQLite's limit)
_PG_READ_IDS = 10_000_000  # interval ids per packed read (24 bytes a row, far below 1 GB)


def officer_ids(session: Session) -> dict[str, int]:
    """工号 → officer table id."""
    officer = Officer.__table__
    return {o: i for o, i in session.execute(select(officer.c.officer_id, officer.c.id))}


def ensure_source(session: Session, *, kind: str, digest: str, name: str) -> int:
    """The id of the source with ``digest`` (a file's hash, a tracker session), created once."""
    found = session.scalar(select(StudySource.id).where(StudySource.digest == digest))
    if found is not None:
        return found
    source = StudySource(kind=kind, digest=digest, name=name, created_at=dt.datetime.now(dt.UTC))
    session.add(source)
    session.flush()
    return source.id


def ensure_activities(session: Session, names: Iterable[str], modules: set[str]) -> dict[str, int]:
    """Activity name → id, creating missing ones; a name equal to a module id links to it."""
    wanted = set(names)
    query = select(StudyActivity.name, StudyActivity.id).where(StudyActivity.name.in_(wanted))
    known = {name: id_ for name, id_ in session.execute(query)}
    for name in sorted(wanted - set(known)):
        activity = StudyActivity(name=name, module_id=name if name in modules else None)
        session.add(activity)
        session.flush()
        known[name] = activity.id
    return known


def lock_intervals(session: Session) -> None:
    """Keep other writers of intervals out until the caller's transaction ends: what is read
    in it (the last id, the stored rows) stays all there is besides its own writes."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE study_interval IN SHARE ROW EXCLUSIVE MODE")
        return
    raw = connection.connection.driver_connection
    if not raw.in_transaction:  # the driver begins lazily, at the first write
        raw.execute("BEGIN IMMEDIATE")


def insert_intervals(session: Session, frame: pd.DataFrame, source_id: int) -> int:
    """Insert rows (officer, start, end, kind, activity_id, row); returns how many were new.

    Rows already stored (same officer/time/kind/activity, e.g. from an earlier import of the
    same file) are skipped, and of equal rows in ``frame`` only the first is stored, so
    importing a file again changes nothing.
    """
    if frame.empty:
        return 0
    connection = session.connection()
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        return insert_postgresql(raw, frame, source_id)
    return _insert_sqlite(raw, frame, source_id)


def _insert_sqlite(raw, frame: pd.DataFrame, source_id: int) -> int:  # type: ignore[no-untyped-def]
    # plain values bound by position, several hundred rows per statement: the fastest way
    # into SQLite from Python; the unique index skips rows already stored
    width = 6
    count = len(frame)
    flat: list[object] = [None] * (count * width)
    flat[0::width] = frame["officer"].tolist()
    flat[1::width] = frame["start"].tolist()
    flat[2::width] = frame["end"].tolist()
    flat[3::width] = frame["kind"].tolist()
    flat[4::width] = frame["activity_id"].tolist()
    flat[5::width] = frame["row"].tolist()

    def statement(rows: int) -> str:
        values = ",".join([f"(?,?,?,?,?,{int(source_id)},?)"] * rows)
        return (
            f"INSERT INTO study_interval ({_INSERT_COLUMNS}) VALUES {values} ON CONFLICT DO NOTHING"
        )

    step = _SQLITE_ROWS * width
    whole = (count // _SQLITE_ROWS) * step
    before = raw.total_changes
    cursor = raw.cursor()
    cursor.executemany(statement(_SQLITE_ROWS), (flat[i : i + step] for i in range(0, whole, step)))
    if whole < len(flat):
        cursor.execute(statement((len(flat) - whole) // width), flat[whole:])
    cursor.close()
    return int(raw.total_changes - before)


# ---- reading --------------------------------------------------------------------------


def load_roster(session: Session) -> pd.DataFrame:
    """Every officer: id, officer_id, name, unit (path), role, enforcement, dates."""
    officer, unit = Officer.__table__, Unit.__table__  # Core rows: no ORM loading per officer
    query = (
        select(
            officer.c.id,
            officer.c.officer_id,
            officer.c.name,
            unit.c.path.label("unit"),
            officer.c.role,
            officer.c.enforcement,
            officer.c.cert_expiry,
            officer.c.active_from,
            officer.c.active_to,
        )
        .join(unit, officer.c.unit_id == unit.c.id)
        .order_by(officer.c.officer_id)
    )
    rows = [tuple(row) for row in session.execute(query)]
    columns = ["id", "officer_id", "name", "unit", "role", "enforcement"]
    columns += ["cert_expiry", "active_from", "active_to"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["enforcement"] = frame["enforcement"].astype(bool)
    return frame


def fetch_tuples(session: Session, query: Select[Any]) -> list[tuple[Any, ...]]:
    """Rows of a Core ``query`` as the driver returns them (no result processing): for reads
    of many rows whose columns need no conversion (integers, blobs)."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            cursor.execute(sql, binary=True)  # bytea as bytes, not hex text
        else:
            cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def last_interval_id(session: Session) -> int:
    """The highest interval id so far (0 for none): rows written later have higher ids."""
    return int(session.scalar(select(func.max(StudyInterval.__table__.c.id))) or 0)


def load_intervals(
    session: Session,
    start: int,
    end: int,
    *,
    officers: np.ndarray | None = None,
    up_to_id: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(officer table id, start, end) of the intervals overlapping [start, end), optionally
    only of ``officers`` and only those with ids up to ``up_to_id``."""
    where = f"end_ts > {int(start)} AND start_ts < {int(end)}"
    few = officers is not None and len(officers) <= _FEW_OFFICERS
    if few:  # the unique index leads with officer_id
        where += f" AND officer_id IN ({','.join(str(int(o)) for o in officers)})"
    connection = session.connection()
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        table = _read_postgresql(raw, where, up_to_id)
    else:
        if up_to_id is not None:
            where += f" AND id <= {int(up_to_id)}"
        query = f"SELECT officer_id, start_ts, end_ts FROM study_interval WHERE {where}"
        flat = np.fromiter(itertools.chain.from_iterable(raw.execute(query)), dtype=np.int64)
        table = flat.reshape(-1, 3)
    found = (table[:, 0], table[:, 1], table[:, 2])
    if officers is not None and not few:
        keep = np.isin(found[0], officers)
        found = (found[0][keep], found[1][keep], found[2][keep])
    return found


def _read_postgresql(raw: Any, where: str, up_to_id: int | None) -> np.ndarray:
    """Rows × (officer, start, end): the server packs them into one bytea per id range (a
    few statements, not millions of rows to convert one by one)."""
    columns = "int8send(officer_id::int8) || int8send(start_ts) || int8send(end_ts)"
    parts = []
    with raw.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM study_interval")
        low, high = cursor.fetchone()
        if up_to_id is not None and high is not None:
            high = min(high, up_to_id)
        for first in range(low or 0, (high or -1) + 1, _PG_READ_IDS):
            last = min(first + _PG_READ_IDS - 1, high)
            cursor.execute(
                f"SELECT string_agg({columns}, '') FROM study_interval WHERE {where} "
                f"AND id BETWEEN {first} AND {last}",
                binary=True,
            )
            (packed,) = cursor.fetchone()
            if packed:
                parts.append(packed)
    return np.frombuffer(b"".join(parts), dtype=">i8").astype(np.int64).reshape(-1, 3)


def load_activity_starts(
    session: Session, activity: str, start: int, end: int, *, officers: np.ndarray
) -> pd.DataFrame:
    """(officer table id, start) of ``officers``' intervals of one activity starting in
    [start, end) — e.g. leaders' 中心组学法 sessions."""
    columns = ["id", "start"]
    activities, intervals = StudyActivity.__table__, StudyInterval.__table__
    activity_id = session.scalar(select(activities.c.id).where(activities.c.name == activity))
    if activity_id is None or len(officers) == 0:
        return pd.DataFrame(columns=columns)
    rows: list[tuple[int, int]] = []
    for chunk in np.array_split(np.asarray(officers), max(1, len(officers) // _FEW_OFFICERS)):
        query = select(intervals.c.officer_id, intervals.c.start_ts).where(
            intervals.c.officer_id.in_([int(o) for o in chunk]),
            intervals.c.activity_id == activity_id,
            intervals.c.start_ts >= start,
            intervals.c.start_ts < end,
        )
        rows.extend((officer, start_ts) for officer, start_ts in session.execute(query))
    return pd.DataFrame(rows, columns=columns)
