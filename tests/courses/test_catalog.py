"""Which content exists: bundled files, a workspace's own files, lookup by id or path."""

from __future__ import annotations

from pathlib import Path

import pytest

from fazhi.courses.catalog import find_content, load_catalog, load_content
from fazhi.errors import InputError, InputErrors, UserError


def _own_module(workspace: Path, data_dir: Path, name: str, module_id: str) -> Path:
    folder = workspace / "content" / "modules"
    folder.mkdir(parents=True, exist_ok=True)
    text = (data_dir / "sample-module.md").read_text(encoding="utf-8")
    path = folder / name
    path.write_text(text.replace("id: t01-sample", f"id: {module_id}"), encoding="utf-8")
    return path


def test_workspace_file_replaces_bundled_one(tmp_path: Path, data_dir: Path) -> None:
    """Does a workspace module with a bundled id replace the bundled module?"""
    path = _own_module(tmp_path, data_dir, "01-mine.md", "m01-penalty-basics")
    content, bundled = load_catalog(workspace=tmp_path)["m01-penalty-basics"]
    assert not bundled and content.path == path
    assert find_content("m01-penalty-basics", workspace=tmp_path).title == "测试模块：简易程序"
    assert find_content("m01-penalty-basics").title != "测试模块：简易程序"


def test_duplicate_ids_in_one_place_are_refused(tmp_path: Path, data_dir: Path) -> None:
    """Are two workspace files with one id refused, naming the second file?"""
    _own_module(tmp_path, data_dir, "a.md", "t01-same")
    _own_module(tmp_path, data_dir, "b.md", "t01-same")
    with pytest.raises(InputError, match=r"b\.md.*重复"):
        load_catalog(workspace=tmp_path)


def test_broken_workspace_files_are_all_reported(tmp_path: Path, data_dir: Path) -> None:
    """Are problems in several workspace files reported together?"""
    for name in ("x.md", "y.md"):
        path = _own_module(tmp_path, data_dir, name, f"t-{name[0]}")
        path.write_text(
            path.read_text(encoding="utf-8").replace("answer: B", "answer: Z"), encoding="utf-8"
        )
    with pytest.raises(InputErrors) as caught:
        load_catalog(workspace=tmp_path)
    assert {e.path.name for e in caught.value.errors} == {"x.md", "y.md"}


def test_lookup_by_path_and_unknown_names(tmp_path: Path, data_dir: Path) -> None:
    """Is a draft found by its path, and an unknown id or file type explained?"""
    assert find_content(str(data_dir / "sample-handling.yaml")).id == "t02-handling"
    with pytest.raises(UserError, match="找不到内容文件"):
        find_content(str(tmp_path / "missing.md"))
    with pytest.raises(UserError, match="没有编号为"):
        find_content("m99-none")
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(InputError, match="不支持"):
        load_content(other)
