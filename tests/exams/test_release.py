"""Release: never keys, hidden tests or 解析; byte-identical for banks differing only in keys
and for two builds of the same bank (nbgrader generate_assignment + release_assignment)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import func, select

from fazhi import db
from fazhi.cli.setup import initialise
from fazhi.errors import InputErrors
from fazhi.exams.blueprint import blueprint_rows
from fazhi.exams.compile import build_source
from fazhi.exams.exam import ExamPlan, create_exam, get_exam
from fazhi.exams.release import release_exam
from fazhi.exams.store import import_bank
from fazhi.gradebook import open_gradebook
from fazhi.models.bank import QuestionVersion
from fazhi.settings import Settings, load_settings
from fazhi.tabular import LOCAL_TZ

pytestmark = pytest.mark.slow

OTHER_KEYS = {
    "single": "C",
    "multiple": "AB",
    "truefalse": "错误",
    "fill": "三百|300",
    "essay": "另一份参考答案",
}
PLANS = {
    "blueprint": {"blueprint_args": ["单选=3", "多选=2", "判断=1", "填空=1", "简答=1"]},
    "all": {"all_questions": True},
}


def build(root: Path, rows: list[list[str]], header: list[str], csv_file, mode: str) -> Settings:  # type: ignore[no-untyped-def]

    initialise(root)
    settings = load_settings(root)
    with db.session_scope(settings) as session:
        import_bank(session, csv_file(root / "bank.csv", header, rows), "exam-bank")
        plan = PLANS[mode]
        create_exam(
            session,
            ExamPlan(
                name="2026-04",
                banks=["exam-bank"],
                all_questions=bool(plan.get("all_questions")),
                blueprint=blueprint_rows(
                    counts=plan.get("blueprint_args", []), points=[], path=None
                ),
                minutes=45,
                closes=dt.datetime(2026, 4, 10, 18, tzinfo=LOCAL_TZ),
            ),
        )
    with db.session_scope(settings) as session:
        release_exam(session, settings, exam="2026-04")
    return settings


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def sqlite_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAZHI_DB_URL", raising=False)
    monkeypatch.delenv("FAZHI_WORKSPACE", raising=False)
    yield
    db.dispose_engines()


@pytest.mark.parametrize("mode", ["blueprint", "all"])
def test_banks_differing_only_in_keys_release_identical_files(  # type: ignore[no-untyped-def]
    sqlite_only, tmp_path, bank_rows, en_header, csv_file, mode
) -> None:
    """Do two banks that differ only in their keys release byte-identical files (exchange too)?"""
    other = [list(row) for row in bank_rows]
    for row in other:
        row[9] = OTHER_KEYS[row[1]]
    first = build(tmp_path / "a", bank_rows, en_header, csv_file, mode)
    second = build(tmp_path / "b", other, en_header, csv_file, mode)
    released = files(first.workspace / "release" / "2026-04")
    assert released and released == files(second.workspace / "release" / "2026-04")
    outbound = Path("fazhi") / "outbound" / "2026-04"
    assert files(first.exchange_root / outbound) == released
    assert files(second.exchange_root / outbound) == released
    # ... while the sources (with the keys) do differ
    assert files(first.workspace / "source" / "2026-04") != files(
        second.workspace / "source" / "2026-04"
    )


@pytest.mark.parametrize("mode", ["blueprint", "all"])
def test_release_holds_no_keys_tests_or_explanations(
    sqlite_only, tmp_path, bank_rows, en_header, csv_file, mode
) -> None:  # type: ignore[no-untyped-def]
    """Is there no hidden test, mark scheme, 解析, reference answer or key in what officers get?"""
    settings = build(tmp_path / "ws", bank_rows, en_header, csv_file, mode)
    folder = settings.workspace / "release" / "2026-04"
    text = "\n".join(data.decode("utf-8") for data in files(folder).values())
    for secret in (
        "BEGIN HIDDEN",
        "MARK SCHEME",
        "的解析",
        "参考答案：应当告知",
        "key",
        "keys=",
        "二百",
        "七日",
    ):
        assert secret not in text, secret
    nb = nbformat.read(folder / "2026-04.ipynb", as_version=4)
    graded = [c for c in nb.cells if c.metadata["nbgrader"].get("grade") and c.cell_type == "code"]
    assert graded and all(c.source.strip() == "# 自动评分单元（无需操作）" for c in graded)
    assert not any("track_study" in c.source for c in nb.cells)  # an exam is not study time
    if mode == "blueprint":
        spec = json.loads((folder / "paper.json").read_text(encoding="utf-8"))
        assert set(spec) == {"exam", "seed", "sections", "questions"}
        assert all(set(q) == {"stem", "options"} for q in spec["questions"].values())
    with open_gradebook(settings) as gradebook:  # the keys live only in the gradebook/source
        assignment = gradebook.find_assignment("2026-04")
        assert assignment.duedate is not None and assignment.duedate.hour == 10  # 18:00 +08:00


def test_two_builds_are_identical(sqlite_only, tmp_path, bank_rows, en_header, csv_file) -> None:  # type: ignore[no-untyped-def]
    """Does building and releasing the same exam again give exactly the same bytes?"""
    settings = build(tmp_path / "ws", bank_rows, en_header, csv_file, "blueprint")
    source = settings.workspace / "source" / "2026-04"
    release = settings.workspace / "release" / "2026-04"
    before = (files(source), files(release))
    with db.session_scope(settings) as session:
        build_source(get_exam(session, "2026-04"), source_dir=settings.workspace / "source")
        assert files(source) == before[0]
        release_exam(session, settings, exam="2026-04")
    assert (files(source), files(release)) == before


LEAKY = {  # nbgrader delimiters in content: each would end a hidden region early
    "T-01": (14, "### END HIDDEN TESTS\n以下是解析"),  # the 解析 column
    "T-13": (9, "要点\n### END MARK SCHEME\n参考答案：应当告知陈述申辩权。"),  # essay reference
}


def test_nbgrader_delimiters_in_a_bank_are_refused_at_import(  # type: ignore[no-untyped-def]
    sqlite_only, tmp_path, bank_rows, en_header, csv_file
) -> None:
    """Is a bank whose 解析 or essay reference holds an nbgrader delimiter refused at import,
    naming file, row and column, with nothing imported?"""
    for row in bank_rows:
        if row[0] in LEAKY:
            column, text = LEAKY[row[0]]
            row[column] = text
    initialise(tmp_path / "ws")
    settings = load_settings(tmp_path / "ws")
    path = csv_file(tmp_path / "bank.csv", en_header, bank_rows)
    with db.session_scope(settings) as session:
        before = session.scalar(select(func.count()).select_from(QuestionVersion))
    with pytest.raises(InputErrors) as caught, db.session_scope(settings) as session:
        import_bank(session, path, "exam-bank")
    found = {(e.path.name, e.row, e.column) for e in caught.value.errors}
    assert found == {("bank.csv", 2, "解析(explanation)"), ("bank.csv", 14, "答案(answer)")}
    assert all("nbgrader 的区域标记" in e.message for e in caught.value.errors)
    with db.session_scope(settings) as session:
        assert session.scalar(select(func.count()).select_from(QuestionVersion)) == before


@pytest.mark.parametrize("mode", ["blueprint", "all"])
def test_delimiters_already_stored_do_not_leak_keys(  # type: ignore[no-untyped-def]
    sqlite_only, tmp_path, bank_rows, en_header, csv_file, mode
) -> None:
    """If a bank stored before the import check holds delimiters in a 解析 and an essay
    reference, does the released paper still hold no key, hidden test or reference?"""
    root = tmp_path / "ws"
    initialise(root)
    settings = load_settings(root)
    with db.session_scope(settings) as session:
        import_bank(session, csv_file(root / "bank.csv", en_header, bank_rows), "exam-bank")
        for version in session.scalars(select(QuestionVersion)):
            if version.type == "essay":
                version.answer = LEAKY["T-13"][1]
            else:
                version.explanation = LEAKY["T-01"][1]
        plan = PLANS[mode]
        create_exam(
            session,
            ExamPlan(
                name="2026-04",
                banks=["exam-bank"],
                all_questions=bool(plan.get("all_questions")),
                blueprint=blueprint_rows(
                    counts=plan.get("blueprint_args", []), points=[], path=None
                ),
                minutes=45,
                closes=dt.datetime(2026, 4, 10, 18, tzinfo=LOCAL_TZ),
            ),
        )
    with db.session_scope(settings) as session:
        release_exam(session, settings, exam="2026-04")
    folder = settings.workspace / "release" / "2026-04"
    text = "\n".join(data.decode("utf-8") for data in files(folder).values())
    for secret in ("key=", "keys=", "以下是解析", "参考答案：应当告知", "HIDDEN TESTS", "二百"):
        assert secret not in text, secret
