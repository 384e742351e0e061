"""Write the dashboard notebooks into a workspace: ``HR看板.ipynb`` and ``我的学习.ipynb``.

The notebooks hold one call each; the logic lives in ``hr_dashboard`` and ``my_page``, so a
new version of fazhi updates every workspace's dashboards without regenerating them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from fazhi.notebook import AUTORUN_TAG

HR_NOTEBOOK = "HR看板.ipynb"
OFFICER_NOTEBOOK = "我的学习.ipynb"

_NOTEBOOKS = {
    HR_NOTEBOOK: (
        "# HR 看板：学法合规\n\n"
        "按单位、职务类别、日期范围和人员筛选，查看每周学法时长、年度学时、考试和执法证情况；"
        "“导出当前视图”把所见内容保存为 Excel（工作区 `exports/` 目录）。\n\n"
        "打开本笔记本稍候几秒，看板即自动显示。",
        "from fazhi.analytics.hr_dashboard import show\n\ndashboard = show()",
    ),
    OFFICER_NOTEBOOK: (
        "# 我的学习\n\n"
        "我的每周学习时长、本年度还需完成的学时、考试和模拟法庭成绩。"
        "只显示登录用户本人的记录。\n\n打开本笔记本稍候几秒，即自动显示。",
        "from fazhi.analytics.my_page import show\n\nshow()",
    ),
}


def dashboard_notebook(name: str) -> nbformat.NotebookNode:
    intro, code = _NOTEBOOKS[name]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(intro, id="intro"),
        nbformat.v4.new_code_cell(
            code,
            id="show",
            # run and collapsed on open by the fazhi-lab extension (fazhi.notebook.AUTORUN_TAG)
            metadata={"tags": [AUTORUN_TAG], "jupyter": {"source_hidden": True}},
        ),
    ]
    notebook.metadata["fazhi"] = {"autorun": True}
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return notebook


def write_dashboards(workspace: Path) -> list[Path]:
    """(Re)write both notebooks at the workspace's top level; returns their paths."""
    paths = []
    for name in _NOTEBOOKS:
        path = workspace / name
        nbformat.write(dashboard_notebook(name), path)
        paths.append(path)
    return paths
