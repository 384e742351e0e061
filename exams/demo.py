"""Demo step: one bimonthly exam from the bundled banks, sat by the demo bureau's officers.

Creates the latest bimonthly exam that has closed by ``today`` (a blueprint: per-officer
papers), releases it, simulates the officers' answer sheets (ability × difficulty, a few
absent, a couple late) through ``import-answers``, grades them with ``fazhi grade`` (the
same gradebook rows as ``nbgrader autograde``), releases feedback and writes the reports
into ``demo-data/``. The demo officer's own answers go through the nbgrader exchange as an
on-time online submission, so their Assignments tab shows the exam submitted and fetches its
feedback.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import secrets
import shutil
from pathlib import Path

from fazhi import db
from fazhi.errors import UserError
from fazhi.grading.grade import grade
from fazhi.officer_lab import prepare_officer_lab
from fazhi.rules import load_rules
from fazhi.settings import Settings
from fazhi.tabular import LOCAL_TZ

from .blueprint import blueprint_rows
from .draws import PaperItem, officer_paper
from .exam import ExamPlan, create_exam, get_exam
from .feedback import release_feedback
from .release import release_exam
from .reports import write_items, write_scores
from .results import required_officers
from .store import list_banks
from .submissions import import_answers

BLUEPRINT = ["单选=15", "多选=5", "判断=10", "填空=5"]
POINTS = ["单选=1", "多选=2", "判断=1", "填空=2"]
DIFFICULTY = {"易": -1.2, "中": 0.0, "难": 1.0, "": 0.0}


def demo_period(today: dt.date, interval: int) -> tuple[int, int, int]:
    """(year, month, number in year) of the latest exam whose window (1st–10th) has closed."""
    year, month = today.year, today.month
    while True:
        if month % interval == 0 and dt.date(year, month, 10) < today:
            return year, month, month // interval
        month -= 1
        if month == 0:
            year, month = year - 1, 12


def _wrong_choice(rng: random.Random, item: PaperItem) -> str:
    letters = item.options
    key = item.version.answer
    if item.version.type == "multiple" and rng.random() < 0.5:
        return "".join(sorted(rng.sample(key, len(key) - 1)))  # a strict subset: half marks
    others = [x for x in letters if x not in key] or list(letters)
    return rng.choice(others) + ("" if item.version.type == "single" else rng.choice(key))


def simulated_response(rng: random.Random, ability: float, item: PaperItem) -> str:
    """A plausible answer-card entry: correct with a logistic probability, else a slip."""
    version = item.version
    chance = 1 / (1 + math.exp(-1.7 * (ability - DIFFICULTY.get(version.difficulty, 0.0))))
    if rng.random() < 0.03:
        return ""  # left blank
    if rng.random() < chance:
        return version.answer.split("|")[0]
    if version.type in ("single", "multiple"):
        return _wrong_choice(rng, item)
    if version.type == "truefalse":
        return "错误" if version.answer == "正确" else "正确"
    return rng.choice(["不清楚", "十五", "行政机关", "三十日"])


def _write_sheet(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工号", "题号", "作答"])
        writer.writerows(rows)
    return path


def submit_through_exchange(settings: Settings, *, exam: str, at: dt.datetime) -> None:
    """File the demo officer's imported answers as their own nbgrader submission at ``at``.

    ``import_answers`` built ``submitted/<officer>/<exam>/``; this puts the same folder where
    an online submission leaves it: the exchange's inbound, the officer's nbgrader cache (what
    "获取反馈" looks up) and, as fetched, their own directory. The timestamp is nbgrader's own
    UTC format, the one its inbound and cache folder names can carry.
    """
    lab = prepare_officer_lab(settings)
    submitted = settings.workspace / "submitted" / lab.officer / exam
    stamp = at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    (submitted / "timestamp.txt").write_text(stamp)
    name = f"{lab.officer}+{exam}+{stamp}"
    course = settings.exchange_root / settings.course_id
    targets = [
        course / "inbound" / f"{name}+{secrets.token_hex(8)}",
        lab.nbgrader_cache / settings.course_id / name,
    ]
    for target in targets:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(submitted, target)
    fetched = lab.home / exam
    shutil.rmtree(fetched, ignore_errors=True)
    shutil.copytree(
        submitted, fetched, ignore=shutil.ignore_patterns("timestamp.txt", "submission_secret.txt")
    )


def populate(settings: Settings, today: dt.date) -> str:
    rules = load_rules(settings.rules_path)
    year, month, number = demo_period(today, rules.exam_interval_months)
    name = f"{year}-{month:02d}"
    opens = dt.datetime(year, month, 1, 9, tzinfo=LOCAL_TZ)
    closes = dt.datetime(year, month, 10, 18, tzinfo=LOCAL_TZ)
    data = settings.workspace / "demo-data"
    rng = random.Random(f"fazhi-demo-{name}")
    with db.session_scope(settings) as session:
        banks = [bank for bank, count in list_banks(session) if count]
        plan = ExamPlan(
            name=name,
            title=f"{year}年第{number}期法律知识考试",
            banks=banks,
            blueprint=blueprint_rows(counts=BLUEPRINT, points=POINTS, path=None),
            opens=opens,
            closes=closes,
            minutes=60,
            pass_mark=rules.exam_pass_mark,
        )
        create_exam(session, plan)
    with db.session_scope(settings) as session:
        release_exam(session, settings, exam=name, now=opens.astimezone(dt.UTC))
        exam = get_exam(session, name)
        required = sorted(required_officers(session, exam))
        on_time: list[list[str]] = []
        late: list[list[str]] = []
        for officer in required:
            if rng.random() < 0.06 and officer != settings.officer:
                continue  # absent: eligible for the makeup (the demo officer sat it)
            ability = rng.gauss(0.4, 1.0)
            rows = late if rng.random() < 0.04 and officer != settings.officer else on_time
            for item in officer_paper(exam, officer):
                rows.append([officer, item.version.code, simulated_response(rng, ability, item)])
    sheets = [(_write_sheet(data / "答题卡.csv", on_time), opens + dt.timedelta(minutes=50))]
    if late:
        sheets.append(
            (_write_sheet(data / "答题卡-迟交.csv", late), closes + dt.timedelta(hours=2))
        )
    for path, handed_in in sheets:
        with db.session_scope(settings) as session:
            import_answers(session, settings, exam=name, path=path, at=handed_in)
    if settings.officer in required:
        submit_through_exchange(settings, exam=name, at=sheets[0][1])
    graded = grade(workspace=settings.workspace, assignment=name, workers=2, progress=False)
    if graded.failed:
        raise UserError(f"演示考试评分失败：{graded.summary()}")
    with db.session_scope(settings) as session:
        written = release_feedback(session, settings, exam=name)
        write_scores(session, settings, exam=name, fmt="html", out=data / "成绩表.html")
        write_scores(session, settings, exam=name, fmt="csv", out=data / "成绩表.csv")
        report = write_items(session, settings, exam=name, fmt="html", out=data / "试题分析.html")
    alpha = "—" if report.alpha is None else f"{report.alpha:.2f}"
    questions = sum(int(spec.split("=")[1]) for spec in BLUEPRINT)
    return (
        f"考试 {name}（{plan.title}）：应考 {len(required)} 人，实考 {written} 人，"
        f"每人 {questions} 题（题目和选项顺序各不相同）；Cronbach α = {alpha}；"
        "报表见 demo-data/成绩表.html、demo-data/试题分析.html"
    )


SPOT_SIZE = 5  # officers drawn for the 抽查


def populate_spot_check(settings: Settings, today: dt.date) -> str:
    """A 3-question 法制员抽查测试 for 5 staff drawn at random (seeded, recorded): only they
    must sit it, so ``exams_required`` grows for them alone."""
    from fazhi.audience import AudienceSpec, describe, drawn_officers, set_audience

    rules = load_rules(settings.rules_path)
    opens = dt.datetime.combine(today - dt.timedelta(days=21), dt.time(9), LOCAL_TZ)
    closes = dt.datetime.combine(today - dt.timedelta(days=14), dt.time(18), LOCAL_TZ)
    name = f"spot-{closes:%Y-%m}"
    spec = AudienceSpec(roles=("staff",), sample_size=SPOT_SIZE)
    with db.session_scope(settings) as session:
        banks = [bank for bank, count in list_banks(session) if count]
        plan = ExamPlan(
            name=name,
            title="法制员抽查测试",
            banks=banks,
            blueprint=blueprint_rows(counts=["单选=3"], points=["单选=1"], path=None),
            opens=opens,
            closes=closes,
            minutes=10,
            pass_mark=rules.exam_pass_mark,
        )
        record = create_exam(session, plan)
        set_audience(session, target="exam", name=name, spec=spec, seed=record.seed, today=today)
    with db.session_scope(settings) as session:
        release_exam(session, settings, exam=name, now=opens.astimezone(dt.UTC))
        exam = get_exam(session, name)
        drawn = drawn_officers(session, "exam", name)
        rng = random.Random(f"fazhi-demo-{name}")
        rows = [
            [officer, item.version.code, simulated_response(rng, rng.gauss(0.2, 1.0), item)]
            for officer in drawn
            for item in officer_paper(exam, officer)
        ]
    sheet = _write_sheet(settings.workspace / "demo-data" / "抽查答题卡.csv", rows)
    handed_in = opens + dt.timedelta(minutes=8)
    with db.session_scope(settings) as session:
        import_answers(session, settings, exam=name, path=sheet, at=handed_in)
    if settings.officer in drawn:
        submit_through_exchange(settings, exam=name, at=handed_in)
    graded = grade(workspace=settings.workspace, assignment=name, workers=1, progress=False)
    if graded.failed:
        raise UserError(f"演示抽查评分失败：{graded.summary()}")
    with db.session_scope(settings) as session:
        out = settings.workspace / "demo-data" / "抽查成绩表.html"
        write_scores(session, settings, exam=name, fmt="html", out=out)
    return (
        f"抽查考试 {name}（{plan.title}，3 题）：适用对象为{describe(spec)}，"
        f"抽中 {'、'.join(drawn)}（已记录；只计入这 {len(drawn)} 人的应考场数）；"
        "成绩见 demo-data/抽查成绩表.html"
    )
