"""Exchange endpoints: release, fetch (= exam start), submit, collect, feedback.

Who may do what (every other combination is refused with 403):

| action | officer (self only) | trainer of the course | HR |
| --- | --- | --- | --- |
| list released, fetch | yes (not after the exam closes) | yes | no |
| start an exam, submit | yes, as themself, before it closes | no | no |
| list/download submissions | their own | all of the course | no |
| release, collect, release feedback | no | yes | no |
| fetch feedback | their own | no | no |
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import PurePosixPath

from tornado.web import HTTPError

from . import archive
from .base import BaseHandler, Denied
from .store import GRACE_SECONDS, check_name


async def _members(data: bytes) -> list[str]:
    """The archive's checked file names; read in a worker thread, since a hostile archive
    can take seconds to walk and the event loop serves everyone else meanwhile."""
    return await asyncio.to_thread(archive.members, data)


def _notebooks(names: list[str]) -> list[str]:
    return sorted(n for n in names if "/" not in n and n.endswith(".ipynb"))


def _moment(text: str) -> dt.datetime:
    """An ISO time with its offset (ValueError → 400 otherwise)."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"时间需带时区：{text!r}")
    return moment


def refuse_after_close(meta: dict, action: str) -> None:
    """An officer can neither fetch nor submit an exam past its closing time (403, in Chinese)."""
    closes = meta.get("closes")
    if not closes:
        return
    moment = dt.datetime.fromisoformat(closes)
    if dt.datetime.now(dt.UTC) >= moment:
        beijing = moment.astimezone(dt.timezone(dt.timedelta(hours=8)))
        raise Denied(
            f"考试“{meta['assignment_id']}”已于 {beijing:%Y-%m-%d %H:%M}（北京时间）截止，"
            f"不能再{action}。如有特殊情况，请联系培训管理员。"
        )


class ReleasedHandler(BaseHandler):
    """GET api/assignments[?course=C]: what the caller may fetch, with their own state."""

    async def get(self) -> None:
        course = self.get_argument("course", None) or None
        if not (self.caller.is_officer or self.caller.is_trainer):
            raise Denied("只有执法队员和培训人员可以查看作业列表")
        found = []
        for meta in self.store.released(course):
            entry = dict(meta)
            if self.caller.is_officer:
                started = self.store.started_at(
                    meta["course_id"], meta["assignment_id"], self.caller.officer_id or ""
                )
                entry["started_at"] = started.isoformat() if started else None
            found.append(entry)
        self.reply({"assignments": found})


class ReleaseHandler(BaseHandler):
    """The released files of one assignment."""

    async def get(self, course: str, assignment: str) -> None:
        """Download; an officer's first download starts their exam clock."""
        meta = self.store.release_meta(course, assignment)
        if self.caller.is_officer:
            refuse_after_close(meta, "获取")
            started = self.store.start(course, assignment, self.caller.officer_id or "")
            self.set_header("X-Fazhi-Started-At", started.isoformat())
        elif not self.caller.trains(course):
            raise Denied(f"用户 {self.caller.name} 无权获取课程 {course} 的作业")
        self.set_header("X-Fazhi-Release", json.dumps(meta, ensure_ascii=False).encode().hex())
        self.reply_bytes(self.store.release_archive(course, assignment))

    async def post(self, course: str, assignment: str) -> None:
        self.require_trainer(course)
        names = await _members(self.request.body)
        limit = self.get_argument("limit_minutes", None)
        closes = self.get_argument("closes", None)  # the due date: no feedback before it
        meta = self.store.release(
            course,
            assignment,
            self.request.body,
            by=self.caller.name,
            notebooks=_notebooks(names),
            limit_minutes=float(limit) if limit else None,
            closes=_moment(closes) if closes else None,
        )
        self.reply(meta, 201)

    async def delete(self, course: str, assignment: str) -> None:
        self.require_trainer(course)
        self.store.unrelease(course, assignment)
        self.reply({"removed": True})


class StartHandler(BaseHandler):
    """POST: record (once) and return the officer's exam start; the clock is the server's."""

    async def post(self, course: str, assignment: str) -> None:
        officer = self.require_officer()
        meta = self.store.release_meta(course, assignment)
        started = self.store.start(course, assignment, officer)
        limit = meta.get("limit_minutes")
        self.reply(
            {
                "officer_id": officer,
                "started_at": started.isoformat(),
                "limit_minutes": limit,
                "grace_seconds": GRACE_SECONDS if limit is not None else None,
            }
        )


class SubmissionsHandler(BaseHandler):
    """GET: submissions (an officer's own, or all for the trainer); POST: submit as oneself."""

    async def get(self, course: str, assignment: str) -> None:
        counted_only = self.get_argument("counted", "") == "1"
        if self.get_argument("mine", "") == "1":  # a user's own list, whatever their role
            own = self.caller.officer_id if self.caller.is_officer else None
            items = self.store.submissions(course, assignment, own) if own else []
        elif self.caller.trains(course):
            items = (
                self.store.counted(course, assignment)
                if counted_only
                else self.store.submissions(course, assignment)
            )
        else:
            officer = self.require_officer()
            items = self.store.submissions(course, assignment, officer)
        self.reply({"submissions": [item.meta for item in items]})

    async def post(self, course: str, assignment: str) -> None:
        officer = self.require_officer()
        refuse_after_close(self.store.release_meta(course, assignment), "提交")
        names = await _members(self.request.body)
        meta = self.store.submit(
            course,
            assignment,
            officer,
            self.request.body,
            notebooks=_notebooks(names),
            user=self.caller.name,
        )
        self.reply(meta, 201)


class SubmissionHandler(BaseHandler):
    """GET one submission's files: the trainer of the course, or the officer who made it."""

    async def get(self, course: str, assignment: str, officer: str, submission_id: str) -> None:
        own = self.caller.is_officer and self.caller.officer_id == officer
        if not (own or self.caller.trains(course)):
            raise Denied(f"用户 {self.caller.name} 无权读取 {officer} 的提交")
        item = self.store.submission(course, assignment, officer, submission_id)
        self.set_header("X-Fazhi-Submission", json.dumps(item.meta).encode().hex())
        self.reply_bytes(item.archive.read_bytes())


class FeedbackHandler(BaseHandler):
    """POST (trainer): feedback for one submission; GET (officer): list of their own."""

    async def post(self, course: str, assignment: str, officer: str, submission_id: str) -> None:
        self.require_trainer(course)
        names = await _members(self.request.body)
        if not names or any(PurePosixPath(n).suffix != ".html" for n in names):
            raise HTTPError(400, log_message="反馈只能是 HTML 文件")
        self.store.put_feedback(course, assignment, officer, submission_id, self.request.body)
        self.reply({"stored": names}, 201)

    async def get(self, course: str, assignment: str, officer: str, submission_id: str) -> None:
        if self.caller.officer_id != officer or not self.caller.is_officer:
            raise Denied(f"用户 {self.caller.name} 无权读取 {officer} 的反馈")
        check_name(submission_id, "提交")
        found = self.store.feedback(course, assignment, officer)
        if submission_id not in found:
            raise HTTPError(404, log_message="该提交尚无反馈")
        self.reply_bytes(found[submission_id].read_bytes())


class FeedbackListHandler(BaseHandler):
    """GET: ids of the caller's own submissions that have feedback."""

    async def get(self, course: str, assignment: str) -> None:
        officer = self.require_officer()
        self.reply({"feedback": sorted(self.store.feedback(course, assignment, officer))})


NAME = r"([^/]+)"  # decoded by tornado, then checked by the store (check_name)
ROUTES = [
    (r"api/assignments", ReleasedHandler),
    (rf"api/courses/{NAME}/assignments/{NAME}/release", ReleaseHandler),
    (rf"api/courses/{NAME}/assignments/{NAME}/start", StartHandler),
    (rf"api/courses/{NAME}/assignments/{NAME}/submissions", SubmissionsHandler),
    (rf"api/courses/{NAME}/assignments/{NAME}/submissions/{NAME}/{NAME}", SubmissionHandler),
    (rf"api/courses/{NAME}/assignments/{NAME}/feedback", FeedbackListHandler),
    (rf"api/courses/{NAME}/assignments/{NAME}/feedback/{NAME}/{NAME}", FeedbackHandler),
]
