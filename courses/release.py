"""Generate and release compiled content through nbgrader's own Python API.

``nbgrader generate_assignment`` strips hidden tests, mark schemes and outputs and records
the assignment in the gradebook; ``release_assignment`` puts it in the exchange, where
officers fetch it from JupyterLab's Assignments tab. Both run in-process through
nbgrader's API on the workspace (``fazhi.nbgrader_api``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from nbgrader.utils import capture_log, temp_attrs

from fazhi.errors import UserError
from fazhi.kernel.answers import SUFFIX as ANSWERS_SUFFIX
from fazhi.nbgrader_api import check_result, nbgrader_api
from fazhi.paths import confined
from fazhi.settings import Settings

from .compile import Content, compile_content
from .practice import resolve_content

# Re-releasing logs a warning per assignment (it replaces the earlier one): keep them quiet.
LOG_LEVEL = "ERROR"
log = logging.getLogger(__name__)


def remove_answer_sheets(folder: Path) -> list[Path]:
    """Delete answer sheets from an assignment's source (left by running the source notebook).

    nbgrader would otherwise release them to every officer and copy them over officers'
    own answers when autograding.
    """
    removed = sorted(folder.glob(f"*{ANSWERS_SUFFIX}"))
    for path in removed:
        path.unlink()
        log.info("removed stray answer sheet %s", path)
    return removed


def generate(*, settings: Settings, assignment: str) -> Path:
    """``nbgrader generate_assignment``: source/<assignment> → release/<assignment>."""
    source = confined(settings.workspace / "source", assignment)
    if not source.is_dir():
        raise UserError(f"找不到作业源目录：{source}（请先运行 fazhi course build）")
    remove_answer_sheets(source)
    api = nbgrader_api(settings=settings, log_level=LOG_LEVEL)
    result = api.generate_assignment(assignment, force=True, create=True)
    check_result(result, what=f"生成作业 {assignment} ")
    return confined(settings.workspace / "release", assignment)


def release(*, settings: Settings, assignment: str) -> None:
    """``nbgrader release_assignment`` into the exchange (replacing an earlier release)."""
    api = nbgrader_api(
        settings=settings, log_level=LOG_LEVEL, ExchangeReleaseAssignment={"force": True}
    )
    check_result(api.release_assignment(assignment), what=f"发布作业 {assignment} ")


def build(*, settings: Settings, content: Content) -> Path:
    """Compile ``content`` into ``source/<id>/<id>.ipynb``, bank questions from the workspace."""
    ready = resolve_content(settings=settings, content=content)
    return compile_content(ready, source_dir=settings.workspace / "source")


def publish(*, settings: Settings, content: Content, to_exchange: bool = True) -> Path:
    """Compile ``content`` into the workspace's source, generate it and (by default) release it.

    Returns the released notebook folder (``release/<id>``).
    """
    build(settings=settings, content=content)
    released = generate(settings=settings, assignment=content.id)
    if to_exchange:
        release(settings=settings, assignment=content.id)
    return released


def fetch(*, settings: Settings, assignment: str, into: Path) -> Path:
    """Fetch a released assignment from the exchange into ``into`` (what an officer's
    Assignments tab does); returns the fetched folder."""
    api = nbgrader_api(
        settings=settings, log_level=LOG_LEVEL, Exchange={"assignment_dir": str(into)}
    )
    with temp_attrs(api.coursedir, assignment_id=assignment):
        app = api.exchange.FetchAssignment(
            coursedir=api.coursedir, authenticator=api.authenticator, parent=api
        )
        check_result(capture_log(app), what=f"获取作业 {assignment} ")
    return into / assignment
