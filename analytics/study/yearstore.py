"""Keep ``StudyYear`` (per-day study seconds per officer and year) in step with the intervals,
and read it back for reports. Callers own the transaction."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fazhi.analytics.periods import local_days, local_midnight
from fazhi.analytics.study.bulk import insert_rows
from fazhi.analytics.study.daily import CELL_BYTES as _CELL
from fazhi.analytics.study.daily import Daily, blob_seconds, daily_from_intervals, year_blobs
from fazhi.analytics.study.store import fetch_tuples, load_intervals
from fazhi.models import StudyYear


def years_touched(start: np.ndarray, end: np.ndarray) -> range:
    """The calendar years (Asia/Shanghai) that intervals [start, end) reach into."""
    if len(start) == 0:
        return range(0)
    first = local_days(np.array([np.min(start)]))[0].astype(object)
    last = local_days(np.array([max(int(np.max(end)) - 1, int(np.min(start)))]))[0].astype(object)
    return range(first.year, last.year + 1)


def stored_intervals(
    session: Session, *, officers: np.ndarray, years: range
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(officer table id, start, end) of the stored intervals of ``officers`` that reach into
    ``years``: what ``refresh_years`` totals."""
    if len(officers) == 0 or len(years) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    first, stop = dt.date(years.start, 1, 1), dt.date(years.stop, 1, 1)
    return load_intervals(
        session,
        local_midnight(first),
        local_midnight(stop),
        officers=officers,
    )


def refresh_years(
    session: Session,
    *,
    officers: np.ndarray,
    years: range,
    new: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    stored: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> int:
    """Recompute the per-day seconds of ``officers`` in ``years`` from their intervals.

    ``new`` are intervals not to be read back from the database, e.g. a file just imported;
    ``stored`` are the other intervals when the caller has read them already (with
    ``stored_intervals``), else all stored intervals are read here.
    Returns the number of officer-years written.
    """
    if len(officers) == 0 or len(years) == 0:
        return 0
    first, stop = dt.date(years.start, 1, 1), dt.date(years.stop, 1, 1)
    if stored is None:
        stored = stored_intervals(session, officers=officers, years=years)
    ids, start, end = stored
    if new is not None:
        ids = np.concatenate([ids, new[0]])
        start = np.concatenate([start, new[1]])
        end = np.concatenate([end, new[2]])
    officers = np.unique(np.asarray(officers, dtype=np.int64))
    daily = daily_from_intervals(ids, start, end, first, (stop - first).days).aligned(officers)
    rows: list[tuple[int, int, bytes]] = []
    for year in years:
        a = (dt.date(year, 1, 1) - first).days
        b = (dt.date(year + 1, 1, 1) - first).days
        blobs = year_blobs(daily.seconds[:, a:b])
        rows.extend((o, year, blob) for o, blob in zip(officers.tolist(), blobs, strict=True))
    columns = [("officer_id", "int4"), ("year", "int4"), ("seconds", "bytea")]
    insert_rows(session, "study_year", columns, rows, replace_on=("officer_id", "year"))
    return len(rows)


def load_daily(session: Session, first: dt.date, stop: dt.date) -> Daily:
    """Per-day seconds of every officer from ``first`` up to (not including) ``stop``.

    Only the wanted days of each year's blob are read (``substr`` works on SQLite blobs and
    PostgreSQL bytea alike), and each year's blobs are decoded in one piece.
    """
    parts: list[tuple[int, np.ndarray, np.ndarray]] = []  # (column offset, ids, officers × days)
    for year in range(first.year, (stop - dt.timedelta(days=1)).year + 1):
        since, until = max(first, dt.date(year, 1, 1)), min(stop, dt.date(year + 1, 1, 1))
        skip, days = (since - dt.date(year, 1, 1)).days, (until - since).days
        if days <= 0:
            continue
        table = StudyYear.__table__  # Core rows: no ORM loading for ten thousand officers
        query = select(
            table.c.officer_id, func.substr(table.c.seconds, skip * _CELL + 1, days * _CELL)
        ).where(table.c.year == year)
        rows = fetch_tuples(session, query)
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        parts.append(((since - first).days, ids, _day_matrix([row[1] for row in rows], days)))
    ids = np.unique(np.concatenate([p[1] for p in parts])) if parts else np.empty(0, np.int64)
    matrix = np.zeros((len(ids), max((stop - first).days, 0)), dtype=np.float64)
    for offset, year_ids, values in parts:
        matrix[np.searchsorted(ids, year_ids), offset : offset + values.shape[1]] = values
    return Daily(ids, first, matrix)


def _day_matrix(blobs: list[bytes], days: int) -> np.ndarray:
    """Officers × days from (parts of) year blobs; a short blob is padded with zeros."""
    if all(len(b) == days * _CELL for b in blobs):
        return blob_seconds(b"".join(blobs)).reshape(len(blobs), days)
    matrix = np.zeros((len(blobs), days), dtype=np.float64)
    for i, blob in enumerate(blobs):
        values = blob_seconds(bytes(blob)[: days * _CELL])
        matrix[i, : values.size] = values
    return matrix
