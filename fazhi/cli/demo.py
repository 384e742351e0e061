"""``fazhi demo``: build a demo workspace from the features' demo steps, then launch JupyterLab."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click

from fazhi.cli.common import current_workspace, echo, workspace_option
from fazhi.errors import UserError
from fazhi.settings import Settings

DEFAULT_DIR = "demo-workspace"
DEMO_MARK = ".fazhi-demo"

# Each step: (title, function(settings, today) -> summary). Features append theirs here.
DemoStep = Callable[[Settings, dt.date], str]


def _roster_step(settings: Settings, today: dt.date) -> str:
    from fazhi import db, gradebook
    from fazhi.demo_bureau import demo_roster, write_roster_csv
    from fazhi.roster import parse_roster, store_roster

    path = write_roster_csv(demo_roster(today), settings.workspace / "demo-data" / "名册.csv")
    entries = parse_roster(path)
    with db.session_scope(settings) as session:
        store_roster(session, entries)
    gradebook.sync_students(settings, ((e.officer_id, e.name) for e in entries))
    return f"名册：{len(entries)} 人（{path.relative_to(settings.workspace)}）"


def _officer_step(settings: Settings, today: dt.date) -> str:
    """Log the demo's JupyterLab in as one officer: the workspace's ``officer`` setting.

    The officer gets a directory of their own (JupyterLab's root) holding 我的学习; the later
    steps put their fetched module and exam there.
    """
    import nbformat

    from fazhi.analytics.dashboard import OFFICER_NOTEBOOK, dashboard_notebook
    from fazhi.demo_bureau import demo_officer, demo_roster
    from fazhi.officer_lab import prepare_officer_lab
    from fazhi.workspace import write_settings

    officer = demo_officer(demo_roster(today), today)
    lab = prepare_officer_lab(write_settings(settings.workspace, officer=officer["officer_id"]))
    nbformat.write(dashboard_notebook(OFFICER_NOTEBOOK), lab.home / OFFICER_NOTEBOOK)
    home = lab.home.relative_to(settings.workspace).as_posix()
    return (
        f"本机 JupyterLab 以 {officer['name']}（工号 {officer['officer_id']}，"
        f"{''.join(officer['unit'].split('/')[-2:])}执法队员）的身份登录，"
        f"只显示其个人目录 {home}/：学习计时、考试提交和“我的学习”"
        "都记在该学员名下（fazhi.toml 的 officer 设置）"
    )


def demo_steps() -> list[tuple[str, DemoStep]]:
    from fazhi.analytics.bureau_demo import populate as bureau_step
    from fazhi.analytics.demo import populate as study_step
    from fazhi.courses.demo import populate as courses_step
    from fazhi.exams.demo import populate as exams_step
    from fazhi.exams.demo import populate_spot_check as spot_check_step
    from fazhi.mockcourt.demo import populate as mockcourt_step

    return [
        ("人员名册", _roster_step),
        ("演示学员", _officer_step),
        ("学法模块与案例", courses_step),
        ("定期考试", exams_step),
        ("模拟法庭", mockcourt_step),
        ("抽查考试", spot_check_step),
        ("学习记录与合规看板", study_step),
        ("执法证、提醒、通报与学法档案", bureau_step),
    ]


def build_demo(directory: Path, *, today: dt.date | None = None) -> Settings:
    """Create a fresh demo workspace in ``directory`` (replacing an earlier demo there)."""
    from fazhi.cli.setup import initialise
    from fazhi.settings import load_settings

    today = today or dt.date.today()
    if (directory / DEMO_MARK).exists():
        shutil.rmtree(directory)
    elif directory.exists() and any(directory.iterdir()):
        raise UserError(f"{directory} 不是空目录，也不是演示工作区：请换一个目录")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DEMO_MARK).write_text("fazhi demo workspace: `fazhi demo` may rebuild it\n")
    echo(initialise(directory))
    for title, step in demo_steps():
        settings = load_settings(directory)  # with what earlier steps configured (the officer)
        echo(f"[{title}] {step(settings, today)}")
    return load_settings(directory)


def lab_command(settings: Settings, open_path: str | None = None) -> list[str]:
    """The JupyterLab command line for ``settings``' workspace, on localhost only.

    With an ``officer`` setting it is that officer's JupyterLab (``fazhi.officer_lab``): rooted
    at their own directory, with its own settings and layout; run it with ``lab_environment``.
    """
    from fazhi.officer_lab import lab_root, officer_lab

    args = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.root_dir={lab_root(settings)}",
        "--ServerApp.ip=127.0.0.1",
    ]
    if settings.officer:
        lab = officer_lab(settings)
        args += [
            f"--LabApp.user_settings_dir={lab.config / 'lab-user-settings'}",
            f"--LabApp.workspaces_dir={lab.config / 'lab-workspaces'}",
        ]
    if open_path:
        args.append(f"--LabApp.default_url=/lab/tree/{open_path}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Jupyter refuses root unless told; containers and fresh VMs often run as root, and
        # the server listens on 127.0.0.1 only
        args.append("--allow-root")
    return args


def lab_environment(settings: Settings) -> dict[str, str]:
    """The environment ``lab_command`` runs in: the workspace and, if set, the officer's config."""
    from fazhi.officer_lab import prepare_officer_lab

    env = dict(os.environ, FAZHI_WORKSPACE=str(settings.workspace))
    if settings.officer:
        env.update(prepare_officer_lab(settings).environment())
    return env


def launch(settings: Settings, open_path: str | None = None) -> None:
    """JupyterLab on localhost, rooted at the officer's directory (blocks until stopped)."""
    from fazhi.officer_lab import lab_root

    env = lab_environment(settings)
    echo("正在启动 JupyterLab（Ctrl+C 退出）……")
    if "--allow-root" in (args := lab_command(settings, open_path)):
        echo("注意：正在以 root 身份运行，JupyterLab 只在本机 127.0.0.1 上提供服务。")
    subprocess.run(args, cwd=lab_root(settings), env=env, check=False)


@click.command("demo")
@click.option("--no-launch", is_flag=True, help="只建立演示工作区，不启动 JupyterLab。")
@workspace_option
def demo_command(no_launch: bool) -> None:
    """建立演示工作区（演示单位、约 60 名人员及各功能的演示数据），并启动 JupyterLab。

    默认目录为 ./demo-workspace，可用 --workspace 指定；已有的演示工作区会被重建。
    """
    directory = (current_workspace() or Path(DEFAULT_DIR)).resolve()
    settings = build_demo(directory)
    echo(f"演示工作区已建立：{settings.workspace}")
    if not no_launch:
        from fazhi.courses.demo import demo_notebook

        launch(settings, demo_notebook(settings))
