"""Roster import: officers and their units from CSV/XLSX (DESIGN.md §Input files)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi.errors import InputError, InputErrors
from fazhi.models import Officer, Unit
from fazhi.tabular import Column, cell_text, parse_bool, parse_date, read_table

COLUMNS = [
    Column("officer_id", "工号"),
    Column("name", "姓名"),
    Column("unit", "单位"),
    Column("role", "职务类别"),
    Column("enforcement", "执法人员"),
    Column("cert_expiry", "执法证有效期至", required=False),
    Column("active_from", "入职日期", required=False),
    Column("active_to", "离职日期", required=False),
]
_BY_NAME = {c.name: c for c in COLUMNS}
ROLE_WORDS = {
    "leader": "leader",
    "领导干部": "leader",
    "领导": "leader",
    "staff": "staff",
    "一般干部": "staff",
}


@dataclass(frozen=True)
class RosterEntry:
    line: int
    officer_id: str
    name: str
    unit_path: str
    role: str
    enforcement: bool
    cert_expiry: dt.date | None
    active_from: dt.date | None
    active_to: dt.date | None


@dataclass(frozen=True)
class RosterImport:
    created: int
    updated: int
    unchanged: int
    units_created: int


def _unit_path(text: str) -> str:
    parts = [p.strip() for p in text.replace("\\", "/").split("/")]
    if not text or any(not p for p in parts):
        raise ValueError(
            f"单位“{text}”无效：应为用 / 分隔的层级路径，如 某市城管局/某区执法大队/一中队"
        )
    return "/".join(parts)


def parse_roster(path: Path | str) -> list[RosterEntry]:
    """Validate every row; raise InputErrors naming file, row and column for all problems."""
    table = read_table(path, COLUMNS)
    errors: list[InputError] = []
    entries: list[RosterEntry] = []
    first_line: dict[str, int] = {}
    for row in table.rows:
        values = row.values
        problems_before = len(errors)

        def fail(column: str, message: str, row=row) -> None:
            errors.append(table.error(row, _BY_NAME[column], message))

        officer_id = cell_text(values.get("officer_id"))
        name = cell_text(values.get("name"))
        if not officer_id:
            fail("officer_id", "工号不能为空")
        elif officer_id in first_line:
            fail("officer_id", f"工号“{officer_id}”与第 {first_line[officer_id]} 行重复")
        else:
            first_line[officer_id] = row.line
        if not name:
            fail("name", "姓名不能为空")
        unit = ""
        try:
            unit = _unit_path(cell_text(values.get("unit")))
        except ValueError as err:
            fail("unit", str(err))
        role_text = cell_text(values.get("role"))
        role = ROLE_WORDS.get(role_text.lower())
        if role is None:
            fail("role", f"无法识别的职务类别“{role_text}”，应为 leader/领导干部 或 staff/一般干部")
        enforcement = False
        try:
            enforcement = parse_bool(values.get("enforcement"))
        except ValueError as err:
            fail("enforcement", str(err))
        dates: dict[str, dt.date | None] = {}
        for column in ("cert_expiry", "active_from", "active_to"):
            raw = values.get(column)
            dates[column] = None
            if cell_text(raw):
                try:
                    dates[column] = parse_date(raw)
                except ValueError as err:
                    fail(column, str(err))
        start, end = dates["active_from"], dates["active_to"]
        if start and end and end < start:
            fail("active_to", f"离职日期 {end} 早于入职日期 {start}")
        if len(errors) == problems_before:
            entries.append(
                RosterEntry(
                    row.line,
                    officer_id,
                    name,
                    unit,
                    role or "staff",
                    enforcement,
                    dates["cert_expiry"],
                    start,
                    end,
                )
            )
    if errors:
        raise InputErrors(errors)
    if not entries:
        raise InputErrors([table.error(None, None, "文件中没有任何人员记录")])
    return entries


def ensure_unit(session: Session, path: str, cache: dict[str, Unit]) -> tuple[Unit, int]:
    """The unit at ``path``, creating it and any missing ancestors; returns (unit, created)."""
    if path in cache:
        return cache[path], 0
    unit = session.scalar(select(Unit).where(Unit.path == path))
    created = 0
    if unit is None:
        parent_path, _, name = path.rpartition("/")
        parent = None
        if parent_path:
            parent, created = ensure_unit(session, parent_path, cache)
        unit = Unit(path=path, name=name, parent=parent, depth=path.count("/"))
        session.add(unit)
        created += 1
    cache[path] = unit
    return unit, created


def store_roster(session: Session, entries: list[RosterEntry]) -> RosterImport:
    """Create or update officers by 工号 (idempotent); officers absent from the file are kept."""
    existing = {o.officer_id: o for o in session.scalars(select(Officer))}
    units: dict[str, Unit] = {}
    created = updated = unchanged = units_created = 0
    for entry in entries:
        unit, new_units = ensure_unit(session, entry.unit_path, units)
        units_created += new_units
        fields = {
            "name": entry.name,
            "unit": unit,
            "role": entry.role,
            "enforcement": entry.enforcement,
            "cert_expiry": entry.cert_expiry,
            "active_from": entry.active_from,
            "active_to": entry.active_to,
        }
        officer = existing.get(entry.officer_id)
        if officer is None:
            session.add(Officer(officer_id=entry.officer_id, **fields))
            created += 1
        elif any(getattr(officer, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(officer, key, value)
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return RosterImport(created, updated, unchanged, units_created)
