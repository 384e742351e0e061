"""Whether declarative notebooks may be scored without a kernel in this run.

The gate starts one probe (``probe.py``) per kernel that the assignment's declarative notebooks
would run in -- covering the kinds of declarative objects they use (answer sheets, per-officer
papers) -- at the start of the run, and answers ``gate(kernel_name)`` with that probe's result
once it is in: the kinds verified against the kernel and its ``language_info``. A verdict the
course's cache (``probe_cache.py``) holds for the same versions, kernel and probe is used as
is, so a rerun starts no kernel for the probe; a new full pass is stored there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future

from nbgrader.preprocessors import Execute
from traitlets.config import Config

from .declarative import kinds_declared
from .kernels import KernelPool
from .probe import ProbeResult, probe_content, start_probe
from .probe_cache import VerdictCache, verdict_key
from .snapshot import AssignmentSnapshot, kernelspec_of

LOG = logging.getLogger("fazhi.grading")


class FastPathGate:
    """Per kernel name: the probe's verdict (waited for on first use)."""

    def __init__(
        self,
        pool: KernelPool,
        config: Config,
        snapshot: AssignmentSnapshot,
        cache: VerdictCache | None = None,
    ) -> None:
        self._probes: dict[str, Future[ProbeResult]] = {}
        self.cached: set[str] = set()  # kernel names whose verdict came from the cache
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
            self._probes[name] = self._verdict(
                pool, config, cache, name, frozenset(kinds), kernelspec
            )

    def _verdict(
        self,
        pool: KernelPool,
        config: Config,
        cache: VerdictCache | None,
        name: str,
        kinds: frozenset[str],
        kernelspec: dict[str, object] | None,
    ) -> Future[ProbeResult]:
        """The cached verdict, else a probe started now (whose full pass is then cached)."""

        def key() -> str | None:
            content = probe_content(kinds, kernelspec)
            return verdict_key(
                kernel_name=name, kernelspec=kernelspec, probe_content=content, config=config
            )

        first, found = None, None
        if cache is not None:
            try:  # an unusable cache only means probing
                first = key()
                found = cache.load(first, kinds) if first else None
            except Exception:
                LOG.info("probe verdict cache not used", exc_info=True)
        if found is not None:
            LOG.info("declarative probe for kernel %r: verdict from cache %s", name, first)
            self.cached.add(name)
            future: Future[ProbeResult] = Future()
            future.set_result(ProbeResult(verified=found[0], language_info=found[1]))
            return future
        LOG.info("declarative probe for kernel %r: running in a kernel", name)
        future = start_probe(
            pool, config=config, kernel_name=name, kinds=kinds, kernelspec=kernelspec
        )
        if cache is not None and first:
            stored = first
            future.add_done_callback(lambda done: _remember(cache, stored, key, kinds, done))
        return future

    @property
    def active(self) -> bool:
        """Whether the assignment has declarative notebooks at all."""
        return bool(self._probes)

    def settle(self) -> None:
        """Wait until every verdict is in (a running probe's included)."""
        for probe in self._probes.values():
            probe.exception()  # waits; a failed probe is a verdict too (see describe)

    def __call__(self, kernel_name: str) -> ProbeResult | None:
        probe = self._probes.get(kernel_name)
        return probe.result() if probe is not None else None

    def describe(self) -> str:
        """A Chinese line for the summary ("" when the assignment has no declarative items)."""
        if not self._probes:
            return ""
        results = [p.result() for p in self._probes.values()]
        if all(r.verified and not r.reason for r in results):
            if self.cached == set(self._probes):
                return (
                    "声明式题目免内核评分：自检通过（沿用此前的自检结果：软件版本、内核与自检题"
                    "均未变，与内核执行结果逐项一致）。"
                )
            return "声明式题目免内核评分：自检通过（与内核执行结果逐项一致）。"
        reason = next(r.reason for r in results if r.reason or not r.verified)
        if any(r.verified for r in results):
            return f"声明式题目部分免内核评分（{reason}），其余用内核执行，结果与 nbgrader 相同。"
        return f"声明式题目未启用免内核评分（{reason}），已全部用内核执行，结果与 nbgrader 相同。"


def _remember(
    cache: VerdictCache,
    key: str,
    key_now: Callable[[], str | None],
    kinds: frozenset[str],
    done: Future[ProbeResult],
) -> None:
    """Store a probe's verdict when it verified every kind it was asked about, cleanly, and
    nothing the key covers changed while it ran (e.g. fazhi's code was being edited)."""
    if done.cancelled() or done.exception() is not None:
        return
    result = done.result()
    if result.verified != kinds or result.reason:
        return
    try:
        if key_now() == key:
            cache.store(key, result.verified, result.language_info)
    except Exception:
        LOG.info("probe verdict not cached", exc_info=True)
