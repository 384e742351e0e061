"""Fixtures for the mock-court tests: a small roster and score-file writers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from fazhi import db
from fazhi.models.mockcourt import MockCourtScore, MockCourtSession, MockCourtSheet
from fazhi.roster import parse_roster, store_roster
from fazhi.settings import Settings

ZH = ["场次", "日期", "工号", "角色", "评委", "评分维度", "得分"]
EN = ["session_id", "date", "officer_id", "role", "judge", "dimension", "score"]
RUBRIC = ["事实认定", "法律适用", "程序规范", "庭审表达", "文书质量"]

ROSTER = """工号,姓名,单位,职务类别,执法人员
CG0001,王伟,某市城管局/东城大队/一中队,领导干部,是
CG0002,李娜,某市城管局/东城大队/一中队,一般干部,是
CG0003,张敏,某市城管局/东城大队/一中队,一般干部,是
CG0004,刘洋,某市城管局/东城大队/二中队,一般干部,是
CG0005,陈静,某市城管局/东城大队/二中队,一般干部,是
CG0006,杨帆,某市城管局/西城大队/一中队,领导干部,是
"""


@pytest.fixture
def roster(workspace: Settings) -> Settings:
    """The workspace with six officers CG0001..CG0006 (CG0001 and CG0006 leaders)."""
    path = workspace.workspace / "名册.csv"
    path.write_text(ROSTER, encoding="utf-8")
    with db.session_scope(workspace) as session:
        store_roster(session, parse_roster(path))
    return workspace


def sheet_rows(
    session_id: str,
    date: str,
    officer_id: str,
    role: str,
    judge: str,
    scores: Sequence[object],
) -> list[list[object]]:
    """One judge's sheet for one participant: a row per dimension of the default rubric."""
    return [
        [session_id, date, officer_id, role, judge, name, score]
        for name, score in zip(RUBRIC, scores, strict=True)
    ]


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(
        rows: list[list[object]],
        *,
        name: str = "评分.csv",
        header: Sequence[str] = ZH,
        encoding: str = "gb18030",
    ) -> Path:
        lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
        path = tmp_path / name
        path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    def write(
        rows: list[list[object]], *, name: str = "评分.xlsx", header: Sequence[str] = EN
    ) -> Path:
        book = Workbook()
        sheet = book.active
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        path = tmp_path / name
        book.save(path)
        return path

    return write


@pytest.fixture
def counts() -> Callable[[Settings], tuple[int, int, int]]:
    """(sessions, sheets, scores) stored in the workspace's database."""

    def count(settings: Settings) -> tuple[int, int, int]:
        with db.session_scope(settings) as session:
            return tuple(  # type: ignore[return-value]
                session.scalar(select(func.count()).select_from(model))
                for model in (MockCourtSession, MockCourtSheet, MockCourtScore)
            )

    return count
