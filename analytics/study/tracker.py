"""Measure online study time in a course notebook (kernel side, ipywidgets).

A compiled module's or case's tracker cell (``fazhi.notebook.tracker_cell``) calls
``track_study("<module id>")``. It shows a one-line status and starts a tracker: a hidden
``ipywidgets.Text`` (class ``fazhi-study-<session>``) is the channel through which the
fazhi-lab JupyterLab extension (``labextension/``) reports activity and visibility; the cell
has no JavaScript output, so a reopened notebook shows no raw ``Javascript object``. Each
signal goes to the sink as it arrives (hub mode: a heartbeat to the fazhi service, which keeps
the time), and ``ActivityClock`` turns the signals into intervals on the kernel's clock, which
the sink stores (single-user mode) for the logged-in officer (``identity``), never a name from
the notebook.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
import uuid
from collections.abc import Callable

import ipywidgets as widgets

from fazhi.analytics.study.activity import SIGNALS, ActivityClock, Span
from fazhi.analytics.study.sink import StudySink, TrackedInterval

TICK_SECONDS = 30.0


class StudyTracker:
    """One notebook's tracker: widget channel in, intervals out to ``sink``."""

    def __init__(
        self,
        *,
        module_id: str,
        officer_id: str,
        sink: StudySink,
        idle_seconds: float,
        clock: Callable[[], float] = time.time,
        timer: bool = True,
    ) -> None:
        self.module_id = module_id
        self.officer_id = officer_id
        self.sink = sink
        self.session = uuid.uuid4().hex
        self.clock = clock
        self.activity = ActivityClock(idle_seconds)
        self.studied = 0.0  # seconds in closed intervals of this session
        self._relay_problem = ""  # the sink's last error on a signal, until one goes through
        self._current: Span | None = None
        self._pending: dict[int, Span] = {}
        self._lock = threading.Lock()
        self.status = widgets.HTML()
        self.beacon = widgets.Text(layout=widgets.Layout(display="none"))
        self.beacon.add_class(f"fazhi-study-{self.session}")
        self.beacon.observe(self._on_beacon, names="value")
        self.widget = widgets.VBox([self.status, self.beacon])
        self._stopped = threading.Event()
        if timer:
            threading.Thread(target=self._ticker, daemon=True).start()
        atexit.register(self.close)
        self._show()

    # ---- signals -------------------------------------------------------------------------

    def _on_beacon(self, change: dict) -> None:
        try:
            kind = json.loads(change["new"]).get("e")
        except (ValueError, AttributeError):
            return
        if kind in SIGNALS:
            self.signal(kind)

    def signal(self, kind: str, at: float | None = None) -> None:
        with self._lock:
            now = self.clock() if at is None else at
            spans = self.activity.signal(kind, now)
            self._relay(kind)
            self._save(spans, now)

    def _relay(self, kind: str) -> None:
        try:
            self.sink.signal(kind, self.module_id)
        except Exception as err:  # the service may be down: say so, never break the notebook
            self._relay_problem = f"学习时间未能送达 fazhi 服务（{err}），有操作时自动重试"
        else:
            self._relay_problem = ""

    def tick(self, at: float | None = None) -> None:
        with self._lock:
            now = self.clock() if at is None else at
            self._save(self.activity.tick(now), now)

    def close(self, at: float | None = None) -> None:
        self._stopped.set()
        with self._lock:
            now = self.clock() if at is None else at
            self._save(self.activity.close(now), now)

    def _ticker(self) -> None:
        while not self._stopped.wait(TICK_SECONDS):
            self.tick()

    # ---- saving --------------------------------------------------------------------------

    def _save(self, spans: list[Span], now: float) -> None:
        for span in spans:
            self._pending[span.seq] = span
            if span.final:
                self.studied += span.end - span.start
        for seq, span in sorted(self._pending.items()):
            interval = TrackedInterval(
                self.officer_id, self.module_id, self.session, seq, span.start, span.end
            )
            try:
                self.sink.save(interval)
            except Exception as err:  # the database may be busy: keep it and retry later
                self._show(f"学习时长暂未保存（{err}），稍后自动重试")
                return
            del self._pending[seq]
        self._show()

    def _show(self, problem: str = "") -> None:
        minutes = self.studied / 60
        idle = self.activity.idle / 60
        text = (
            f"学习计时：{self.officer_id} · 本次已计 {minutes:.0f} 分钟"
            f"（页面在前台且有操作时计时，超过 {idle:g} 分钟无操作或切换页面即暂停）"
        )
        text = problem or self._relay_problem or text
        self.status.value = f'<span style="color:#666;font-size:0.85em">{text}</span>'


def track_study(module_id: str) -> StudyTracker | None:
    """Start measuring study time in this notebook for the logged-in officer.

    The one line of a compiled notebook's tracker cell: ``track_study("m01-penalty-basics")``.
    When nothing can be recorded (no workspace, an officer not on the roster) it says why,
    in the cell's output, and returns None: it never raises into the notebook.
    """
    from IPython.display import display

    try:
        tracker = _start(module_id)
    except Exception as err:  # a locked cell the officer cannot fix: explain, do not fail
        display(widgets.HTML(f"学习计时：{err}；本次学习不计时。"))
        return None
    display(tracker.widget)
    return tracker


def _start(module_id: str) -> StudyTracker:
    from fazhi import db
    from fazhi.analytics.identity import current_officer, find_workspace, hub_mode
    from fazhi.analytics.study.sink import default_sink
    from fazhi.errors import UserError
    from fazhi.rules import load_rules

    if hub_mode():
        # No database here: the service credits the owner of this server's hub token.
        return StudyTracker(
            module_id=module_id,
            officer_id=os.environ["JUPYTERHUB_USER"],
            sink=default_sink(None),
            idle_seconds=load_rules(None).idle_minutes * 60,
        )
    settings = find_workspace()
    if settings is None:
        raise UserError("未找到 fazhi 工作区")
    with db.session_scope(settings) as session:
        identity = current_officer(session, settings)
    if identity.officer_id is None:
        raise UserError(f"无法确定学员身份：{identity.how}")
    return StudyTracker(
        module_id=module_id,
        officer_id=identity.officer_id,
        sink=default_sink(settings),
        idle_seconds=load_rules(settings.rules_path).idle_minutes * 60,
    )
