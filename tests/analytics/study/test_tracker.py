"""Online study time: the activity rule, the tracker with its database sink, and identity."""

from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fazhi import db
from fazhi.analytics.dataset import load_compliance
from fazhi.analytics.identity import current_officer, find_workspace
from fazhi.analytics.study.activity import ActivityClock, Span
from fazhi.analytics.study.daily import blob_seconds
from fazhi.analytics.study.sink import DatabaseSink, HubSink, default_sink
from fazhi.analytics.study.store import load_records
from fazhi.analytics.study.tracker import StudyTracker, track_study
from fazhi.models import StudyActivity, StudyPack, StudySource, StudyYear
from fazhi.rules import load_rules
from fazhi.settings import Settings, load_settings
from fazhi.workspace import write_settings

from ..helpers import import_roster, ts

IDLE = 300.0


def test_activity_extends_an_interval_until_idle() -> None:
    """Does activity within 5 minutes extend an interval, and longer silence end it?"""
    clock = ActivityClock(IDLE, checkpoint=1e9)
    assert clock.signal("active", 0) == []
    assert clock.signal("active", 250) == []
    assert clock.signal("active", 500) == []
    # 301 s of silence: the interval ends at 500, and the silence does not count
    assert clock.signal("active", 801) == [Span(1, 0, 500, final=True)]
    assert clock.close(900) == []  # a lone signal is a zero-length interval: nothing to save


def test_hidden_ends_the_interval_at_once() -> None:
    """Does hiding the notebook end the interval at that moment, and showing it start a new one?"""
    clock = ActivityClock(IDLE, checkpoint=1e9)
    clock.signal("visible", 100)
    clock.signal("active", 160)
    assert clock.signal("hidden", 200) == [Span(1, 100, 200, final=True)]
    assert clock.signal("hidden", 260) == []
    clock.signal("visible", 1000)
    assert clock.tick(1200) == []
    assert clock.tick(1301) == []  # 301 s after the last signal (1000): closes, but zero length
    assert not clock.open


def test_checkpoints_save_a_long_interval_as_it_grows() -> None:
    """Is a growing interval saved every minute, so a crash loses at most that?"""
    clock = ActivityClock(IDLE, checkpoint=60)
    clock.signal("active", 0)
    assert clock.signal("active", 30) == []
    assert clock.signal("active", 60) == [Span(1, 0, 60, final=False)]
    assert clock.signal("active", 90) == []
    assert clock.signal("active", 130) == [Span(1, 0, 130, final=False)]
    assert clock.close(140) == [Span(1, 0, 130, final=True)]
    with pytest.raises(ValueError):
        clock.signal("typing", 150)


@pytest.mark.db
def test_tracker_saves_extends_and_totals_intervals(
    workspace: Settings, cli, tmp_path: Path
) -> None:
    """Do beacon signals become the officer's online intervals, extended and totalled by day?"""
    import_roster(cli, workspace, tmp_path)
    now = [float(ts("2026-03-02 09:00"))]
    tracker = StudyTracker(
        module_id="m02-penalty-procedure",
        officer_id="CG002",
        sink=DatabaseSink(workspace),
        idle_seconds=IDLE,
        clock=lambda: now[0],
        timer=False,
    )
    for step in range(0, 25 * 60 + 1, 30):  # 25 minutes of reading, a signal every 30 s
        now[0] = ts("2026-03-02 09:00") + step
        tracker.beacon.value = f'{{"e": "active", "n": {step}}}'
    now[0] += 20 * 60  # 20 minutes away: idle
    tracker.tick()
    now[0] += 60
    tracker.signal("visible")
    for _ in range(20):  # 10 more minutes of activity, then the tab goes to the back
        now[0] += 30
        tracker.signal("active")
    tracker.signal("hidden")
    tracker.close()
    with db.session_scope(workspace) as session:
        records = load_records(session)
        modules = dict(session.execute(select(StudyActivity.name, StudyActivity.module_id)).all())
        sources = dict(session.execute(select(StudySource.id, StudySource.kind)).all())
        rows = [
            (r.start, r.end, r.kind, r.activity, modules[r.activity], sources[r.source_id])
            for r in records.sort_values("start").itertuples()
        ]
        blob = session.scalar(select(StudyYear.seconds))
    start = ts("2026-03-02 09:00")
    assert [(r[0] - start, r[1] - start) for r in rows] == [(0, 25 * 60), (46 * 60, 56 * 60)]
    assert {r[2:] for r in rows} == {
        ("online", "m02-penalty-procedure", "m02-penalty-procedure", "tracker")
    }
    assert blob_seconds(blob)[60] == 35 * 60  # 2 March is day 61 of 2026
    assert tracker.studied == 35 * 60 and "35 分钟" in tracker.status.value


@pytest.mark.db
def test_identity_is_the_logged_in_officer(
    workspace: Settings, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Is the officer JupyterHub's user, else the officer setting (FAZHI_OFFICER over
    fazhi.toml), else the OS user -- each only when on the roster?"""
    import_roster(cli, workspace, tmp_path)
    root = workspace.workspace
    write_settings(root, officer="CG002")
    monkeypatch.setenv("JUPYTERHUB_USER", "cg001")  # Hub names are lower-case
    with db.session_scope(workspace) as session:
        assert current_officer(session, load_settings(root)).officer_id == "CG001"
        monkeypatch.delenv("JUPYTERHUB_USER")
        configured = current_officer(session, load_settings(root))
        assert configured.officer_id == "CG002" and "officer" in configured.how
        monkeypatch.setenv("FAZHI_OFFICER", "CG003")
        assert current_officer(session, load_settings(root)).officer_id == "CG003"
        monkeypatch.setenv("FAZHI_OFFICER", "冒名")
        nobody = current_officer(session, load_settings(root))
        monkeypatch.delenv("FAZHI_OFFICER")
        write_settings(root, officer="")
        os_user = current_officer(session, load_settings(root))
    assert nobody.officer_id is None and "冒名" in nobody.how and "FAZHI_OFFICER" in nobody.how
    assert os_user.officer_id is None and "本机登录用户" in os_user.how


@pytest.mark.db
def test_configured_officer_is_credited_and_counted(
    workspace: Settings, cli, tmp_path: Path
) -> None:
    """Do a tracker's signals become the configured officer's time in the compliance figures?"""
    import_roster(cli, workspace, tmp_path)
    settings = write_settings(workspace.workspace, officer="CG003")
    with db.session_scope(settings) as session:
        officer = current_officer(session, settings).officer_id
    assert officer == "CG003"
    tracker = StudyTracker(
        module_id="m01-penalty-basics",
        officer_id=officer,
        sink=default_sink(settings),
        idle_seconds=IDLE,
        timer=False,
    )
    start = ts("2026-03-04 19:00")
    for step in range(0, 70 * 60 + 1, 30):  # 70 minutes in a week CG003 works all of
        tracker.signal("active", at=start + step)
    tracker.signal("hidden", at=start + 70 * 60 + 5)
    with db.session_scope(settings) as session:
        result = load_compliance(
            session, rules=load_rules(None), year=2026, as_of=dt.date(2026, 3, 31)
        )
    row = result.summary.set_index("officer_id").loc["CG003"]
    assert row["annual_minutes"] == pytest.approx(70 + 5 / 60, abs=0.01)
    weekly = result.weekly.set_index(["officer_id", "week"])
    assert weekly.loc[("CG003", "2026-W10"), "minutes"] == pytest.approx(70 + 5 / 60, abs=0.01)
    assert weekly.loc[("CG003", "2026-W10"), "ok"]


@pytest.mark.db
def test_hub_mode_relays_and_never_writes_the_database(
    workspace: Settings, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In hub mode, does the tracker leave the database alone, whatever FAZHI_OFFICER says,
    and show an unreachable service in its status line instead of raising?"""
    import_roster(cli, workspace, tmp_path)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("JUPYTERHUB_USER", "cg001")
    monkeypatch.setenv("FAZHI_HUB_URL", f"http://127.0.0.1:{port}/services/fazhi/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "a-token")
    monkeypatch.setenv("FAZHI_OFFICER", "CG002")
    monkeypatch.setenv("FAZHI_WORKSPACE", str(workspace.workspace))
    tracker = track_study("m01-penalty-basics")
    assert tracker is not None and isinstance(tracker.sink, HubSink)
    assert tracker.officer_id == "cg001"
    now = time.time()
    tracker.signal("visible", at=now)
    assert "未能送达 fazhi 服务" in tracker.status.value
    for step in range(0, 601, 30):
        tracker.signal("active", at=now + step)
    tracker.signal("hidden", at=now + 605)
    tracker.close()
    assert tracker.studied == 605  # the kernel's own count, for the status line only
    with db.session_scope(workspace) as session:
        assert session.scalar(select(func.count()).select_from(StudyPack)) == 0
    monkeypatch.delenv("FAZHI_HUB_URL")  # JupyterHub without the fazhi service
    assert isinstance(default_sink(load_settings(None)), DatabaseSink)


def test_a_kernel_finds_its_workspace_from_a_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does a notebook's kernel in source/<module>/ find the workspace above it?"""
    from fazhi.cli.setup import initialise

    monkeypatch.delenv("FAZHI_WORKSPACE", raising=False)
    monkeypatch.setenv("FAZHI_DB_URL", f"sqlite:///{tmp_path / 'x.db'}")
    initialise(tmp_path / "ws")
    folder = tmp_path / "ws" / "source" / "m01"
    folder.mkdir(parents=True)
    found = find_workspace(folder)
    assert found is not None and found.workspace == (tmp_path / "ws").resolve()
    assert find_workspace(tmp_path) is None
    db.dispose_engines()


@pytest.mark.db
def test_hub_flushes_go_through_the_trackers_store_call(
    workspace: Settings, cli, tmp_path: Path
) -> None:
    """Does the hub service store each minute's intervals in-process, an interval that grew
    since the last flush replacing itself, all under one tracker source per service run?"""
    import asyncio

    from fazhi.hub.study import StudySink as HubStudySink

    import_roster(cli, workspace, tmp_path)
    now = [float(ts("2026-03-02 09:00"))]
    sink = HubStudySink(workspace, idle_seconds=IDLE, clock=lambda: now[0])
    sink.beat("CG002", "m02-penalty-procedure")
    sink.beat("CG001", "m01-penalty-basics")
    for _ in range(4):  # four flushes while both intervals grow
        now[0] += 60
        sink.beat("CG002", "m02-penalty-procedure")
        sink.beat("CG001", "m01-penalty-basics")
        assert asyncio.run(sink.flush()) == 2
    sink.stop("CG001", "m01-penalty-basics")
    assert asyncio.run(sink.flush()) == 0  # stopped in the same second: nothing grew
    with db.session_scope(workspace) as session:
        records = load_records(session)
        sources = session.execute(select(StudySource.kind, StudySource.digest)).all()
        blob = session.scalar(select(func.sum(StudyPack.count)))
    assert sources == [("tracker", sink.run_id)]
    assert blob == 2  # one record per interval, not one per flush
    spans = sorted((r.end - r.start) for r in records.itertuples())
    assert spans == [240, 240]
    sink.beat("CG999", "m01-penalty-basics")  # not on the roster: logged and dropped
    now[0] += 60
    sink.beat("CG999", "m01-penalty-basics")
    sink.beat("CG002", "m02-penalty-procedure")
    assert asyncio.run(sink.flush()) == 2
    assert sink.pending() == []
    with db.session_scope(workspace) as session:
        spans = sorted((r.end - r.start) for r in load_records(session).itertuples())
    assert spans == [240, 300]  # CG002's interval grew; CG999 held up nobody
