"""``fazhi cert import``: 执法证 records (证号, 发证日期, 有效期至, 年检日期, 注销日期).

All-or-nothing: every row is checked (file, row and column named) before anything is
written. A 证号 already stored is updated; 年检日期 given for it are added to those stored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fazhi.errors import InputErrors
from fazhi.identifiers import normalise_officer_id
from fazhi.models import Officer
from fazhi.models.cert import Certificate, CertificateInspection
from fazhi.tabular import Column, Problems, cell_text, parse_date, parse_rows, read_table


def _number(value: object) -> str:
    text = cell_text(value)
    if not re.fullmatch(r"[0-9A-Za-z\u4e00-\u9fff()（）\-_/]{1,64}", text):
        raise ValueError(f"证号“{text[:40]}”无效：应为不超过 64 个字符的字母、数字或汉字")
    return text


def _dates(value: object) -> list[dt.date]:
    if isinstance(value, dt.date | dt.datetime):
        return [parse_date(value)]
    parts = [p for p in re.split(r"[;；,，、\s]+", cell_text(value)) if p]
    return sorted({parse_date(p) for p in parts})


COLUMNS = [
    Column("officer_id", "工号", parse=normalise_officer_id, blank_ok=False),
    Column("number", "证号", parse=_number, blank_ok=False),
    Column("issued", "发证日期", parse=parse_date, blank_ok=False),
    Column("expires", "有效期至", parse=parse_date, blank_ok=False),
    Column("inspections", "年检日期", required=False, parse=_dates),
    Column("revoked", "注销日期", required=False, parse=parse_date),
]
_BY_NAME = {c.name: c for c in COLUMNS}


@dataclass(frozen=True)
class CertEntry:
    line: int
    officer_id: str
    number: str
    issued: dt.date
    expires: dt.date
    inspections: tuple[dt.date, ...]
    revoked: dt.date | None


@dataclass(frozen=True)
class CertImport:
    created: int
    updated: int

    def message(self, name: str) -> str:
        return f"已导入 {name}：新增执法证 {self.created} 个，更新 {self.updated} 个。"


def parse_certificates(path: Path | str, known: set[str]) -> list[CertEntry]:
    """Every row of ``path``, checked against the roster's 工号 ``known``; InputErrors naming
    file, row and column for all problems."""
    table = read_table(path, COLUMNS)
    problems = Problems(table.path)
    entries: list[CertEntry] = []
    first_line: dict[str, int] = {}
    for row, values in parse_rows(table, COLUMNS, problems):
        number, officer_id = values["number"], values["officer_id"]
        issued, expires, revoked = values["issued"], values["expires"], values.get("revoked")
        checks = [
            (officer_id not in known, "officer_id", f"工号 {officer_id} 不在名册中"),
            (
                number in first_line,
                "number",
                f"证号“{number}”与第 {first_line.get(number)} 行重复",
            ),
            (expires < issued, "expires", f"有效期至 {expires} 早于发证日期 {issued}"),
            (
                revoked is not None and revoked < issued,
                "revoked",
                f"注销日期 {revoked} 早于发证日期 {issued}",
            ),
        ]
        failed = [(column, text) for bad, column, text in checks if bad]
        for column, text in failed:
            problems.add(table.error(row, _BY_NAME[column], text))
        first_line.setdefault(number, row.line)
        if failed:
            continue
        entries.append(
            CertEntry(
                row.line,
                officer_id,
                number,
                issued,
                expires,
                tuple(values.get("inspections") or ()),
                revoked,
            )
        )
    problems.raise_any()
    if not entries:
        raise InputErrors([table.error(None, None, "文件中没有任何执法证记录")])
    return entries


def import_certificates(session: Session, *, path: Path | str) -> CertImport:
    """Validate ``path`` and store its certificates (create or update by 证号)."""
    officers = {o: i for o, i in session.execute(select(Officer.officer_id, Officer.id))}
    entries = parse_certificates(path, set(officers))
    stored = {
        c.number: c
        for c in session.scalars(select(Certificate).options(selectinload(Certificate.inspections)))
    }
    created = updated = 0
    for entry in entries:
        cert = stored.get(entry.number)
        if cert is None:
            cert = Certificate(number=entry.number)
            session.add(cert)
            created += 1
        else:
            updated += 1
        cert.officer_id = officers[entry.officer_id]
        cert.issued, cert.expires, cert.revoked = entry.issued, entry.expires, entry.revoked
        have = {i.date for i in cert.inspections}
        cert.inspections.extend(
            CertificateInspection(date=day) for day in entry.inspections if day not in have
        )
    session.flush()
    return CertImport(created, updated)


def certificate_events(session: Session, officer_ids: list[str] | None = None) -> list[tuple]:
    """(工号, date, event in Chinese, 证号) for every certificate event: 发证, 年检, 注销 and
    the expiry date, sorted by officer and date."""
    query = select(Certificate, Officer.officer_id).join(
        Officer, Certificate.officer_id == Officer.id
    )
    if officer_ids is not None:
        query = query.where(Officer.officer_id.in_(officer_ids))
    events = []
    for cert, officer_id in session.execute(query.options(selectinload(Certificate.inspections))):
        events.append((officer_id, cert.issued, "执法证发证", cert.number))
        events.extend((officer_id, i.date, "执法证年检", cert.number) for i in cert.inspections)
        events.append((officer_id, cert.expires, "执法证有效期至", cert.number))
        if cert.revoked is not None:
            events.append((officer_id, cert.revoked, "执法证注销", cert.number))
    return sorted(events, key=lambda e: (e[0], e[1], e[2]))
