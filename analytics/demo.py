"""Demo step: a simulated year of study records for the demo roster, and the dashboards.

True to life: squads' weekly 集中学习 and monthly 专题讲座 (offline sign-in sheets, written as
GB18030 CSV with Chinese headers, as Excel on a Chinese Windows saves them), officers' online
module study (a tracker export, UTF-8 with English headers), online study during a session
(overlaps, counted once), late-evening study across midnight, 庭审观摩, leaders' 中心组学法
(some leaders attend fewer than the yearly minimum), and a few officers who fall behind.
Both files are imported with ``fazhi study import``'s own function.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import pandas as pd

from fazhi import db
from fazhi.analytics.dashboard import write_dashboards
from fazhi.analytics.modules import bundled_module_ids, known_module_ids
from fazhi.analytics.study.importer import import_study_file
from fazhi.analytics.study.records import COLUMNS
from fazhi.analytics.study.store import load_roster
from fazhi.rules import load_rules
from fazhi.settings import Settings

OFFLINE_FILE = Path("demo-data") / "线下学习签到.csv"
ONLINE_FILE = Path("demo-data") / "在线学习记录.csv"
# share of weeks in which an officer of each kind keeps up their study
HABITS = {"diligent": 1.0, "patchy": 0.85, "behind": 0.4}

Record = tuple[str, dt.datetime, dt.datetime, str, str]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def _habit(rng: random.Random) -> str:
    draw = rng.random()
    return "diligent" if draw < 0.72 else "patchy" if draw < 0.9 else "behind"


def _active(row: dict, day: dt.date) -> bool:
    since, until = row["active_from"], row["active_to"]
    return (pd.isna(since) or since <= day) and (pd.isna(until) or day <= until)


def simulate(officers: list[dict], today: dt.date, *, seed: int = 2026) -> list[Record]:
    """Study records (officer_id, start, end, 线上/线下, activity) for the year up to ``today``."""
    rng = random.Random(seed)
    modules = sorted(bundled_module_ids()) or ["集中自学"]
    central = load_rules(None).central_group_activity
    habits = {o["officer_id"]: _habit(rng) for o in officers}
    # one leader missed the 中心组学法 of September and November: short of the counted rule
    absent_leader = max((o["officer_id"] for o in officers if o["role"] == "leader"), default="")
    first = today - dt.timedelta(days=364)
    monday = first - dt.timedelta(days=first.weekday())
    records: list[Record] = []
    while monday <= today:
        for officer in officers:
            oid, leader = officer["officer_id"], officer["role"] == "leader"
            keeps_up = rng.random() < HABITS[habits[oid]]
            for offset in range(7):
                day = monday + dt.timedelta(days=offset)
                if day > today or not _active(officer, day):
                    continue
                if offset == 2 and rng.random() < (0.99 if keeps_up else 0.3):
                    records.append((oid, _at(day, 15), _at(day, 16, 30), "线下", "集中学习"))
                    if rng.random() < 0.15:  # a module on the phone during the session
                        start = _at(day, 15, 40)
                        records.append(
                            (
                                oid,
                                start,
                                start + dt.timedelta(minutes=35),
                                "线上",
                                rng.choice(modules),
                            )
                        )
                if day.day <= 7 and offset == 1 and rng.random() < 0.7:
                    records.append((oid, _at(day, 14, 30), _at(day, 17), "线下", "专题讲座"))
                if (
                    day.day <= 7
                    and offset == 3
                    and leader
                    and day.month % 2 == 1
                    and rng.random() < 0.85
                    and not (oid == absent_leader and day.month >= 9)
                ):
                    records.append((oid, _at(day, 9), _at(day, 11), "线下", central))
                if 8 <= day.day <= 14 and offset == 4 and day.month % 3 == 0 and rng.random() < 0.4:
                    records.append((oid, _at(day, 9), _at(day, 11, 30), "线下", "庭审观摩"))
                sessions = (2 if leader else 1) if keeps_up else 0
                if offset in (0, 3) and sessions and rng.random() < 0.95:
                    for _ in range(sessions):
                        start = _at(day, rng.choice((8, 12, 19, 20)), rng.randrange(0, 60, 5))
                        length = dt.timedelta(minutes=rng.randrange(25, 55, 5))
                        records.append((oid, start, start + length, "线上", rng.choice(modules)))
                if offset == 5 and keeps_up and rng.random() < 0.05:  # late, across midnight
                    start = _at(day, 23, 30)
                    records.append(
                        (oid, start, start + dt.timedelta(minutes=50), "线上", rng.choice(modules))
                    )
        monday += dt.timedelta(weeks=1)
    return records


def _write(path: Path, records: list[Record], *, chinese: bool, encoding: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.zh if chinese else c.name for c in COLUMNS])
        for oid, start, end, kind, activity in records:
            kind_text = kind if chinese else {"线上": "online", "线下": "offline"}[kind]
            writer.writerow(
                [oid, f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}", kind_text, activity]
            )
    return path


def populate(settings: Settings, today: dt.date) -> str:
    """Simulate, write and import the demo's study records; write the dashboard notebooks."""
    with db.session_scope(settings) as session:
        officers = load_roster(session).to_dict("records")
    records = simulate(officers, today)
    offline = [r for r in records if r[3] == "线下"]
    online = [r for r in records if r[3] == "线上"]
    files = [
        _write(settings.workspace / OFFLINE_FILE, offline, chinese=True, encoding="gb18030"),
        _write(settings.workspace / ONLINE_FILE, online, chinese=False, encoding="utf-8-sig"),
    ]
    modules = known_module_ids(settings.workspace)
    with db.session_scope(settings) as session:
        for path in files:
            import_study_file(session, path=path, modules=modules)
    notebooks = write_dashboards(settings.workspace)
    return (
        f"学习记录：线下 {len(offline)} 条、线上 {len(online)} 条（demo-data/）；"
        f"看板：{'、'.join(p.name for p in notebooks)}"
    )
