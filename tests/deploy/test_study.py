"""The service's study-time sink on its own clock: heartbeats extend, a stop ends (no Hub)."""

from __future__ import annotations

from pathlib import Path

from fazhi.hub.study import StudySink
from fazhi.settings import Settings

MODULE = "m01-penalty-basics"


def _sink(tmp_path: Path) -> tuple[StudySink, list[float]]:
    now = [1_780_000_000.0]
    return StudySink(Settings(workspace=tmp_path), idle_seconds=300, clock=lambda: now[0]), now


def spans(sink: StudySink) -> list[tuple[str, int, int]]:
    start = 1_780_000_000
    return [(i.officer_id, i.start - start, i.end - start) for i in sink.pending()]


def test_stop_ends_the_open_interval_at_the_service_clock(tmp_path: Path) -> None:
    """Does a stop end the officer's interval now, so the next heartbeat starts a new one?"""
    sink, now = _sink(tmp_path)
    sink.beat("110001", MODULE)
    now[0] += 100
    sink.beat("110001", MODULE)
    sink.beat("110002", MODULE)
    now[0] += 50
    stopped = sink.stop("110001", MODULE)
    assert stopped is not None and stopped.end - stopped.start == 150
    now[0] += 30
    sink.beat("110001", MODULE)  # back 30 s later: a new interval, the gap does not count
    now[0] += 60
    sink.beat("110001", MODULE)
    assert sorted(spans(sink)) == [("110001", 0, 150), ("110001", 180, 240)]
    assert sink.stop("110002", MODULE) is not None  # others' intervals are their own
    assert sink.stop("110002", MODULE) is None  # nothing open any more


def test_stop_after_a_long_silence_changes_nothing(tmp_path: Path) -> None:
    """After more than idle_seconds without a heartbeat, does a stop leave the interval at
    its last heartbeat (the silence is not study time)?"""
    sink, now = _sink(tmp_path)
    assert sink.stop("110001", MODULE) is None  # never started
    sink.beat("110001", MODULE)
    now[0] += 60
    sink.beat("110001", MODULE)
    now[0] += 301
    assert sink.stop("110001", MODULE) is None
    assert spans(sink) == [("110001", 0, 60)]
    sink.beat("110001", MODULE)
    assert spans(sink) == [("110001", 0, 60)]  # the new interval has no length yet


def test_a_lone_heartbeat_then_stop_carries_no_time(tmp_path: Path) -> None:
    """Is a stop in the same second as the only heartbeat a zero-length interval, not kept?"""
    sink, _ = _sink(tmp_path)
    sink.beat("110001", MODULE)
    stopped = sink.stop("110001", MODULE)
    assert stopped is not None and stopped.end == stopped.start
    assert sink.pending() == []
