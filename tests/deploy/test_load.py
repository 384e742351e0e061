"""Load: 100 officers submit the exam within one minute; none lost or mixed up, all graded."""

from __future__ import annotations

import csv
import io
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fazhi.hub import archive
from fazhi.hub.client import HubClient

from .conftest import COURSE, EXAM, FAZHI, HR, NBGRADER, TRAINER, Platform
from .papers import answer_sheet, exam_keys

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
COUNT, WORKERS, WINDOW_SECONDS = 100, 16, 60.0
UNIT = "某市城市管理局/压力测试大队/一中队"


def test_hundred_officers_submit_within_a_minute(released: Platform, tmp_path: Path) -> None:
    """Are 100 concurrent submissions all stored under the right officer and graded right?"""
    hub = released
    officers = [f"2{n:05d}" for n in range(COUNT)]
    roster = tmp_path / "roster.csv"
    lines = ["officer_id,name,unit,role,enforcement"] + [
        f"{o},队员{o},{UNIT},一般干部,是" for o in officers
    ]
    roster.write_text("\n".join(lines) + "\n", "utf-8")
    hub.run_as(TRAINER, "trainer", [FAZHI, "roster", "import", str(roster)], cwd=hub.workspace)
    hub.add_users("officers", officers)
    tokens = {o: hub.token(o) for o in officers}
    keys = exam_keys(hub.workspace / "source" / EXAM / f"{EXAM}.ipynb")
    released_files, _ = HubClient(hub.service_url, hub.token(TRAINER)).get_bytes(
        f"api/courses/{COURSE}/assignments/{EXAM}/release"
    )
    paper = tmp_path / "release"
    archive.unpack(released_files, paper)
    spec = json.loads((paper / "paper.json").read_text("utf-8"))
    correct = {o: (6 if i % 2 == 0 else i % 6) for i, o in enumerate(officers)}

    def sit(officer: str) -> float:
        folder = tmp_path / "officers" / officer / EXAM
        folder.mkdir(parents=True)
        for name in ("paper.json", f"{EXAM}.ipynb"):
            (folder / name).write_bytes((paper / name).read_bytes())
        sheet = answer_sheet(spec, officer, keys, correct[officer])
        (folder / f"{EXAM}.answers.json").write_text(json.dumps(sheet, ensure_ascii=False), "utf-8")
        client = HubClient(hub.service_url, tokens[officer])
        # the officer opened the timed paper (a submission without a start counts as late)
        client.post_json(f"api/courses/{COURSE}/assignments/{EXAM}/start", {})
        begun = time.monotonic()
        meta = client.post_bytes(
            f"api/courses/{COURSE}/assignments/{EXAM}/submissions", archive.pack(folder)
        )
        assert meta["officer_id"] == officer
        return time.monotonic() - begun

    begun = time.monotonic()
    with ThreadPoolExecutor(WORKERS) as pool:
        latencies = sorted(pool.map(sit, officers))
    elapsed = time.monotonic() - begun
    rate = COUNT / elapsed * 60
    print(
        f"{COUNT} submissions in {elapsed:.1f} s = {rate:.0f}/min;"
        f" p95 latency {latencies[94]:.2f} s"
    )
    assert elapsed < WINDOW_SECONDS

    hub.run_as(TRAINER, "trainer", [NBGRADER, "collect", EXAM], cwd=hub.workspace)
    for officer in officers:
        sheet = json.loads(
            (hub.workspace / "submitted" / officer / EXAM / f"{EXAM}.answers.json").read_text(
                "utf-8"
            )
        )
        assert sheet["officer"] == officer  # nobody's answers under another's name
    started = time.monotonic()
    hub.run_as(TRAINER, "trainer", [FAZHI, "grade", EXAM, "--workers", "2"], cwd=hub.workspace)
    grading = time.monotonic() - started
    print(f"graded {COUNT}+ submissions in {grading:.1f} s")

    scores = hub.service(HR, "GET", f"api/reports/scores/{EXAM}", params={"format": "csv"})
    assert scores.ok, scores.text
    rows = {
        r["officer_id"]: r for r in csv.DictReader(io.StringIO(scores.content.decode("utf-8-sig")))
    }
    for officer in officers:
        score = next(v for k, v in rows[officer].items() if k in ("score", "得分"))
        assert float(score) == correct[officer], (officer, rows[officer])
