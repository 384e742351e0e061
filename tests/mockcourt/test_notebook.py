"""The judges' scoring notebook, executed by a real kernel and driven through its widgets."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell
from sqlalchemy import select

from fazhi import db
from fazhi.mockcourt.notebook import NOTEBOOK_NAME, write_scoring_notebook
from fazhi.models.mockcourt import MockCourtSession, MockCourtSheet
from fazhi.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow]

REGISTER = """
import datetime as dt
tab = app.sessions
tab.code.value = "MC-NB"
tab.date.value = dt.date(2026, 4, 2)
tab.case_title.value = "某建材公司诉区城市管理局强制拆除违法建设案"
tab.case_file.value = "案卷-2026-规划-017"
tab.participants.value = "CG0001 负责人出庭应诉\\nCG0002 代理人"
tab.save.click()
print("REGISTER:", tab.status.value)
"""

SCORE = """
form = app.scoring
form.session.value = "MC-NB"
form.participant.value = "CG0002"
form.judge.value = "王法官"
values = {"事实认定": "80", "法律适用": "90", "程序规范": "70", "庭审表达": "60"}
for name, value in values.items():
    form.scores[name].value = value
form.save.click()
print("INCOMPLETE:", form.status.value)
form.scores["文书质量"].value = "101"
form.save.click()
print("OUT OF RANGE:", form.status.value)
form.scores["文书质量"].value = "100"
print("TOTAL:", form.total.value)
form.comment.value = "答辩有条理"
form.save.click()
print("SAVED:", form.status.value)
"""

RELOAD = """
form.judge.value = ""
form.judge.value = "王法官"
print("RELOADED:", form.scores["事实认定"].value, form.comment.value)
form.participant.value = "CG0001"
for box in form.scores.values():
    box.value = "90"
form.judge.value = "陈律师"  # typed after the scores: they stay
form.save.click()
print("SECOND:", form.status.value)
"""


def test_scoring_notebook_saves_through_the_form(roster: Settings) -> None:
    """Does the generated notebook's form register a session, refuse bad scores in Chinese,
    and save a judge's sheet to the database when save is clicked?"""
    path = write_scoring_notebook(workspace=roster.workspace)
    assert path.name == NOTEBOOK_NAME
    notebook = nbformat.read(path, as_version=4)
    notebook.cells += [new_code_cell(REGISTER), new_code_cell(SCORE), new_code_cell(RELOAD)]
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(roster.workspace)}},
    ).execute()

    form_outputs = notebook.cells[1].outputs
    assert any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in form_outputs
    )
    printed = "".join(o.get("text", "") for cell in notebook.cells[2:] for o in cell.outputs)
    assert "REGISTER:" in printed and "已登记场次“MC-NB”（2026-04-02），参加人员 2 名" in printed
    assert "请为“文书质量”打分（0–100）" in printed.split("OUT OF RANGE:")[0]
    assert "得分 101 超出范围" in printed.split("TOTAL:")[0]
    # 25·80 + 25·90 + 20·70 + 20·60 + 10·100 = 7850 → 78.50
    assert "加权得分：78.50" in printed
    assert "已保存：评委“王法官”对" in printed and "李娜（CG0002）" in printed
    assert "RELOADED: 80 答辩有条理" in printed
    assert "已保存：评委“陈律师”对 王伟（CG0001）· 负责人出庭应诉 的评分，加权得分 90.00" in printed

    with db.session_scope(roster) as session:
        mock = session.scalars(select(MockCourtSession)).one()
        assert (mock.code, mock.case_file) == ("MC-NB", "案卷-2026-规划-017")
        sheets = {s.judge.name: s for s in session.scalars(select(MockCourtSheet))}
        assert sorted(sheets) == ["王法官", "陈律师"]
        sheet = sheets["王法官"]
        assert sheet.participant.officer.officer_id == "CG0002"
        assert (sheet.judge.name, sheet.comment, sheet.source) == (
            "王法官",
            "答辩有条理",
            "评分笔记本",
        )
        assert {s.dimension.name: s.score for s in sheet.scores} == {
            "事实认定": 80,
            "法律适用": 90,
            "程序规范": 70,
            "庭审表达": 60,
            "文书质量": 100,
        }
