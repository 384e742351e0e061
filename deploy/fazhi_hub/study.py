"""The authenticated study-time sink: heartbeats in, study intervals (server times) out.

A kernel-side tracker (``fazhi.analytics.study.sink.HubSink``) posts ``{"activity": "<module id>"}``
for each activity signal of a course notebook (keyboard or mouse, at most every 30 s, or the
notebook coming to the front).
The service, not the client, supplies the time and the officer: a heartbeat within
``idle_seconds`` of the officer's previous one for the same activity extends that interval to
now; a later one starts a new interval. A stop (``{"activity": ..., "stop": true}``, sent when
the notebook goes to the back) ends the open interval now, so the next heartbeat starts a
new one -- the rule of docs/analytics.md §2, on the service's clock.

Intervals reach fazhi's database in-process through ``store_tracked``, the same call the
single-user tracker uses: every minute, and before any report, the service stores what grew.
Each interval has a sequence number within the service's run, so an interval still growing is
stored again under the same (run, number) and replaces its shorter self.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from tornado.web import HTTPError

from fazhi import db
from fazhi.analytics.study.sink import TrackedInterval, store_tracked
from fazhi.analytics.study.store import officer_ids
from fazhi.settings import Settings

from .base import BaseHandler, Denied
from .store import check_name

IDLE_SECONDS = 300  # idle for more than 5 minutes ends an interval (docs/analytics.md §2)
log = logging.getLogger("fazhi.hub.study")


@dataclass
class Interval:
    officer_id: str
    activity: str
    start: int
    end: int
    seq: int  # the interval's number within the service's run
    written_end: int = -1  # the end last stored (-1: never)


class StudySink:
    """Heartbeats → intervals in memory → ``store_tracked`` of what changed."""

    def __init__(
        self,
        settings: Settings,
        *,
        idle_seconds: int = IDLE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.run_id = f"hub-{uuid.uuid4().hex}"  # one tracker source per service run
        self._seq = 0
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._open: dict[tuple[str, str], Interval] = {}
        self._closed: list[Interval] = []
        self._lock = asyncio.Lock()

    def beat(self, officer_id: str, activity: str) -> Interval:
        """Record one heartbeat now; returns the officer's current interval."""
        now = int(self.clock())
        key = (officer_id, activity)
        current = self._open.get(key)
        if current and 0 <= now - current.end <= self.idle_seconds:
            current.end = now
            return current
        if current and current.end > current.start:
            self._closed.append(current)
        self._seq += 1
        self._open[key] = Interval(officer_id, activity, now, now, self._seq)
        return self._open[key]

    def stop(self, officer_id: str, activity: str) -> Interval | None:
        """End the officer's open interval now (the notebook went to the back).

        Only an interval still open (its last heartbeat within ``idle_seconds``) is extended
        to now; after a longer silence it already ended at its last heartbeat: nothing to do.
        """
        now = int(self.clock())
        key = (officer_id, activity)
        current = self._open.get(key)
        if current is None or not 0 <= now - current.end <= self.idle_seconds:
            return None
        current.end = now
        del self._open[key]
        if current.end > current.start:  # a lone heartbeat carries no time
            self._closed.append(current)
        return current

    def pending(self) -> list[Interval]:
        """Intervals with time not yet imported (zero-length ones carry none)."""
        found = [
            i for i in [*self._closed, *self._open.values()] if i.end > max(i.start, i.written_end)
        ]
        return found

    async def flush(self) -> int:
        """Store every interval that grew since the last flush; returns how many."""
        async with self._lock:
            todo = self.pending()
            if not todo:
                return 0
            ends = [i.end for i in todo]
            batch = [
                TrackedInterval(
                    officer_id=item.officer_id,
                    module_id=item.activity,
                    session=self.run_id,
                    seq=item.seq,
                    start=item.start,
                    end=end,
                )
                for item, end in zip(todo, ends, strict=True)
            ]
            try:  # off the event loop: a slow database must not hold up heartbeats
                await asyncio.to_thread(self._store, batch)
            except Exception:
                log.exception("storing study time failed; kept for the next flush")
                return 0
            for item, end in zip(todo, ends, strict=True):
                item.written_end = end
            self._closed = [i for i in self._closed if i.written_end < i.end]
            return len(todo)

    def _store(self, batch: list[TrackedInterval]) -> None:
        """Store the batch; an officer no longer on the roster is logged and dropped, so one
        removed officer cannot hold up everyone else's time."""
        with db.session_scope(self.settings) as session:
            known = officer_ids(session)
            dropped = sorted({i.officer_id for i in batch if i.officer_id not in known})
            if dropped:
                log.warning("study time of officers not on the roster dropped: %s", dropped)
            store_tracked(session, [i for i in batch if i.officer_id in known])


class HeartbeatHandler(BaseHandler):
    """POST api/study/heartbeat {"activity": ...[, "stop": true]}: always for the caller, at
    the server's time.

    A body naming another officer is refused, not silently re-attributed, so a tracker
    that gets the identity wrong is noticed.
    """

    async def post(self) -> None:
        officer = self.require_officer()
        body = self.json_body()
        claimed = body.get("officer_id")
        if claimed is not None and str(claimed) != officer:
            raise Denied(f"只能记录本人的学习时间（本人工号 {officer}）")
        if "at" in body or "start" in body or "end" in body:
            raise Denied("学习时间由服务器计时，不接受客户端提供的时间")
        stop = body.get("stop", False)
        if not isinstance(stop, bool):
            raise HTTPError(400, log_message="stop 应为 true 或 false")
        activity = check_name(str(body.get("activity", "")), "学习内容")
        sink: StudySink = self.settings["study_sink"]
        interval = sink.stop(officer, activity) if stop else sink.beat(officer, activity)
        reply: dict[str, object] = {"officer_id": officer, "activity": activity}
        if interval is not None:
            reply |= {"start_ts": interval.start, "end_ts": interval.end}
        if stop:  # whether an open interval was ended (no-op after a long silence)
            reply["stopped"] = interval is not None
        self.reply(reply)


ROUTES = [(r"api/study/heartbeat", HeartbeatHandler)]
