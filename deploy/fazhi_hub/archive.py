"""Assignment folders travel as gzip'd tar archives; both ends check them the same way.

Only regular files and folders with plain relative names are accepted: no links, devices,
absolute paths or ``..`` (an uploaded archive must not write outside its folder).
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

MAX_BYTES = 50 * 1024 * 1024  # one submission or release, compressed and unpacked
MAX_MEMBERS = 2000  # an assignment is a few notebooks and data files, not 300,000 empty files
SKIPPED = {".ipynb_checkpoints", "__pycache__", "feedback"}


class ArchiveError(ValueError):
    """The archive is not one a fazhi exchange would have made."""


def pack(folder: Path, *, skip: Iterable[str] = ()) -> bytes:
    """The files under ``folder`` (checkpoints, caches, ``feedback/`` and ``skip`` left out)."""
    skipped = SKIPPED | set(skip)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if skipped & set(relative.parts) or not path.is_file() or path.is_symlink():
                continue
            tar.add(path, arcname=relative.as_posix(), recursive=False)
    data = buffer.getvalue()
    if len(data) > MAX_BYTES:
        raise ArchiveError(f"{folder} 超过 {MAX_BYTES // 1024 // 1024} MB")
    return data


def members(data: bytes) -> list[str]:
    """Names of the files in ``data``; raises ArchiveError for anything unsafe or too large."""
    if len(data) > MAX_BYTES:
        raise ArchiveError("文件过大")
    names, total = [], 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for count, info in enumerate(tar, start=1):
                if count > MAX_MEMBERS:
                    raise ArchiveError(f"文件过多：一个作业最多 {MAX_MEMBERS} 个文件和文件夹")
                path = PurePosixPath(info.name)
                if path.is_absolute() or ".." in path.parts or not info.name.strip("/"):
                    raise ArchiveError(f"不允许的路径：{info.name}")
                if info.isdir():
                    continue
                if not info.isfile():
                    raise ArchiveError(f"只允许普通文件：{info.name}")
                total += info.size
                if total > MAX_BYTES:
                    raise ArchiveError("解压后过大")
                names.append(path.as_posix())
    except (tarfile.TarError, EOFError, OSError) as err:
        raise ArchiveError(f"不是有效的 tar.gz 文件：{err}") from err
    return names


def unpack(data: bytes, folder: Path) -> list[Path]:
    """Extract a checked archive into ``folder``; returns the files written."""
    names = members(data)
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(folder, filter="data")
    return [folder / name for name in names]
