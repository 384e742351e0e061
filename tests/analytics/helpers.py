"""Small factories for analytics tests: roster frames, local-time intervals, study files;
and the notebook client the kernel tests run notebooks with."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pandas as pd
from nbclient.jsonutil import json_clean
from nbclient.output_widget import OutputWidget
from openpyxl import Workbook

from fazhi.analytics.compliance import Compliance, evaluate, study_daily
from fazhi.rules import load_rules
from fazhi.tabular import LOCAL_TZ

RULES = load_rules(None)
STUDY_HEADER_ZH = ["工号", "开始时间", "结束时间", "学习方式", "学习内容"]
STUDY_HEADER_EN = ["officer_id", "start", "end", "kind", "activity"]


def officer(
    officer_id: str,
    *,
    role: str = "staff",
    enforcement: bool = False,
    cert: str | None = None,
    since: str | None = None,
    until: str | None = None,
    unit: str = "市局/一大队/一中队",
    name: str | None = None,
) -> dict:
    day = lambda text: dt.date.fromisoformat(text) if text else None  # noqa: E731
    return {
        "officer_id": officer_id,
        "name": name or f"姓名{officer_id}",
        "unit": unit,
        "role": role,
        "enforcement": enforcement,
        "cert_expiry": day(cert),
        "active_from": day(since),
        "active_to": day(until),
    }


def roster(*officers: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(officers))
    frame.insert(0, "id", range(1, len(frame) + 1))
    return frame


def ts(text: str) -> int:
    """Unix seconds of a local (Asia/Shanghai) time ``YYYY-MM-DD HH:MM``."""
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ).timestamp())


def intervals(people: pd.DataFrame, *rows: tuple[str, str, str]) -> pd.DataFrame:
    ids = dict(zip(people["officer_id"], people["id"], strict=True))
    return pd.DataFrame(
        [(ids[o], ts(a), ts(b)) for o, a, b in rows], columns=["id", "start", "end"]
    )


def evaluate_rows(
    people: pd.DataFrame,
    rows: list[tuple[str, str, str]],
    *,
    year: int = 2026,
    as_of: str = "2026-12-31",
    **extra: object,
) -> Compliance:
    daily = study_daily(intervals(people, *rows), year)
    return evaluate(
        roster=people,
        daily=daily,
        rules=extra.pop("rules", RULES),  # type: ignore[arg-type]
        year=year,
        as_of=dt.date.fromisoformat(as_of),
        **extra,  # type: ignore[arg-type]
    )


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


ROSTER_HEADER = [
    "工号",
    "姓名",
    "单位",
    "职务类别",
    "执法人员",
    "执法证有效期至",
    "入职日期",
    "离职日期",
]
ROSTER_ROWS = [
    [
        "CG001",
        "王伟",
        "某市城管局/东城大队/一中队",
        "领导干部",
        "是",
        "2027-03-01",
        "2015-07-01",
        "",
    ],
    ["CG002", "李娜", "某市城管局/东城大队/一中队", "一般干部", "是", "2026-02-20", "", ""],
    ["CG003", "张敏", "某市城管局/东城大队/二中队", "一般干部", "否", "", "2026-01-14", ""],
    ["CG004", "欧阳雪", "某市城管局/西城大队", "一般干部", "是", "", "", "2026-01-20"],
]


def import_roster(cli, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "名册.csv", ROSTER_HEADER, ROSTER_ROWS)
    result = cli("roster", "import", path, "--workspace", settings.workspace)
    assert result.exit_code == 0, result.output


class _OutputWidget(OutputWidget):
    """nbclient's stand-in for the front end's Output widget, sending through asyncio.

    nbclient's own stand-in sends each state update (one per output shown in an Output
    widget, as ``HRDashboard.refresh`` does) on the shell socket through a blocking shadow of
    it (``Session.send``), while nbclient awaits ``execute_reply`` on that very socket with
    zmq.asyncio. A libzmq send can consume the socket's edge-triggered ZMQ_FD wake-up, so when
    the reply arrives around such a send the asyncio poll is never woken: nbclient then waits
    out the whole cell timeout (180 s) before finding the reply, kernel and database idle
    (jupyter/nbclient#312, intermittent, on any backend). Sending through the zmq.asyncio
    socket makes pyzmq re-check the socket's events afterwards, as it does for its own sends.
    """

    def _publish_msg(
        self,
        msg_type: str,
        data: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        buffers: list[Any] | None = None,
        **keys: Any,
    ) -> None:
        content = json_clean(dict(data=data or {}, comm_id=self.comm_id, **keys))
        session = self.kernel_client.session
        msg = session.msg(msg_type, content=content, parent=self.parent_header, metadata=metadata)
        self.kernel_client.shell_channel.socket.send_multipart(session.serialize(msg))


class NotebookClient(nbclient.NotebookClient):
    """nbclient's client whose Output widgets do not stall the cell (see ``_OutputWidget``)."""

    def __init__(self, nb: nbformat.NotebookNode, **kwargs: Any) -> None:
        super().__init__(nb, **kwargs)
        self.widget_registry["@jupyter-widgets/output"]["OutputModel"] = _OutputWidget
