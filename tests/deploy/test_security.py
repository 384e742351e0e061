"""The attacks of nbgrader #978/#1097/#1104 and every role denial, against the real service."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from fazhi.hub import archive
from fazhi.kernel.answers import load_sheet

from .conftest import COURSE, EXAM, HR, NBGRADER, TRAINER, Platform

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SUBMISSIONS = f"api/courses/{COURSE}/assignments/{EXAM}/submissions"


def folder_archive(tmp_path: Path, files: dict[str, str]) -> bytes:
    root = tmp_path / "upload"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    return archive.pack(root)


@contextlib.contextmanager
def collected_aside(collected: Path) -> Iterator[None]:
    """Collect this test's forged submission without leaving it for the shared Hub's other
    tests: test_flow and test_load collect E1 without --update and grade every folder, so the
    officer's earlier collected copy (or none) is put back afterwards."""
    aside = collected.with_name(collected.name + ".aside")
    had = collected.exists()
    if had:
        collected.rename(aside)
    try:
        yield
    finally:
        shutil.rmtree(collected, ignore_errors=True)
        if had:
            aside.rename(collected)


def submit(hub: Platform, user: str, data: bytes, **params: str) -> dict:
    response = hub.service(user, "POST", SUBMISSIONS, data=data, params=params)
    assert response.status_code == 201, response.text
    return response.json()


def test_submissions_cannot_be_read_overwritten_or_impersonated(
    released: Platform, tmp_path: Path
) -> None:
    """#978/#1097: can an officer read, replace or file a submission as someone else? No."""
    hub = released
    own = submit(hub, "110001", folder_archive(tmp_path / "a", {f"{EXAM}.ipynb": "{}"}))
    # impersonation: naming another officer anywhere is ignored or refused, never obeyed
    forged = submit(
        hub, "110002", folder_archive(tmp_path / "b", {f"{EXAM}.ipynb": "{}"}), student_id="110001"
    )
    assert forged["officer_id"] == "110002"
    beat = hub.service(
        "110002", "POST", "api/study/heartbeat", json={"activity": "m01", "officer_id": "110001"}
    )
    assert beat.status_code == 403
    # reading another officer's submission, directly or by listing
    other = hub.service("110002", "GET", f"{SUBMISSIONS}/110001/{own['id']}")
    assert other.status_code == 403
    listed = hub.service("110002", "GET", SUBMISSIONS).json()["submissions"]
    assert {s["officer_id"] for s in listed} == {"110002"}
    # overwriting: 110001's submission is unchanged after 110002's upload
    mine = hub.service("110001", "GET", f"{SUBMISSIONS}/110001/{own['id']}")
    assert mine.ok and archive.members(mine.content) == [f"{EXAM}.ipynb"]
    # path tricks in names and archives
    assert hub.service("110002", "GET", f"{SUBMISSIONS}/..%2F110001/{own['id']}").status_code in (
        400,
        403,
        404,
    )
    evil = hub.service("110002", "POST", SUBMISSIONS, data=b"not a tar")
    assert evil.status_code == 400


def test_client_cannot_submit_for_another_user(released: Platform, tmp_path: Path) -> None:
    """#1097 through nbgrader itself: does ``nbgrader submit --student`` impersonate? No."""
    hub = released
    home = tmp_path / "home"
    home.mkdir()
    hub.run_as(
        "110003", "officer", [NBGRADER, "fetch_assignment", EXAM, "--course", COURSE], cwd=home
    )
    result = hub.run_as(
        "110003",
        "officer",
        [NBGRADER, "submit", EXAM, "--course", COURSE, "--student", "110001"],
        cwd=home,
        check=False,
    )
    assert result.returncode != 0 and "本人" in (result.stdout + result.stderr)


def test_timestamps_come_from_the_server(released: Platform, tmp_path: Path) -> None:
    """#1104: do a forged timestamp.txt, forged answer times or a forged start count? No."""
    hub = released
    started = hub.service(
        "110002", "POST", f"api/courses/{COURSE}/assignments/{EXAM}/start", json={}
    ).json()
    sheet = json.dumps(
        {
            "sheet": EXAM,
            "started_at": "2000-01-01T00:00:00+00:00",
            "officer": "110001",
            "answers": {"X": {"value": "A", "at": "2000-01-01T00:00:01+00:00"}},
        }
    )
    files = {
        f"{EXAM}.ipynb": "{}",
        "timestamp.txt": "2000-01-01 00:00:00.000000 UTC",
        f"{EXAM}.answers.json": sheet,
    }
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    meta = submit(hub, "110002", folder_archive(tmp_path, files))
    assert dt.datetime.fromisoformat(meta["submitted_at"]) >= before
    clock = hub.service(
        "110002", "POST", "api/study/heartbeat", json={"activity": "m01", "start": "2000-01-01"}
    )
    assert clock.status_code == 403
    collected = hub.workspace / "submitted" / "110002" / EXAM
    with collected_aside(collected):
        hub.run_as(
            TRAINER,
            "trainer",
            [NBGRADER, "collect", EXAM, "--update", "--student", "110002"],
            cwd=hub.workspace,
        )
        assert not (collected / "timestamp.txt").read_text().startswith("2000")
        stored = load_sheet(collected / f"{EXAM}.answers.json")
    assert stored["started_at"] == dt.datetime.fromisoformat(started["started_at"]).isoformat(
        timespec="seconds"
    )
    assert stored["officer"] == "110002"  # not scored on 110001's paper
    assert stored["answers"]["X"]["at"] >= stored["started_at"]


@pytest.mark.parametrize(
    ("user", "method", "route"),
    [
        (None, "GET", "api/assignments"),  # no token
        ("110001", "POST", f"api/courses/{COURSE}/assignments/{EXAM}/release"),
        ("110001", "DELETE", f"api/courses/{COURSE}/assignments/{EXAM}/release"),
        ("110001", "GET", f"{SUBMISSIONS}?counted=1&mine=0".replace("&mine=0", "")),
        ("110001", "POST", f"api/courses/{COURSE}/assignments/{EXAM}/feedback/110002/x"),
        ("110001", "GET", f"api/courses/{COURSE}/assignments/{EXAM}/feedback/110002/x"),
        ("110001", "GET", "api/reports/compliance?year=2026"),
        ("110001", "GET", f"api/reports/scores/{EXAM}"),
        (TRAINER, "POST", SUBMISSIONS),
        (TRAINER, "POST", f"api/courses/{COURSE}/assignments/{EXAM}/start"),
        (TRAINER, "POST", "api/study/heartbeat"),
        (TRAINER, "GET", "api/reports/compliance?year=2026"),
        (TRAINER, "POST", f"api/courses/other/assignments/{EXAM}/release"),
        (TRAINER, "GET", "api/me/compliance?year=2026"),
        (HR, "GET", "api/assignments"),
        (HR, "POST", SUBMISSIONS),
        (HR, "POST", f"api/courses/{COURSE}/assignments/{EXAM}/release"),
        (HR, "GET", f"{SUBMISSIONS}/110001/x"),
        (HR, "POST", "api/study/heartbeat"),
        (HR, "GET", "api/me/compliance?year=2026"),
    ],
)
def test_role_denials(
    released: Platform, user: str | None, method: str, route: str, tmp_path: Path
) -> None:
    """Is each action outside the caller's role refused (401 without a token, else 403)?"""
    body = folder_archive(tmp_path, {"x.ipynb": "{}"}) if method == "POST" else None
    response = released.service(user, method, route, data=body)
    if route.endswith("counted=1"):  # an officer asking for the trainer's list sees only their own
        assert {s["officer_id"] for s in response.json()["submissions"]} <= {"110001"}
        return
    assert response.status_code == (401 if user is None else 403), (
        response.status_code,
        response.text,
    )
    assert "error" in response.json()


def test_token_without_service_scope_is_refused(released: Platform) -> None:
    """Is a Hub token that may not use the fazhi service turned away? Yes."""
    token = released.token("110001", ["read:users:name!user"])
    response = released.service(
        None, "GET", "api/assignments", headers={"Authorization": f"token {token}"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("year", ["99999", "0", "二〇二六"])
def test_report_year_out_of_range_is_a_clear_400(released: Platform, year: str) -> None:
    """Does HR asking for the compliance report of year 99999 get a 400 with a reason, not a
    502 from a crashed report process?"""
    response = released.service(HR, "GET", "api/reports/compliance", params={"year": year})
    assert response.status_code == 400, (response.status_code, response.text)
    assert "year" in response.json()["error"] or "年度" in response.json()["error"]
