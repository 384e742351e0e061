"""The built wheel carries every file the packages read at run time, not only the Python code."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEFT_OUT = (".git", ".venv", "build", "*.egg-info", "node_modules", "demo-workspace", "__pycache__")


def package_files() -> dict[str, Path]:
    """Wheel path → source file, for every non-Python file in the configured package folders."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    folders: dict[str, str] = setuptools["package-dir"]
    wanted: dict[str, Path] = {}
    for package in setuptools["packages"]:
        top = next(p for p in sorted(folders, key=len, reverse=True) if package.startswith(p))
        source = ROOT / folders[top] / Path(*package[len(top) :].split(".")[1:])
        for path in source.iterdir():
            if path.is_file() and path.suffix not in {".py", ".pyc"}:
                wanted[package.replace(".", "/") + "/" + path.name] = path
            elif (
                path.is_dir() and path.name != "__pycache__" and not (path / "__init__.py").exists()
            ):
                for data in path.rglob("*"):
                    if data.is_file() and "__pycache__" not in data.parts:
                        relative = data.relative_to(source).as_posix()
                        wanted[package.replace(".", "/") + "/" + relative] = data
    return wanted


@pytest.mark.slow
def test_wheel_contains_every_data_file(tmp_path: Path) -> None:
    """Would a non-editable install miss a template, a question bank or the tracker script?"""
    source = tmp_path / "src"  # a clean copy: no build/ or egg-info left by earlier builds
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_OUT))
    out = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
    )
    wheel = next(out.glob("fazhi-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = package_files()
    assert "fazhi/nbgrader_config.py.tmpl" in wanted  # the walk sees the data files
    missing = sorted(set(wanted) - names)
    assert not missing, f"package-data in pyproject.toml misses: {missing}"
