"""The exchanges refuse a closed exam at fetch and submit (single-user: nbgrader's exchange
classes; multi-user: the hub service); the officer's JupyterLab config files their work under
their 工号; the Assignments tab gets titles and deadlines."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeError, ExchangeFactory
from sqlalchemy import update
from traitlets.config.loader import PyFileConfigLoader

from fazhi import db
from fazhi.hub.base import Denied
from fazhi.hub.exchange_api import refuse_after_close
from fazhi.lab_server import assignment_info
from fazhi.models.exam import Exam
from fazhi.nbgrader_api import nbgrader_config
from fazhi.officer_lab import TRAINER_PLUGINS, prepare_officer_lab
from fazhi.settings import Settings
from fazhi.workspace import NBGRADER_CONFIG, write_settings

CLOSED = ["--opens", "2026-03-01 09:00", "--closes", "2026-03-10 18:00"]


def _exchange(settings: Settings, action: str, assignment: str, folder: Path):  # type: ignore[no-untyped-def]
    """nbgrader's fetch or submit of ``assignment`` as the workspace's config sets it up."""
    config = nbgrader_config(
        settings=settings,
        Exchange={"assignment_dir": str(folder), "cache": str(folder / ".cache")},
        CourseDirectory={"student_id": "KX0001"},
    )
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    app = getattr(ExchangeFactory(config=config), action)
    return app(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)


@pytest.mark.db
@pytest.mark.slow
def test_closed_exam_is_refused_at_fetch_and_submit(  # type: ignore[no-untyped-def]
    workspace: Settings, cli, test_bank, tmp_path: Path
) -> None:
    """Is a closed exam refused (in Chinese, with its closing time) at fetch, and an open one
    fetched and submitted until it closes, then refused at submit?"""
    ws = workspace.workspace
    create = ["exam", "create"]
    assert cli(*create, "old", "--bank", test_bank, "--all", *CLOSED, "-w", ws).exit_code == 0
    assert (
        cli(*create, "now", "--bank", test_bank, "--all", "--title", "本期", "-w", ws).exit_code
        == 0
    )
    for exam in ("old", "now"):
        assert cli("exam", "release", exam, "-w", ws).exit_code == 0
    officer = tmp_path / "officer"
    officer.mkdir()

    with pytest.raises(ExchangeError, match=r"已于 2026-03-10 18:00（北京时间）截止，不能再获取"):
        _exchange(workspace, "FetchAssignment", "old", officer).start()
    assert not (officer / "old").exists()
    info = assignment_info(ws)
    assert info["old"] == {
        "title": info["old"]["title"],
        "closes": "2026-03-10 18:00",
        "closed": True,
    }
    assert info["now"] == {"title": "本期", "closes": "", "closed": False}

    _exchange(workspace, "FetchAssignment", "now", officer).start()
    assert (officer / "now" / "now.ipynb").exists()
    _exchange(workspace, "Submit", "now", officer).start()
    inbound = workspace.exchange_root / workspace.course_id / "inbound"
    assert len(list(inbound.glob("KX0001+now+*"))) == 1

    with db.session_scope(workspace) as session:
        closed = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        session.execute(update(Exam).where(Exam.name == "now").values(closes=closed))
    submit = _exchange(workspace, "Submit", "now", officer)
    with pytest.raises(ExchangeError, match="不能再提交"):
        submit.start()
    assert len(list(inbound.glob("KX0001+now+*"))) == 1  # nothing filed
    assert assignment_info(ws)["now"]["closed"] is True


@pytest.mark.db
def test_officer_lab_files_work_under_the_officer(workspace: Settings) -> None:
    """Does the officer's generated Jupyter config keep the workspace's course and exchange,
    submit under their 工号 into their own directory, and hide the trainer tools?"""
    settings = write_settings(workspace.workspace, officer="KX0001")
    lab = prepare_officer_lab(settings)
    assert lab.home == workspace.workspace / "officers" / "KX0001" and lab.home.is_dir()
    assert lab.home not in (lab.config, *lab.config.parents)  # config out of the officer's sight
    config = PyFileConfigLoader(NBGRADER_CONFIG, path=str(lab.config)).load_config()
    assert config.CourseDirectory.student_id == "KX0001"
    assert config.CourseDirectory.course_id == workspace.course_id
    assert config.Exchange.root == str(workspace.exchange_root)
    assert config.Exchange.assignment_dir == str(lab.home)
    assert config.ExchangeFactory.submit == "fazhi.exchange_guard.GuardedSubmit"
    page = json.loads((lab.config / "labconfig" / "page_config.json").read_text("utf-8"))
    assert set(page["disabledExtensions"]) == set(TRAINER_PLUGINS)
    hub = Path(__file__).parents[2] / "deploy/jupyter/officer/labconfig/page_config.json"
    assert json.loads(hub.read_text("utf-8")) == page  # the same officer's UI as on the hub
    server = json.loads((lab.config / "jupyter_server_config.json").read_text("utf-8"))
    assert (
        server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    )
    assert lab.environment() == {"JUPYTER_CONFIG_PATH": str(lab.config), "FAZHI_OFFICER": "KX0001"}


def test_hub_refuses_an_officer_after_the_close() -> None:
    """Does the hub service refuse fetching and submitting past the closing time, in Chinese
    with the closing time in Beijing time, and allow both before it or without one?"""
    past = {"assignment_id": "2026-03", "closes": "2026-03-10T10:00:00+00:00"}
    with pytest.raises(Denied) as refused:
        refuse_after_close(past, "提交")
    assert refused.value.status_code == 403
    assert "已于 2026-03-10 18:00（北京时间）截止，不能再提交" in refused.value.message
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    refuse_after_close({"assignment_id": "x", "closes": future}, "获取")
    refuse_after_close({"assignment_id": "x", "closes": None}, "获取")
