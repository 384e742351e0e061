"""The dashboards and the tracker in real kernels (nbclient), on a demo year of records."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import func, select

from fazhi import db
from fazhi.analytics.dashboard import HR_NOTEBOOK, OFFICER_NOTEBOOK
from fazhi.analytics.dataset import load_compliance
from fazhi.analytics.demo import populate
from fazhi.cli.demo import _roster_step
from fazhi.courses.catalog import load_catalog
from fazhi.courses.compile import compile_content
from fazhi.models import StudyPack, StudySource
from fazhi.notebook import AUTORUN_TAG, SKIP_TAG, TRACKER_GRADE_ID
from fazhi.rules import load_rules
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ

from .helpers import NotebookClient

pytestmark = [pytest.mark.slow, pytest.mark.db]
TODAY = dt.date.today()


def run(notebook: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return notebook


def text_of(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            for key in ("text/html", "text/plain", "application/vnd.jupyter.widget-view+json"):
                value = output.get("data", {}).get(key, "")
                parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(parts)


@pytest.fixture
def demo(workspace: Settings) -> Settings:
    _roster_step(workspace, TODAY)
    populate(workspace, TODAY)
    return workspace


def test_dashboards_run_and_export(demo: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Do both generated notebooks run in a kernel, show the figures and export the view?"""
    monkeypatch.setenv("FAZHI_OFFICER", "CG0004")
    hr = nbformat.read(demo.workspace / HR_NOTEBOOK, as_version=4)
    hr.cells.append(
        nbformat.v4.new_code_cell(
            "dashboard.unit.value = dashboard.unit.options[2][1]\n"
            "print(len(dashboard.current()[0].roster), dashboard.export_current().name)"
        )
    )
    run(hr, demo.workspace)
    exports = list((demo.workspace / "exports").glob("HR看板导出-*.xlsx"))
    assert len(exports) == 1
    assert hr.cells[-1].outputs[0]["text"].startswith("60 HR看板导出-")
    mine = run(nbformat.read(demo.workspace / OFFICER_NOTEBOOK, as_version=4), demo.workspace)
    shown = text_of(mine)
    assert (
        "我还需要完成" in shown
        and "CG0004" in shown
        and "image/png" in json.dumps(mine.cells[1].outputs)
    )


def test_tracker_in_a_kernel_records_for_the_logged_in_officer(
    demo: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does the tracker record time for JUPYTERHUB_USER, whatever FAZHI_OFFICER or a cell
    claims?"""
    monkeypatch.setenv("JUPYTERHUB_USER", "CG0007")
    monkeypatch.setenv("FAZHI_OFFICER", "CG0002")  # single-user setting: no say under a Hub
    folder = demo.workspace / "source" / "m01-penalty-basics"
    folder.mkdir(parents=True)
    with db.session_scope(demo) as session:
        before = session.scalar(select(func.sum(StudyPack.count)))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "from fazhi.analytics.study.tracker import track_study\n"
            'tracker = track_study("m01-penalty-basics")'
        ),
        nbformat.v4.new_code_cell(
            "import os\n"
            "os.environ['JUPYTERHUB_USER'] = 'CG0001'  # too late: a cell cannot re-attribute\n"
            "os.environ['FAZHI_OFFICER'] = 'CG0001'\n"
            "t0 = 1_780_000_000; tracker.clock = lambda: t0\n"
            "for step in range(0, 601, 30):\n"
            "    t0 = 1_780_000_000 + step\n"
            '    tracker.beacon.value = \'{"e": "active", "n": %d}\' % step\n'
            "tracker.signal('hidden')\n"
            "print(tracker.officer_id, round(tracker.studied))"
        ),
    ]
    run(notebook, folder)
    outputs = notebook.cells[0].outputs
    # a widget view only: the fazhi-lab extension talks to it, no JavaScript output
    assert not any("application/javascript" in o.get("data", {}) for o in outputs)
    assert notebook.cells[1].outputs[0]["text"].strip() == "CG0007 600"
    with db.session_scope(demo) as session:
        after = session.scalar(select(func.sum(StudyPack.count)))
        source = session.scalar(select(StudySource.name).where(StudySource.kind == "tracker"))
    assert after == before + 1 and source.startswith("CG0007@")


def test_compiled_tracker_cell_runs_for_the_configured_officer(
    workspace: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run as JupyterLab runs it (ignoring the grading skip tag), does a compiled module's
    tracker cell show its status line and credit the configured officer, up to compliance?"""
    _roster_step(workspace, TODAY)
    monkeypatch.setenv("FAZHI_OFFICER", "CG0005")
    module, _ = load_catalog()["m01-penalty-basics"]
    path = compile_content(module, source_dir=workspace.workspace / "source")
    compiled = nbformat.read(path, as_version=4)
    cell = next(c for c in compiled.cells if c.id == TRACKER_GRADE_ID)
    assert cell.metadata["tags"] == [AUTORUN_TAG, SKIP_TAG]  # run by JupyterLab on open only
    start = int(dt.datetime.combine(TODAY, dt.time(0, 5), LOCAL_TZ).timestamp())
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        copy.deepcopy(cell),
        nbformat.v4.new_code_cell(
            f"for step in range(0, 40 * 60 + 1, 30):  # 40 minutes of reading\n"
            f"    tracker.signal('active', at={start} + step)\n"
            f"tracker.signal('hidden', at={start} + 40 * 60)\n"
            "print(tracker.officer_id, round(tracker.studied))"
        ),
    ]
    client = NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        skip_cells_with_tag="",  # JupyterLab's Run All does not skip tagged cells
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    outputs = notebook.cells[0].outputs
    views = [o["data"] for o in outputs if "application/vnd.jupyter.widget-view+json" in o["data"]]
    assert views and not any("application/javascript" in o.get("data", {}) for o in outputs)
    assert notebook.cells[1].outputs[0]["text"].strip() == "CG0005 2400"
    with db.session_scope(workspace) as session:
        result = load_compliance(
            session, rules=load_rules(workspace.rules_path), year=TODAY.year, as_of=TODAY
        )
    row = result.summary.set_index("officer_id").loc["CG0005"]
    assert row["annual_minutes"] == 40.0
