"""Benchmark: stock ``nbgrader autograde`` against ``fazhi grade`` on the same submissions.

(a) declarative fazhi exams (docs/notebook-contract.md) in a fazhi workspace, at a squad's size
    and at a brigade's: a 32-item exam sat by 43 officers and a 30-item exam sat by 200;
(b) a plain nbgrader code assignment (two notebooks) with 40 students.

Each course is built once, copied, and graded by each command run as a user runs it (a new
process each, in the course directory, default settings: ``fazhi grade`` with 2 workers). For
the exams ``fazhi grade`` runs twice, each time on a fresh copy: first in a workspace that has
never been graded nor released by fazhi (the self-check probe runs in a kernel), then with the
probe's verdict cached: what the first grade finds after ``fazhi exam release`` (which runs the
self-check) and what every later run finds (reruns after a key correction, the next exam).
The gradebooks are then compared with stock nbgrader's (every grade, comment, timestamp
and late penalty) and the run fails if they differ. Prints total and per-submission times and
the ratios at 43 and 200 officers side by side; goals on a 2-core machine: (a) >= 30x at 43
and >= 60x at 200 officers, (b) >= 3x. Results also go to benchmarks/out/grading.json.

    python benchmarks/grading.py [--squad 43] [--officers 200] [--students 40] [--keep]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "grading"))

import gradekit as gk  # noqa: E402

BIN = Path(sys.executable).parent
OUT = HERE / "out"
CODE_BODIES = [
    "def add(a, b):\n    return a + b",
    "def add(a, b):\n    return a - b",
    "def add(a, b):\n    raise ValueError('不会')",
    "import math\n\ndef add(a, b):\n    return math.fsum([a, b])",
    "def add(a, b)\n    return a + b",
]


@dataclass
class Timing:
    label: str
    submissions: int
    stock_seconds: float
    fazhi_seconds: float  # first run in the workspace: the probe runs in a kernel
    stock_per_submission: list[float]
    fazhi_per_submission: list[float]
    identical: bool
    goal: float
    cached_seconds: float | None = None  # with the probe's verdict cached by the first run

    @property
    def ratio(self) -> float:
        return self.stock_seconds / self.fazhi_seconds

    @property
    def cached_ratio(self) -> float | None:
        return self.stock_seconds / self.cached_seconds if self.cached_seconds else None

    @property
    def best_ratio(self) -> float:
        return max(self.ratio, self.cached_ratio or 0.0)


def _env() -> dict[str, str]:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("FAZHI_WORKSPACE", None)
    return env


def _run_stock(root: Path, assignment: str) -> tuple[float, list[float]]:
    """``nbgrader autograde``; per-submission times from when each student's log starts."""
    started = time.perf_counter()
    marks: list[float] = []
    proc = subprocess.Popen(
        [str(BIN / "nbgrader"), "autograde", assignment],
        cwd=root,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "Creating/updating student with ID" in line:
            marks.append(time.perf_counter())
    proc.wait()
    total = time.perf_counter() - started
    marks.append(started + total)
    return total, [b - a for a, b in itertools.pairwise(marks)]


def _run_fazhi(root: Path, assignment: str) -> tuple[float, list[float]]:
    """``fazhi grade``; per-submission times from its grading log."""
    started = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "fazhi"), "grade", assignment, "--workspace", str(root)],
        env=_env(),
        capture_output=True,
        text=True,
    )
    total = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"fazhi grade failed:\n{proc.stdout}\n{proc.stderr}")
    print(proc.stdout)
    per: list[float] = []
    for log in (root / "grading-logs" / assignment).glob("*.log"):
        for line in log.read_text(encoding="utf-8").splitlines():
            if " graded " in line and line.endswith("s"):
                per.append(float(line.rsplit(" in ", 1)[1].rstrip("s")))
    return total, per


def _compare(stock: Path, fazhi: Path, assignment: str, course_id: str) -> bool:
    theirs = gk.gradebook_state(f"sqlite:///{stock / 'gradebook.db'}", assignment, course_id)
    ours = gk.gradebook_state(f"sqlite:///{fazhi / 'gradebook.db'}", assignment, course_id)
    for line in gk.differences(theirs, ours)[:10]:
        print("  DIFFERENT", line)
    return theirs == ours


def _measure(
    label: str, root: Path, assignment: str, course_id: str, n: int, goal: float, *, cached: bool
) -> Timing:
    stock, fazhi = gk.twin(root, "stock"), gk.twin(root, "fazhi")
    print(f"== {label}: stock nbgrader autograde ...", flush=True)
    stock_total, stock_per = _run_stock(stock, assignment)
    print(f"== {label}: fazhi grade ...", flush=True)
    fazhi_total, fazhi_per = _run_fazhi(fazhi, assignment)
    identical = _compare(stock, fazhi, assignment, course_id)
    timing = Timing(label, n, stock_total, fazhi_total, stock_per, fazhi_per, identical, goal)
    verdict = fazhi / ".fazhi"
    if cached and verdict.is_dir():
        again = gk.twin(root, "fazhi-cached")
        shutil.copytree(verdict, again / ".fazhi")
        print(f"== {label}: fazhi grade, probe verdict cached ...", flush=True)
        timing.cached_seconds, _ = _run_fazhi(again, assignment)
        timing.identical = timing.identical and _compare(stock, again, assignment, course_id)
    return timing


def build_exam(base: Path, officers: int, items: int) -> Path:
    from fazhi.workspace import init_workspace

    root = base / f"exam-{officers}" / "ws"
    os.environ.pop("FAZHI_DB_URL", None)
    init_workspace(root)
    exam_items = gk.exam_items(items, limit_minutes=60)
    gk.declarative_course(root, "bench-exam", exam_items)
    rng = random.Random(20260302 + officers)
    for index in range(officers):
        officer = gk.random_officer(f"CG{index:04d}", exam_items, rng)
        gk.submit_exam(root, "bench-exam", officer)
    return root


def build_code(base: Path, students: int) -> Path:
    root = base / "code" / "course"
    gk.plain_course(root, timeout=30)
    for index in range(students):
        body = CODE_BODIES[index % len(CODE_BODIES)]
        gk.submit_code(root, f"stu{index:03d}", body, value=f"VALUE = {40 + index % 3}")
    return root


def _describe(t: Timing) -> str:
    def per(values: list[float]) -> str:
        if not values:
            return "-"
        return f"平均 {statistics.mean(values):.3f} s，中位数 {statistics.median(values):.3f} s"

    verdict = "达到" if t.best_ratio >= t.goal else "未达到"
    lines = [
        f"{t.label}（{t.submissions} 份提交）",
        f"  nbgrader autograde：总计 {t.stock_seconds:7.1f} s，"
        f"每份 {t.stock_seconds / t.submissions:.3f} s（{per(t.stock_per_submission)}）",
        f"  fazhi grade：       总计 {t.fazhi_seconds:7.1f} s，"
        f"每份 {t.fazhi_seconds / t.submissions:.3f} s"
        f"（评分本身 {per(t.fazhi_per_submission)}）；加速比 {t.ratio:.1f}×",
    ]
    if t.cached_seconds is not None:
        lines.append(
            f"  fazhi grade（发布时已自检/重评）：总计 {t.cached_seconds:7.1f} s；"
            f"加速比 {t.cached_ratio:.1f}×"
        )
    lines.append(
        f"  目标 ≥ {t.goal:g}×，{verdict}；成绩库逐项一致：{'是' if t.identical else '否'}"
    )
    return "\n".join(lines)


def _side_by_side(small: Timing, large: Timing) -> str:
    """The two exam sizes in columns: the numbers the goals are stated for."""
    head = f"{small.submissions} 名队员", f"{large.submissions} 名队员"
    rows = [
        ("", *head),
        ("nbgrader autograde", f"{small.stock_seconds:.1f} s", f"{large.stock_seconds:.1f} s"),
        (
            "fazhi grade（首次，含自检）",
            f"{small.fazhi_seconds:.2f} s",
            f"{large.fazhi_seconds:.2f} s",
        ),
        ("  加速比", f"{small.ratio:.1f}×", f"{large.ratio:.1f}×"),
    ]
    if small.cached_seconds is not None and large.cached_seconds is not None:
        rows += [
            (
                "fazhi grade（沿用自检结果）",
                f"{small.cached_seconds:.2f} s",
                f"{large.cached_seconds:.2f} s",
            ),
            ("  加速比", f"{small.cached_ratio:.1f}×", f"{large.cached_ratio:.1f}×"),
        ]
    rows.append(("目标", f"≥ {small.goal:g}×", f"≥ {large.goal:g}×"))
    return "\n".join(
        _pad(a, 30) + _pad(b, 14, right=True) + _pad(c, 14, right=True) for a, b, c in rows
    )


def _pad(text: str, width: int, *, right: bool = False) -> str:
    """Pad to ``width`` terminal columns (Chinese characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(0, width - columns)
    return space + text if right else text + space


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=int, default=43, help="officers in the 32-item exam")
    parser.add_argument("--officers", type=int, default=200, help="officers in the 30-item exam")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the courses (prints where)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    try:
        print(f"building courses in {base} ...", flush=True)
        squad = build_exam(base, args.squad, 32)
        brigade = build_exam(base, args.officers, 30)
        code = build_code(base, args.students)
        small = _measure(
            "(a) 32 题声明式考试", squad, "bench-exam", "fazhi", args.squad, 30, cached=True
        )
        large = _measure(
            "(a) 30 题声明式考试", brigade, "bench-exam", "fazhi", args.officers, 60, cached=True
        )
        timings = [
            small,
            large,
            _measure("(b) 代码作业", code, "ps1", "course101", args.students, 3, cached=False),
        ]
    finally:
        if args.keep:
            print(f"courses kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    print()
    for timing in timings:
        print(_describe(timing))
    print()
    print(_side_by_side(small, large))
    OUT.mkdir(exist_ok=True)
    (OUT / "grading.json").write_text(
        json.dumps(
            [asdict(t) | {"ratio": t.ratio, "cached_ratio": t.cached_ratio} for t in timings],
            indent=1,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return 0 if all(t.identical for t in timings) else 1


if __name__ == "__main__":
    sys.exit(main())
