"""Whether declarative notebooks may be scored without a kernel in this run.

The gate starts one probe (``probe.py``) per kernel that the assignment's declarative notebooks
would run in -- covering the kinds of declarative objects they use (answer sheets, per-officer
papers) -- at the start of the run, and answers ``gate(kernel_name)`` with that probe's result
once it is in: the kinds verified against the kernel and its ``language_info``.
"""

from __future__ import annotations

from concurrent.futures import Future

from nbgrader.preprocessors import Execute
from traitlets.config import Config

from .declarative import kinds_declared
from .kernels import KernelPool
from .probe import ProbeResult, start_probe
from .snapshot import AssignmentSnapshot, kernelspec_of


class FastPathGate:
    """Per kernel name: the probe's verdict (waited for on first use)."""

    def __init__(self, pool: KernelPool, config: Config, snapshot: AssignmentSnapshot) -> None:
        self._probes: dict[str, Future[ProbeResult]] = {}
        execute = Execute(config=config)
        if not execute.enabled:
            return
        wanted: dict[str, tuple[set[str], dict[str, object] | None]] = {}
        for info in snapshot.notebooks.values():
            kinds = set().union(*(kinds_declared(c.source) for c in info.source_cells))
            if "sheet" not in kinds:
                continue
            kernelspec = kernelspec_of(info)
            name = str(execute.kernel_name or (kernelspec or {}).get("name") or "")
            wanted.setdefault(name, (set(), kernelspec))[0].update(kinds)
        for name, (kinds, kernelspec) in wanted.items():
            self._probes[name] = start_probe(
                pool, config=config, kernel_name=name, kinds=frozenset(kinds), kernelspec=kernelspec
            )

    @property
    def active(self) -> bool:
        """Whether the assignment has declarative notebooks at all."""
        return bool(self._probes)

    def __call__(self, kernel_name: str) -> ProbeResult | None:
        probe = self._probes.get(kernel_name)
        return probe.result() if probe is not None else None

    def describe(self) -> str:
        """A Chinese line for the summary ("" when the assignment has no declarative items)."""
        if not self._probes:
            return ""
        results = [p.result() for p in self._probes.values()]
        if all(r.verified and not r.reason for r in results):
            return "声明式题目免内核评分：自检通过（与内核执行结果逐项一致）。"
        reason = next(r.reason for r in results if r.reason or not r.verified)
        if any(r.verified for r in results):
            return f"声明式题目部分免内核评分（{reason}），其余用内核执行，结果与 nbgrader 相同。"
        return f"声明式题目未启用免内核评分（{reason}），已全部用内核执行，结果与 nbgrader 相同。"
