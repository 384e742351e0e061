"""nbgrader exchange plugin for the fazhi hub service (nbgrader's ``ExchangeFactory`` config).

Register it in an nbgrader config file::

    from fazhi.hub.exchange import configure
    configure(c)

The plugin never decides who the user is or what time it is: the service takes the identity
from the JupyterHub token and stamps releases, fetches (exam starts) and submissions with its
own clock. ``nbgrader collect`` writes that server time to ``timestamp.txt``, and for timed
exams rewrites the answer sheets' ``started_at`` and answer times from the server's record,
so the time limit in ``fazhi.kernel.scoring`` is measured on the server's clock.
"""

from __future__ import annotations

import ast
import datetime as dt
import glob
import json
import os
import shutil
from pathlib import Path
from typing import Any

from dateutil.tz import gettz
from nbgrader.exchange import abc
from traitlets import Bool, Unicode, default
from traitlets.config import Config

from fazhi.kernel.answers import SUFFIX as ANSWERS_SUFFIX
from fazhi.kernel.answers import load_sheet, save_sheet

from . import archive
from .client import HubClient, ServiceError, path

SECRET_FILE = "submission_secret.txt"  # nbgrader carries it into feedback/; holds the id
SHEET_OFFICER_KEY = "officer"  # fazhi.kernel.paper.OFFICER_KEY: whose paper the sheet is


class HubExchange(abc.Exchange):
    """Common part: the service client and where assignments live locally."""

    service_url = Unicode(
        help="fazhi 服务地址（默认 $FAZHI_HUB_URL，如 http://127.0.0.1:8000/services/fazhi/）"
    ).tag(config=True)
    path_includes_course = Bool(False, help="本地作业目录是否包含课程名一级（<课程>/<作业>）").tag(
        config=True
    )

    @default("service_url")
    def _service_url(self) -> str:
        return os.environ.get("FAZHI_HUB_URL", "")

    @default("timezone")
    def _timezone(self) -> str:
        return "Asia/Shanghai"

    _client: HubClient | None = None

    @property
    def client(self) -> HubClient:
        if self._client is None:
            try:
                self._client = HubClient(self.service_url)
            except ServiceError as err:
                self.fail(str(err))
        assert self._client is not None
        return self._client

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except ServiceError as err:
            self.fail(str(err))

    def local_dir(self, course: str, assignment: str) -> Path:
        parts = [course, assignment] if self.path_includes_course else [assignment]
        return Path(self.assignment_dir, *parts).absolute()

    def route(self, course: str, assignment: str, *rest: str) -> str:
        return "/".join(["api/courses", path(course), "assignments", path(assignment), *rest])

    def format_time(self, iso: str) -> str:
        """A server time in nbgrader's timestamp format and the configured time zone."""
        return (
            dt.datetime.fromisoformat(iso)
            .astimezone(gettz(self.timezone))
            .strftime(self.timestamp_format)
        )

    def init_src(self) -> None:
        if not self.coursedir.course_id:
            self.fail("未指定课程（course_id），请用 --course 指定。")

    def init_dest(self) -> None:
        pass


class HubExchangeReleaseAssignment(HubExchange, abc.ExchangeReleaseAssignment):
    """Trainer: upload ``release/<assignment>`` with the exam's time limit, if any."""

    def copy_files(self) -> None:
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        folder = Path(self.coursedir.format_path(self.coursedir.release_directory, ".", assignment))
        if not folder.is_dir():
            self.fail(f"找不到已生成的作业：{folder}（请先 generate_assignment）")
        released = {
            a["assignment_id"]
            for a in self.call("get_json", "api/assignments", course=course)["assignments"]
            if a["course_id"] == course
        }
        if assignment in released and not self.force:
            self.fail(f"作业 {assignment} 已发布；如需覆盖请使用 --force")
        params = {}
        limit = time_limit(
            Path(self.coursedir.format_path(self.coursedir.source_directory, ".", assignment))
        )
        if limit is not None:
            params["limit_minutes"] = str(limit)
        closes = _due_date(self.coursedir, assignment)
        if closes is not None:
            params["closes"] = closes.isoformat()
        meta = self.call(
            "post_bytes", self.route(course, assignment, "release"), archive.pack(folder), **params
        )
        self.log.info("已发布 %s/%s（服务器时间 %s）", course, assignment, meta["released_at"])


def _due_date(coursedir: Any, assignment: str) -> dt.datetime | None:
    """The assignment's due date in the trainer's gradebook (UTC): the service refuses
    feedback before it. None when the gradebook has no such assignment or date."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        try:
            due = gradebook.find_assignment(assignment).duedate
        except MissingEntry:
            return None
    return due.replace(tzinfo=dt.UTC) if due is not None else None


def time_limit(source: Path) -> float | None:
    """The largest ``limit_minutes=`` of the scoring calls in the source notebooks, if any.

    docs/notebook-contract.md: hidden test cells call ``sheet.score(..., limit_minutes=M)``
    with literal arguments, so the limit can be read without running anything.
    """
    limits: list[float] = []
    for notebook in sorted(source.glob("*.ipynb")):
        for cell in json.loads(notebook.read_text("utf-8")).get("cells", []):
            text = "".join(cell.get("source", "")) if cell.get("cell_type") == "code" else ""
            if "limit_minutes" not in text:
                continue
            lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("###")]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.keyword) and node.arg == "limit_minutes":
                    value = ast.literal_eval(node.value)
                    if value is not None:
                        limits.append(float(value))
    return max(limits) if limits else None


class HubExchangeFetchAssignment(HubExchange, abc.ExchangeFetchAssignment):
    """Officer: download the released files (the server notes the first fetch as the start)."""

    def copy_files(self) -> None:
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        dest = self.local_dir(course, assignment)
        if dest.exists() and not self.replace_missing_files:
            self.fail(f"已存在 {dest}：如需重新获取，请先移走或删除该目录。")
        data, headers = self.call("get_bytes", self.route(course, assignment, "release"))
        staging = dest.with_name(f".{dest.name}.fetching")
        shutil.rmtree(staging, ignore_errors=True)
        archive.unpack(data, staging)
        for source in sorted(p for p in staging.rglob("*") if p.is_file()):
            target = dest / source.relative_to(staging)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        shutil.rmtree(staging)
        started = headers.get("X-Fazhi-Started-At")
        self.log.info(
            "已获取 %s/%s 到 %s%s",
            course,
            assignment,
            dest,
            f"（开始 {started}）" if started else "",
        )


class HubExchangeSubmit(HubExchange, abc.ExchangeSubmit):
    """Officer: upload the assignment folder; who and when are the server's to say."""

    def copy_files(self) -> None:
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        student = self.coursedir.student_id
        if student not in ("", "*") and student != os.environ.get("JUPYTERHUB_USER"):
            self.fail("只能以本人身份提交（身份由 JupyterHub 登录决定）。")
        folder = self.local_dir(course, assignment)
        if not folder.is_dir():
            self.fail(f"找不到作业目录：{folder}")
        released = self.call("get_json", "api/assignments", course=course)["assignments"]
        expected = next(
            (a["notebooks"] for a in released if a["assignment_id"] == assignment), None
        )
        if expected is None:
            self.fail(f"课程 {course} 没有已发布的作业 {assignment}")
            return
        missing = sorted(set(expected) - {p.name for p in folder.glob("*.ipynb")})
        if missing and self.strict:
            self.fail(f"缺少笔记本：{', '.join(missing)}")
        data = archive.pack(folder, skip={"timestamp.txt", SECRET_FILE})
        meta = self.call("post_bytes", self.route(course, assignment, "submissions"), data)
        late = "（超时）" if meta.get("late") else ""
        self.log.info(
            "已提交 %s/%s，服务器时间 %s%s",
            course,
            assignment,
            self.format_time(meta["submitted_at"]),
            late,
        )


class HubExchangeCollect(HubExchange, abc.ExchangeCollect):
    """Trainer: download each officer's counted submission into ``submitted/``."""

    def copy_files(self) -> None:
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        route = self.route(course, assignment, "submissions")
        items = self.call("get_json", route, counted="1")["submissions"]
        wanted = self.coursedir.student_id
        if wanted not in ("", "*"):
            items = [m for m in items if m["officer_id"] == wanted]
        if not items:
            self.log.warning("课程 %s 的作业 %s 没有可收取的提交", course, assignment)
        for meta in items:
            self.collect_one(course, assignment, meta)

    def collect_one(self, course: str, assignment: str, meta: dict[str, Any]) -> None:
        officer = meta["officer_id"]
        dest = Path(
            self.coursedir.format_path(self.coursedir.submitted_directory, officer, assignment)
        )
        timestamp = self.format_time(meta["submitted_at"])
        if dest.is_dir():
            existing = (
                (dest / SECRET_FILE).read_text().strip() if (dest / SECRET_FILE).exists() else ""
            )
            if existing == meta["id"] or not (self.update or self.before_duedate):
                self.log.info("已收取过 %s 的提交（如需更新请使用 --update）", officer)
                return
            shutil.rmtree(dest)
        data, _ = self.call(
            "get_bytes",
            self.route(course, assignment, "submissions", path(officer), path(meta["id"])),
        )
        archive.unpack(data, dest)
        (dest / "timestamp.txt").write_text(timestamp)
        (dest / SECRET_FILE).write_text(meta["id"])
        apply_server_facts(dest, meta)
        self.log.info(
            "已收取 %s 的提交（服务器时间 %s%s）",
            officer,
            timestamp,
            "，超时" if meta.get("late") else "",
        )


def apply_server_facts(folder: Path, meta: dict[str, Any]) -> None:
    """Make the answer sheets agree with what the server knows: who submitted, and when.

    The sheet's ``officer`` (whose per-officer paper it is, see ``fazhi.kernel.paper``)
    becomes the submitting Hub user, so nobody can be scored on another officer's paper.
    For a timed exam, ``started_at`` becomes the server's start (first fetch; none when the
    officer never fetched, so no timed answer counts); no answer can
    have been given after the server received the submission, nor count past the limit
    when the submission arrived in time. A submission that arrived late gets every answer
    timed at its arrival, so the limit check in ``fazhi.kernel.scoring`` drops them all.
    """
    timed = meta.get("limit_minutes") is not None
    if timed and not meta.get("started_at"):
        _without_start(folder, meta)
        return
    submitted = dt.datetime.fromisoformat(meta["submitted_at"])
    started = dt.datetime.fromisoformat(meta["started_at"] or meta["submitted_at"])
    limit_end = started + dt.timedelta(minutes=float(meta["limit_minutes"] or 0))
    late = bool(meta.get("late"))
    for sheet_path in folder.rglob(f"*{ANSWERS_SUFFIX}"):
        sheet = load_sheet(sheet_path)
        if sheet.get(SHEET_OFFICER_KEY) not in (None, meta["user"]):
            sheet[SHEET_OFFICER_KEY] = meta["user"]
        if timed:
            sheet["started_at"] = started.isoformat(timespec="seconds")
            for entry in sheet.get("answers", {}).values():
                if isinstance(entry, dict):
                    entry["at"] = _server_answer_time(
                        entry.get("at"), started, submitted, limit_end, late
                    )
        sheet["server"] = {
            key: meta.get(key) for key in ("user", "started_at", "submitted_at", "late")
        }
        save_sheet(sheet_path, sheet)


def _without_start(folder: Path, meta: dict[str, Any]) -> None:
    """A timed exam the officer never fetched (a copy of somebody's folder): the sheets lose
    any start time, so no timed answer counts, and the grader reports it to the trainer."""
    for sheet_path in folder.rglob(f"*{ANSWERS_SUFFIX}"):
        sheet = load_sheet(sheet_path)
        if sheet.get(SHEET_OFFICER_KEY) not in (None, meta["user"]):
            sheet[SHEET_OFFICER_KEY] = meta["user"]
        sheet.pop("started_at", None)
        sheet["server"] = {
            key: meta.get(key) for key in ("user", "started_at", "submitted_at", "late")
        }
        save_sheet(sheet_path, sheet)


def _server_answer_time(
    given: Any, started: dt.datetime, submitted: dt.datetime, limit_end: dt.datetime, late: bool
) -> str:
    if late:
        return submitted.isoformat(timespec="seconds")
    try:
        at = dt.datetime.fromisoformat(str(given))
        at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    except ValueError:
        at = started
    return min(max(at, started), submitted, limit_end).isoformat(timespec="seconds")


class HubExchangeReleaseFeedback(HubExchange, abc.ExchangeReleaseFeedback):
    """Trainer: upload ``feedback/<officer>/<assignment>/*.html`` for the collected submission."""

    def copy_files(self) -> None:
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        student = self.coursedir.student_id if self.coursedir.student_id not in ("", None) else "*"
        pattern = self.coursedir.format_path(self.coursedir.feedback_directory, student, assignment)
        folders = sorted(Path(p) for p in glob.glob(pattern))
        for folder in folders:
            secret = folder / SECRET_FILE
            if not secret.exists() or not list(folder.glob("*.html")):
                continue
            officer = folder.parent.name
            only_html = {p.name for p in folder.iterdir()} - {p.name for p in folder.glob("*.html")}
            data = archive.pack(folder, skip=only_html)
            route = self.route(
                course, assignment, "feedback", path(officer), path(secret.read_text().strip())
            )
            self.call("post_bytes", route, data)
            self.log.info("已发布 %s 的反馈", officer)


class HubExchangeFetchFeedback(HubExchange, abc.ExchangeFetchFeedback):
    """Officer: download the feedback on their own submissions."""

    def copy_files(self) -> None:
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        own = {
            m["id"]: m
            for m in self.call("get_json", self.route(course, assignment, "submissions"), mine="1")[
                "submissions"
            ]
        }
        ready = self.call("get_json", self.route(course, assignment, "feedback"))["feedback"]
        if not ready:
            self.log.warning("作业 %s 暂无反馈", assignment)
        for submission_id in ready:
            data, _ = self.call(
                "get_bytes",
                self.route(
                    course,
                    assignment,
                    "feedback",
                    path(own[submission_id]["officer_id"]),
                    path(submission_id),
                ),
            )
            dest = (
                self.local_dir(course, assignment)
                / "feedback"
                / self.format_time(own[submission_id]["submitted_at"])
            )
            archive.unpack(data, dest)
            self.log.info("已获取反馈到 %s", dest)


class HubExchangeList(HubExchange, abc.ExchangeList):
    """Released assignments (outbound), a user's own submissions (cached), or all (inbound)."""

    def init_src(self) -> None:
        pass

    def copy_files(self) -> None:
        pass

    def list_files(self) -> list[dict[str, Any]]:
        course = self.coursedir.course_id or ""
        released = self.call(
            "get_json", "api/assignments", **({"course": course} if course else {})
        )["assignments"]
        wanted = self.coursedir.assignment_id
        released = [a for a in released if not wanted or a["assignment_id"] == wanted]
        if self.inbound or self.cached:
            return [group for meta in released for group in self._submitted(meta)]
        return [self._released(meta) for meta in released]

    def remove_files(self) -> list[dict[str, Any]]:
        removed = []
        for info in self.list_files():
            if not (self.inbound or self.cached):
                self.call(
                    "request",
                    "DELETE",
                    self.route(info["course_id"], info["assignment_id"], "release"),
                )
                info["status"] = "removed"
                removed.append(info)
        return removed

    def _released(self, meta: dict[str, Any]) -> dict[str, Any]:
        local = self.local_dir(meta["course_id"], meta["assignment_id"])
        fetched = local.is_dir()
        info = {
            "course_id": meta["course_id"],
            "assignment_id": meta["assignment_id"],
            "status": "fetched" if fetched else "released",
            "path": str(local) if fetched else meta["assignment_id"],
            "notebooks": [
                {"notebook_id": Path(n).stem, "path": str(local / n) if fetched else n}
                for n in meta["notebooks"]
            ],
        }
        self.log.info(
            "%s %s%s", meta["course_id"], meta["assignment_id"], "（已获取）" if fetched else ""
        )
        return info

    def _submitted(self, meta: dict[str, Any]) -> list[dict[str, Any]]:
        course, assignment = meta["course_id"], meta["assignment_id"]
        params = {} if self.inbound else {"mine": "1"}
        items = self.call("get_json", self.route(course, assignment, "submissions"), **params)[
            "submissions"
        ]
        feedback = (
            set()
            if self.inbound
            else set(self.call("get_json", self.route(course, assignment, "feedback"))["feedback"])
        )
        local = self.local_dir(course, assignment)
        submissions = []
        for item in items:
            timestamp = self.format_time(item["submitted_at"])
            feedback_dir = local / "feedback" / timestamp
            has_exchange = item["id"] in feedback
            has_local = feedback_dir.is_dir() and any(feedback_dir.glob("*.html"))
            notebooks = [
                {
                    "notebook_id": Path(n).stem,
                    "path": n,
                    "has_local_feedback": has_local,
                    "has_exchange_feedback": has_exchange,
                    "local_feedback_path": str(feedback_dir / f"{Path(n).stem}.html")
                    if has_local
                    else None,
                    "feedback_updated": False,
                }
                for n in item["notebooks"]
            ]
            submissions.append(
                {
                    "course_id": course,
                    "student_id": item["officer_id"],
                    "assignment_id": assignment,
                    "timestamp": timestamp,
                    "status": "submitted",
                    "path": item["id"],
                    "late": item.get("late"),
                    "notebooks": notebooks,
                    "has_local_feedback": has_local,
                    "has_exchange_feedback": has_exchange,
                    "feedback_updated": False,
                    "local_feedback_path": str(feedback_dir) if has_local else None,
                }
            )
            self.log.info("%s %s %s %s", course, item["officer_id"], assignment, timestamp)
        groups: dict[str, list[dict[str, Any]]] = {}
        for submission in submissions:
            groups.setdefault(submission["student_id"], []).append(submission)
        return [
            {
                "course_id": course,
                "student_id": officer,
                "assignment_id": assignment,
                "status": "submitted",
                "submissions": group,
            }
            for officer, group in sorted(groups.items())
        ]


def configure(c: Config) -> None:
    """Point nbgrader's ExchangeFactory at this plugin (use in an nbgrader config file)."""
    c.ExchangeFactory.exchange = HubExchange
    c.ExchangeFactory.fetch_assignment = HubExchangeFetchAssignment
    c.ExchangeFactory.fetch_feedback = HubExchangeFetchFeedback
    c.ExchangeFactory.release_assignment = HubExchangeReleaseAssignment
    c.ExchangeFactory.release_feedback = HubExchangeReleaseFeedback
    c.ExchangeFactory.list = HubExchangeList
    c.ExchangeFactory.submit = HubExchangeSubmit
    c.ExchangeFactory.collect = HubExchangeCollect
    # formgrader's feedback: refused before the due date, no hidden tests or mark schemes
    # (the service also refuses feedback before the close it was given at release)
    c.GenerateFeedback.preprocessors = [
        "fazhi.grading.feedback.RefuseBeforeDue",
        "nbgrader.preprocessors.GetGrades",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
        "fazhi.grading.feedback.StripHiddenForFeedback",
    ]
