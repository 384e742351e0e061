"""Banks in the workspace database: import with versioning, listing, the bundled banks.

Functions take a Session and never commit: the caller's transaction makes an import
all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fazhi.errors import UserError
from fazhi.identifiers import check_bank_name
from fazhi.models.bank import Bank, Question, QuestionVersion, find_bank

from .bank import BankFile, BankQuestion, file_digest, local_laws, parse_bank
from .keybalance import key_skew_warnings


@dataclass(frozen=True)
class BankImport:
    bank: str
    created: int  # new 题号
    changed: int  # edited questions (a new version each)
    unchanged: int
    retired: int  # questions no longer in the file (kept for exams already sat)
    warnings: tuple[str, ...] = ()  # non-fatal remarks on the file (e.g. skewed key letters)

    def summary(self) -> str:
        return (
            f"题库“{self.bank}”导入完成：新增 {self.created} 题，修改 {self.changed} 题"
            f"（已保存为新版本），未变 {self.unchanged} 题，停用 {self.retired} 题。"
        )


def version_content(version: QuestionVersion) -> tuple:
    return (
        version.type,
        version.stem,
        tuple(version.options),
        version.answer,
        float(version.points),
        version.basis,
        version.topic,
        version.difficulty,
        version.explanation,
        version.law_version,
    )


def _new_version(question: BankQuestion, number: int, now: dt.datetime) -> QuestionVersion:
    return QuestionVersion(
        version=number,
        type=question.type,
        stem=question.stem,
        options=list(question.options),
        answer=question.answer,
        points=question.points,
        basis=question.basis,
        topic=question.topic,
        difficulty=question.difficulty,
        explanation=question.explanation,
        law_version=question.version,
        created_at=now,
    )


def get_bank(session: Session, name: str) -> Bank:
    bank = find_bank(session, name)
    if bank is None:
        known = "、".join(name for name, _ in list_banks(session)) or "（无）"
        raise UserError(f"没有名为“{name}”的题库。已有题库：{known}")
    return bank


def store_bank(
    session: Session, name: str, parsed: BankFile, *, origin: str = "file"
) -> BankImport:
    """Create or update bank ``name`` from a validated file; edits become new versions."""
    now = dt.datetime.now(dt.UTC)
    bank = find_bank(session, name)
    if bank is None:
        bank = Bank(name=name, origin=origin, digest=parsed.digest, imported_at=now)
        session.add(bank)
    existing = {q.code: q for q in bank.questions}
    created = changed = unchanged = retired = 0
    for position, item in enumerate(parsed.questions, start=1):
        question = existing.pop(item.code, None)
        if question is None:
            question = Question(code=item.code, position=position, retired=False)
            question.versions.append(_new_version(item, 1, now))
            bank.questions.append(question)
            created += 1
            continue
        question.position = position
        was_retired, question.retired = question.retired, False
        if version_content(question.current) != item.content():
            question.versions.append(_new_version(item, question.current.version + 1, now))
            changed += 1
        elif was_retired:
            changed += 1
        else:
            unchanged += 1
    for question in existing.values():
        if not question.retired:
            question.retired = True
            retired += 1
    bank.origin, bank.digest, bank.imported_at = origin, parsed.digest, now
    session.flush()
    return BankImport(name, created, changed, unchanged, retired)


def import_bank(session: Session, path: Path | str, name: str) -> BankImport:
    """Validate ``path`` completely, then store it as bank ``name``."""
    try:
        name = check_bank_name(name)
    except ValueError as err:
        raise UserError(str(err)) from None
    parsed = parse_bank(path)
    result = store_bank(session, name, parsed)
    return replace(result, warnings=tuple(key_skew_warnings(parsed.questions)))


def list_banks(session: Session) -> list[tuple[str, int]]:
    """(name, number of current questions) for every bank, by name."""
    count = func.count(Question.id).filter(Question.retired.is_(False))
    rows = session.execute(
        select(Bank.name, count).outerjoin(Question).group_by(Bank.name).order_by(Bank.name)
    )
    return [(name, int(n)) for name, n in rows]


def law_versions(session: Session) -> dict[str, list[tuple[str, str, int]]]:
    """Bank → (local regulation, 法规版本, number of current questions) for versioned items."""
    rows = session.execute(
        select(Bank.name, QuestionVersion.basis, QuestionVersion.law_version, Question.id)
        .join(Question, Question.bank_id == Bank.id)
        .join(QuestionVersion, QuestionVersion.question_id == Question.id)
        .where(Question.retired.is_(False), QuestionVersion.law_version != "")
        .order_by(Bank.name, Question.position, QuestionVersion.version)
    )
    current: dict[int, tuple[str, str, str]] = {}
    for bank, basis, version, question in rows:
        current[question] = (bank, basis, version)  # the last (newest) version wins
    counts: dict[str, dict[tuple[str, str], int]] = {}
    for bank, basis, versions in current.values():
        dates = versions.split("|")
        laws = local_laws(basis)
        pairs = (
            zip(laws, dates, strict=True) if len(laws) == len(dates) else [("地方法规", versions)]
        )
        for key in pairs:
            counts.setdefault(bank, {})[key] = counts.get(bank, {}).get(key, 0) + 1
    return {
        bank: [(law, version, n) for (law, version), n in sorted(found.items())]
        for bank, found in counts.items()
    }


@dataclass(frozen=True)
class BundledBank:
    name: str
    path: Path


def _bundled_files(stack: ExitStack) -> Iterator[BundledBank]:
    folder = resources.files("fazhi.exams").joinpath("banks")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".csv"):
            path = stack.enter_context(resources.as_file(entry))
            yield BundledBank(entry.name.removesuffix(".csv"), Path(path))


def import_bundled_banks(session: Session) -> list[BankImport]:
    """Import every bundled ``exams/banks/*.csv`` (bank name = file stem), idempotently.

    A bank still as bundled is refreshed when the bundled file changed (edits become new
    versions); a bank a trainer has since imported from their own file is left alone.
    """
    results = []
    with ExitStack() as stack:
        for bundled in _bundled_files(stack):
            bank = session.scalar(select(Bank).where(Bank.name == bundled.name))
            if bank is not None and (
                bank.origin != "bundled" or bank.digest == file_digest(bundled.path)
            ):
                continue
            parsed = parse_bank(bundled.path)
            results.append(store_bank(session, bundled.name, parsed, origin="bundled"))
    return results
