"""Names from files and users never lead outside their folder; ids follow one rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from fazhi.identifiers import check_bank_name, check_exam_name, normalise_officer_id
from fazhi.paths import PathEscape, confined


@pytest.mark.parametrize("part", ["..", ".", "", "a/b", "../source", "a\\b", "x\0y"])
def test_confined_refuses_names_that_are_not_one_folder(tmp_path: Path, part: str) -> None:
    """Is each of ``..``, ``/``, ``\\``, NUL and the empty name refused as a path part?"""
    with pytest.raises(PathEscape):
        confined(tmp_path, part)


def test_confined_refuses_a_planted_link_out(tmp_path: Path) -> None:
    """Does a symlink inside the folder that points outside it get refused?"""
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "CG0001").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(PathEscape):
        confined(tmp_path / "base", "CG0001", "e1")
    assert confined(tmp_path / "base", "CG0002", "e1") == tmp_path.resolve() / "base/CG0002/e1"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("CG0001", "CG0001"),
        ("cg0001", "CG0001"),
        ("ＣＧ０００１", "CG0001"),
        (" cg_01-a ", "CG_01-A"),
    ],
)
def test_officer_ids_are_normalised(typed: str, canonical: str) -> None:
    """Are case, full-width forms and surrounding blanks normalised to one 工号?"""
    assert normalise_officer_id(typed) == canonical


@pytest.mark.parametrize(
    "typed", ["../source", "../../../tmp/x", "a/b", "CG 01", "-CG01", "CG01.", "王伟", "C" * 33, ""]
)
def test_officer_ids_outside_the_rule_are_refused(typed: str) -> None:
    """Are traversal, separators, blanks, dots, non-ASCII and over-long ids refused?"""
    with pytest.raises(ValueError, match="工号"):
        normalise_officer_id(typed)


@pytest.mark.parametrize("name", ["../e1", "e/1", "", "e" * 65, "考试1"])
def test_exam_names_outside_the_rule_are_refused(name: str) -> None:
    """Is an exam name that could not be one nbgrader folder refused?"""
    with pytest.raises(ValueError):
        check_exam_name(name)


@pytest.mark.parametrize("name", ["../x", "a/b", "..", "a\\b", "题\x00库", "题" * 101, " "])
def test_bank_names_outside_the_rule_are_refused(name: str) -> None:
    """Is a bank name with separators, control characters or no text refused?"""
    with pytest.raises(ValueError):
        check_bank_name(name)


def test_bank_import_refuses_a_path_like_name(tmp_path: Path) -> None:
    """Does ``import_bank`` refuse a bank name like ``../x`` before reading anything?"""
    from fazhi.errors import UserError
    from fazhi.exams.store import import_bank

    with pytest.raises(UserError, match="题库名称"):
        import_bank(None, tmp_path / "missing.csv", "../x")  # type: ignore[arg-type]
