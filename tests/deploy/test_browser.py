"""A real browser on the multi-user platform: Debian's Chromium, driven by Playwright, logs in
to JupyterHub as an officer, fetches an exam in JupyterLab's Assignments tab (in Chinese, by
the fazhi-lab extension), sees its questions run by themselves, answers by clicking the
widgets, saves and submits after the confirmation; the trainer collects and grades; the
grade of the clicked answers is in the gradebook, in HR's score report and in the feedback
the officer fetches in JupyterLab.

Screenshots (milestones, and every open page on failure) go to a temporary folder whose
paths are printed. Runs after the other tests of this folder (see conftest.py).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import BrowserContext, Locator, Page, expect, sync_playwright

from fazhi.kernel.paper import draw_paper, option_order
from fazhi.kernel.scoring import CHOICE_LETTERS, accepted_answers

from .conftest import (
    CHROMIUM,
    FAZHI,
    HR,
    NBGRADER,
    PASSWORD,
    TRAINER,
    Platform,
    need,
)
from .lab_ui import Shots, open_fetched_notebook, show_assignments
from .papers import exam_keys, wrong

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OFFICER = "110001"
EXAM = "EWEB"  # its own exam: the other tests' E1 and their officers stay as they expect
BLUEPRINT = ["--count", "单选=2", "--count", "多选=1", "--count", "判断=1", "--count", "填空=1"]
WRONG_SLOT = "S02"  # answered wrong on purpose; every other slot is answered right
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000  # server round trips (spawn, exchange, kernel start); never a sleep


@dataclass(frozen=True)
class Item:
    """One slot of the officer's paper and the answer the test clicks for it."""

    slot: str
    code: str
    kind: str  # single | multiple | truefalse | fill
    points: float
    stem: str
    options: list[str]  # texts in the bank's canonical order (choice questions)
    answer: str  # canonical letters, 正确/错误 or the text typed
    shown: str  # for choice questions: the answer's letters in this officer's option order

    @property
    def right(self) -> bool:
        return self.slot != WRONG_SLOT


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium (checked before the Hub starts): skip locally, fail in CI."""
    need(CHROMIUM.exists(), f"{CHROMIUM} (apt-get install chromium)")
    fonts = shutil.which("fc-list")
    if fonts and not subprocess.run([fonts, ":lang=zh"], capture_output=True, text=True).stdout:
        warnings.warn(
            "no Chinese font installed (apt-get install fonts-noto-cjk): the browser test runs,"
            " but its screenshots show boxes instead of Chinese text",
            stacklevel=1,
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def web_exam(chromium: Path, platform: Platform) -> Platform:
    """The trainer has created and released exam EWEB (one question of each clickable type)."""
    ws = platform.workspace
    create = [FAZHI, "exam", "create", EXAM, "--bank", "penalty", *BLUEPRINT]
    create += ["--points", "多选=2", "--minutes", "30", "--seed", "7", "--title", "浏览器作答测试"]
    platform.run_as(TRAINER, "trainer", create, cwd=ws)
    platform.run_as(TRAINER, "trainer", [FAZHI, "exam", "release", EXAM], cwd=ws)
    return platform


def officer_paper(workspace: Path) -> list[Item]:
    """The officer's drawn questions and the answers to click (from the trainer's source)."""
    source = workspace / "source" / EXAM
    spec = json.loads((source / "paper.json").read_text("utf-8"))
    keys = exam_keys(source / f"{EXAM}.ipynb")
    drawn = draw_paper(spec, OFFICER)
    items = []
    for section in spec["sections"]:
        for slot in section["slots"]:
            code = drawn[slot]
            key = keys[code]
            if section["type"] == "fill":
                key = accepted_answers(key)[0]
            question = spec["questions"][code]
            answer = key if slot != WRONG_SLOT else wrong(key)
            shown = ""
            if section["type"] in ("single", "multiple"):
                order = option_order(
                    exam=EXAM,
                    seed=spec["seed"],
                    officer=OFFICER,
                    code=code,
                    count=len(question["options"]),
                )
                shown = "".join(CHOICE_LETTERS[order.index(letter)] for letter in answer)
            items.append(
                Item(
                    slot=slot,
                    code=code,
                    kind=section["type"],
                    points=float(section["points"]),
                    stem=question["stem"],
                    options=list(question.get("options") or []),
                    answer=answer,
                    shown=shown,
                )
            )
    assert {item.kind for item in items} == {"single", "multiple", "truefalse", "fill"}
    assert next(item.kind for item in items if item.slot == WRONG_SLOT) == "single"
    return items


# ---- the browser -----------------------------------------------------------------------------


@pytest.fixture
def browser(chromium: Path, tmp_path: Path) -> Iterator[BrowserContext]:
    """Chromium with a fresh profile (user-data-dir) in a temporary folder."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(chromium),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
            timeout=TIMEOUT_MS,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


def log_in(context: BrowserContext, hub: Platform) -> Page:
    """The Hub's login form, then the officer's JupyterLab (spawned by the Hub if needed)."""
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.locator("#username_input").fill(OFFICER)
    page.locator("#password_input").fill(PASSWORD)
    page.locator("#login_submit").click()
    page.wait_for_url(re.compile(rf"/user/{OFFICER}/lab"))
    expect(page.locator("#jp-MainMenu")).to_be_visible()
    # JupyterLab's "get notified about Jupyter news?" toast would cover the page: answer it
    # in the officer's settings (what clicking "No" stores), then load the page again.
    xsrf = next(c["value"] for c in context.cookies(page.url) if c["name"] == "_xsrf")
    settings = (
        f"{hub.url}/user/{OFFICER}/lab/api/settings/@jupyterlab/apputils-extension:notification"
    )
    answer = page.request.put(
        settings,
        headers={"X-XSRFToken": xsrf, "Content-Type": "application/json"},
        data=json.dumps({"raw": json.dumps({"fetchNews": "false"})}),
    )
    assert answer.ok, answer.text()
    page.reload()
    expect(page.locator("#jp-MainMenu")).to_be_visible()
    return page


def assignment_row(page: Page, status: str) -> Locator:
    """The row of exam EWEB in the released / fetched / submitted list."""
    name = re.compile(rf"^\s*{EXAM}\s*$")
    rows = page.locator(f"#{status}_assignments_list > .list_item")
    return rows.filter(has=page.locator(".col-md-12 > .item_name", has_text=name))


def cell_of(notebook: Locator, item: Item) -> Locator:
    """The output of the slot's cell: the drawn question's stem and its widgets."""
    cell = notebook.locator(".jp-CodeCell").filter(has_text=item.stem)
    expect(cell, f"{item.slot} ({item.code}) is not on the page").to_have_count(1)
    expect(cell.locator(".widget-vbox").first).to_be_visible()
    return cell


def click_answer(page: Page, notebook: Locator, item: Item) -> None:
    """Click (or type) the answer of one slot, as the officer sees it; wait for its save."""
    cell = cell_of(notebook, item)
    cell.scroll_into_view_if_needed()
    active = re.compile(r"\bmod-active\b")
    if item.kind in ("single", "multiple"):
        for letter, shown in zip(item.answer, item.shown, strict=True):
            text = item.options[CHOICE_LETTERS.index(letter)]
            button = cell.locator("button.widget-toggle-button").and_(
                cell.get_by_title(text, exact=True)
            )
            # the option's button (tooltip: its text) shows the officer's own letter and the text
            expect(button).to_have_text(f"{shown}．{text}")
            button.click()
            expect(button).to_have_class(active)
    elif item.kind == "truefalse":
        button = cell.locator("button.widget-toggle-button", has_text=item.answer)
        button.click()
        expect(button).to_have_class(active)
    else:
        box = cell.locator("input.widget-input")
        box.fill(item.answer)
        box.press("Enter")
    expect(cell.locator(".widget-html-content", has_text="已自动保存")).to_have_count(1)


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


# ---- the test ------------------------------------------------------------------------------


def test_officer_answers_in_the_browser_and_the_grade_appears(
    web_exam: Platform, browser: BrowserContext, tmp_path: Path
) -> None:
    """Does an officer who logs in, fetches, runs all, clicks answers and submits in a real
    browser get exactly the grade of the clicked answers (gradebook, HR, own feedback)?"""
    shots = Shots(tmp_path / "screenshots", full_page=True)
    try:
        sit_and_grade(web_exam, browser, shots)
    except BaseException:
        for page in browser.pages:
            shots.take(page, "failure")
        raise


def sit_and_grade(hub: Platform, context: BrowserContext, shots: Shots) -> None:
    paper = officer_paper(hub.workspace)
    full = sum(item.points for item in paper)
    expected = sum(item.points for item in paper if item.right)
    started = time.monotonic()

    page = log_in(context, hub)

    # fetch the exam in the Assignments tab and open its notebook from the fetched list
    show_assignments(page)
    assignment_row(page, "released").locator(".item_status button", has_text="获取").click()
    fetched = assignment_row(page, "fetched")
    expect(fetched).to_have_count(1)
    open_fetched_notebook(fetched, EXAM)
    notebook = page.locator(".jp-NotebookPanel:visible")
    expect(notebook).to_have_count(1)
    expect(page.locator(".lm-TabBar-tab.jp-mod-current", has_text=f"{EXAM}.ipynb")).to_be_visible()

    # the fazhi-lab extension runs the paper's tagged cells once the kernel is ready (no
    # "run all", no restart dialog); then the widgets of every slot are there
    expect(notebook).to_have_class(re.compile(r"\bfazhi-ready\b"))
    expect(page.locator(".jp-Dialog")).to_have_count(0)
    answering = page.locator("button.widget-toggle-button, input.widget-input")
    expect(notebook.locator(".jp-CodeCell").filter(has=answering)).to_have_count(len(paper))
    expect(notebook.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "idle"
    )
    expect(
        notebook.locator(".jp-OutputArea-output", has_text="考生工号"),
        "the paper must be drawn for the logged-in Hub user: the exchange files the"
        " submission, and grading draws the paper, under that name",
    ).to_contain_text(f"考生工号：{OFFICER}", timeout=5_000)  # the cells have run: no wait

    for item in paper:
        click_answer(page, notebook, item)
    shots.take(page, "answered")

    # every click reached the officer's answer sheet (written by the kernel)
    sheet_url = f"{hub.url}/user/{OFFICER}/api/contents/{EXAM}/{EXAM}.answers.json"

    def sheet_has_all_answers() -> bool:
        response = page.request.get(sheet_url, params={"content": "1"})
        if not response.ok:
            return False
        answers = json.loads(response.json()["content"]).get("answers", {})
        return all(answers.get(i.code, {}).get("value") == i.answer for i in paper)

    wait_until(sheet_has_all_answers, "the answer sheet to hold every clicked answer")

    # save the notebook, then submit from the Assignments tab
    notebook.locator('jp-button[data-command="docmanager:save"]').click()
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=f"{EXAM}.ipynb")
    expect(tab).not_to_have_class(re.compile(r"\bjp-mod-dirty\b"))
    show_assignments(page)
    assignment_row(page, "fetched").locator(".item_status button", has_text="提交").click()
    page.locator(".jp-Dialog button", has_text="确认提交").click()  # the confirmation
    submitted = assignment_row(page, "submitted")
    expect(submitted.locator(".nested_list_item")).to_have_count(1)
    shots.take(page, "submitted")
    print(f"officer's part in the browser: {time.monotonic() - started:.1f} s")

    # the trainer collects, grades and releases feedback (the exam has no closing time)
    ws = hub.workspace
    hub.run_as(TRAINER, "trainer", [NBGRADER, "collect", EXAM], cwd=ws)
    hub.run_as(TRAINER, "trainer", [FAZHI, "grade", EXAM], cwd=ws)
    hub.run_as(TRAINER, "trainer", [FAZHI, "exam", "feedback", EXAM], cwd=ws)

    # the gradebook: each clicked answer's grade, slot by slot
    with Gradebook(f"sqlite:///{ws / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(EXAM, OFFICER)
        grades = {
            grade.name: grade.score
            for notebook_ in submission.notebooks
            for grade in notebook_.grades
        }
        total, maximum = submission.score, submission.max_score
    assert grades == {i.slot: (i.points if i.right else 0.0) for i in paper}
    assert (total, maximum) == (expected, full)

    # HR's score report
    scores = hub.service(HR, "GET", f"api/reports/scores/{EXAM}", params={"format": "csv"})
    assert scores.ok, scores.text
    rows = {
        r["officer_id"]: r for r in csv.DictReader(io.StringIO(scores.content.decode("utf-8-sig")))
    }
    assert float(rows[OFFICER]["score"]) == expected, rows[OFFICER]
    assert float(rows[OFFICER]["max"]) == full, rows[OFFICER]

    # the officer's view: Fetch Feedback in the Assignments tab, then open the feedback page
    show_assignments(page)
    submitted = assignment_row(page, "submitted")
    expect(submitted).to_contain_text("有反馈可获取")
    submitted.locator(".item_status button", has_text="获取反馈").click()
    submitted.locator(".nested_list_item a", has_text="查看反馈").click()
    expect(page.locator(".jp-FileBrowser .jp-BreadCrumbs")).to_contain_text("feedback")
    page.locator(".jp-FileBrowser .jp-DirListing-item", has_text=f"{EXAM}.html").dblclick()
    feedback = page.frame_locator(".jp-HTMLViewer iframe").locator("body")
    expect(feedback).to_contain_text(f"（{OFFICER}）：得分 {expected:g} / {full:g}")
    for item in paper:
        verdict = f"得分 {item.points if item.right else 0:g} / {item.points:g}"
        expect(feedback.locator(".item", has_text=item.stem)).to_contain_text(verdict)
    shots.take(page, "feedback")
    print(f"whole browser test: {time.monotonic() - started:.1f} s")
