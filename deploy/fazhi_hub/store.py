"""The exchange's files on the service's own disk, with every time taken from the server clock.

Layout under the data directory (only the service process reads or writes it)::

    <course>/<assignment>/release.tar.gz, release.json
    <course>/<assignment>/starts/<officer>.json           first fetch or start = exam start
    <course>/<assignment>/submissions/<officer>/<id>.tar.gz, <id>.json
    <course>/<assignment>/feedback/<officer>/<id>.tar.gz

A submission id starts with the server's UTC time, so ids sort by submission time. Names are
checked before they become paths; writes go through a temporary file and a rename.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

NAME = re.compile(r"[\w\-][\w.\-]{0,99}")
GRACE_SECONDS = 60  # network and clock slack on top of an exam's time limit
OFFICER_QUOTA_BYTES = 200 * 1024 * 1024  # one officer's stored submissions of one assignment
OFFICER_MAX_SUBMISSIONS = 200  # resubmitting is allowed, filling the disk is not


class NotFound(LookupError):
    """Nothing of that name in the exchange."""


def check_name(value: str, what: str) -> str:
    """A course, assignment or officer id that is safe as one path component."""
    if not NAME.fullmatch(value or "") or value in {".", ".."}:
        raise ValueError(f"{what} 名称不合法：{value!r}")
    return value


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check_quota(folder: Path, adding: int) -> None:
    """Refuse a submission past the officer's count or storage quota (ValueError → 400)."""
    stored = list(folder.glob("*.tar.gz")) if folder.is_dir() else []
    if len(stored) >= OFFICER_MAX_SUBMISSIONS:
        raise ValueError(f"提交次数已达上限（每项作业最多 {OFFICER_MAX_SUBMISSIONS} 次）")
    used = sum(path.stat().st_size for path in stored)
    if used + adding > OFFICER_QUOTA_BYTES:
        raise ValueError(
            f"提交空间已满（每人每项作业最多 {OFFICER_QUOTA_BYTES // 1024 // 1024} MB）"
        )


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    _write(path, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text("utf-8")))
    except FileNotFoundError as err:
        raise NotFound(str(path)) from err


@dataclass(frozen=True)
class Submission:
    meta: dict[str, Any]
    archive: Path

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def submitted_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.meta["submitted_at"])


class ExchangeStore:
    """Releases, exam starts, submissions and feedback of every course."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o700)

    def _assignment(self, course: str, assignment: str) -> Path:
        return self.root / check_name(course, "课程") / check_name(assignment, "作业")

    # ---- releases ---------------------------------------------------------------------

    def release(
        self,
        course: str,
        assignment: str,
        data: bytes,
        *,
        by: str,
        notebooks: list[str],
        limit_minutes: float | None,
        closes: dt.datetime | None = None,
    ) -> dict[str, Any]:
        folder = self._assignment(course, assignment)
        meta = {
            "course_id": course,
            "assignment_id": assignment,
            "released_at": utc_now().isoformat(),
            "released_by": by,
            "notebooks": notebooks,
            "limit_minutes": limit_minutes,
            "closes": closes.isoformat() if closes else None,  # no feedback before it
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        _write(folder / "release.tar.gz", data)
        _write_json(folder / "release.json", meta)
        return meta

    def unrelease(self, course: str, assignment: str) -> None:
        folder = self._assignment(course, assignment)
        for name in ("release.json", "release.tar.gz"):
            (folder / name).unlink(missing_ok=True)

    def released(self, course: str | None = None) -> list[dict[str, Any]]:
        pattern = f"{check_name(course, '课程')}/*/release.json" if course else "*/*/release.json"
        return [_read_json(path) for path in sorted(self.root.glob(pattern))]

    def release_meta(self, course: str, assignment: str) -> dict[str, Any]:
        return _read_json(self._assignment(course, assignment) / "release.json")

    def release_archive(self, course: str, assignment: str) -> bytes:
        self.release_meta(course, assignment)
        return (self._assignment(course, assignment) / "release.tar.gz").read_bytes()

    # ---- exam starts ------------------------------------------------------------------

    def start(self, course: str, assignment: str, officer: str) -> dt.datetime:
        """The officer's start time: recorded once, on the first fetch or start event."""
        path = (
            self._assignment(course, assignment) / "starts" / f"{check_name(officer, '工号')}.json"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        moment = utc_now()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return dt.datetime.fromisoformat(_read_json(path)["started_at"])
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"officer_id": officer, "started_at": moment.isoformat()}, handle)
        return moment

    def started_at(self, course: str, assignment: str, officer: str) -> dt.datetime | None:
        path = (
            self._assignment(course, assignment) / "starts" / f"{check_name(officer, '工号')}.json"
        )
        try:
            return dt.datetime.fromisoformat(_read_json(path)["started_at"])
        except NotFound:
            return None

    # ---- submissions ------------------------------------------------------------------

    def submit(
        self,
        course: str,
        assignment: str,
        officer: str,
        data: bytes,
        *,
        notebooks: list[str],
        user: str,
    ) -> dict[str, Any]:
        release = self.release_meta(course, assignment)
        moment = utc_now()
        submission_id = f"{moment:%Y%m%dT%H%M%S.%fZ}-{secrets.token_hex(4)}"
        started = self.started_at(course, assignment, officer)
        limit = release.get("limit_minutes")
        late = None
        if limit is not None:
            deadline = (started or moment) + dt.timedelta(minutes=limit, seconds=GRACE_SECONDS)
            # never fetched (no start): a copy of somebody else's paper, not an answer in time
            late = started is None or moment > deadline
        meta = {
            "id": submission_id,
            "course_id": course,
            "assignment_id": assignment,
            "officer_id": officer,
            "user": user,  # the JupyterHub name the officer's kernel knows them by
            "submitted_at": moment.isoformat(),
            "started_at": started.isoformat() if started else None,
            "limit_minutes": limit,
            "late": late,
            "notebooks": notebooks,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
        }
        folder = self._assignment(course, assignment) / "submissions" / check_name(officer, "工号")
        _check_quota(folder, len(data))
        _write(folder / f"{submission_id}.tar.gz", data)
        _write_json(folder / f"{submission_id}.json", meta)
        return meta

    def submissions(
        self, course: str, assignment: str, officer: str | None = None
    ) -> list[Submission]:
        """Every submission (of one officer, when given), oldest first."""
        base = self._assignment(course, assignment) / "submissions"
        who = check_name(officer, "工号") if officer else "*"
        found = [
            Submission(_read_json(path), path.with_suffix("").with_suffix(".tar.gz"))
            for path in base.glob(f"{who}/*.json")
        ]
        return sorted(found, key=lambda s: (s.meta["officer_id"], s.id))

    def submission(
        self, course: str, assignment: str, officer: str, submission_id: str
    ) -> Submission:
        folder = self._assignment(course, assignment) / "submissions" / check_name(officer, "工号")
        path = folder / f"{check_name(submission_id, '提交')}.json"
        return Submission(_read_json(path), folder / f"{submission_id}.tar.gz")

    def counted(self, course: str, assignment: str) -> list[Submission]:
        """The submission that counts for each officer: the latest one made in time.

        Without a time limit that is the latest. With one, the latest submission the server
        received before start + limit (+ grace); an officer with only late submissions gets
        the first of them, marked late, so a late resubmission never replaces an answer
        given in time.
        """
        by_officer: dict[str, list[Submission]] = {}
        for item in self.submissions(course, assignment):
            by_officer.setdefault(item.meta["officer_id"], []).append(item)
        chosen = []
        for items in by_officer.values():
            in_time = [s for s in items if not s.meta.get("late")]
            chosen.append(in_time[-1] if in_time else items[0])
        return chosen

    # ---- feedback ---------------------------------------------------------------------

    def feedback_refusal(self, course: str, assignment: str) -> str:
        """Why no feedback may be stored or read yet ("" when it may): the close is ahead."""
        try:
            closes = self.release_meta(course, assignment).get("closes")
        except NotFound:
            return ""
        if not closes or utc_now() >= dt.datetime.fromisoformat(closes):
            return ""
        local = dt.datetime.fromisoformat(closes).astimezone(ZoneInfo("Asia/Shanghai"))
        return f"作业 {assignment} 于 {local:%Y-%m-%d %H:%M} 截止，截止之后才能发布和查看成绩反馈"

    def put_feedback(
        self, course: str, assignment: str, officer: str, submission_id: str, data: bytes
    ) -> None:
        refusal = self.feedback_refusal(course, assignment)
        if refusal:
            raise ValueError(refusal)
        self.submission(course, assignment, officer, submission_id)
        folder = self._assignment(course, assignment) / "feedback" / check_name(officer, "工号")
        _write(folder / f"{submission_id}.tar.gz", data)

    def feedback(self, course: str, assignment: str, officer: str) -> dict[str, Path]:
        """Submission id -> feedback archive, for the officer's submissions that have one."""
        if self.feedback_refusal(course, assignment):
            return {}
        folder = self._assignment(course, assignment) / "feedback" / check_name(officer, "工号")
        return {path.name.removesuffix(".tar.gz"): path for path in sorted(folder.glob("*.tar.gz"))}
