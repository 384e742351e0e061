"""End to end with real nbgrader and kernels: create → release → answer (answer cards, or clicks
in a kernel + submit) → stock ``nbgrader autograde`` → reports, feedback, makeup."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.utils import capture_log, get_username, temp_attrs
from openpyxl import load_workbook
from sqlalchemy import select

from fazhi import db
from fazhi.cli.setup import initialise
from fazhi.errors import UserError
from fazhi.exams.analysis import ITEM_LABELS
from fazhi.exams.draws import officer_paper
from fazhi.exams.exam import get_exam
from fazhi.exams.feedback import release_feedback
from fazhi.gradebook import open_gradebook
from fazhi.models.exam import ExamResult
from fazhi.nbgrader_api import nbgrader_api
from fazhi.settings import Settings, load_settings
from fazhi.tabular import LOCAL_TZ

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
HEADER = ["工号", "题号", "作答"]
BLUEPRINT = ["--count", "单选=2", "--count", "多选=1", "--count", "判断=1", "--count", "填空=1"]
WRONG = {"single": "D", "multiple": "B", "truefalse": None, "fill": "不知道"}


def nbgrader(settings: Settings, *args: str) -> str:
    """Stock ``nbgrader ARGS`` in the workspace, as a trainer runs it."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=settings.workspace, env=env,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def sheet_rows(
    settings: Settings, exam: str, officer: str, keys: dict[str, str], correct: bool
) -> list[list[str]]:
    """The officer's answer card: every question right, or every one wrong but 判断."""
    with db.session_scope(settings) as session:
        items = officer_paper(get_exam(session, exam), officer)
        rows = []
        for item in items:
            kind, key = item.version.type, keys[item.version.code]
            answer = key.split("|")[0] if correct or WRONG[kind] is None else WRONG[kind]
            rows.append([officer, item.version.code, answer])
    return rows


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_exam_makeup_reports_and_feedback(
    workspace, cli, test_bank, roster, keys, tmp_path, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """Do answer cards graded by stock nbgrader give the expected scores, pass/late flags, time
    limit, item statistics, alpha, feedback after closing, makeup eligibility and the better
    result counting?"""
    ws = workspace.workspace

    def run(*args: object):  # type: ignore[no-untyped-def]
        result = cli(*args, "-w", ws)
        assert result.exit_code == 0, result.output
        return result

    window = ["--opens", "2026-03-01 09:00", "--closes", "2026-03-10 18:00", "--minutes", "30"]
    run("exam", "create", "e2e", "--bank", test_bank, *BLUEPRINT, "--points", "多选=2", *window)
    run("exam", "release", "e2e")
    on_time = sheet_rows(workspace, "e2e", "CG001", keys, True) + sheet_rows(
        workspace, "e2e", "CG002", keys, False
    )
    run(
        "exam",
        "import-answers",
        "e2e",
        csv_file(tmp_path / "a.csv", HEADER, on_time),
        "--at",
        "2026-03-05 10:00",
    )
    late = sheet_rows(workspace, "e2e", "CG003", keys, True)
    run(
        "exam",
        "import-answers",
        "e2e",
        csv_file(tmp_path / "b.csv", HEADER, late),
        "--at",
        "2026-03-11 09:00",
    )
    # CG001 answered the fill question 31 minutes after opening the paper: past the 30-minute limit
    answers = ws / "submitted" / "CG001" / "e2e" / "e2e.answers.json"
    sheet = json.loads(answers.read_text(encoding="utf-8"))
    fill = next(code for code in sheet["answers"] if code in ("T-11", "T-12"))
    sheet["answers"][fill]["at"] = "2026-03-05T02:31:00+00:00"
    answers.write_text(json.dumps(sheet, ensure_ascii=False), encoding="utf-8")

    nbgrader(workspace, "autograde", "e2e")

    run("report", "scores", "e2e", "--out", tmp_path / "scores.csv")
    rows = read_csv(tmp_path / "scores.csv")
    assert rows[0] == ["officer_id", "name", "unit", "score", "max", "passed", "attempt", "late"]
    assert [r[:1] + r[3:] for r in rows[1:]] == [
        ["CG001", "5", "7", "true", "1", "false"],  # 7 − the late fill answer (2)
        ["CG002", "1", "7", "false", "1", "false"],
        ["CG003", "7", "7", "false", "1", "true"],  # full marks, but handed in after closing
        ["CG004", "", "7", "false", "", "false"],  # absent; CG005 left in 2020: not required
    ]
    run("report", "items", "e2e", "--out", tmp_path / "items.csv")
    items = read_csv(tmp_path / "items.csv")
    assert items[0] == [
        "question_id",
        "facility",
        "discrimination",
        "discriminative_efficiency",
        "answered",
    ]
    assert sum(int(r[4]) for r in items[1:]) == 15  # 3 officers × 5 slots
    assert {r[0]: float(r[1]) for r in items[1:]}[fill] == 0.0
    # alpha over slots: CG001 1,1,2,1,0 / CG002 0,0,0,1,0 / CG003 1,1,2,1,2
    # → 5/4 · (1 − (10/3)/(28/3)) = 0.80357
    run("report", "items", "e2e", "--format", "html", "--out", tmp_path / "items.html")
    page = (tmp_path / "items.html").read_text(encoding="utf-8")
    assert "<td>0.80</td>" in page and page.count("data:image/png;base64") == 2
    assert "作答不足 30 人，仅供参考" in page and "<td>0%</td>" in page  # the late fill answer
    assert "<td>true</td>" not in page and "<td>false</td>" not in page
    run("report", "items", "e2e", "--format", "xlsx", "--out", tmp_path / "items.xlsx")
    book = load_workbook(tmp_path / "items.xlsx")
    assert [c.value for c in book["试题分析"][1]] == ITEM_LABELS
    stems = {r[0].value: r[1].value for r in book["试题分析"].iter_rows(min_row=2)}
    assert all(stems.values()) and set(stems) == {r[0] for r in items[1:]}
    assert ["Cronbach's alpha（信度系数）", "0.80"] in [
        [c.value for c in r] for r in book["汇总"].iter_rows()
    ]
    assert all(len(cell.split(".")[-1]) <= 4 for r in items[1:] for cell in r[1:4] if cell)
    run("report", "scores", "e2e", "--format", "html", "--out", tmp_path / "scores.html")
    page = (tmp_path / "scores.html").read_text(encoding="utf-8")
    assert "王伟" in page and "<td>是</td>" in page and "<td>true</td>" not in page

    with db.session_scope(workspace) as session, pytest.raises(UserError, match="截止之后才能发布"):
        release_feedback(
            session, workspace, exam="e2e", now=dt.datetime(2026, 3, 9, tzinfo=LOCAL_TZ)
        )
    assert "已发布 3 人的成绩反馈" in run("exam", "feedback", "e2e").stdout
    feedback = (ws / "feedback" / "CG001" / "e2e" / "e2e.html").read_text(encoding="utf-8")
    for text in (
        "得分 <b>5</b> / 7",
        "超出答题时限，不计分",
        "正确答案",
        "解析",
        "法律依据",
        "的解析",
    ):
        assert text in feedback, text
    assert len(list((workspace.exchange_root / "fazhi" / "feedback").glob("*.html"))) == 3

    # 补考: the absent (CG004) and those who failed (CG002, CG003 late) may sit it
    run(
        "exam",
        "create",
        "e2e-bk",
        "--makeup-of",
        "e2e",
        "--opens",
        "2026-03-20 09:00",
        "--closes",
        "2026-03-28 18:00",
    )
    run("exam", "release", "e2e-bk")
    refused = cli(
        "exam",
        "import-answers",
        "e2e-bk",
        csv_file(tmp_path / "c.csv", HEADER, sheet_rows(workspace, "e2e-bk", "CG001", keys, True)),
        "--at",
        "2026-03-21 10:00",
        "-w",
        ws,
    )
    assert refused.exit_code == 2 and "CG001 不需要参加本场补考" in refused.stderr
    makeup = sheet_rows(workspace, "e2e-bk", "CG002", keys, True) + sheet_rows(
        workspace, "e2e-bk", "CG004", keys, True
    )
    run(
        "exam",
        "import-answers",
        "e2e-bk",
        csv_file(tmp_path / "d.csv", HEADER, makeup),
        "--at",
        "2026-03-21 10:00",
    )
    nbgrader(workspace, "autograde", "e2e-bk")

    run("report", "scores", "e2e", "--out", tmp_path / "final.csv")
    final = {r[0]: r[3:] for r in read_csv(tmp_path / "final.csv")[1:]}
    assert final["CG002"] == ["7", "7", "true", "2", "false"]  # the better result counts
    assert final["CG004"] == ["7", "7", "true", "2", "false"]
    assert final["CG003"] == ["7", "7", "false", "1", "true"]
    run("report", "scores", "e2e-bk", "--out", tmp_path / "bk.csv")
    assert [r[0] for r in read_csv(tmp_path / "bk.csv")[1:]] == ["CG002", "CG003", "CG004"]
    run("report", "items", "e2e-bk", "--out", tmp_path / "bk-items.csv")
    # first graded attempts only: CG002 had already sat the original
    assert sum(int(r[4]) for r in read_csv(tmp_path / "bk-items.csv")[1:]) == 5
    with db.session_scope(workspace) as session:
        results = sorted(
            (r.exam.name, r.officer.officer_id, r.attempt, r.passed)
            for r in session.scalars(select(ExamResult))
        )
    assert ("e2e", "CG002", 1, False) in results and ("e2e-bk", "CG002", 2, True) in results


def test_compliance_report_reads_grades_without_a_manual_sync(
    workspace, cli, test_bank, roster, keys, tmp_path, csv_file
) -> None:  # type: ignore[no-untyped-def]
    """After stock ``nbgrader autograde`` (fazhi not told), does the compliance report still
    count the exam, and does ``fazhi grade`` say it synced the results?"""
    ws = workspace.workspace

    def run(*args: object):  # type: ignore[no-untyped-def]
        result = cli(*args, "-w", ws)
        assert result.exit_code == 0, result.output
        return result

    window = ["--opens", "2026-03-01 09:00", "--closes", "2026-03-10 18:00"]
    run("exam", "create", "sync", "--bank", test_bank, *BLUEPRINT, *window)
    run("exam", "release", "sync")
    rows = sheet_rows(workspace, "sync", "CG001", keys, True)
    rows += sheet_rows(workspace, "sync", "CG002", keys, False)
    answers = csv_file(tmp_path / "a.csv", HEADER, rows)
    run("exam", "import-answers", "sync", answers, "--at", "2026-03-05 10:00")
    nbgrader(workspace, "autograde", "sync")

    out = tmp_path / "compliance.csv"
    run("report", "compliance", "--year", "2026", "--as-of", "2026-03-31", "--out", out)
    table = read_csv(out)
    column = {name: i for i, name in enumerate(table[0])}
    exams = {
        r[column["officer_id"]]: (r[column["exams_required"]], r[column["exams_passed"]])
        for r in table[1:]
    }
    assert exams["CG001"] == ("1", "1") and exams["CG002"] == ("1", "0")
    assert exams["CG003"] == ("1", "0")  # absent

    graded = run("grade", "sync", "--regrade")
    assert "考试成绩已同步到 fazhi 数据库（sync：2 人）" in graded.stdout


@pytest.fixture
def sqlite_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.delenv("FAZHI_DB_URL", raising=False)
    monkeypatch.delenv("FAZHI_WORKSPACE", raising=False)
    initialise(tmp_path / "ws")
    yield load_settings(tmp_path / "ws")
    db.dispose_engines()


CLICKS = """
from fazhi.kernel.paper import option_order
keys = {keys!r}
kinds = {{c: s["type"] for s in paper.spec["sections"] for c in s["candidates"]}}
for slot, code in paper.drawn.items():
    view, key, kind = sheet.items[code], keys[code], kinds[code]
    if kind in ("single", "multiple"):
        count = len(paper.spec["questions"][code]["options"])
        order = option_order(exam=paper.spec["exam"], seed=paper.spec["seed"],
                             officer=paper.officer, code=code, count=count)
        if kind == "single":
            view.control.set_state({{"index": order.index(key)}})
        else:
            for letter in key:
                view.control[order.index(letter)].set_state({{"value": True}})
    elif kind == "truefalse":
        view.control.set_state({{"index": 0 if key == "正确" else 1}})
    else:
        view.control.set_state({{"value": key.split("|")[-1]}})
"""


def test_officer_clicks_in_a_kernel_and_submits(
    sqlite_workspace, cli, tmp_path, bank_rows, en_header, csv_file, keys
) -> None:  # type: ignore[no-untyped-def]
    """Does an officer who fetches the paper, clicks the right answers in a real kernel (in the
    order the options were shown to them) and submits get full marks from stock autograde?"""
    settings = sqlite_workspace
    ws = settings.workspace
    assert (
        cli(
            "bank",
            "import",
            csv_file(tmp_path / "t.csv", en_header, bank_rows),
            "--bank",
            "t",
            "-w",
            ws,
        ).exit_code
        == 0
    )
    assert (
        cli(
            "exam", "create", "k1", "--bank", "t", *BLUEPRINT, "--minutes", "30", "-w", ws
        ).exit_code
        == 0
    )
    assert cli("exam", "release", "k1", "-w", ws).exit_code == 0
    home = tmp_path / "home"
    api = nbgrader_api(
        settings=settings, Exchange={"assignment_dir": str(home), "cache": str(home / ".cache")}
    )
    with temp_attrs(api.coursedir, assignment_id="k1"):
        fetched = capture_log(
            api.exchange.FetchAssignment(
                coursedir=api.coursedir, authenticator=api.authenticator, parent=api
            )
        )
    assert fetched["success"], fetched
    folder = home / "k1"
    nb = nbformat.read(folder / "k1.ipynb", as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(folder)}}
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        clicks = nbformat.v4.new_code_cell(CLICKS.format(keys=keys))
        nb.cells.append(clicks)
        client.execute_cell(clicks, len(nb.cells) - 1)
        nb.cells.pop()
    errors = [
        o
        for c in [*nb.cells, clicks]
        for o in c.get("outputs", [])
        if o.output_type == "error" or o.get("name") == "stderr"
    ]
    assert errors == []
    nbformat.write(nb, folder / "k1.ipynb")
    sheet = json.loads((folder / "k1.answers.json").read_text(encoding="utf-8"))
    assert sheet["officer"] == get_username() and len(sheet["answers"]) == 5

    with temp_attrs(api.coursedir, assignment_id="k1"):
        submitted = capture_log(
            api.exchange.Submit(
                coursedir=api.coursedir, authenticator=api.authenticator, parent=api
            )
        )
    assert submitted["success"], submitted
    assert api.collect("k1")["success"]
    nbgrader(settings, "autograde", "k1")
    with open_gradebook(settings) as gradebook:
        submission = gradebook.find_submission("k1", get_username())
        assert (submission.score, submission.max_score) == (7.0, 7.0)


SHOWN = """
import json
shown = {}
for code, view in sheet.items.items():
    if view.kind == "single":
        shown[code] = list(view.control.tooltips)
    elif view.kind == "multiple":
        shown[code] = [button.tooltip for button in view.control]
print("SHOWN" + json.dumps(shown, ensure_ascii=False))
"""

CLICK_ALL = """
keys = {keys!r}
for code, view in sheet.items.items():
    key = keys[code]
    if view.kind == "single":
        view.control.set_state({{"index": list(view.control._options_values).index(key)}})
    elif view.kind == "multiple":
        for letter in key:
            view.control[shown_letters[code].index(letter)].set_state({{"value": True}})
    elif view.kind == "truefalse":
        view.control.set_state({{"index": 0 if key == "正确" else 1}})
    else:
        view.control.set_state({{"value": key.split("|")[-1]}})
print(sheet._summaries[0].value)
"""


def test_all_mode_officer_sees_own_option_order_in_a_kernel(
    sqlite_workspace, cli, tmp_path, bank_rows, en_header, csv_file, keys
) -> None:  # type: ignore[no-untyped-def]
    """In an --all exam, does the officer's kernel show the options in the order fazhi's papers
    give that officer (not bank order), with a countdown and 已答 n/N, and do the right
    answers clicked in that order get full marks from stock autograde?"""
    settings = sqlite_workspace
    ws = settings.workspace
    bank = csv_file(tmp_path / "t.csv", en_header, bank_rows)
    assert cli("bank", "import", bank, "--bank", "t", "-w", ws).exit_code == 0
    create = ["exam", "create", "k2", "--bank", "t", "--all", "--minutes", "30", "-w", ws]
    assert cli(*create).exit_code == 0
    assert cli("exam", "release", "k2", "-w", ws).exit_code == 0
    home = tmp_path / "home"
    api = nbgrader_api(
        settings=settings, Exchange={"assignment_dir": str(home), "cache": str(home / ".cache")}
    )
    with temp_attrs(api.coursedir, assignment_id="k2"):
        fetched = capture_log(
            api.exchange.FetchAssignment(
                coursedir=api.coursedir, authenticator=api.authenticator, parent=api
            )
        )
    assert fetched["success"], fetched
    folder = home / "k2"
    nb = nbformat.read(folder / "k2.ipynb", as_version=4)
    released = "\n".join(cell.source for cell in nb.cells)
    assert "甲项" not in released.split("sheet.single")[0]  # no option list in bank order
    with db.session_scope(settings) as session:
        paper = {
            item.version.code: [item.version.options["ABCDEF".index(c)] for c in item.options]
            for item in officer_paper(get_exam(session, "k2"), get_username())
            if item.options
        }
        letters = {
            item.version.code: item.options
            for item in officer_paper(get_exam(session, "k2"), get_username())
            if item.options
        }
    client = NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(folder)}}
    )
    outputs = []
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        for source in (SHOWN, f"shown_letters = {letters!r}\n" + CLICK_ALL.format(keys=keys)):
            extra = nbformat.v4.new_code_cell(source)
            nb.cells.append(extra)
            client.execute_cell(extra, len(nb.cells) - 1)
            outputs.append("".join(o.get("text", "") for o in extra.outputs))
            nb.cells.pop()
    shown = json.loads(outputs[0].split("SHOWN", 1)[1])
    assert shown == paper and any(
        order != ["甲项", "乙项", "丙项", "丁项"] for order in shown.values()
    )
    assert "已答 13/13 题，全部作答完毕" in outputs[1]  # the essay T-13 typed in its text box
    countdown = next(c for c in nb.cells if "sheet.countdown(30)" in c.source)
    assert "剩余时间" in json.dumps(countdown.outputs, ensure_ascii=False)
    nbformat.write(nb, folder / "k2.ipynb")
    with temp_attrs(api.coursedir, assignment_id="k2"):
        submitted = capture_log(
            api.exchange.Submit(
                coursedir=api.coursedir, authenticator=api.authenticator, parent=api
            )
        )
    assert submitted["success"], submitted
    assert api.collect("k2")["success"]
    nbgrader(settings, "autograde", "k2")
    with open_gradebook(settings) as gradebook:
        submission = gradebook.find_submission("k2", get_username())
        assert (submission.score, submission.max_score) == (17.0, 22.0)  # essay T-13 ungraded
        assert submission.needs_manual_grade  # the typed essay awaits a grader
