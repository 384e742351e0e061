"""A fictional demo bureau: 3 squads under 2 brigades, about 60 officers (roster rows)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from fazhi.roster import COLUMNS

CITY = "某市城市管理局"
SQUADS = (
    f"{CITY}/东城区执法大队/一中队",
    f"{CITY}/东城区执法大队/二中队",
    f"{CITY}/西城区执法大队/一中队",
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
    "邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰飞鹏辉斌波宁凯雪琳晨浩宇欣然"


def demo_roster(today: dt.date, *, seed: int = 2026) -> list[dict[str, str]]:
    """Roster rows (English headers): leaders, enforcement officers and non-enforcement staff.

    Certificate expiries and joining/leaving dates are spread so that every compliance state
    (valid, warning, expired, missing; joiners and leavers) occurs.
    """
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    names: set[str] = set()
    number = 0
    year_start = dt.date(today.year, 1, 1)
    for squad_index, squad in enumerate(SQUADS):
        brigade = squad.rsplit("/", 1)[0]
        for position in range(20):
            number += 1
            while True:
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
                if name not in names:
                    names.add(name)
                    break
            leader = position < 3
            unit = brigade if leader and position == 0 and squad_index != 1 else squad
            enforcement = leader or position < 17
            cert = ""
            if enforcement:
                kind = position % 10
                if kind == 3:
                    cert = (today - dt.timedelta(days=rng.randint(5, 200))).isoformat()
                elif kind == 7:
                    cert = (today + dt.timedelta(days=rng.randint(10, 85))).isoformat()
                elif kind != 9 or squad_index != 2:
                    cert = (today + dt.timedelta(days=rng.randint(200, 1400))).isoformat()
            active_from = ""
            active_to = ""
            if position == 18:
                active_from = (year_start + dt.timedelta(days=rng.randint(60, 200))).isoformat()
            elif position == 19 and squad_index == 0:
                active_to = (year_start + dt.timedelta(days=rng.randint(100, 250))).isoformat()
            else:
                active_from = (year_start - dt.timedelta(days=rng.randint(400, 6000))).isoformat()
            rows.append(
                {
                    "officer_id": f"CG{number:04d}",
                    "name": name,
                    "unit": unit,
                    "role": "leader" if leader else "staff",
                    "enforcement": "yes" if enforcement else "no",
                    "cert_expiry": cert,
                    "active_from": active_from,
                    "active_to": active_to,
                    # most have a work e-mail for ``fazhi notify``; a few have none on record
                    "email": "" if position % 4 == 3 else f"cg{number:04d}@demo-bureau.cn",
                }
            )
    return rows


def write_roster_csv(rows: list[dict[str, str]], path: Path) -> Path:
    """Write rows with the Chinese headers, as a bureau's HR would (UTF-8 with BOM for Excel)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.zh for c in COLUMNS])
        for row in rows:
            writer.writerow([row[c.name] for c in COLUMNS])
    return path


def demo_officer(rows: list[dict[str, str]], today: dt.date) -> dict[str, str]:
    """The officer the demo's JupyterLab is logged in as: the first enforcement officer (not a
    leader) on duty today with a certificate valid beyond the warning period."""
    for row in rows:
        cert, since = row["cert_expiry"], row["active_from"]
        if (
            row["role"] == "staff"
            and row["enforcement"] == "yes"
            and not row["active_to"]
            and (not since or dt.date.fromisoformat(since) <= today)
            and cert
            and dt.date.fromisoformat(cert) > today + dt.timedelta(days=90)
        ):
            return row
    raise LookupError("演示名册中没有在岗的执法人员")
