"""Generate the judges' scoring notebook (模拟法庭评分.ipynb) into a workspace.

The notebook holds no logic: one cell shows ``form.scoring_form()``, so regenerating it is
safe and fixes reach existing workspaces with the next release of fazhi.
"""

from __future__ import annotations

from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell

from fazhi import notebook

NOTEBOOK_NAME = "模拟法庭评分.ipynb"

INTRO = """# 模拟法庭评分

评委在此为模拟法庭参加人员打分，保存后即记入本工作区的数据库（与 `fazhi mockcourt import`
导入的评分相同）。

1. 运行下面的单元（Shift+Enter），出现评分表。
2. **评分**：选择场次和参加人员，填写评委姓名，按评分细则为每个维度打 0–100 分，可填写评语，
   点击“保存评分”。同一评委对同一人再次保存即为修改。
3. **登记场次**：培训组织者在此新建场次（场次编号、开庭日期、案件、案卷材料）并填写参加人员，
   每行一人：`工号 角色`，如 `CG0001 负责人出庭应诉`。

成绩按规则文件计算：各评委加权得分取平均，评委达到 5 人（可配置）时去掉一个最高分和一个最低分。
成绩报表：`fazhi report mockcourt --format html --out 模拟法庭.html`。
"""

FORM_CELL = """from fazhi.mockcourt.form import scoring_form

app = scoring_form()
app.widget"""


def scoring_notebook() -> NotebookNode:
    cells = [
        new_markdown_cell(INTRO, id="mockcourt-intro"),
        new_code_cell(FORM_CELL, id="mockcourt-form"),
    ]
    return notebook.new_notebook(cells=cells, title="模拟法庭评分")


def write_scoring_notebook(*, workspace: Path) -> Path:
    """Write (or refresh) the scoring notebook at the workspace's root; returns its path."""
    return notebook.write_notebook(scoring_notebook(), workspace / NOTEBOOK_NAME)
