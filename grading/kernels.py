"""A pool of warm kernels: N worker threads, each with the next kernel already booting.

Every notebook still runs in a fresh kernel of its own, exactly as under ``nbgrader autograde``
(nothing leaks from one officer to the next); what the pool saves is the waiting. While a
worker executes one submission, the kernel for its next submission is already starting, and N
workers run side by side. Execution itself is nbgrader's ``Execute`` preprocessor, handed a
started kernel manager through nbconvert's public ``preprocess(nb, resources, km=...)``, so
timeouts, interrupts and error recording are nbgrader's.

Kernels are started as nbclient would start them (the same kernel manager class and
arguments, ``--HistoryManager.hist_file=:memory:``, ``NBGRADER_EXECUTION=autograde``) but
sandboxed, because they run what officers wrote: the working directory is a temporary copy of
the submission's own files (``Sandbox``), outside the course directory, and the environment
is minimal (no ``FAZHI_*`` settings or database URLs, ``HOME`` inside the copy). Files the
code writes there are copied back to the autograded folder afterwards, as if it had run there.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import shutil
import site
import subprocess
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from jupyter_client.manager import KernelManager
from jupyter_core.utils import ensure_async, ensure_event_loop, run_sync
from nbclient.util import run_hook
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Any as AnyTrait
from traitlets.config import Config

LOG = logging.getLogger("fazhi.grading")
T = TypeVar("T")


@dataclass(frozen=True)
class KernelRequest:
    """Which kernel to start, and where (the notebook's directory in autograded/)."""

    kernel_name: str
    cwd: str


def kernel_request(nb: NotebookNode, cwd: str, config: Config) -> KernelRequest:
    """The kernel nbclient would start for ``nb`` (Execute.kernel_name, else the kernelspec)."""
    configured = Execute(config=config).kernel_name
    name = configured or nb.metadata.get("kernelspec", {}).get("name") or ""
    return KernelRequest(kernel_name=name, cwd=cwd)


# What a grading kernel inherits from the grader's environment: enough to run Python and
# print Chinese, nothing that points at the workspace, its database or the trainer's account.
INHERITED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT")
SANDBOX_PREFIX = "fazhi-grade-"
# Never copied back from a sandbox: nbgrader's bookkeeping, the notebooks the grader writes
# itself and answer sheets (feedback is built from the autograded copy).
GRADER_FILES = ("timestamp.txt", "submission_secret.txt", ".ipynb", ".answers.json")


class Sandbox:
    """A temporary copy of one submission's folder for a kernel to run in (outside the course).

    Only regular files and folders are copied (symlinks are left out), so relative paths
    from the officer's code reach nothing of the course directory. ``copy_back`` returns
    the files the code created or changed to the autograded folder (never through a link,
    never the grader's own files).
    """

    def __init__(self, folder: str) -> None:
        self.origin = Path(folder)
        self.root = Path(tempfile.mkdtemp(prefix=SANDBOX_PREFIX))
        self.work = self.root / "work"
        self.home = self.root / "home"
        self.home.mkdir()
        self.work.mkdir()
        self._copied: dict[Path, tuple[int, int]] = {}

    def fill(self) -> None:
        """Copy the folder's files in: just before execution, since a kernel may be started
        before its notebook's files exist (and so nothing of the officer's shadows a module
        the kernel imports while it starts)."""
        for source in _regular_files(self.origin):
            relative = source.relative_to(self.origin)
            target = self.work / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            stat = target.stat()
            self._copied[relative] = (stat.st_size, stat.st_mtime_ns)

    def env(self) -> dict[str, str]:
        env = {name: os.environ[name] for name in INHERITED_ENV if name in os.environ}
        env.update(
            HOME=str(self.home),
            IPYTHONDIR=str(self.home / ".ipython"),
            MPLCONFIGDIR=str(self.home / ".matplotlib"),
            TMPDIR=str(self.home),
            # packages installed with ``pip --user`` stay importable although HOME moved
            PYTHONUSERBASE=site.getuserbase(),
            NBGRADER_EXECUTION="autograde",
        )
        return env

    def copy_back(self) -> None:
        origin = self.origin.resolve()
        for source in _regular_files(self.work):
            relative = source.relative_to(self.work)
            stat = source.stat()
            if relative.name.endswith(GRADER_FILES):
                continue
            if self._copied.get(relative) == (stat.st_size, stat.st_mtime_ns):
                continue
            target = self.origin / relative
            if not target.resolve().is_relative_to(origin) or target.is_dir():
                continue
            if target.is_symlink():
                target.unlink()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _regular_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for directory, subdirs, files in os.walk(folder):  # os.walk does not follow links
        base = Path(directory)
        subdirs[:] = [d for d in subdirs if not (base / d).is_symlink()]
        found.extend(
            base / f for f in files if (base / f).is_file() and not (base / f).is_symlink()
        )
    return found


async def _start(km: KernelManager, **kwargs: Any) -> None:
    await ensure_async(km.start_kernel(**kwargs))


async def _stop(km: KernelManager, sandbox: Sandbox | None = None) -> None:
    try:
        if await ensure_async(km.is_alive()):
            await ensure_async(km.shutdown_kernel(now=True))
    except RuntimeError as err:  # already gone
        LOG.debug("kernel shutdown: %s", err)
    finally:
        await ensure_async(km.cleanup_resources())
        if sandbox is not None:
            sandbox.remove()


async def _gather(tasks: list[asyncio.Task[None]]) -> None:
    await asyncio.gather(*tasks, return_exceptions=True)


class WarmKernel:
    """A kernel started ahead of its notebook, with its client connecting in the background.

    Everything happens on the creating thread's event loop (jupyter_core's per-thread loop,
    the one nbclient runs on): the readiness check and, after use, the shutdown are tasks
    that progress while that thread executes other notebooks.
    """

    def __init__(self, request: KernelRequest, config: Config) -> None:
        self.request = request
        self.config = config
        prototype = Execute(config=config)
        kwargs: dict[str, Any] = {"config": config}
        if request.kernel_name:
            kwargs["kernel_name"] = request.kernel_name
        self.km: KernelManager = prototype.kernel_manager_class(**kwargs)
        extra = list(prototype.extra_arguments)
        if (
            getattr(self.km, "ipykernel", False)
            and prototype.ipython_hist_file
            and not any(a.startswith("--HistoryManager.hist_file") for a in extra)
        ):
            extra.append(f"--HistoryManager.hist_file={prototype.ipython_hist_file}")
        self.sandbox = Sandbox(request.cwd)
        # The kernel's own console chatter would garble the progress bar; what the officer's
        # code prints is captured by the kernel into the notebook as usual.
        try:
            run_sync(_start)(
                self.km,
                extra_arguments=extra,
                cwd=str(self.sandbox.work),
                env=self.sandbox.env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except BaseException:
            self.sandbox.remove()
            raise
        self.loop = ensure_event_loop()
        self.client: Any = self.km.client()
        self.client.start_channels()
        self.ready = self.loop.create_task(
            ensure_async(self.client.wait_for_ready(timeout=prototype.startup_timeout))
        )

    def stop_later(self) -> None:
        """Stop the kernel in the background (a task on this thread's loop)."""
        if not self.ready.done():
            self.ready.cancel()
        elif not self.ready.cancelled():
            self.ready.exception()  # retrieved: a failed start was reported by nbclient
        self.client.stop_channels()
        _STOPPING.setdefault(threading.get_ident(), []).append(
            self.loop.create_task(_stop(self.km, self.sandbox))
        )


_STOPPING: dict[int, list[asyncio.Task[None]]] = {}


def finish_stopping() -> None:
    """Wait for this thread's background shutdowns (before the thread ends)."""
    tasks = _STOPPING.pop(threading.get_ident(), [])
    if tasks:
        run_sync(_gather)(tasks)


class WarmExecute(Execute):
    """nbgrader's Execute on a kernel that was started ahead of time (and is stopped after).

    Only the kernel client's start is replaced: nbclient's own ``start_new_kernel_client``
    would connect and wait for readiness now; the warm kernel's client did it while the
    previous notebook ran. Everything else (cells, timeouts, interrupts, outputs) is
    nbclient's and nbgrader's.
    """

    warm = AnyTrait()

    async def async_start_new_kernel_client(self) -> Any:
        warm: WarmKernel = self.warm
        try:
            await warm.ready
        except Exception as err:
            self.log.error("Error occurred while starting new kernel client: %s", err)
            raise
        self.kc = warm.client
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict, km: KernelManager | None = None
    ) -> tuple[NotebookNode, ResourcesDict]:
        warm: WarmKernel = self.warm
        try:
            warm.sandbox.fill()
            return super().preprocess(nb, resources, km=warm.km)
        finally:
            try:
                warm.sandbox.copy_back()
            finally:
                warm.stop_later()


class KernelSource:
    """What a job asks for kernels: the pre-started one if it matches, else a new one."""

    def __init__(self, config: Config, ready: WarmKernel | None) -> None:
        self.config = config
        self._ready = ready

    def take(self, request: KernelRequest) -> WarmKernel:
        ready, self._ready = self._ready, None
        if ready is not None and ready.request == request:
            return ready
        if ready is not None:
            ready.stop_later()
        return WarmKernel(request, self.config)

    def discard(self) -> None:
        if self._ready is not None:
            self._ready.stop_later()
            self._ready = None


@dataclass
class _Task(Generic[T]):
    run: Callable[[KernelSource], T]
    request: KernelRequest | None
    future: Future[T] = field(default_factory=Future)


_STOP = object()


class KernelPool:
    """``workers`` threads running jobs that need kernels, each starting its next kernel early."""

    def __init__(self, *, workers: int, config: Config) -> None:
        self.config = config
        self.workers = max(1, workers)
        self._queue: queue.Queue[Any] = queue.Queue()
        # Started with the first job: a run whose notebooks are all declarative starts no
        # thread (and forks its scoring workers from a single-threaded grader).
        self._threads: list[threading.Thread] = []

    def submit(self, run: Callable[[KernelSource], T], request: KernelRequest | None) -> Future[T]:
        """Run ``run(kernels)`` on a worker; ``request`` is the first kernel it will need."""
        if not self._threads:
            self._threads = [
                threading.Thread(target=self._work, name=f"fazhi-kernel-{i}", daemon=True)
                for i in range(self.workers)
            ]
            for thread in self._threads:
                thread.start()
        task: _Task[T] = _Task(run, request)
        self._queue.put(task)
        return task.future

    def close(self, *, cancel: bool = False, timeout: float | None = None) -> None:
        """Stop the workers after the queued jobs (or, with ``cancel``, without them)."""
        if cancel:
            while True:
                try:
                    task = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(task, _Task):
                    task.future.cancel()
        for _ in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join(timeout)

    def _start(self, task: Any) -> WarmKernel | None:
        if not isinstance(task, _Task) or task.request is None:
            return None
        try:
            return WarmKernel(task.request, self.config)
        except Exception:  # the job starts (and reports) its own kernel
            LOG.debug("could not pre-start a kernel", exc_info=True)
            return None

    def _work(self) -> None:
        current = self._queue.get()
        warm = self._start(current)
        while isinstance(current, _Task):
            try:
                upcoming = self._queue.get_nowait()
            except queue.Empty:
                upcoming = None
            upcoming_warm = self._start(upcoming)
            source = KernelSource(self.config, warm)
            if current.future.set_running_or_notify_cancel():
                try:
                    current.future.set_result(current.run(source))
                except BaseException as err:
                    current.future.set_exception(err)
            source.discard()
            if upcoming is None:
                upcoming = self._queue.get()
                upcoming_warm = self._start(upcoming)
            current, warm = upcoming, upcoming_warm
        finish_stopping()
