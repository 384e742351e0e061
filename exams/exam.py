"""Creating exams (全部题目 or a blueprint draw), makeups, and the year's bimonthly schedule."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fazhi.errors import UserError
from fazhi.identifiers import EXAM_NAME_PATTERN
from fazhi.models.bank import QuestionVersion, current_questions
from fazhi.models.exam import Exam, ExamBank, ExamCandidate, ExamSection
from fazhi.tabular import LOCAL_TZ, check_year

from .blueprint import BlueprintRow, Section, all_questions, resolve
from .store import get_bank

NAME_PATTERN = EXAM_NAME_PATTERN  # the one rule (fazhi.identifiers): names become folders


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A time from the database as an aware UTC datetime (SQLite hands back naive UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def parse_pass_mark(text: str | float) -> float:
    """``0.6``, ``60%`` or ``60`` → 0.6."""
    raw = str(text).strip().replace("％", "%")
    try:
        value = float(raw.rstrip("%"))
    except ValueError:
        raise UserError(f"及格线“{text}”无效：应为比例（如 0.6）或百分数（如 60%）") from None
    if raw.endswith("%") or value > 1:
        value /= 100
    if not 0 < value <= 1:
        raise UserError(f"及格线“{text}”无效：应在 0 到 100% 之间")
    return value


def default_seed(name: str) -> int:
    """A stable seed from the exam's name (papers are reproducible without --seed)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big") >> 1


def exam_query(name: str):  # type: ignore[no-untyped-def]
    return (
        select(Exam)
        .where(Exam.name == name)
        .options(
            selectinload(Exam.sections)
            .selectinload(ExamSection.candidates)
            .selectinload(ExamCandidate.version)
            .selectinload(QuestionVersion.question),
            selectinload(Exam.banks).selectinload(ExamBank.bank),
        )
    )


def find_exam(session: Session, name: str) -> Exam | None:
    return session.scalar(exam_query(name))


def get_exam(session: Session, name: str) -> Exam:
    exam = find_exam(session, name)
    if exam is None:
        known = "、".join(session.scalars(select(Exam.name).order_by(Exam.name))) or "（无）"
        raise UserError(f"没有编号为“{name}”的考试。已有考试：{known}")
    return exam


def attempt_of(exam: Exam) -> int:
    """1 for an original exam, 2 for its makeup, 3 for a makeup of the makeup..."""
    attempt = 1
    while exam.makeup_of is not None:
        exam, attempt = exam.makeup_of, attempt + 1
    return attempt


def root_of(exam: Exam) -> Exam:
    while exam.makeup_of is not None:
        exam = exam.makeup_of
    return exam


def _bank_questions(session: Session, banks: Sequence[str]) -> list[QuestionVersion]:
    """Current questions of the banks, in bank order; 题号 must be unique across them."""
    questions: list[QuestionVersion] = []
    owner: dict[str, str] = {}
    clashes = []
    for name in banks:
        for version in current_questions(get_bank(session, name)):
            if version.code in owner:
                clashes.append(f"{version.code}（{owner[version.code]}、{name}）")
            owner.setdefault(version.code, name)
            questions.append(version)
    if clashes:
        raise UserError("所选题库中有重复的题号，不能组成一场考试：" + "、".join(clashes[:10]))
    return questions


@dataclass(frozen=True)
class ExamPlan:
    """What ``fazhi exam create`` asks for (validated by ``create_exam``)."""

    name: str
    banks: Sequence[str] = ()
    all_questions: bool = False
    blueprint: Sequence[BlueprintRow] = ()
    seed: int | None = None
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    minutes: int | None = None
    pass_mark: float = 0.6
    makeup_of: str | None = None
    title: str | None = None


def _check_plan(plan: ExamPlan, original: Exam | None) -> None:
    if not NAME_PATTERN.match(plan.name):
        raise UserError(
            f"考试编号“{plan.name}”无效：只能使用英文字母、数字、- 和 _（如 2026-02），"
            "它也是 nbgrader 的作业名"
        )
    if plan.all_questions and plan.blueprint:
        raise UserError("--all 与组卷蓝图（--count/--blueprint）只能选一个")
    if not (0 < plan.pass_mark <= 1):
        raise UserError(f"及格线 {plan.pass_mark} 无效：应为满分的比例，如 0.6（或 60%）")
    if plan.minutes is not None and plan.minutes <= 0:
        raise UserError(f"答题时限 {plan.minutes} 分钟无效：应为正整数")
    if plan.opens and plan.closes and plan.closes <= plan.opens:
        raise UserError(f"截止时间 {plan.closes} 不晚于开考时间 {plan.opens}")
    original_closes = aware(original.closes) if original is not None else None
    if original_closes and plan.opens and plan.opens < original_closes:
        raise UserError(
            f"补考的开考时间 {plan.opens:%Y-%m-%d %H:%M} 早于原考试“{original.name}”的"
            f"截止时间 {original_closes.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"
        )


def _sections(session: Session, plan: ExamPlan, original: Exam | None) -> tuple[list, str, list]:
    banks = list(plan.banks) or ([b.bank.name for b in original.banks] if original else [])
    if not banks:
        raise UserError("请用 --bank 指定题库（可重复指定多个题库）")
    questions = _bank_questions(session, banks)
    if plan.all_questions:
        return all_questions(questions), "all", banks
    if plan.blueprint:
        return resolve(plan.blueprint, questions), "blueprint", banks
    if original is not None:  # a makeup repeats the original's way of setting the paper
        if original.mode == "all":
            return all_questions(questions), "all", banks
        rows = [
            BlueprintRow(**row, source=f"原考试蓝图第 {i} 行")
            for i, row in enumerate(original.blueprint, start=1)
        ]
        return resolve(rows, questions), "blueprint", banks
    raise UserError("请指定 --all（全部题目）或组卷蓝图（--count 题型=题数 或 --blueprint 文件）")


def create_exam(session: Session, plan: ExamPlan, *, now: dt.datetime | None = None) -> Exam:
    """Create the exam and freeze its sections' candidate question versions."""
    original = get_exam(session, plan.makeup_of) if plan.makeup_of else None
    _check_plan(plan, original)
    if find_exam(session, plan.name) is not None:
        raise UserError(f"考试“{plan.name}”已存在")
    sections, mode, banks = _sections(session, plan, original)
    if not sections:
        raise UserError("所选题库中没有题目")
    title = plan.title or (f"{original.title}（补考）" if original else f"{plan.name} 法律知识考试")
    blueprint = [s.row.record() for s in sections] if mode == "blueprint" else []
    bank_rows = [get_bank(session, name) for name in banks]  # query before building the graph
    exam = Exam(
        name=plan.name,
        title=title,
        mode=mode,
        seed=default_seed(plan.name) if plan.seed is None else plan.seed,
        opens=aware(plan.opens),
        closes=aware(plan.closes),
        minutes=plan.minutes,
        pass_mark=plan.pass_mark,
        makeup_of=original,
        blueprint=blueprint,
        created_at=now or dt.datetime.now(dt.UTC),
    )
    for position, bank in enumerate(bank_rows, start=1):
        exam.banks.append(ExamBank(bank=bank, position=position))
    for position, section in enumerate(sections, start=1):
        exam.sections.append(_section_row(position, section))
    session.add(exam)
    session.flush()
    return exam


def _section_row(position: int, section: Section) -> ExamSection:
    row = ExamSection(
        position=position,
        type=section.row.type,
        topic=section.row.topic,
        difficulty=section.row.difficulty,
        count=section.row.count,
        points=section.points,
    )
    for index, version in enumerate(section.candidates, start=1):
        row.candidates.append(ExamCandidate(version=version, position=index))
    return row


def _local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ)


def schedule_year(
    session: Session,
    *,
    year: int,
    interval_months: int,
    template: ExamPlan,
) -> list[Exam]:
    """The year's periodic exams and their makeups (补考), named ``<year>-<MM>`` / ``-bk``.

    Exam months are every ``interval_months`` (2 → Feb, Apr, ..., Dec). Each exam is open
    from the 1st 09:00 to the 10th 18:00; its makeup from the 20th 09:00 to the 28th 18:00.
    Exams that already exist are left as they are (the helper can be run again).
    """
    if not 1 <= interval_months <= 12:
        raise UserError(f"考试间隔 {interval_months} 个月无效")
    try:
        check_year(year)
    except ValueError as err:
        raise UserError(str(err)) from None
    created = []
    for number, month in enumerate(range(interval_months, 13, interval_months), start=1):
        name = f"{year}-{month:02d}"
        makeup = f"{name}-bk"
        first = dt.date(year, month, 1)
        if find_exam(session, name) is None:
            plan = ExamPlan(
                **{
                    **template.__dict__,
                    "name": name,
                    "title": f"{year}年第{number}期法律知识考试",
                    "opens": _local(first, 9),
                    "closes": _local(first.replace(day=10), 18),
                    "makeup_of": None,
                    "seed": None,
                }
            )
            created.append(create_exam(session, plan))
        if find_exam(session, makeup) is None:
            plan = ExamPlan(
                name=makeup,
                opens=_local(first.replace(day=20), 9),
                closes=_local(first.replace(day=28), 18),
                minutes=template.minutes,
                pass_mark=template.pass_mark,
                makeup_of=name,
            )
            created.append(create_exam(session, plan))
    return created
