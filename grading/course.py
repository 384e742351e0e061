"""The course being graded: a fazhi workspace or a plain nbgrader course directory.

Configuration is loaded exactly as ``nbgrader autograde`` run in the course directory loads
it (nbgrader's own app: Jupyter config paths, then the course's ``nbgrader_config.py``), so
every nbgrader option a course sets (timeouts, output limits, late-penalty plugin, ...) applies
to ``fazhi grade`` too. In a fazhi workspace, the gradebook URL and course id come from the
workspace settings (``fazhi.toml`` and ``FAZHI_*``), which generate that config file anyway.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from nbgrader.apps.autogradeapp import AutogradeApp
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from fazhi.errors import UserError
from fazhi.settings import CONFIG_FILE, load_settings

NBGRADER_CONFIG = "nbgrader_config.py"
LOG = logging.getLogger("fazhi.grading")


@dataclass(frozen=True)
class Course:
    """Where the course lives and the nbgrader configuration that grades it."""

    root: Path
    config: Config
    coursedir: CourseDirectory
    converter: Autograde  # read for its settings only (permissions, hooks, lists), never run
    is_workspace: bool

    @property
    def db_url(self) -> str:
        return str(self.coursedir.db_url)

    @property
    def course_id(self) -> str:
        return str(self.coursedir.course_id)


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _load_nbgrader_config(root: Path) -> Config:
    """The config ``nbgrader autograde`` would see when started in ``root``."""
    app = AutogradeApp()
    app.log = LOG
    with _working_directory(root):
        try:
            app.initialize([], root=str(root))
        except SystemExit as err:  # traitlets reports a broken config file by exiting
            raise UserError(f"无法读取 {root / NBGRADER_CONFIG}：配置文件有误") from err
    return Config(app.config)


def open_course(workspace: Path | str, assignment: str) -> Course:
    """Open the course at ``workspace`` for grading ``assignment``."""
    root = Path(workspace).expanduser().resolve()
    is_workspace = (root / CONFIG_FILE).exists()
    if not is_workspace and not (root / NBGRADER_CONFIG).exists():
        raise UserError(
            f"{root} 既不是 fazhi 工作区（缺少 {CONFIG_FILE}），也不是 nbgrader 课程目录"
            f"（缺少 {NBGRADER_CONFIG}）。请用 --workspace 指定。"
        )
    config = _load_nbgrader_config(root)
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.assignment_id = assignment
    if is_workspace:
        settings = load_settings(root)
        config.CourseDirectory.course_id = settings.course_id
        config.CourseDirectory.db_url = settings.gradebook_database_url
    # nbgrader's converters register no nbconvert default preprocessors (BaseConverter does this).
    config.Exporter.default_preprocessors = []
    coursedir = CourseDirectory(config=config, log=LOG)
    converter = Autograde(coursedir=coursedir, config=config, log=LOG)
    return Course(
        root=root,
        config=config,
        coursedir=coursedir,
        converter=converter,
        is_workspace=is_workspace,
    )
