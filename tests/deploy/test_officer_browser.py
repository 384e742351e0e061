"""The demo officer in a real browser: `make demo`'s JupyterLab, driven by Playwright.

Builds the demo workspace (``fazhi demo --no-launch``), releases one more exam that is open
now, and starts JupyterLab the way ``make demo`` does (``lab_command``/``lab_environment``),
on a free loopback port, as the demo officer. Debian's Chromium then opens a law module and
answers it with no dialog; checks the UI is Chinese with no trainer tools and only the
officer's own files; fetches, answers and submits the open exam (countdown, confirmation);
and, once the exam has closed and the trainer has graded it, fetches its feedback — and the
feedback of the demo's earlier exam, submitted through the exchange by the demo itself.

A screenshot of each step goes to ``$FAZHI_SCREENSHOTS`` (``make screenshots`` points it at
docs/screenshots/) or else a temporary folder; the paths are printed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import BrowserContext, Locator, Page, expect, sync_playwright
from sqlalchemy import select, update

from fazhi import db
from fazhi.cli.demo import lab_command, lab_environment
from fazhi.courses.demo import demo_notebook
from fazhi.models.exam import Exam
from fazhi.officer_lab import lab_root, officer_lab
from fazhi.settings import Settings, load_settings
from fazhi.tabular import LOCAL_TZ

from .conftest import CHROMIUM, need
from .lab_ui import Shots, open_fetched_notebook, show_assignments

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EXAM = "E-OPEN"
EXAM_TITLE = "浏览器交卷测试"
BLUEPRINT = ["--count", "单选=2", "--count", "判断=1", "--count", "填空=1"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TIMEOUT_MS = 90_000  # kernel starts and exchange round trips on a shared machine; never a sleep
TOKEN = "fazhi-officer-browser"
ROW_BUTTON = ":scope > .col-md-12 > .item_status button"  # an assignment's, not a notebook's
RAW_REPRS = ("VBox(", "HBox(", "Javascript object", "HTML(value=")
TRAINER_COMMANDS = (
    "nbgrader:open-formgrader",
    "nbgrader:open-course-list",
    "nbgrader:create-assignment",
    "nbgrader:validate",
)


def run(settings: Settings, *args: str) -> str:
    """A trainer's command in the workspace (fazhi or nbgrader), which must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=settings.workspace,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "FAZHI_WORKSPACE": str(settings.workspace)},
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The demo workspace plus exam E-OPEN, open now for two hours (timed: 30 minutes)."""
    need(CHROMIUM.exists(), f"{CHROMIUM} (apt-get install chromium)")
    workspace = tmp_path_factory.mktemp("officer-browser") / "demo"
    env = {k: v for k, v in os.environ.items() if k not in ("FAZHI_DB_URL", "FAZHI_OFFICER")}
    built = subprocess.run(
        [sys.executable, "-m", "fazhi.cli", "demo", "--no-launch", "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    settings = load_settings(workspace)
    now = dt.datetime.now(LOCAL_TZ)
    window = [
        "--opens",
        f"{now - dt.timedelta(minutes=5):%Y-%m-%d %H:%M}",
        "--closes",
        f"{now + dt.timedelta(hours=2):%Y-%m-%d %H:%M}",
    ]
    create = ["fazhi.cli", "exam", "create", EXAM, "--bank", "penalty", *BLUEPRINT, *window]
    run(settings, *create, "--minutes", "30", "--title", EXAM_TITLE)
    run(settings, "fazhi.cli", "exam", "release", EXAM)
    return settings


@dataclass(frozen=True)
class Lab:
    url: str
    settings: Settings


@pytest.fixture(scope="module")
def lab(demo: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The officer's JupyterLab as `make demo` starts it, on a free port with a known token."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    extra = [f"--ServerApp.port={port}", f"--IdentityProvider.token={TOKEN}", "--no-browser"]
    log = tmp_path_factory.mktemp("lab-log") / "lab.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*lab_command(demo, demo_notebook(demo)), *extra],
            cwd=lab_root(demo),
            env=lab_environment(demo),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text("utf-8", errors="replace")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "JupyterLab did not start within 120 s"
                time.sleep(0.5)
        yield Lab(url, demo)
    finally:
        server.terminate()
        server.wait(timeout=30)
        print(f"JupyterLab log: {log}")


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    chosen = os.environ.get("FAZHI_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path / "screenshots"
    if chosen:
        for old in folder.glob("*.png"):
            old.unlink()
    return Shots(folder)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    """Debian's Chromium with a fresh profile."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 950},
            locale="zh-CN",
            timeout=TIMEOUT_MS,
        )
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


# ---- steps -----------------------------------------------------------------------------------


def current_notebook(page: Page) -> Locator:
    notebook = page.locator(".jp-NotebookPanel:visible")
    expect(notebook).to_have_count(1)
    return notebook


def wait_for_questions(page: Page, notebook: Locator) -> None:
    """The tagged cells ran by themselves: widgets shown, kernel idle, nothing raw, no dialog."""
    expect(notebook).to_have_class(re.compile(r"\bfazhi-ready\b"))
    expect(
        notebook.locator(".jp-CodeCell .widget-vbox, .jp-CodeCell .widget-box").first
    ).to_be_visible()
    expect(page.locator(".jp-Dialog")).to_have_count(0)
    outputs = notebook.locator(".jp-OutputArea-output").all_inner_texts()
    for raw in RAW_REPRS:
        assert not any(raw in text for text in outputs), f"raw output {raw!r} on the page"
    # the code of the question cells is collapsed: officers see widgets, not paper.show(...)
    sources = notebook.locator(".jp-CodeCell .jp-InputArea:visible .cm-content").all_inner_texts()
    assert not any("sheet." in s or "paper.show" in s for s in sources), sources[:3]


def open_assignments(page: Page) -> Locator:
    """The Assignments tab (nbgrader's list, relabelled in Chinese), refreshed."""
    show_assignments(page)
    panel = page.locator("#assignments")
    expect(panel).to_contain_text("可获取的作业和考试")
    return panel


def assignment_row(page: Page, status: str, name: str) -> Locator:
    rows = page.locator(f"#{status}_assignments_list > .list_item")
    slug = re.compile(rf"^\s*{re.escape(name)}\s*$")
    return rows.filter(
        has=page.locator(
            ".col-md-12 > .item_name > a, .col-md-12 > .item_name > span", has_text=slug
        )
    )


def answer_everything(notebook: Locator) -> int:
    """Click the first option or type an answer in every question; returns how many."""
    cells = notebook.locator(".jp-CodeCell").filter(has=notebook.page.locator(".widget-vbox"))
    answered = 0
    for index in range(cells.count()):
        cell = cells.nth(index)
        buttons = cell.locator("button.widget-toggle-button")
        boxes = cell.locator("input.widget-input, textarea.widget-textarea")
        if buttons.count():
            cell.scroll_into_view_if_needed()
            buttons.first.click()
        elif boxes.count():
            cell.scroll_into_view_if_needed()
            boxes.first.fill("十五日")
            if boxes.first.evaluate("e => e.tagName") == "INPUT":
                boxes.first.press("Enter")
        else:
            continue
        answered += 1
    return answered


def close_exam(settings: Settings, name: str) -> None:
    """Time passes: the exam closes now, after the submission (fazhi's record and nbgrader's
    due date), so the submission is on time and feedback may be released."""
    closed = dt.datetime.now(dt.UTC)
    with db.session_scope(settings) as session:
        session.execute(update(Exam).where(Exam.name == name).values(closes=closed))
    with Gradebook(settings.gradebook_database_url, settings.course_id) as gradebook:
        gradebook.update_or_create_assignment(name, duedate=closed.replace(tzinfo=None))


def demo_exam(settings: Settings) -> str:
    """The demo's exam the officer sat: their submission is in their nbgrader cache."""
    cache = officer_lab(settings).nbgrader_cache / settings.course_id
    with db.session_scope(settings) as session:
        names = session.scalars(select(Exam.name).where(Exam.name != EXAM)).all()
    sat = [name for name in names if any(cache.glob(f"{settings.officer}+{name}+*"))]
    assert len(sat) == 1, (names, sat)
    return sat[0]


# ---- the test --------------------------------------------------------------------------------


def test_officer_studies_sits_an_exam_and_reads_feedback(
    lab: Lab, browser: BrowserContext, shots: Shots
) -> None:
    """Does the demo officer, in a Chinese JupyterLab without trainer tools, answer a module
    with no dialog, fetch/answer/submit an open exam (countdown, confirmation) and, after
    close and grading, fetch its feedback and the demo exam's from the Assignments tab?"""
    page = browser.pages[0] if browser.pages else browser.new_page()
    try:
        officer_path(page, lab, shots)
    except BaseException:
        shots.take(page, "failure")
        raise


def officer_path(page: Page, lab: Lab, shots: Shots) -> None:
    settings = lab.settings
    officer = settings.officer
    module = demo_notebook(settings)
    assert module is not None

    # 1. the demo opens the module: questions ready to click, no dialog, no raw output
    page.goto(f"{lab.url}/lab/tree/{module}?token={TOKEN}")
    expect(page.locator("#jp-MainMenu")).to_be_visible()
    notebook = current_notebook(page)
    wait_for_questions(page, notebook)
    first = (
        notebook.locator(".jp-CodeCell")
        .filter(has=page.locator("button.widget-toggle-button"))
        .first
    )
    first.scroll_into_view_if_needed()
    first.locator("button.widget-toggle-button").first.click()
    expect(first).to_contain_text("解析")
    expect(page.locator(".jp-Dialog")).to_have_count(0)
    expect(notebook).to_contain_text("学习计时")
    shots.take(page, "module-answered")

    # 2. Chinese UI, no trainer tools, only the officer's own files
    menu = page.locator("#jp-MainMenu")
    expect(menu).to_contain_text("文件")
    expect(menu).to_contain_text("编辑")
    for command in TRAINER_COMMANDS:
        expect(page.locator(f'[data-command="{command}"]')).to_have_count(0)
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    items = page.locator(".lm-Menu-content .lm-Menu-item")
    assert [c for c in TRAINER_COMMANDS if items.locator(f'[data-command="{c}"]').count()] == []
    page.keyboard.press("Escape")
    files = page.locator(".jp-FileBrowser .jp-DirListing-itemText")
    page.locator(".jp-FileBrowser .jp-BreadCrumbs-home").click()
    expect(files.filter(has_text="我的学习.ipynb")).to_have_count(1)
    listed = set(files.all_inner_texts())
    assert not listed & {"source", "gradebook.db", "fazhi.toml", "submitted", "autograded"}, listed
    assert not any(name.startswith("CG") and name != officer for name in listed), listed

    # 3. the Assignments tab: Chinese titles, Beijing time, closed exams marked
    panel = open_assignments(page)
    released = assignment_row(page, "released", EXAM)
    expect(released).to_contain_text(EXAM_TITLE)
    expect(released).to_contain_text("北京时间")
    earlier = demo_exam(settings)
    fetched_earlier = assignment_row(page, "fetched", earlier)
    expect(fetched_earlier).to_contain_text("已截止")
    expect(fetched_earlier.locator(ROW_BUTTON)).to_be_disabled()
    assert "UTC" not in panel.inner_text()
    shots.take(page, "assignments")

    # 4. fetch the open exam, answer it with the countdown running
    released.locator(ROW_BUTTON, has_text="获取").click()
    fetched = assignment_row(page, "fetched", EXAM)
    expect(fetched).to_have_count(1)
    open_fetched_notebook(fetched, EXAM)
    expect(page.locator(".lm-TabBar-tab.jp-mod-current", has_text=f"{EXAM}.ipynb")).to_be_visible()
    notebook = current_notebook(page)
    wait_for_questions(page, notebook)
    expect(notebook).to_contain_text(f"考生工号：{officer}")
    # the countdown widget (fazhi.kernel.sheet.Sheet.countdown) of a timed exam
    expect(notebook.locator(".jp-OutputArea-output", has_text="剩余时间")).to_have_count(1)
    shots.take(page, "exam-opened")
    answered = answer_everything(notebook)
    assert answered == 4, answered
    expect(notebook).to_contain_text(f"已答 {answered}/{answered}")  # every answer saved
    shots.take(page, "exam-answered")
    page.keyboard.press("Control+s")
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=f"{EXAM}.ipynb")
    expect(tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"))

    # 5. submit: a Chinese confirmation first; "continue answering" keeps it unsubmitted
    open_assignments(page)
    submit = assignment_row(page, "fetched", EXAM).locator(ROW_BUTTON, has_text="提交")
    submit.click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("确认提交")
    expect(dialog).to_contain_text(EXAM_TITLE)
    shots.take(page, "submit-confirmation")
    dialog.locator("button", has_text="继续作答").click()
    expect(dialog).to_have_count(0)
    expect(assignment_row(page, "submitted", EXAM)).to_have_count(0)
    submit.click()
    dialog.locator("button", has_text="确认提交").click()
    submitted = assignment_row(page, "submitted", EXAM)
    expect(submitted.locator(".nested_list_item")).to_have_count(1)
    expect(submitted).to_contain_text("北京时间")
    shots.take(page, "submitted")
    inbound = settings.exchange_root / settings.course_id / "inbound"
    assert [p.name.split("+")[0] for p in inbound.glob(f"*+{EXAM}+*")] == [officer]

    # 6. the exam closes; the trainer collects, grades and releases feedback
    close_exam(settings, EXAM)
    run(settings, "nbgrader", "collect", EXAM)
    graded = run(settings, "fazhi.cli", "grade", EXAM)
    assert "不在人员名册中" not in graded, graded
    run(settings, "fazhi.cli", "exam", "feedback", EXAM)

    # 7. the officer fetches the feedback of both exams from the Assignments tab
    open_assignments(page)
    expect(assignment_row(page, "fetched", EXAM).locator(ROW_BUTTON)).to_have_text("已截止")
    for name in (EXAM, earlier):
        row = assignment_row(page, "submitted", name)
        expect(row).to_contain_text("有反馈可获取")
        row.locator(ROW_BUTTON, has_text="获取反馈").click()
        expect(row.locator(".nested_list_item a", has_text="查看反馈")).to_have_count(1)
    shots.take(page, "feedback-fetched")
    assignment_row(page, "submitted", EXAM).locator(
        ".nested_list_item a", has_text="查看反馈"
    ).click()
    expect(page.locator(".jp-FileBrowser .jp-BreadCrumbs")).to_contain_text("feedback")
    page.locator(".jp-FileBrowser .jp-DirListing-item", has_text=f"{EXAM}.html").dblclick()
    feedback = page.frame_locator(".jp-HTMLViewer iframe").locator("body")
    expect(feedback).to_contain_text(f"（{officer}）")
    expect(feedback).to_contain_text("得分")
    shots.take(page, "feedback")
    assert any((lab_root(settings) / EXAM / "feedback").rglob(f"{EXAM}.html"))

    # 8. 我的学习 opens ready too (its one cell runs by itself)
    page.locator(".jp-FileBrowser .jp-BreadCrumbs-home").click()
    page.locator(".jp-FileBrowser .jp-DirListing-item", has_text="我的学习.ipynb").dblclick()
    expect(page.locator(".lm-TabBar-tab.jp-mod-current", has_text="我的学习")).to_be_visible()
    notebook = current_notebook(page)
    expect(notebook).to_have_class(re.compile(r"\bfazhi-ready\b"))
    expect(page.locator(".jp-Dialog")).to_have_count(0)
    expect(notebook.locator(".jp-OutputArea-output").first).to_be_visible()
    shots.take(page, "my-study")
