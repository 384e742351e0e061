"""From activity signals to study intervals: the rule of what counts as online study time.

The browser reports, for the notebook the officer is looking at, ``active`` (keyboard,
mouse, scroll or touch, at most every 30 s while it goes on), ``visible`` (the notebook's
tab came to the front) and ``hidden`` (the tab went to the back, the window was minimised
or closed). Times are the kernel's clock when a signal arrives, never the browser's.

An interval starts at a signal and extends to each later signal that arrives within
``idle`` seconds of the previous one; a longer silence ends it at the last signal (the
silence does not count), and ``hidden`` ends it at once.
"""

from __future__ import annotations

from dataclasses import dataclass

SIGNALS = ("active", "visible", "hidden")


@dataclass(frozen=True)
class Span:
    """One study interval of this tracker: ``seq`` numbers it within the tracker session."""

    seq: int
    start: float
    end: float
    final: bool


class ActivityClock:
    """A small state machine; callers save the spans it returns (idempotent by ``seq``)."""

    def __init__(self, idle: float, checkpoint: float = 60.0) -> None:
        self.idle = idle
        self.checkpoint = checkpoint
        self.seq = 0
        self._start: float | None = None
        self._last = 0.0
        self._saved_end = 0.0

    @property
    def open(self) -> bool:
        return self._start is not None

    def _close(self) -> list[Span]:
        span = Span(self.seq, self._start or 0.0, self._last, final=True)
        self._start = None
        return [span] if span.end > span.start else []

    def _checkpointed(self, at: float) -> list[Span]:
        assert self._start is not None
        if self._last > self._saved_end and at - self._saved_end >= self.checkpoint:
            self._saved_end = self._last
            if self._last > self._start:
                return [Span(self.seq, self._start, self._last, final=False)]
        return []

    def signal(self, kind: str, at: float) -> list[Span]:
        """Apply one signal; returns the spans to save now (closed ones, and checkpoints)."""
        if kind not in SIGNALS:
            raise ValueError(f"unknown activity signal {kind!r}")
        saves = self.tick(at)
        if kind == "hidden":
            if self._start is not None:
                self._last = max(self._last, at)
                saves += self._close()
            return saves
        if self._start is None:
            self.seq += 1
            self._start = self._last = self._saved_end = at
            return saves
        self._last = max(self._last, at)
        return saves + self._checkpointed(at)

    def tick(self, at: float) -> list[Span]:
        """Time passes without a signal: a silence longer than ``idle`` ends the interval."""
        if self._start is not None and at - self._last > self.idle:
            return self._close()
        return []

    def close(self, at: float) -> list[Span]:
        """The kernel is going away: end the open interval at its last signal."""
        saves = self.tick(at)
        if self._start is not None:
            saves += self._close()
        return saves
