"""Roster import: officers and their units from CSV/XLSX (docs/contract.md §Input files)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fazhi import db, gradebook
from fazhi.errors import InputErrors, UserError
from fazhi.identifiers import normalise_officer_id, officer_key
from fazhi.locks import exclusive
from fazhi.models import Officer, Unit
from fazhi.settings import Settings
from fazhi.tabular import (
    Column,
    Problems,
    cell_text,
    parse_bool,
    parse_date,
    parse_rows,
    read_table,
)


def _role(value: object) -> str:
    text = cell_text(value)
    role = ROLE_WORDS.get(text.lower())
    if role is None:
        raise ValueError(f"无法识别的职务类别“{text}”，应为 leader/领导干部 或 staff/一般干部")
    return role


def _unit_path(value: object) -> str:
    text = cell_text(value)
    parts = [p.strip() for p in text.replace("\\", "/").split("/")]
    if not text or any(not p for p in parts):
        raise ValueError(
            f"单位“{text}”无效：应为用 / 分隔的层级路径，如 某市城管局/某区执法大队/一中队"
        )
    if any(len(p) > UNIT_NAME_MAX for p in parts):
        raise ValueError(f"单位“{text}”中有超过 {UNIT_NAME_MAX} 字的层级名称")
    return "/".join(parts)


def _email(value: object) -> str:
    text = cell_text(value)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise ValueError(f"邮箱“{text[:60]}”无效")
    return text


UNIT_NAME_MAX = 200  # models.Unit.name
COLUMNS = [
    Column("officer_id", "工号", parse=normalise_officer_id, blank_ok=False),
    Column("name", "姓名", parse=cell_text, blank_ok=False, max_length=100),
    Column("unit", "单位", parse=_unit_path, blank_ok=False, max_length=500),
    Column("role", "职务类别", parse=_role, blank_ok=False),
    Column("enforcement", "执法人员", parse=parse_bool, blank_ok=False),
    Column("cert_expiry", "执法证有效期至", required=False, parse=parse_date),
    Column("active_from", "入职日期", required=False, parse=parse_date),
    Column("active_to", "离职日期", required=False, parse=parse_date),
    Column("email", "邮箱", required=False, parse=_email, max_length=200),
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
    email: str | None = None


@dataclass(frozen=True)
class RosterImport:
    created: int
    updated: int
    unchanged: int
    units_created: int


def parse_roster(path: Path | str) -> list[RosterEntry]:
    """Validate every row; raise InputErrors naming file, row and column for all problems.

    工号 are compared in their canonical form, so ``CG0001`` and ``cg0001`` (or full-width
    ``ＣＧ０００１``) in one file are the same officer twice: refused, naming both rows.
    """
    table = read_table(path, COLUMNS, lazy=True)
    problems = Problems(table.path)
    entries: list[RosterEntry] = []
    first_line: dict[str, int] = {}
    for row, values in parse_rows(table, COLUMNS, problems):
        officer_id = values["officer_id"]
        if officer_id in first_line:
            problems.add(
                table.error(
                    row,
                    _BY_NAME["officer_id"],
                    f"工号“{officer_id}”与第 {first_line[officer_id]} 行重复"
                    "（工号不区分大小写和全角/半角）",
                )
            )
            continue
        first_line[officer_id] = row.line
        start, end = values.get("active_from"), values.get("active_to")
        if start and end and end < start:
            problems.add(
                table.error(row, _BY_NAME["active_to"], f"离职日期 {end} 早于入职日期 {start}")
            )
            continue
        entries.append(
            RosterEntry(
                row.line,
                officer_id,
                values["name"],
                values["unit"],
                values["role"],
                values["enforcement"],
                values.get("cert_expiry"),
                start,
                end,
                values.get("email"),
            )
        )
    problems.raise_any()
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
    # keyed canonically: a database written before ids were normalised may hold "cg0001"
    existing = {officer_key(o.officer_id): o for o in session.scalars(select(Officer))}
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
            "email": entry.email,
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


def import_roster(*, settings: Settings, path: Path | str) -> tuple[RosterImport, int]:
    """Validate ``path``, store it and sync nbgrader's students; returns (result, synced).

    One roster import at a time per workspace (a second is refused while the first runs); an
    import that still meets a concurrent writer (another host on the same PostgreSQL) is
    retried once on a fresh transaction, then refused with a message instead of a traceback.
    """
    entries = parse_roster(path)
    with exclusive(settings.workspace, "roster", "另一个名册导入正在进行，请等它完成后再导入"):
        for attempt in (1, 2):
            try:
                with db.session_scope(settings) as session:
                    result = store_roster(session, entries)
                break
            except IntegrityError:
                if attempt == 2:
                    raise UserError(
                        "名册导入与另一个同时进行的导入冲突，未写入任何数据：请重新导入"
                    ) from None
        synced = gradebook.sync_students(settings, ((e.officer_id, e.name) for e in entries))
    return result, synced
