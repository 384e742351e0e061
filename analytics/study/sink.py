"""Where the tracker's measurements go: an interface and its two implementations.

Single-user mode writes the kernel's intervals to the workspace database (``DatabaseSink``).
In hub mode (``HubSink``) the kernel has no database: it relays the browser's signals as
heartbeats to the fazhi service, which keeps the intervals on its own clock and takes the
officer from the hub token rather than from the kernel.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from sqlalchemy.orm import Session

from fazhi import db
from fazhi.analytics.identity import hub_mode
from fazhi.analytics.study.packs import records as packed_records
from fazhi.analytics.study.store import (
    ensure_activities,
    ensure_source,
    lock_packs,
    officer_ids,
    replace_tracked,
)
from fazhi.analytics.study.yearstore import refresh_years, years_touched
from fazhi.errors import UserError
from fazhi.settings import Settings

if TYPE_CHECKING:
    from fazhi.hub.client import HubClient

# A heartbeat runs in the kernel while the notebook waits: never hold it up for long.
HEARTBEAT_TIMEOUT = (3.0, 10.0)  # connect, read (seconds)


@dataclass(frozen=True)
class TrackedInterval:
    """An online study interval measured in a course notebook (Unix seconds)."""

    officer_id: str  # 工号 of the logged-in officer
    module_id: str
    session: str  # the tracker session (one kernel, one notebook), a random hex id
    seq: int  # the interval's number within the session; saving it again updates it
    start: float
    end: float


class StudySink(Protocol):
    """Receives a tracker's signals as they arrive and the intervals it measures from them.

    ``save``: saving the same (session, seq) again replaces its end. Either method may raise;
    the tracker shows the error and carries on.
    """

    def signal(self, kind: str, module_id: str) -> None: ...

    def save(self, interval: TrackedInterval) -> None: ...


def store_tracked(session: Session, intervals: Sequence[TrackedInterval]) -> None:
    """Store tracked intervals, each replacing the one with the same (session, seq) stored
    before (an interval saved again has grown longer), and refresh the per-day totals.

    The one write path of online study time: the single-user tracker saves one interval at a
    time, the hub service a minute's batch of every officer's intervals.
    """
    if not intervals:
        return
    ids = officer_ids(session)
    unknown = sorted({i.officer_id for i in intervals} - set(ids))
    if unknown:
        raise UserError(f"名册中没有工号“{'、'.join(unknown)}”，不记录学习时长")
    modules = {i.module_id for i in intervals}
    activity = ensure_activities(session, modules, modules)
    sources = {
        name: ensure_source(session, kind="tracker", digest=name, name=_source_name(name, group))
        for name, group in _by_session(intervals).items()
    }
    lock_packs(session)
    starts, ends, touched = [], [], set()
    for (name, officer_id), group in _by_session_officer(intervals).items():
        start = np.array([int(i.start) for i in group])
        end = np.maximum(np.array([round(i.end) for i in group]), start)
        tracked = packed_records(
            start,
            end,
            np.array([activity[i.module_id] for i in group]),
            np.array([i.seq for i in group]),
            np.ones(len(group), dtype=np.int64),
        )
        replace_tracked(session, sources[name], ids[officer_id], tracked)
        starts.append(start)
        ends.append(np.maximum(end, start + 1))
        touched.add(ids[officer_id])
    refresh_years(
        session,
        officers=np.array(sorted(touched)),
        years=years_touched(np.concatenate(starts), np.concatenate(ends)),
    )


def _by_session(intervals: Sequence[TrackedInterval]) -> dict[str, list[TrackedInterval]]:
    groups: dict[str, list[TrackedInterval]] = {}
    for interval in intervals:
        groups.setdefault(interval.session, []).append(interval)
    return groups


def _by_session_officer(
    intervals: Sequence[TrackedInterval],
) -> dict[tuple[str, str], list[TrackedInterval]]:
    groups: dict[tuple[str, str], list[TrackedInterval]] = {}
    for interval in intervals:
        groups.setdefault((interval.session, interval.officer_id), []).append(interval)
    return groups


def _source_name(session_id: str, group: list[TrackedInterval]) -> str:
    officers = {i.officer_id for i in group}
    who = next(iter(officers)) if len(officers) == 1 else "hub"
    return f"{who}@{socket.gethostname()}"[:500]


class DatabaseSink:
    """Single-user mode: each save is one short transaction on the workspace database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def signal(self, kind: str, module_id: str) -> None:
        """Nothing to do: the kernel's clock measures the intervals this sink saves."""

    def save(self, interval: TrackedInterval) -> None:
        with db.session_scope(self.settings) as session:
            store_tracked(session, [interval])


class HubSink:
    """Hub mode: each signal becomes a heartbeat to the fazhi service, which keeps the time.

    ``active``/``visible`` extend (or start) the officer's interval at the service's clock,
    ``hidden`` ends it there. Nothing else is sent: no times and no officer (the service
    takes the officer from the server's hub token).
    """

    def __init__(self, client: HubClient | None = None) -> None:
        from fazhi.hub.client import HubClient

        self.client = client or HubClient(timeout=HEARTBEAT_TIMEOUT)

    def signal(self, kind: str, module_id: str) -> None:
        self.client.heartbeat(module_id, stop=kind == "hidden")

    def save(self, interval: TrackedInterval) -> None:
        """Nothing to do: the service keeps the intervals (the kernel's are for display)."""


def default_sink(settings: Settings | None) -> StudySink:
    """The hub service in hub mode (officers' servers have no database), else the workspace's."""
    if hub_mode():
        return HubSink()
    if settings is None:
        raise UserError("未找到 fazhi 工作区")
    return DatabaseSink(settings)
