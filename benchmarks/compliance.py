"""Benchmark: `fazhi study import` and `fazhi report compliance --weekly` vs pandas read_csv.

10,000 officers × one year (~2.6 M study intervals, with overlaps and duplicates), in one run:

    python benchmarks/compliance.py [--officers 10000] [--db-url postgresql+psycopg://...]

Goals: report ≤ 1× and import ≤ 3× the time pandas.read_csv takes to read the same
file; peak memory (RSS) of each command < 4 GB. The commands run as the user runs them (a
fresh `fazhi` process each), so their times include start-up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

YEAR = 2026
SQUAD = 25  # officers per 中队
FAZHI = [str(Path(sys.executable).parent / "fazhi")]


def roster(officers: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    number = np.arange(officers)
    squad = number // SQUAD
    brigade = squad // 8
    enforcement = rng.random(officers) < 0.85
    cert = pd.Timestamp(f"{YEAR}-01-01") + pd.to_timedelta(rng.integers(-60, 1500, officers), "D")
    joined = np.where(rng.random(officers) < 0.04, rng.integers(30, 300, officers), -1000)
    return pd.DataFrame(
        {
            "工号": [f"BM{n:06d}" for n in number],
            "姓名": [f"队员{n}" for n in number],
            "单位": [
                f"某省城管局/第{b}执法大队/第{s}中队" for b, s in zip(brigade, squad, strict=True)
            ],
            "职务类别": np.where(number % SQUAD < 2, "领导干部", "一般干部"),
            "执法人员": np.where(enforcement, "是", "否"),
            "执法证有效期至": np.where(enforcement, cert.strftime("%Y-%m-%d"), ""),
            "入职日期": [
                (pd.Timestamp(f"{YEAR}-01-01") + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d")
                for d in joined
            ],
        }
    )


def study_records(officers: int) -> pd.DataFrame:
    """~5 intervals per officer and week: online modules, the squad's weekly 集中学习,
    online study during it (overlap) and a few exact duplicates (re-sent sign-in sheets)."""
    rng = np.random.default_rng(11)
    monday = pd.Timestamp(f"{YEAR - 1}-12-29")  # ISO week 1 of 2026
    weeks = 52
    base = (monday - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1) - 8 * 3600
    officer = np.repeat(np.arange(officers), weeks)
    week = np.tile(np.arange(weeks), officers)
    week_start = base + week * 7 * 86400
    parts = []
    # up to four online sessions on random days and times, 15–60 minutes
    for _ in range(4):
        some = rng.random(officer.size) < 0.85
        start = week_start[some] + rng.integers(0, 7, some.sum()) * 86400
        start += rng.integers(8 * 60, 21 * 60, some.sum()) * 60
        end = start + rng.integers(15, 61, some.sum()) * 60
        parts.append((officer[some], start, end, "线上", "在线学法"))
    # the squad's weekly 集中学习, Wednesday 14:30–16:00 (most attend)
    attend = rng.random(officer.size) < 0.9
    start = week_start[attend] + 2 * 86400 + (14 * 60 + 30) * 60
    parts.append((officer[attend], start, start + 90 * 60, "线下", "集中学习"))
    # online study during the session: overlaps, counted once
    during = attend & (rng.random(officer.size) < 0.5)
    start = week_start[during] + 2 * 86400 + 15 * 3600
    parts.append((officer[during], start, start + 40 * 60, "线上", "m02-penalty-procedure"))
    frame = pd.concat(
        [pd.DataFrame({"o": o, "s": s, "e": e, "k": k, "a": a}) for o, s, e, k, a in parts],
        ignore_index=True,
    )
    duplicates = frame.sample(frac=0.01, random_state=3)
    frame = pd.concat([frame, duplicates], ignore_index=True).sort_values(["o", "s"], kind="stable")
    local = pd.Timestamp("1970-01-01 08:00")
    return pd.DataFrame(
        {
            "工号": np.char.add("BM", np.char.zfill(frame["o"].to_numpy().astype(str), 6)),
            "开始时间": (local + pd.to_timedelta(frame["s"].to_numpy(), "s")).strftime(
                "%Y-%m-%d %H:%M"
            ),
            "结束时间": (local + pd.to_timedelta(frame["e"].to_numpy(), "s")).strftime(
                "%Y-%m-%d %H:%M"
            ),
            "学习方式": frame["k"].to_numpy(),
            "学习内容": frame["a"].to_numpy(),
        }
    )


def run_sql(url: str, statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a fazhi command; returns (wall seconds, peak RSS in MB) of that process."""
    start = time.perf_counter()
    process = subprocess.Popen([*FAZHI, *args], env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"fazhi {' '.join(args)} failed")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=10_000)
    parser.add_argument(
        "--db-url",
        default="",
        help="PostgreSQL URL (default: SQLite); the run uses a new schema, dropped after",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspace")
    parser.add_argument("--generate", help=argparse.SUPPRESS)  # internal: write the files
    parser.add_argument("--read-csv", help=argparse.SUPPRESS)  # internal: time read_csv
    options = parser.parse_args()
    if options.generate:
        roster(options.officers).to_csv(Path(options.generate) / "roster.csv", index=False)
        study_records(options.officers).to_csv(Path(options.generate) / "study.csv", index=False)
        return
    if options.read_csv:
        start = time.perf_counter()
        rows = len(pd.read_csv(options.read_csv))
        print(time.perf_counter() - start, rows)
        return

    root = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    env = dict(os.environ, FAZHI_WORKSPACE=str(root / "ws"))
    schema = f"fazhi_bench_{uuid.uuid4().hex[:8]}" if options.db_url else ""
    if schema:  # a schema of its own, dropped afterwards: the database is left as it was
        run_sql(options.db_url, f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in options.db_url else "?"
        env["FAZHI_DB_URL"] = f"{options.db_url}{sep}options=-csearch_path%3D{schema}"
    try:
        subprocess.run(
            [*FAZHI, "init", str(root / "ws")], env=env, check=True, stdout=subprocess.DEVNULL
        )
        # files are written (and read_csv timed) in child processes: this process stays small,
        # because Linux hands a parent's resident size on to the peak RSS of what it starts
        me = [sys.executable, __file__, "--officers", str(options.officers)]
        subprocess.run([*me, "--generate", str(root)], check=True)
        print(f"importing the roster of {options.officers} officers (not timed)…", flush=True)
        subprocess.run(
            [*FAZHI, "roster", "import", str(root / "roster.csv")],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        path = root / "study.csv"
        timing = subprocess.run(
            [*me, "--read-csv", str(path)], check=True, capture_output=True, text=True
        ).stdout.split()
        read_csv, count = float(timing[0]), int(timing[1])
        size = path.stat().st_size / 1e6
        print(f"study file: {count:,} intervals, {size:.0f} MB", flush=True)
        imported, import_rss = run(["study", "import", str(path)], env)
        again, _ = run(["study", "import", str(path)], env)
        edited = root / "study-edited.csv"  # a sheet sent again with one more row
        with path.open("rb") as source, edited.open("wb") as target:
            shutil.copyfileobj(source, target)
            first = pd.read_csv(path, nrows=1)
            end = pd.Timestamp(first.iloc[0, 2])
            first.iloc[0, 1] = end.strftime("%Y-%m-%d %H:%M")  # ten minutes after its first row
            first.iloc[0, 2] = (end + pd.Timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M")
            target.write(first.to_csv(index=False, header=False).encode("utf-8"))
        copy, copy_rss = run(["study", "import", str(edited)], env)
        out = root / "weekly.csv"
        report_args = ["report", "compliance", "--year", str(YEAR), "--as-of", f"{YEAR}-12-31"]
        report, report_rss = run(
            [*report_args, "--weekly", "--format", "csv", "--out", str(out)], env
        )
        rows = sum(1 for _ in out.open(encoding="utf-8")) - 1
        summary, _ = run([*report_args, "--format", "csv", "--out", str(root / "summary.csv")], env)

        backend = "PostgreSQL" if options.db_url else "SQLite"
        print(f"\n{backend}, {options.officers} officers")
        print(f"pandas.read_csv                   {read_csv:6.2f} s")
        print(
            f"fazhi study import                {imported:6.2f} s  {imported / read_csv:4.2f}× "
            f"(goal ≤ 3×)  peak RSS {import_rss:,.0f} MB"
        )
        print(
            f"fazhi study import (again)        {again:6.2f} s  {again / read_csv:4.2f}×  "
            "(the same file: nothing new)"
        )
        print(
            f"fazhi study import (edited copy)  {copy:6.2f} s  {copy / read_csv:4.2f}×  "
            f"peak RSS {copy_rss:,.0f} MB  (one new row among 2.5 M stored)"
        )
        print(
            f"fazhi report compliance --weekly  {report:6.2f} s  {report / read_csv:4.2f}× "
            f"(goal ≤ 1×)  peak RSS {report_rss:,.0f} MB  ({rows:,} rows)"
        )
        print(f"fazhi report compliance           {summary:6.2f} s  {summary / read_csv:4.2f}×")
    finally:
        if options.keep:
            print(f"workspace kept: {root}" + (f", schema {schema}" if schema else ""))
        else:
            shutil.rmtree(root, ignore_errors=True)
            if schema:
                run_sql(options.db_url, f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
