"""Browser steps both Playwright tests take in JupyterLab: screenshots, the Assignments tab."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

# the fazhi-lab extension relabels nbgrader's tab in Chinese
ASSIGNMENTS_TAB = re.compile("作业和考试|Assignments")


class Shots:
    """Numbered screenshots of each step in ``folder``; paths are printed (pytest shows them
    on failure). ``full_page`` takes the whole scrollable page instead of the viewport."""

    def __init__(self, folder: Path, *, full_page: bool = False) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.full_page = full_page
        self.count = 0

    def take(self, page: Page, name: str) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        try:
            page.screenshot(path=str(path), full_page=self.full_page, timeout=15_000)
        except Exception as err:  # a broken page must not hide the test's own error
            print(f"screenshot {name} failed: {err}")
            return
        print(f"screenshot: {path}")


def show_assignments(page: Page) -> None:
    """Nbgrader ▸ Assignment List, or its tab when already open; then refresh the lists."""
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=ASSIGNMENTS_TAB)
    if tab.count():
        tab.click()
    else:
        page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        page.locator('li[data-command="nbgrader:open-assignment-list"]').click()
    page.locator("#refresh_assignments_list").click()
    for name in ("released", "fetched", "submitted"):
        expect(page.locator(f"#{name}_assignments_list_loading")).to_be_hidden()
        expect(page.locator(f"#{name}_assignments_list_error")).to_be_hidden()


def open_fetched_notebook(fetched: Locator, name: str) -> None:
    """Unfold a fetched assignment's notebook list (``fetched`` is its row), open ``name``.

    The tab redraws its lists when a fetch's reply arrives; a redraw right after the click
    folds the list up again, so unfold until the link shows (a click on an unfolded list
    would fold it)."""
    link = fetched.locator(".nested_list_item .item_name a", has_text=name)
    for _ in range(5):
        if link.is_visible():
            break
        fetched.locator("a.assignment-notebooks-link").click()
        try:
            expect(link).to_be_visible(timeout=5_000)
        except AssertionError:
            continue
    link.click()
