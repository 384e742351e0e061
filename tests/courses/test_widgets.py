"""The answering widgets: what a click records, what comes back, what practice mode shows.

Fast tests drive the widgets in-process through ``set_state`` (the path a browser click
takes into the kernel); the slow test runs a compiled module in a real kernel twice.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from fazhi.kernel.answers import load_sheet
from fazhi.kernel.paper import option_order
from fazhi.kernel.progress import countdown_text
from fazhi.kernel.sheet import Sheet

OPTIONS = {"A": "警告", "B": "责令改正", "C": "罚款", "D": "行政拘留"}


def _answers(directory: Path, name: str = "s") -> dict[str, object]:
    sheet = load_sheet(directory / f"{name}.answers.json")
    return {item: entry["value"] for item, entry in sheet["answers"].items()}


def _answer_everything(sheet: Sheet) -> None:
    sheet.single("q-single", options=OPTIONS)
    sheet.multiple("q-multiple", options="ABCD")
    sheet.truefalse("q-tf")
    sheet.fill("q-fill")
    sheet.number("q-number")
    sheet.choice("q-choice", labels=["简易程序", "一般程序"])
    sheet.checklist("q-check", items=["甲", "乙", "丙"])


def test_clicks_record_canonical_values(tmp_path: Path) -> None:
    """Does each widget store what the contract says (letters, 正确/错误, text, number, indices)?"""
    sheet = Sheet("s", mode="exam", directory=tmp_path)
    _answer_everything(sheet)
    items = sheet.items
    items["q-single"].control.set_state({"index": 1})
    items["q-multiple"].control[3].set_state({"value": True})
    items["q-multiple"].control[0].set_state({"value": True})
    items["q-tf"].control.set_state({"index": 1})
    items["q-fill"].control.set_state({"value": "  二百 "})
    items["q-number"].control.set_state({"value": "1,500"})
    items["q-choice"].control.set_state({"index": 0})
    items["q-check"].control[2].set_state({"value": True})
    items["q-check"].control[0].set_state({"value": True})
    assert _answers(tmp_path) == {
        "q-single": "B",
        "q-multiple": "AD",
        "q-tf": "错误",
        "q-fill": "二百",
        "q-number": 1500,
        "q-choice": "简易程序",
        "q-check": [0, 2],
    }
    assert "已自动保存" in items["q-fill"].status.value
    assert all(view.feedback is None and view.check is None for view in items.values())


def test_reopened_sheet_restores_every_answer(tmp_path: Path) -> None:
    """After a restart, does a new Sheet show the stored answers without re-recording them?"""
    first = Sheet("s", mode="exam", directory=tmp_path)
    _answer_everything(first)
    first.items["q-single"].control.set_state({"index": 2})
    first.items["q-multiple"].control[1].set_state({"value": True})
    first.items["q-fill"].control.set_state({"value": "答案"})
    first.items["q-number"].control.set_state({"value": "2000"})
    first.items["q-check"].control[1].set_state({"value": True})
    before = (tmp_path / "s.answers.json").read_text(encoding="utf-8")

    second = Sheet("s", mode="exam", directory=tmp_path)
    _answer_everything(second)
    items = second.items
    assert items["q-single"].control.value == "C"
    assert [b.value for b in items["q-multiple"].control] == [False, True, False, False]
    assert items["q-fill"].control.value == "答案"
    assert items["q-number"].control.value == "2000"
    assert [b.value for b in items["q-check"].control] == [False, True, False]
    assert items["q-tf"].control.value is None and items["q-tf"].status.value == ""
    assert "已恢复" in items["q-single"].status.value
    assert (tmp_path / "s.answers.json").read_text(encoding="utf-8") == before


def test_permuted_options_store_the_bank_letter(tmp_path: Path) -> None:
    """When a paper shows options permuted, is the bank's canonical letter stored?"""
    sheet = Sheet("s", mode="exam", directory=tmp_path)
    sheet.single("q", options={"C": "罚款", "A": "警告", "B": "责令改正"})
    control = sheet.items["q"].control
    assert [label for label, _ in control.options] == ["A．罚款", "B．警告", "C．责令改正"]
    control.set_state({"index": 0})
    assert _answers(tmp_path) == {"q": "C"}


def test_choice_buttons_show_option_text_and_mark_the_selection(tmp_path: Path) -> None:
    """Do choice buttons carry the option text, and is the chosen one (only) marked?"""
    sheet = Sheet("s", mode="exam", directory=tmp_path)
    sheet.single("q1", options=OPTIONS)
    sheet.multiple("q2", options=OPTIONS)
    single, multiple = sheet.items["q1"].control, sheet.items["q2"].control
    assert [button.description for button in multiple] == [
        "A．警告",
        "B．责令改正",
        "C．罚款",
        "D．行政拘留",
    ]
    single.set_state({"index": 2})
    assert list(single.icons) == ["", "", "check", ""]
    single.set_state({"index": 0})
    assert list(single.icons) == ["check", "", "", ""]
    multiple[1].set_state({"value": True})
    assert (multiple[1].button_style, multiple[1].icon) == ("info", "check")
    assert (multiple[0].button_style, multiple[0].icon) == ("", "")
    multiple[1].set_state({"value": False})
    assert (multiple[1].button_style, multiple[1].icon) == ("", "")
    reopened = Sheet("s", mode="exam", directory=tmp_path)
    reopened.single("q1", options=OPTIONS)
    assert list(reopened.items["q1"].control.icons) == ["check", "", "", ""]


def test_shuffle_seed_orders_options_per_officer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With an exam's seed, does each officer see their own option order, recorded and
    reproducible, while the stored answer stays the bank's letter?"""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    orders = {}
    for officer in ("CG0001", "CG0002", "CG0003", "CG0004", "CG0005"):
        monkeypatch.setattr("nbgrader.utils.get_osusername", lambda officer=officer: officer)
        folder = tmp_path / officer
        sheet = Sheet("2026-02", mode="exam", directory=folder)
        sheet.single("PEN-001", options=OPTIONS, shuffle_seed=7)
        control = sheet.items["PEN-001"].control
        order = "".join(control._options_values)
        assert order == option_order(
            exam="2026-02", seed=7, officer=officer, code="PEN-001", count=4
        )
        assert [label[0] for label, _ in control._options_full] == list("ABCD")
        assert load_sheet(folder / "2026-02.answers.json")["officer"] == officer
        control.set_state({"index": order.index("B")})
        assert _answers(folder, "2026-02") == {"PEN-001": "B"}
        orders[officer] = order
    assert len(set(orders.values())) > 1
    monkeypatch.setattr("nbgrader.utils.get_osusername", lambda: "someone-else")
    again = Sheet("2026-02", mode="exam", directory=tmp_path / "CG0003")
    again.single("PEN-001", options=OPTIONS, shuffle_seed=7)
    assert "".join(again.items["PEN-001"].control._options_values) == orders["CG0003"]


def test_summary_counts_answers_and_names_the_unanswered(tmp_path: Path) -> None:
    """Does 已答 n/N follow every answer and name the unanswered questions by number?"""
    sheet = Sheet("s", mode="exam", directory=tmp_path)
    sheet.single("q1", options=OPTIONS)
    sheet.truefalse("q2")
    sheet.fill("q3")
    sheet.summary()
    summary = sheet._summaries[0]
    assert "已答 0/3 题" in summary.value and "第 1、2、3 题" in summary.value
    sheet.items["q2"].control.set_state({"index": 0})
    assert "已答 1/3 题" in summary.value and "第 1、3 题" in summary.value
    sheet.items["q1"].control.set_state({"index": 1})
    sheet.items["q3"].control.set_state({"value": "二百"})
    assert "已答 3/3 题，全部作答完毕" in summary.value and "简答题" not in summary.value
    sheet.items["q3"].control.set_state({"value": ""})
    sheet.summary(written=[2, 5])  # numbers skip the written questions: q1=1, q2=3, q3=4
    latest = sheet._summaries[-1].value
    assert "已答 2/3 题。未答：第 4 题。简答题（第 2、5 题）在题目下方的单元格中作答" in latest


def test_countdown_counts_down_from_the_first_opening() -> None:
    """Does the countdown give whole minutes left in Beijing time, and say when time is up?"""
    started = dt.datetime(2026, 2, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
    text = countdown_text(started, 60, started + dt.timedelta(minutes=17, seconds=30))
    assert "约 43 分钟" in text and "09:00 开始计时" in text and "10:00 截止" in text
    assert "答题时间已到" in countdown_text(started, 60, started + dt.timedelta(minutes=61))


def test_countdown_ticks_until_time_is_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Does the running countdown refresh itself and say so when the time limit passes?"""
    monkeypatch.setattr("fazhi.kernel.progress.COUNTDOWN_TICK_SECONDS", 0.05)
    sheet = Sheet("s", directory=tmp_path)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1, seconds=-1)
    data = load_sheet(tmp_path / "s.answers.json")
    data["started_at"] = started.isoformat(timespec="seconds")
    (tmp_path / "s.answers.json").write_text(json.dumps(data), encoding="utf-8")
    sheet.countdown(1)
    assert sheet.clock is not None and "约 1 分钟" in sheet.clock.value
    deadline = time.monotonic() + 10
    while "答题时间已到" not in sheet.clock.value and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "答题时间已到" in sheet.clock.value


def test_countdown_and_summary_show_nothing_while_grading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under nbgrader's execution, do the countdown and summary stay silent (no thread)?"""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    sheet = Sheet("s", directory=tmp_path)
    sheet.countdown(60)
    sheet.summary()
    assert sheet._summaries == [] and not (tmp_path / "s.answers.json").exists()


def test_started_at_is_kept_across_reopening(tmp_path: Path) -> None:
    """Is started_at written the first time the paper opens and never moved later?"""
    Sheet("s", directory=tmp_path)
    started = load_sheet(tmp_path / "s.answers.json")["started_at"]
    data = json.loads((tmp_path / "s.answers.json").read_text(encoding="utf-8"))
    data["started_at"] = "2026-01-01T00:00:00+00:00"
    (tmp_path / "s.answers.json").write_text(json.dumps(data), encoding="utf-8")
    Sheet("s", directory=tmp_path)
    assert started and load_sheet(tmp_path / "s.answers.json")["started_at"].startswith(
        "2026-01-01"
    )


def test_number_rejects_text_and_clearing_unanswers(tmp_path: Path) -> None:
    """Is non-numeric input refused with a hint, and a cleared box stored as unanswered?"""
    sheet = Sheet("s", directory=tmp_path)
    sheet.number("fine")
    view = sheet.items["fine"]
    view.control.set_state({"value": "两千"})
    assert "请输入数字" in view.status.value and _answers(tmp_path) == {}
    view.control.set_state({"value": "2000元"})
    assert _answers(tmp_path) == {"fine": 2000}
    view.control.set_state({"value": ""})
    assert _answers(tmp_path) == {"fine": ""}
    assert sheet.score("fine", kind="range", low=0, high=5000, points=2) == 0.0


def test_practice_feedback_shows_verdict_explanation_and_article(tmp_path: Path) -> None:
    """Does practice mode say right/wrong at once, with the key, 解析 and the article?"""
    sheet = Sheet("m", mode="practice", directory=tmp_path)
    sheet.single("q1", options=OPTIONS, key="B", explanation="解析甲", basis="《行政处罚法》第九条")
    view = sheet.items["q1"]
    view.control.set_state({"index": 0})
    assert "回答错误" in view.feedback.value and "正确答案：</b>B" in view.feedback.value
    view.control.set_state({"index": 1})
    assert "回答正确" in view.feedback.value
    assert "解析甲" in view.feedback.value and "《行政处罚法》第九条" in view.feedback.value


def test_practice_multiple_and_fill_wait_for_check(tmp_path: Path) -> None:
    """Do multi-step items show feedback only on 核对答案, with half credit called partial?"""
    sheet = Sheet("m", mode="practice", directory=tmp_path)
    sheet.multiple("q2", options="ABCD", key="ABD", explanation="乙", basis="丙")
    sheet.fill("q3", key="二百|200", explanation="丁", basis="戊")
    sheet.checklist("q4", items=["一", "二", "三"], key=[0, 2], explanation="己")
    multiple, fill, checklist = (sheet.items[i] for i in ("q2", "q3", "q4"))
    multiple.check.click()
    assert "请先作答" in multiple.feedback.value
    multiple.control[0].set_state({"value": True})
    assert multiple.feedback.value == ""
    multiple.check.click()
    assert "部分正确" in multiple.feedback.value
    fill.control.set_state({"value": "２００"})
    fill.check.click()
    assert "回答正确" in fill.feedback.value and "二百 或 200" in fill.feedback.value
    checklist.control[1].set_state({"value": True})
    checklist.check.click()
    assert "回答错误" in checklist.feedback.value and "第 1 项、第 3 项" in checklist.feedback.value


def test_exam_mode_takes_no_key(tmp_path: Path) -> None:
    """Does an exam-mode widget refuse a key, so no key can reach an exam release?"""
    sheet = Sheet("e", mode="exam", directory=tmp_path)
    with pytest.raises(ValueError, match="exam-mode"):
        sheet.single("q1", options="ABCD", key="B")
    with pytest.raises(ValueError, match="mode"):
        Sheet("e", mode="graded", directory=tmp_path)


def test_nbgrader_execution_only_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under nbgrader's own execution, does the sheet score the file but never write it?"""
    sheet = Sheet("s", directory=tmp_path)
    sheet.single("q", options="ABCD")
    sheet.items["q"].control.set_state({"index": 1})
    before = (tmp_path / "s.answers.json").read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    grading = Sheet("s", directory=tmp_path)
    grading.single("q", options="ABCD")
    grading.items["q"].control.set_state({"index": 3})
    assert (tmp_path / "s.answers.json").read_bytes() == before
    assert grading.score("q", kind="single", key="B", points=1) == 1.0
    Sheet("never-opened", directory=tmp_path)
    assert not (tmp_path / "never-opened.answers.json").exists()


@pytest.mark.slow
def test_practice_module_in_a_real_kernel(tmp_path: Path, data_dir: Path, kernel) -> None:  # type: ignore[no-untyped-def]
    """In a real kernel, does a module give feedback on a click and restore it after restart?"""
    from fazhi.courses.compile import compile_content
    from fazhi.courses.module import load_module

    path = compile_content(load_module(data_dir / "sample-module.md"), source_dir=tmp_path)
    clicked = kernel(
        path,
        then="""
sheet.items["t01-q1"].control.set_state({"index": 1})
sheet.items["t01-q2"].control[0].set_state({"value": True})
sheet.items["t01-q2"].check.click()
print(sheet.items["t01-q1"].feedback.value)
print(sheet.items["t01-q2"].feedback.value)
""",
    )
    assert "回答正确" in clicked and "解析甲" in clicked and "《行政处罚法》第五十一条" in clicked
    assert "部分正确" in clicked
    restored = kernel(path, then='print(sheet.items["t01-q1"].feedback.value)')
    assert "回答正确" in restored
    assert _answers(path.parent, "t01-sample") == {"t01-q1": "B", "t01-q2": "A"}


def test_bad_option_letters_are_refused(tmp_path: Path) -> None:
    """Are repeated or unknown option letters refused before anything is shown?"""
    sheet = Sheet("s", directory=tmp_path)
    with pytest.raises(ValueError, match="twice"):
        sheet.single("q", options="ABA")
    with pytest.raises(ValueError, match="among"):
        sheet.multiple("q", options={"A": "甲", "G": "乙"})
    assert sheet.items == {}
