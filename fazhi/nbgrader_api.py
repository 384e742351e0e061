"""nbgrader's public Python API on a workspace, shared by courses and exams.

Both release content through ``nbgrader.apps.api.NbGraderAPI`` configured from the
workspace's generated ``nbgrader_config.py``, in-process, so generate/release/feedback
use the workspace's own gradebook and exchange.
"""

from __future__ import annotations

from typing import Any

from nbgrader.apps.api import NbGraderAPI
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from fazhi.errors import UserError
from fazhi.gradebook import ensure_scripts_on_path
from fazhi.settings import Settings
from fazhi.workspace import NBGRADER_CONFIG

# Enough of nbgrader's log to see why a step failed, not a screenful of tracebacks.
LOG_TAIL = 4000


def nbgrader_config(*, settings: Settings, **overrides: dict[str, Any]) -> Config:
    """The workspace's ``nbgrader_config.py`` plus ``{"Class": {"trait": value}}`` overrides."""
    config = Config()
    if (settings.workspace / NBGRADER_CONFIG).exists():
        loader = PyFileConfigLoader(NBGRADER_CONFIG, path=str(settings.workspace))
        config.merge(loader.load_config())
    config.CourseDirectory.root = str(settings.workspace)
    config.CourseDirectory.course_id = settings.course_id
    for section, values in overrides.items():
        for name, value in values.items():
            config[section][name] = value
    return config


def nbgrader_api(
    *, settings: Settings, log_level: str = "WARN", **overrides: dict[str, Any]
) -> NbGraderAPI:
    """nbgrader's high-level API on this workspace (its gradebook and exchange).

    nbgrader logs every step at INFO; ``log_level`` keeps that out of the CLI's output
    (failures come back in the result and are shown by ``check_result``).
    """
    ensure_scripts_on_path()  # nbgrader runs the `alembic` script when it creates a gradebook
    overrides.setdefault("NbGraderAPI", {"log_level": log_level})
    return NbGraderAPI(config=nbgrader_config(settings=settings, **overrides))


def check_result(result: dict[str, Any], *, what: str) -> str:
    """The log of a successful nbgrader API call; a UserError with nbgrader's log otherwise."""
    if not result.get("success"):
        detail = (result.get("error") or result.get("log") or "").strip()
        raise UserError(f"{what}失败：\n{detail[-LOG_TAIL:]}")
    return str(result.get("log", ""))
