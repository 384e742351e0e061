"""The self-check's cached verdict: used on a rerun, renewed when anything it covers changes,
and never trusted when the file is corrupt or edited (then the probe simply runs again)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import gradekit as gk
import nbgrader
import pytest
from traitlets.config import Config

import fazhi
from fazhi.grading import probe
from fazhi.grading.grade import check_fast_path, grade
from fazhi.grading.probe_cache import CACHE_DIR, CACHE_FILE, VerdictCache, verdict_key
from fazhi.grading.progress import GradeReport

EXAM = "quiz"
ITEMS = gk.exam_items(5)
KINDS = frozenset({"sheet"})
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
CACHED = "verdict from cache"
PROBED = "running in a kernel"


@pytest.fixture(autouse=True)
def _own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test signs with a key of its own (kept out of the real home directory)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def _key(**changes: object) -> str | None:
    arguments: dict[str, object] = {
        "kernel_name": "python3",
        "kernelspec": KERNELSPEC,
        "probe_content": probe.probe_content(KINDS, KERNELSPEC),
        "config": Config(),
    }
    return verdict_key(**{**arguments, **changes})  # type: ignore[arg-type]


def _stored(root: Path) -> dict[str, object]:
    return json.loads((root / CACHE_DIR / CACHE_FILE).read_text(encoding="utf-8"))


# ---- the cache file on its own --------------------------------------------------------------


def test_a_stored_verdict_is_read_back(tmp_path: Path) -> None:
    """Does a stored full pass load again, with its language_info, under the same key only?"""
    cache, key = VerdictCache(tmp_path), _key()
    assert key is not None
    cache.store(key, KINDS, {"name": "python", "version": "3.11"})
    assert cache.load(key, KINDS) == (KINDS, {"name": "python", "version": "3.11"})
    assert cache.load("0" * 64, KINDS) is None
    assert cache.load(key, frozenset({"sheet", "paper"})) is None


def test_the_key_changes_with_versions_probe_and_kernelspec(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Is the key stable, and different after a fazhi/nbgrader upgrade or a new probe/kernel?"""
    key = _key()
    assert key is not None and key == _key()
    other_probe = probe.probe_content(frozenset({"sheet", "paper"}), KERNELSPEC)
    assert _key(probe_content=other_probe) != key
    assert _key(kernelspec={**KERNELSPEC, "display_name": "Python 3"}) != key
    config = Config()
    config.ExecutePreprocessor.extra_arguments = ["--debug"]
    assert _key(config=config) != key
    monkeypatch.setattr(fazhi, "__version__", "99.0")
    assert _key() != key
    monkeypatch.undo()
    monkeypatch.setattr(nbgrader, "__version__", "99.0")
    assert _key() != key


def test_a_kernel_of_another_interpreter_is_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Is there no key for a kernelspec whose interpreter is not the one fazhi runs in?"""
    spec = tmp_path / "jupyter" / "kernels" / "elsewhere"
    spec.mkdir(parents=True)
    argv = ["/opt/other-python/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "其他环境", "language": "python"}), "utf-8"
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    assert _key(kernel_name="elsewhere") is None
    assert _key(kernel_name="no-such-kernel") is None


@pytest.mark.parametrize(
    "damage",
    ["garbage", "edited verdict", "edited language_info", "moved entry", "no signature", "huge"],
)
def test_a_damaged_cache_is_not_trusted(tmp_path: Path, damage: str) -> None:
    """Does a corrupt, edited or oversized cache file give no verdict (so the probe reruns)?"""
    cache, key = VerdictCache(tmp_path), _key()
    assert key is not None
    cache.store(key, KINDS, {"name": "python"})
    path = tmp_path / CACHE_DIR / CACHE_FILE
    stored = _stored(tmp_path)
    entry = stored["entries"][key]  # type: ignore[index]
    if damage == "garbage":
        path.write_bytes(b"\x00{not json")
    elif damage == "edited verdict":
        entry["verified"] = ["sheet", "paper"]
    elif damage == "edited language_info":
        entry["language_info"] = {"name": "python", "version": "0"}
    elif damage == "moved entry":
        stored["entries"] = {"f" * 64: entry}  # type: ignore[index]
        key_for_entry = "f" * 64
        path.write_text(json.dumps(stored), "utf-8")
        assert cache.load(key_for_entry, KINDS) is None
    elif damage == "no signature":
        del entry["mac"]
    elif damage == "huge":
        entry["language_info"] = {"padding": "x" * 300_000}
    if damage not in ("garbage", "moved entry"):
        path.write_text(json.dumps(stored), "utf-8")
    assert cache.load(key, KINDS) is None
    assert cache.load(key, frozenset({"sheet", "paper"})) is None


def test_storing_drops_planted_entries(tmp_path: Path) -> None:
    """Does storing a verdict keep only entries this user signed (a planted one is dropped)?"""
    cache, key = VerdictCache(tmp_path), _key()
    assert key is not None
    cache.store(key, KINDS, {"name": "python"})
    stored = _stored(tmp_path)
    planted = {"verified": ["sheet"], "language_info": {"padding": "x" * 1000}, "mac": "0" * 64}
    stored["entries"]["e" * 64] = planted  # type: ignore[index]
    (tmp_path / CACHE_DIR / CACHE_FILE).write_text(json.dumps(stored), "utf-8")
    cache.store("d" * 64, KINDS, {"name": "python"})
    assert set(_stored(tmp_path)["entries"]) == {key, "d" * 64}  # type: ignore[arg-type]
    assert cache.load(key, KINDS) == (KINDS, {"name": "python"})


def test_another_users_key_does_not_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Is a verdict signed with someone else's key (e.g. a copied workspace) ignored?"""
    cache, key = VerdictCache(tmp_path), _key()
    assert key is not None
    cache.store(key, KINDS, {"name": "python"})
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "someone-else"))
    assert cache.load(key, KINDS) is None


def test_a_linked_cache_file_is_not_read(tmp_path: Path) -> None:
    """Is a cache file that is a symbolic link ignored rather than followed?"""
    cache, key = VerdictCache(tmp_path / "real"), _key()
    assert key is not None
    cache.store(key, KINDS, {"name": "python"})
    linked = tmp_path / "linked" / CACHE_DIR
    linked.mkdir(parents=True)
    (linked / CACHE_FILE).symlink_to(tmp_path / "real" / CACHE_DIR / CACHE_FILE)
    assert VerdictCache(tmp_path / "linked").load(key, KINDS) is None


def test_the_key_file_is_private(tmp_path: Path) -> None:
    """Is the signing key created readable and writable by its owner only?"""
    VerdictCache(tmp_path).store(_key() or "", KINDS, {})
    key_file = tmp_path / "state" / "fazhi" / "probe-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.parent.resolve() not in (tmp_path / CACHE_DIR).resolve().parents


# ---- in a grading run -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small declarative exam with three submissions, in a fazhi workspace."""
    from fazhi.workspace import init_workspace

    root = tmp_path_factory.mktemp("probe-cache") / "ws"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FAZHI_DB_URL", raising=False)
        patch.delenv("FAZHI_WORKSPACE", raising=False)
        init_workspace(root)
        gk.declarative_course(root, EXAM, ITEMS)
        right = {i.item_id: gk.RIGHT[i.kind] for i in ITEMS}
        wrong = {i.item_id: gk.WRONG[i.kind] for i in ITEMS}
        for officer in (
            gk.Officer("CG0001", right, dict.fromkeys(right, 5.0)),
            gk.Officer("CG0002", wrong, dict.fromkeys(wrong, 5.0)),
            gk.Officer("CG0003", {}, {}),
        ):
            gk.submit_exam(root, EXAM, officer)
        yield root


def _copy(course: Path, target: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("FAZHI_DB_URL", raising=False)
    monkeypatch.delenv("FAZHI_WORKSPACE", raising=False)
    shutil.copytree(course, target, symlinks=True)
    return target


def _run(root: Path, *, regrade: bool = False) -> tuple[GradeReport, str]:
    """Grade; returns the report and what this run logged (runs in one second share a log)."""
    logs = root / "grading-logs" / EXAM
    sizes = {p: p.stat().st_size for p in logs.glob("*.log")} if logs.exists() else {}
    report = grade(workspace=root, assignment=EXAM, progress=False, regrade=regrade)
    assert report.log_path is not None
    log = report.log_path.read_bytes()[sizes.get(report.log_path, 0) :].decode("utf-8")
    assert {o.mode for o in report.outcomes} == {"declarative"}, report.fast_path
    return report, log


def _state(root: Path) -> dict[str, object]:
    return gk.gradebook_state(f"sqlite:///{root / 'gradebook.db'}", EXAM, "fazhi")


@pytest.mark.slow
def test_the_second_run_starts_no_kernel(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does a rerun take the verdict from the cache (no probe kernel) and score the same?"""
    root = _copy(course, tmp_path / "ws", monkeypatch)
    first, log = _run(root)
    assert PROBED in log and CACHED not in log
    scores = _state(root)
    assert (root / CACHE_DIR / CACHE_FILE).is_file()

    again, log = _run(root, regrade=True)
    assert CACHED in log and PROBED not in log
    assert "沿用此前的自检结果" in again.fast_path
    assert _state(root) == scores
    assert again.scores == first.scores == {"CG0001": 8.0, "CG0002": 0.0, "CG0003": 0.0}


@pytest.mark.slow
def test_the_check_at_release_spares_the_first_grade_its_kernel(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does running the self-check at release leave a verdict, so that the very first grade
    after the exam takes it from the cache and starts no probe kernel?"""
    root = _copy(course, tmp_path / "ws", monkeypatch)
    assert not (root / CACHE_DIR / CACHE_FILE).exists()
    line = check_fast_path(workspace=root, assignment=EXAM)
    assert "自检通过" in line
    report, log = _run(root)
    assert CACHED in log and PROBED not in log
    assert report.scores == {"CG0001": 8.0, "CG0002": 0.0, "CG0003": 0.0}


@pytest.mark.slow
def test_a_changed_probe_or_version_probes_again(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a fazhi upgrade or a changed probe notebook, is the probe run in a kernel again?"""
    root = _copy(course, tmp_path / "ws", monkeypatch)
    _run(root)
    monkeypatch.setattr(fazhi, "__version__", f"{fazhi.__version__}.post1")
    _, log = _run(root, regrade=True)
    assert PROBED in log and CACHED not in log
    _, log = _run(root, regrade=True)
    assert CACHED in log  # the new version's verdict was stored

    monkeypatch.setattr(
        probe, "SHEET_ANSWERS", {**probe.SHEET_ANSWERS, "PRB-11": ("B", probe.EARLY)}
    )
    _, log = _run(root, regrade=True)
    assert PROBED in log and CACHED not in log
    assert len(_stored(root)["entries"]) == 3  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["corrupt", "edited"])
def test_a_damaged_cache_probes_again(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    """With a corrupt or edited cache, is the probe rerun, the scores right, the file renewed?"""
    root = _copy(course, tmp_path / "ws", monkeypatch)
    first, _ = _run(root)
    path = root / CACHE_DIR / CACHE_FILE
    if damage == "corrupt":
        path.write_bytes(os.urandom(64))
    else:
        stored = _stored(root)
        for entry in stored["entries"].values():  # type: ignore[attr-defined]
            entry["language_info"]["version"] = "2.7.18"
        path.write_text(json.dumps(stored), "utf-8")
    again, log = _run(root, regrade=True)
    assert PROBED in log and CACHED not in log
    assert again.scores == first.scores
    _, log = _run(root, regrade=True)
    assert CACHED in log


@pytest.mark.slow
def test_a_cached_run_loads_no_kernel_widget_or_dataframe_library(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does ``fazhi grade`` with a cached verdict start no kernel and skip pandas/widgets?"""
    _run(_copy(course, tmp_path / "first", monkeypatch))
    root = tmp_path / "ws"
    shutil.copytree(course, root, symlinks=True)
    shutil.copytree(tmp_path / "first" / CACHE_DIR, root / CACHE_DIR)
    code = (
        "import json, sys\nfrom fazhi.cli import main\n"
        f"try:\n    main(['grade', {EXAM!r}, '--workspace', {str(root)!r}])\n"
        "except SystemExit as done:\n    assert done.code == 0, done.code\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True
    )
    loaded = set(json.loads(proc.stdout.splitlines()[-1]))
    assert not loaded & {"pandas", "matplotlib", "ipywidgets", "polars", "lark"}
    assert "免内核快速评分 3 份" in proc.stdout
    (log,) = (root / "grading-logs" / EXAM).glob("*.log")
    lines = log.read_text(encoding="utf-8").splitlines()
    probes = [line for line in lines if "declarative probe" in line]
    assert probes and all(CACHED in line for line in probes)
