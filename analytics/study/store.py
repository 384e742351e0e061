"""Write study intervals in bulk and read them back, as packs (``fazhi.analytics.study.packs``).

A year of a province's records is millions of intervals but one pack per officer and source,
so both directions bypass the ORM and move a few thousand blobs. Everything runs on the
caller's session connection, inside the caller's transaction; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from fazhi.analytics.study.bulk import insert_rows
from fazhi.analytics.study.packs import RECORD, Intervals, by_officer, pack, unpack
from fazhi.models import Officer, StudyActivity, StudyPack, StudySource, Unit

_PACK_COLUMNS = [
    ("source_id", "int4"),
    ("officer_id", "int4"),
    ("count", "int4"),
    ("first_ts", "int8"),
    ("last_ts", "int8"),
    ("records", "bytea"),
]
_FEW_OFFICERS = 500  # officers per query when reading packs by officer
_BY_OFFICER = 5000  # up to this many officers, read their packs by officer; else all packs


def officer_ids(session: Session) -> dict[str, int]:
    """工号 → officer table id."""
    officer = Officer.__table__
    return {o: i for o, i in session.execute(select(officer.c.officer_id, officer.c.id))}


def find_source(session: Session, digest: str) -> int | None:
    """The id of the source with ``digest`` (a file's hash, a tracker session), if any."""
    return session.scalar(select(StudySource.id).where(StudySource.digest == digest))


def ensure_source(session: Session, *, kind: str, digest: str, name: str) -> int:
    """The id of the source with ``digest`` (a file's hash, a tracker session), created once."""
    found = find_source(session, digest)
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


def lock_packs(session: Session) -> None:
    """Keep other writers of intervals out until the caller's transaction ends: what is read
    in it (the stored intervals) stays all there is besides its own writes."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE study_pack IN SHARE ROW EXCLUSIVE MODE")
        return
    raw = connection.connection.driver_connection
    if not raw.in_transaction:  # the driver begins lazily, at the first write
        raw.execute("BEGIN IMMEDIATE")


def write_packs(session: Session, source_id: int, fresh: Intervals) -> None:
    """Add ``fresh`` (sorted by officer) to the source's packs, one per officer."""
    _merge_into_packs(session, source_id, fresh, replace_rows=False)


def replace_tracked(session: Session, source_id: int, officer: int, tracked: np.ndarray) -> None:
    """Store a tracker's intervals (``RECORD``s), replacing those with the same sequence
    numbers (``row``): an interval saved again has grown longer."""
    fresh = Intervals(np.full(len(tracked), officer, dtype=np.int64), tracked)
    _merge_into_packs(session, source_id, fresh, replace_rows=True)


def _merge_into_packs(
    session: Session, source_id: int, fresh: Intervals, *, replace_rows: bool
) -> None:
    if len(fresh) == 0:
        return
    table = StudyPack.__table__
    query = select(table.c.officer_id, table.c.records).where(table.c.source_id == source_id)
    if len(np.unique(fresh.officer)) <= _FEW_OFFICERS:
        query = query.where(table.c.officer_id.in_([int(o) for o in np.unique(fresh.officer)]))
    existing = {officer: unpack(bytes(blob)) for officer, blob in fetch_tuples(session, query)}
    inserts: list[tuple[int, int, int, int, int, bytes]] = []
    updates: list[tuple[int, int, int, bytes, int, int]] = []
    for officer, items in by_officer(fresh):
        old = existing.get(officer)
        if old is not None:
            if replace_rows:
                old = old[~np.isin(old["row"], items["row"])]
            items = np.concatenate([old, items])
            fields = (items["online"], items["activity"], items["end"], items["start"])
            items = items[np.lexsort(fields)]
        first, last, blob = int(items["start"].min()), int(items["end"].max()), pack(items)
        if old is not None:
            updates.append((len(items), first, last, blob, source_id, officer))
        else:
            inserts.append((source_id, officer, len(items), first, last, blob))
    insert_rows(session, "study_pack", _PACK_COLUMNS, inserts)
    if updates:
        connection = session.connection()
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            f"UPDATE study_pack SET count = {mark}, first_ts = {mark}, last_ts = {mark}, "
            f"records = {mark} WHERE source_id = {mark} AND officer_id = {mark}",
            updates,
        )


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


def read_packs(
    session: Session,
    *,
    officers: np.ndarray | None = None,
    start: int | None = None,
    end: int | None = None,
) -> Intervals:
    """The stored intervals (optionally only of ``officers``, and only from packs reaching
    into [start, end)), grouped by officer."""
    table = StudyPack.__table__
    query = select(table.c.officer_id, table.c.count, table.c.records)
    if start is not None:
        query = query.where(table.c.last_ts > int(start))
    if end is not None:
        query = query.where(table.c.first_ts < int(end))
    rows: list[tuple[Any, ...]] = []
    wanted = None if officers is None else np.unique(np.asarray(officers, dtype=np.int64))
    if wanted is not None and len(wanted) <= _BY_OFFICER:  # the officer index, a batch a query
        for i in range(0, len(wanted), _FEW_OFFICERS):
            batch = [int(o) for o in wanted[i : i + _FEW_OFFICERS]]
            rows += fetch_tuples(session, query.where(table.c.officer_id.in_(batch)))
    else:
        rows = fetch_tuples(session, query)
    if not rows:
        return Intervals.empty()
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    counts = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
    found = Intervals(
        np.repeat(ids, counts), np.frombuffer(b"".join(bytes(row[2]) for row in rows), RECORD)
    )
    if wanted is not None and len(wanted) > _BY_OFFICER:
        found = found.take(np.flatnonzero(np.isin(found.officer, wanted)))
    return found


def load_intervals(
    session: Session, start: int, end: int, *, officers: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(officer table id, start, end) of the intervals overlapping [start, end), optionally
    only of ``officers``."""
    found = read_packs(session, officers=officers, start=start, end=end)
    inside = (found.records["end"] > start) & (found.records["start"] < end)
    return found.take(np.flatnonzero(inside)).triple()


def load_records(session: Session) -> pd.DataFrame:
    """Every stored interval with its officer (工号), activity name, kind, source and row:
    for inspection and exports, not for the compliance arithmetic."""
    pack, officer, activity = StudyPack.__table__, Officer.__table__, StudyActivity.__table__
    query = select(pack.c.source_id, officer.c.officer_id, pack.c.count, pack.c.records).join(
        officer, pack.c.officer_id == officer.c.id
    )
    rows = list(session.execute(query.order_by(pack.c.source_id, officer.c.officer_id)))
    names = dict(session.execute(select(activity.c.id, activity.c.name)).all())
    parts = []
    for source, officer_id, count, blob in rows:
        items = unpack(bytes(blob))
        parts.append(
            pd.DataFrame(
                {
                    "officer_id": [officer_id] * count,
                    "start": items["start"].astype(np.int64),
                    "end": items["end"].astype(np.int64),
                    "kind": np.where(items["online"] == 1, "online", "offline"),
                    "activity": [names[a] for a in items["activity"].tolist()],
                    "source_id": source,
                    "row": items["row"].astype(np.int64),
                }
            )
        )
    columns = ["officer_id", "start", "end", "kind", "activity", "source_id", "row"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def load_activity_starts(
    session: Session, activity: str, start: int, end: int, *, officers: np.ndarray
) -> pd.DataFrame:
    """(officer table id, start) of ``officers``' intervals of one activity starting in
    [start, end) — e.g. leaders' 中心组学法 sessions."""
    columns = ["id", "start"]
    activities = StudyActivity.__table__
    activity_id = session.scalar(select(activities.c.id).where(activities.c.name == activity))
    if activity_id is None or len(officers) == 0:
        return pd.DataFrame(columns=columns)
    found = read_packs(session, officers=np.asarray(officers), start=start)
    items = found.records
    keep = (items["activity"] == activity_id) & (items["start"] >= start) & (items["start"] < end)
    return pd.DataFrame(
        {"id": found.officer[keep], "start": items["start"][keep].astype(np.int64)},
        columns=columns,
    )
