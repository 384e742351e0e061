"""The authenticated study-time sink: heartbeats in, study intervals (server times) out.

A kernel-side tracker (``fazhi.analytics.study.sink.HubSink``) posts ``{"activity": "<module id>"}``
for each activity signal of a course notebook (keyboard or mouse, at most every 30 s, or the
notebook coming to the front).
The service, not the client, supplies the time and the officer: a heartbeat within
``idle_seconds`` of the officer's previous one for the same activity extends that interval to
now; a later one starts a new interval. A stop (``{"activity": ..., "stop": true}``, sent when
the notebook goes to the back) ends the open interval now, so the next heartbeat starts a
new one -- the rule of docs/analytics.md §2, on the service's clock.

Intervals reach fazhi's database through ``fazhi study import`` (DESIGN.md's study-record
file, kind ``online``), the one public way in that also keeps the report's per-day totals in
step: every minute, and before any report, the service writes what it has to a file and
imports it. An interval still growing is written again later, longer; the compliance report
counts the union of an officer's intervals, so the overlap counts once.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from tornado.web import HTTPError

from .base import BaseHandler, Denied
from .store import check_name

IDLE_SECONDS = 300  # issue 5: idle for more than 5 minutes ends an interval
LOCAL = ZoneInfo("Asia/Shanghai")  # DESIGN.md: record times are local unless an offset is given
log = logging.getLogger("fazhi.hub.study")


@dataclass
class Interval:
    officer_id: str
    activity: str
    start: int
    end: int
    written_end: int = -1  # the end last imported (-1: never)


class StudySink:
    """Heartbeats → intervals in memory → ``fazhi study import`` of what changed."""

    def __init__(
        self,
        workspace: Path,
        *,
        idle_seconds: int = IDLE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.workspace = workspace
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
        self._open[key] = Interval(officer_id, activity, now, now)
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
        """Import every interval that grew since the last flush; returns how many."""
        async with self._lock:
            todo = self.pending()
            if not todo:
                return 0
            ends = [i.end for i in todo]
            with tempfile.TemporaryDirectory(prefix="fazhi-study-") as tmp:
                path = Path(tmp) / "在线学习.csv"
                with path.open("w", encoding="utf-8", newline="") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(["officer_id", "start", "end", "kind", "activity"])
                    for item, end in zip(todo, ends, strict=True):
                        writer.writerow(
                            [
                                item.officer_id,
                                _local(item.start),
                                _local(end),
                                "online",
                                item.activity,
                            ]
                        )
                command = [sys.executable, "-m", "fazhi.cli", "--workspace", str(self.workspace)]
                process = await asyncio.create_subprocess_exec(
                    *command, "study", "import", str(path),
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )  # fmt: skip
                _, err = await process.communicate()
            if process.returncode != 0:
                log.error("study import failed: %s", err.decode("utf-8", "replace"))
                return 0
            for item, end in zip(todo, ends, strict=True):
                item.written_end = end
            self._closed = [i for i in self._closed if i.written_end < i.end]
            return len(todo)


def _local(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, LOCAL).strftime("%Y-%m-%d %H:%M:%S")


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
