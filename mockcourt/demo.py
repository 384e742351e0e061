"""Demo step: this year's mock-court sessions for the demo bureau, imported like a trainer would.

The judges' scores are written as a GB18030 CSV with Chinese headers (what Excel on a Chinese
Windows saves) and imported with ``store.import_file``; the scoring notebook is generated.
Scores are drawn from a fixed seed: each officer has an ability, each dimension a spread,
and one judge (执法监督科) is systematically strict, so the report shows a deviation flag.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from fazhi import db
from fazhi.models import Officer
from fazhi.rules import load_rules
from fazhi.settings import Settings

from .notebook import write_scoring_notebook
from .scorefile import COLUMNS
from .store import import_file

DEMO_FILE = Path("demo-data") / "模拟法庭评分.csv"
STRICT_JUDGE = "吴强（执法监督科）"
STRICT_BIAS = -13.0


def demo_cases() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("demo_cases.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _session_dates(today: dt.date, count: int) -> list[dt.date]:
    """``count`` days spread evenly from 1 January up to today."""
    start = dt.date(today.year, 1, 1)
    span = (today - start).days
    return [start + dt.timedelta(days=span * (i + 1) // (count + 1)) for i in range(count)]


def _clamp(value: float) -> int:
    return max(35, min(99, round(value)))


def demo_rows(officers: list[Officer], rubric: list[str], today: dt.date, *, seed: int = 6):
    """Score-file rows (English column names) for the demo sessions."""
    rng = random.Random(seed)
    cases = demo_cases()
    leaders = [o for o in officers if o.role == "leader"]
    staff = [o for o in officers if o.role == "staff" and o.enforcement]
    core, others = staff[:6], staff[6:]  # the core six take part repeatedly: their trend shows
    ability = {o.officer_id: rng.gauss(76, 7) for o in officers}
    bias: dict[str, float] = {}
    rows = []
    sessions = cases["sessions"]
    next_other = 0
    for index, (case, date) in enumerate(
        zip(sessions, _session_dates(today, len(sessions)), strict=True)
    ):
        team = [leaders[index % len(leaders)]]
        for slot in range(len(case["roles"]) - 1):
            if slot < 3:
                team.append(core[(3 * index + slot) % len(core)])
            else:
                team.append(others[next_other % len(others)])
                next_other += 1
        code = case["code"].format(year=today.year)
        for officer, role in zip(team, case["roles"], strict=True):
            spread = {name: rng.gauss(0, 5) for name in rubric}
            for judge in case["judges"]:
                if judge not in bias:
                    bias[judge] = STRICT_BIAS if judge == STRICT_JUDGE else rng.gauss(0, 2.5)
                level = ability[officer.officer_id] + bias[judge]
                comment = ""
                if rng.random() < 0.3:
                    pool = cases["comments"]["high" if level >= 78 else "low"]
                    comment = rng.choice(pool)
                for name in rubric:
                    rows.append(
                        {
                            "session_id": code,
                            "date": date.isoformat(),
                            "officer_id": officer.officer_id,
                            "role": role,
                            "judge": judge,
                            "dimension": name,
                            "score": _clamp(level + spread[name] + rng.gauss(0, 3)),
                            "case_title": case["title"],
                            "case_summary": case["summary"],
                            "case_file": case["case_file"].format(year=today.year),
                            "comment": comment,
                        }
                    )
    return rows


def write_score_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """The rows as a GB18030 CSV with the Chinese headers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.zh for c in COLUMNS])
        for row in rows:
            writer.writerow([row.get(c.name, "") for c in COLUMNS])
    return path


def populate(settings: Settings, today: dt.date) -> str:
    """Demo step (after the roster): import this year's mock-court scores, write the notebook."""
    rubric = list(load_rules(settings.rules_path).rubric)
    with db.session_scope(settings) as session:
        officers = [
            o
            for o in session.scalars(select(Officer).order_by(Officer.officer_id))
            if o.active_on(today)
        ]
    rows = demo_rows(officers, rubric, today)
    path = write_score_csv(rows, settings.workspace / DEMO_FILE)
    result = import_file(settings=settings, path=path)
    notebook = write_scoring_notebook(workspace=settings.workspace)
    participants = len({(r["session_id"], r["officer_id"]) for r in rows})
    sheets = result.sheets_created + result.sheets_updated + result.sheets_unchanged
    return (
        f"模拟法庭：{result.sessions} 场，参加 {participants} 人次，"
        f"评分表 {sheets} 份（{DEMO_FILE}）；评分笔记本 {notebook.name}"
    )
