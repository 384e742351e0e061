"""``fazhi course``: law modules and case exercises for trainers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from fazhi.cli.common import current_settings, current_workspace, echo, workspace_option
from fazhi.errors import UserError

if TYPE_CHECKING:
    from fazhi.courses.compile import Content

KIND_NAMES = {"module": "学法模块", "handling": "案例练习", "review": "案卷评查"}


def _workspace_dir() -> Path | None:
    """The chosen workspace when it is one (content commands also work outside a workspace)."""
    from fazhi.settings import CONFIG_FILE, resolve_workspace

    root = resolve_workspace(current_workspace())
    return root if (root / CONFIG_FILE).exists() else None


def _selected(names: tuple[str, ...], everything: bool) -> list[Content]:
    from fazhi.courses.catalog import find_content, load_catalog

    if everything == bool(names):
        raise UserError("请指定模块或案例的编号（或文件路径），或使用 --all 表示全部")
    workspace = _workspace_dir()
    if everything:
        return [content for content, _ in load_catalog(workspace=workspace).values()]
    return [find_content(name, workspace=workspace) for name in names]


@click.group("course")
def course_group() -> None:
    """学法模块与案例练习：列出、检查、编译、发布。"""


@course_group.command("list")
@workspace_option
def course_list_command() -> None:
    """列出内置的和工作区 content/ 目录中的学法模块与案例：编号、类型、标题、来源。"""
    from fazhi.courses.catalog import list_entries

    for entry in list_entries(workspace=_workspace_dir()):
        origin = "内置" if entry.bundled else "工作区"
        echo(f"{entry.id}\t{KIND_NAMES[entry.kind]}\t{entry.title}\t{origin}")


@course_group.command("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
def course_check_command(files: tuple[Path, ...]) -> None:
    """检查模块（.md）和案例（.yaml）文件的格式；不指定文件时检查全部。

    在工作区中还核对模块引用的题库题目是否存在。有错误时列出文件、行号和字段，退出状态非 0。
    """
    from fazhi.courses.catalog import load_catalog, load_content
    from fazhi.courses.practice import check_bank_questions
    from fazhi.settings import load_settings

    workspace = _workspace_dir()
    settings = load_settings(workspace) if workspace is not None else None
    contents = [load_content(path) for path in files]
    if not files:
        contents = [content for content, _ in load_catalog(workspace=workspace).values()]
    for content in contents:
        note = check_bank_questions(content=content, settings=settings)
        if note:
            echo(note)
    for path, content in zip(files, contents, strict=False):
        echo(f"格式正确：{path}（{content.id}）")
    if not files:
        echo(f"格式正确：共 {len(contents)} 个学法模块与案例")


@course_group.command("build")
@click.argument("names", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="编译全部模块和案例。")
@workspace_option
def course_build_command(names: tuple[str, ...], everything: bool) -> None:
    """把模块或案例（编号或文件路径）编译为 nbgrader 源笔记本 source/<编号>/<编号>.ipynb。

    模块中的题库块（```bank）按工作区题库中各题的当前版本取题。
    """
    from fazhi.courses.release import build

    settings = current_settings()
    for content in _selected(names, everything):
        path = build(settings=settings, content=content)
        echo(f"已编译：{content.id} → {path.relative_to(settings.workspace)}")


@course_group.command("feedback")
@click.argument("case")
@workspace_option
def course_feedback_command(case: str) -> None:
    """发布案例练习的成绩反馈（中文：每部分的作答、正确答案、得分或“待评阅”、解析和依据）。

    在 nbgrader collect 和 fazhi grade（或 nbgrader autograde）之后运行；队员在 Assignments
    页面点击 Fetch Feedback 查看。处理理由在 formgrader 中评分后再次运行即更新。
    """
    from fazhi import db
    from fazhi.courses.case import HandlingCase, ReviewCase
    from fazhi.courses.catalog import find_content
    from fazhi.courses.feedback import release_case_feedback

    settings = current_settings()
    content = find_content(case, workspace=settings.workspace)
    if not isinstance(content, HandlingCase | ReviewCase):
        raise UserError(f"“{case}”是学法模块（自学练习，不评分），没有成绩反馈")
    with db.session_scope(settings) as session:
        count = release_case_feedback(session, settings, case=content)
    echo(f"已发布 {count} 人的成绩反馈：{case}")


@course_group.command("release")
@click.argument("names", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="发布全部模块和案例。")
@click.option("--no-exchange", is_flag=True, help="只生成学员版（release/），不放入交换目录。")
@workspace_option
def course_release_command(names: tuple[str, ...], everything: bool, no_exchange: bool) -> None:
    """编译并发布：nbgrader generate_assignment + release_assignment，学员即可在
    JupyterLab 的 Assignments 页面获取。"""
    from fazhi.courses.release import publish

    settings = current_settings()
    for content in _selected(names, everything):
        released = publish(settings=settings, content=content, to_exchange=not no_exchange)
        echo(f"已发布：{content.id} → {released.relative_to(settings.workspace)}")
