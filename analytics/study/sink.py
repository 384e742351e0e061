"""Where the tracker's measurements go: an interface and its two implementations.

Single-user mode writes the kernel's intervals to the workspace database (``DatabaseSink``).
In hub mode (``HubSink``) the kernel has no database: it relays the browser's signals as
heartbeats to the fazhi service, which keeps the intervals on its own clock and takes the
officer from the hub token rather than from the kernel.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi import db
from fazhi.analytics.identity import hub_mode
from fazhi.analytics.study.packs import records as packed_records
from fazhi.analytics.study.store import (
    ensure_activities,
    ensure_source,
    lock_packs,
    replace_tracked,
)
from fazhi.analytics.study.yearstore import refresh_years, years_touched
from fazhi.errors import UserError
from fazhi.models import Officer
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


def store_tracked(session: Session, interval: TrackedInterval) -> None:
    """Store one tracked interval, or its longer end when (session, seq) is stored already,
    and refresh the officer's per-day totals."""
    officer = session.scalar(select(Officer.id).where(Officer.officer_id == interval.officer_id))
    if officer is None:
        raise UserError(f"名册中没有工号“{interval.officer_id}”，不记录学习时长")
    start = int(interval.start)
    end = max(round(interval.end), start)
    source = ensure_source(
        session,
        kind="tracker",
        digest=interval.session,
        name=f"{interval.officer_id}@{socket.gethostname()}"[:500],
    )
    activity = ensure_activities(session, [interval.module_id], {interval.module_id})
    lock_packs(session)
    tracked = packed_records(
        np.array([start]),
        np.array([end]),
        np.array([activity[interval.module_id]]),
        np.array([interval.seq]),
        np.array([1]),
    )
    replace_tracked(session, source, officer, tracked)
    refresh_years(
        session,
        officers=np.array([officer]),
        years=years_touched(np.array([start]), np.array([max(end, start + 1)])),
    )


class DatabaseSink:
    """Single-user mode: each save is one short transaction on the workspace database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def signal(self, kind: str, module_id: str) -> None:
        """Nothing to do: the kernel's clock measures the intervals this sink saves."""

    def save(self, interval: TrackedInterval) -> None:
        with db.session_scope(self.settings) as session:
            store_tracked(session, interval)


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
