"""Run every benchmark script in this folder (``make bench``), one process each.

Exit status: non-zero when any benchmark fails (e.g. fazhi's scores differ from nbgrader's).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    failed = []
    for script in scripts:
        print(f"### {script.name}", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode
        print(
            f"### {script.name}: exit {code} in {time.perf_counter() - started:.0f} s\n", flush=True
        )
        if code != 0:
            failed.append(script.name)
    if failed:
        print("benchmarks failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
