"""The whole multi-user flow through JupyterHub: officers in their own JupyterLab servers,
the trainer in the shared workspace, HR through the service."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time

import pytest
import requests

from fazhi.analytics.study.sink import HubSink
from fazhi.analytics.study.tracker import track_study

from .conftest import COURSE, EXAM, FAZHI, HR, MODULE, NBGRADER, OFFICERS, TRAINER, Platform
from .papers import answer_sheet, exam_keys

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CORRECT = {"110001": 6, "110002": 0, "110003": 3}  # right answers out of the 6 questions


def assignment_action(server: requests.Session, url: str, action: str, assignment: str) -> None:
    """What the Assignments tab's Fetch/Submit buttons do (nbgrader's server extension)."""
    response = server.post(
        f"{url}/assignments/{action}",
        data={"course_id": COURSE, "assignment_id": assignment},
        timeout=300,
    )
    response.raise_for_status()
    assert response.json()["success"], response.json()


def study_module(hub: Platform, officer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The module's tracker cell as it runs in the officer's server (hub mode: no database,
    FAZHI_OFFICER ignored), fed the browser's signals, then the service's stop semantics."""
    with monkeypatch.context() as env:
        env.setenv("JUPYTERHUB_USER", officer)
        env.setenv("FAZHI_HUB_URL", hub.service_url)
        env.setenv("JUPYTERHUB_API_TOKEN", hub.token(officer))
        env.setenv("FAZHI_OFFICER", "110003")  # single-user setting: no say in hub mode
        env.delenv("FAZHI_WORKSPACE", raising=False)
        env.delenv("FAZHI_DB_URL", raising=False)
        tracker = track_study(MODULE)
        assert tracker is not None and isinstance(tracker.sink, HubSink)
        for kind in ("visible", "active", "active"):
            tracker.signal(kind)
            time.sleep(1.5)
        tracker.signal("hidden")
        tracker.close()
        assert "fazhi 服务" not in tracker.status.value, tracker.status.value  # no error shown

    def beat(**extra: object) -> dict[str, object]:
        reply = hub.service(
            officer, "POST", "api/study/heartbeat", json={"activity": MODULE, **extra}
        )
        assert reply.ok, reply.text
        return dict(reply.json())

    fresh = beat()  # the hidden signal ended the interval: this starts a new one
    assert fresh["start_ts"] == fresh["end_ts"] and fresh["officer_id"] == officer
    time.sleep(1.2)
    stopped = beat(stop=True)
    assert stopped["stopped"] and stopped["end_ts"] > stopped["start_ts"] == fresh["start_ts"]
    again = beat(stop=True)  # nothing open: a second stop changes nothing
    assert not again["stopped"] and "start_ts" not in again
    bad = hub.service(
        officer, "POST", "api/study/heartbeat", json={"activity": MODULE, "stop": "yes"}
    )
    assert bad.status_code == 400


def test_officers_submit_trainer_grades_hr_reports(
    released: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Do three officers' exam answers, submitted from their own servers, come back graded
    in HR's score report, and does their study time reach HR's compliance report?"""
    hub = released
    keys = exam_keys(hub.workspace / "source" / EXAM / f"{EXAM}.ipynb")
    for officer in OFFICERS:
        server = hub.start_server(officer)
        url = f"{hub.url}/user/{officer}"
        listed = server.get(f"{url}/assignments", params={"course_id": COURSE}, timeout=120).json()
        assert listed["success"], listed
        assert {a["assignment_id"] for a in listed["value"] if a["status"] == "released"} >= {
            MODULE,
            EXAM,
        }
        assignment_action(server, url, "fetch", MODULE)
        assignment_action(server, url, "fetch", EXAM)
        spec = server.get(
            f"{url}/api/contents/{EXAM}/paper.json", params={"content": "1"}, timeout=60
        ).json()
        sheet = answer_sheet(json.loads(spec["content"]), officer, keys, CORRECT[officer])
        body = {"type": "file", "format": "text", "content": json.dumps(sheet, ensure_ascii=False)}
        server.put(
            f"{url}/api/contents/{EXAM}/{EXAM}.answers.json", json=body, timeout=60
        ).raise_for_status()
        study_module(hub, officer, monkeypatch)
        assignment_action(server, url, "submit", EXAM)
        listed = server.get(f"{url}/assignments", params={"course_id": COURSE}, timeout=120).json()
        mine = [a for a in listed["value"] if a["status"] == "submitted"]
        assert [(a["assignment_id"], a["student_id"]) for a in mine] == [(EXAM, officer)]

    ws = hub.workspace
    hub.run_as(TRAINER, "trainer", [NBGRADER, "collect", EXAM], cwd=ws)
    assert sorted(p.name for p in (ws / "submitted").iterdir()) == sorted(OFFICERS)
    started = time.monotonic()
    hub.run_as(TRAINER, "trainer", [FAZHI, "grade", EXAM], cwd=ws)
    print(f"graded 3 submissions in {time.monotonic() - started:.1f} s")

    scores = hub.service(HR, "GET", f"api/reports/scores/{EXAM}", params={"format": "csv"})
    assert scores.ok, scores.text
    rows = {
        r["officer_id"]: r for r in csv.DictReader(io.StringIO(scores.content.decode("utf-8-sig")))
    }
    assert set(rows) == set(OFFICERS)
    points = {
        officer: float(next(v for k, v in rows[officer].items() if k in ("score", "得分")))
        for officer in OFFICERS
    }
    assert points == {officer: float(n) for officer, n in CORRECT.items()}

    # the report counts days up to its report date: take tomorrow's, so today's time counts
    as_of = dt.date.today() + dt.timedelta(days=1)
    query = {"year": str(as_of.year), "as_of": as_of.isoformat()}
    report = hub.service(HR, "GET", "api/reports/compliance", params={**query, "format": "csv"})
    assert report.ok, report.text
    compliance = {
        r["officer_id"]: r for r in csv.DictReader(io.StringIO(report.content.decode("utf-8-sig")))
    }
    for officer in OFFICERS:
        assert float(compliance[officer]["annual_minutes"]) > 0, compliance[officer]

    mine = hub.service("110003", "GET", "api/me/compliance", params=query)
    assert mine.ok and [r["officer_id"] for r in mine.json()["rows"]] == ["110003"]
