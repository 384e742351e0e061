"""The exchange's limits: archives of absurdly many files, officers filling the disk, and a
hostile archive blocking the service for everyone."""

from __future__ import annotations

import asyncio
import io
import tarfile
import time
from pathlib import Path

import pytest

from fazhi.hub import archive
from fazhi.hub.exchange_api import _members
from fazhi.hub.store import OFFICER_MAX_SUBMISSIONS, ExchangeStore


def many_files(count: int) -> bytes:
    """A gzip'd tar of ``count`` empty files (compresses to almost nothing)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for n in range(count):
            tar.addfile(tarfile.TarInfo(f"f{n}.txt"), io.BytesIO(b""))
    return buffer.getvalue()


def test_archive_of_many_empty_files_is_refused_quickly() -> None:
    """Is an archive with more members than the cap refused at once, not walked to the end?"""
    data = many_files(archive.MAX_MEMBERS * 10)
    started = time.perf_counter()
    with pytest.raises(archive.ArchiveError, match="文件过多"):
        archive.members(data)
    assert time.perf_counter() - started < 2
    assert len(archive.members(many_files(archive.MAX_MEMBERS))) == archive.MAX_MEMBERS


def test_archive_is_read_off_the_event_loop() -> None:
    """Does the event loop keep serving (other coroutines run) while an archive is checked?"""
    data = many_files(archive.MAX_MEMBERS)

    async def scenario() -> int:
        ticks, done = 0, False

        async def ticker() -> None:
            nonlocal ticks
            while not done:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        before = ticks
        names = await _members(data)
        during = ticks - before
        done = True
        await task
        assert len(names) == archive.MAX_MEMBERS
        return during

    assert asyncio.run(scenario()) > 0


def test_officer_cannot_fill_the_exchange(tmp_path: Path) -> None:
    """Past the per-officer number of stored submissions, is the next one refused (400)?"""
    store = ExchangeStore(tmp_path / "exchange")
    small = many_files(1)
    store.release("c", "e1", small, by="t", notebooks=["e1.ipynb"], limit_minutes=None)
    for _ in range(OFFICER_MAX_SUBMISSIONS):
        store.submit("c", "e1", "CG0001", small, notebooks=[], user="cg0001")
    with pytest.raises(ValueError, match="提交次数已达上限"):
        store.submit("c", "e1", "CG0001", small, notebooks=[], user="cg0001")
    store.submit("c", "e1", "CG0002", small, notebooks=[], user="cg0002")  # others unaffected
