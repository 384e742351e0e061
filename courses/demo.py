"""The demo workspace's courses: every bundled module and case released, one module fetched.

A demo officer's copy of the first module is fetched into their own directory (JupyterLab's
root, ``fazhi.officer_lab``), where the Assignments tab would put it, so ``fazhi demo`` can open
it straight away.
"""

from __future__ import annotations

import datetime as dt

from fazhi.officer_lab import lab_root
from fazhi.settings import Settings

from .case import ReviewCase
from .catalog import load_catalog
from .module import Module
from .release import fetch, publish

DEMO_MODULE = "m01-penalty-basics"


def demo_notebook(settings: Settings) -> str | None:
    """The demo module's notebook, relative to JupyterLab's root (None before ``populate``)."""
    root = lab_root(settings)
    path = root / DEMO_MODULE / f"{DEMO_MODULE}.ipynb"
    return path.relative_to(root).as_posix() if path.exists() else None


def populate(settings: Settings, today: dt.date) -> str:
    """Compile and release all bundled content; fetch the first module for the demo officer.

    ``today`` is unused: course content does not depend on the date.
    """
    del today
    contents = [content for content, bundled in load_catalog().values() if bundled]
    for content in contents:
        publish(settings=settings, content=content)
    modules = [c for c in contents if isinstance(c, Module)]
    reviews = [c for c in contents if isinstance(c, ReviewCase)]
    cases = len(contents) - len(modules)
    questions = sum(len(m.questions) for m in modules)
    summary = (
        f"课程：已发布学法模块 {len(modules)} 个（自测题 {questions} 道）、"
        f"案例练习 {cases} 个（其中案卷评查 {len(reviews)} 个）"
    )
    if any(m.id == DEMO_MODULE for m in modules) and demo_notebook(settings) is None:
        fetch(settings=settings, assignment=DEMO_MODULE, into=lab_root(settings))
        summary += f"；演示学员已获取 {DEMO_MODULE}"
    return summary
