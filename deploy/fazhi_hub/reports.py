"""Reports through the service: HR sees everyone, an officer only their own rows.

The figures are fazhi's own CLI reports (``fazhi report compliance`` / ``scores``, docs/contract.md
§CLI contract) run on the shared workspace, so the service adds access control and nothing
else: there is one implementation of the compliance semantics.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sys
import tempfile
from pathlib import Path

from tornado.web import HTTPError

from fazhi.errors import UserError
from fazhi.reporting.cells import restore
from fazhi.tabular import check_year

from .base import BaseHandler, Denied
from .store import check_name

FORMATS = {"csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}
FORMATS["xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMEOUT_SECONDS = 600


async def run_report(workspace: Path, args: list[str], fmt: str) -> bytes:
    """``fazhi report <args> --format fmt`` on the workspace; the file's bytes."""
    with tempfile.TemporaryDirectory(prefix="fazhi-report-") as tmp:
        out = Path(tmp) / f"report.{fmt}"
        command = [sys.executable, "-m", "fazhi.cli", "--workspace", str(workspace), "report"]
        process = await asyncio.create_subprocess_exec(
            *command, *args, "--format", fmt, "--out", str(out),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(process.communicate(), TIMEOUT_SECONDS)
        if process.returncode == UserError.exit_code:  # the request asked for something wrong
            raise HTTPError(400, log_message=err.decode("utf-8", "replace").strip())
        if process.returncode != 0:
            raise HTTPError(502, log_message=f"报表生成失败：{err.decode('utf-8', 'replace')}")
        return out.read_bytes()


def own_rows(data: bytes, officer_id: str) -> list[dict[str, str]]:
    """The rows of a CSV report whose ``officer_id`` is the caller's."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    # the CSV quotes text a spreadsheet would run ('=…); JSON carries the text itself
    return [
        {key: restore(value) for key, value in row.items()}
        for row in reader
        if row.get("officer_id") == officer_id
    ]


class ReportHandler(BaseHandler):
    def _fmt(self) -> str:
        fmt = self.get_argument("format", "csv")
        if fmt not in FORMATS:
            raise HTTPError(400, log_message=f"不支持的格式：{fmt}")
        return fmt

    def _compliance_args(self) -> list[str]:
        try:
            year = check_year(int(self.get_argument("year")))
        except ValueError as err:
            raise HTTPError(400, log_message=f"year 参数无效：{err}") from None
        args = ["compliance", "--year", str(year)]
        if self.get_argument("as_of", None):
            args += ["--as-of", self.get_argument("as_of")]
        if self.get_argument("weekly", "") == "1":
            args.append("--weekly")
        return args

    async def send(self, args: list[str]) -> None:
        fmt = self._fmt()
        await self.settings["study_sink"].flush()  # the report includes study time up to now
        data = await run_report(self.settings["workspace"], args, fmt)
        self.set_header("Content-Type", FORMATS[fmt])
        self.finish(data)

    async def send_own(self, args: list[str]) -> None:
        officer = self.require_officer()
        await self.settings["study_sink"].flush()
        data = await run_report(self.settings["workspace"], args, "csv")
        self.reply({"officer_id": officer, "rows": own_rows(data, officer)})


class ComplianceHandler(ReportHandler):
    """GET api/reports/compliance?year=Y[&as_of=D][&weekly=1][&format=...]: HR only."""

    async def get(self) -> None:
        self.require_hr()
        await self.send(self._compliance_args())


class ScoresHandler(ReportHandler):
    """GET api/reports/scores/<exam>: HR, or the trainers of the workspace's course."""

    async def get(self, exam: str) -> None:
        if not (self.caller.is_hr or self.caller.trains(self.settings["course_id"])):
            raise Denied(f"用户 {self.caller.name} 无权查看考试成绩总表")
        await self.send(["scores", check_name(exam, "考试")])


class MyComplianceHandler(ReportHandler):
    """GET api/me/compliance?year=Y: the caller's own rows (an officer's own page)."""

    async def get(self) -> None:
        await self.send_own(self._compliance_args())


class MyScoresHandler(ReportHandler):
    """GET api/me/scores/<exam>: the caller's own result."""

    async def get(self, exam: str) -> None:
        await self.send_own(["scores", check_name(exam, "考试")])


ROUTES = [
    (r"api/reports/compliance", ComplianceHandler),
    (r"api/reports/scores/([^/]+)", ScoresHandler),
    (r"api/me/compliance", MyComplianceHandler),
    (r"api/me/scores/([^/]+)", MyScoresHandler),
]
