"""What the ``fazhi`` command loads before it does anything: no heavy library it does not use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "matplotlib", "ipywidgets", "polars", "openpyxl", "nbformat", "nbgrader")


def _loaded_after(code: str) -> set[str]:
    """Top-level modules imported by a fresh interpreter that ran ``code``."""
    report = "import json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    script = f"{code}\n{report}"
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(proc.stdout.splitlines()[-1]))


def test_help_imports_no_heavy_library() -> None:
    """Do ``fazhi --help`` and ``fazhi grade --help`` run without pandas, notebooks or widgets?"""
    for args in (["--help"], ["grade", "--help"]):
        loaded = _loaded_after(
            "from fazhi.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit as done:\n    assert done.code == 0"
        )
        assert "click" in loaded
        assert not loaded & set(HEAVY), (args, loaded & set(HEAVY))


@pytest.mark.slow  # compiles the real IRI grammar (seconds)
def test_iri_checks_behave_the_same_with_the_deferred_grammar() -> None:
    """Does jsonschema's IRI check give the real module's answers when its import is deferred?"""
    check = (
        "import json, jsonschema\n"
        "checker = jsonschema.FormatChecker()\n"
        "values = ['http://例子.中国/路径?查询#片段', 'https://example.org/a b', 'not an iri', "
        "'mailto:执法@例子.中国']\n"
        "print(json.dumps([[checker.conforms(v, f) for f in ('iri', 'iri-reference')] "
        "for v in values]))\n"
    )
    deferred = (
        "import sys\nfrom fazhi.cli.deferred_imports import defer_imports\n"
        "defer_imports()\nimport nbformat\n"
        "assert 'lark' not in sys.modules, 'the grammar was compiled at import'\n"
    )
    runs = []
    for prefix in ("", deferred):
        proc = subprocess.run(
            [sys.executable, "-c", prefix + check],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        runs.append(json.loads(proc.stdout.splitlines()[-1]))
    assert runs[0] == runs[1]
    assert runs[0][0] == [True, True] and runs[0][2][0] is False
