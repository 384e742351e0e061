"""The self-check's verdict, remembered so a rerun starts no kernel just to probe again.

A passing probe is stored in ``<course>/.fazhi/probe-verdict.json`` under a key that hashes
everything the verdict depends on: the fazhi and nbgrader versions, the source of the code on
both sides of the comparison (``fazhi.kernel``, the contract parser, the grading package with
the kernel-free scorer and the probe), the probe notebook and its files, the kernelspec as
jupyter_client would launch it (the interpreter's file and the kernel-side packages' versions
included) and the execution settings. Any change gives a new key, so the probe runs again.

The file is untrusted input: each entry carries an HMAC made with a per-user secret kept
outside the course (``$XDG_STATE_HOME/fazhi/probe-key``), and anything unreadable, oversized,
malformed, unsigned or signed for another key is ignored -- which only means the probe runs.
Only full passes are stored; a kernel that lives in another interpreter is never cached,
since the versions hashed here would not be the ones it imports.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.util
import json
import logging
import os
import secrets
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbgrader
from traitlets.config import Config

import fazhi

LOG = logging.getLogger("fazhi.grading")
CACHE_DIR = ".fazhi"
CACHE_FILE = "probe-verdict.json"
KEY_FILE = "probe-key"
FORMAT = 1
MAX_BYTES = 256 * 1024
MAX_ENTRIES = 16
KERNEL_SIDE_PACKAGES = ("ipykernel", "ipywidgets", "IPython", "jupyter_client", "nbclient")
EXECUTE_SECTIONS = (
    "Execute",
    "ExecutePreprocessor",
    "NotebookClient",
    "KernelManager",
    "KernelSpecManager",
)
_GRADING = Path(__file__).resolve().parent


def _fazhi_sources() -> list[Path]:
    """Code whose change can change either side of the probe's comparison."""
    base = Path(fazhi.__file__).resolve().parent
    kernel = sorted((base / "kernel").glob("*.py"))
    return [*kernel, base / "notebook.py", *sorted(_GRADING.glob("*.py"))]


def _digest(paths: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.name.encode() + b"\0")
        try:
            sha.update(path.read_bytes())
        except OSError:
            sha.update(b"\0missing\0")
    return sha.hexdigest()


def _file_identity(path: str | None) -> list[Any]:
    """Real path, size and modification time: a reinstalled file gets a new identity."""
    if not path:
        return []
    real = os.path.realpath(path)
    try:
        info = os.stat(real)
    except OSError:
        return [real]
    return [real, info.st_size, info.st_mtime_ns]


def _installed(package: str) -> list[Any]:
    """The package's distribution names beside it (they carry the version) and its origin."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return [package, None]
    folder = Path(spec.origin).parent.parent
    prefix = package.lower().replace("-", "_") + "-"
    try:
        dists = sorted(n for n in os.listdir(folder) if n.lower().startswith(prefix))
    except OSError:
        dists = []
    return [package, dists, _file_identity(spec.origin)]


def _launch(kernel_name: str, config: Config) -> dict[str, Any] | None:
    """The kernel's launch spec and interpreter, or None when it is not this interpreter."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager(config=config).get_kernel_spec(kernel_name or "python3")
    except (NoSuchKernel, OSError, ValueError):
        return None
    argv = list(spec.argv)
    if not argv:
        return None
    executable = argv[0]
    major, minor = sys.version_info[:2]
    if executable in {"python", f"python{major}", f"python{major}.{minor}"}:
        executable = sys.executable  # jupyter_client's KernelManager.format_kernel_cmd does so
    if os.path.realpath(executable) != os.path.realpath(sys.executable):
        return None
    return {"spec": spec.to_dict(), "interpreter": _file_identity(sys.executable)}


def _execute_settings(config: Config) -> dict[str, str]:
    return {section: repr(config.get(section, {})) for section in EXECUTE_SECTIONS}


def verdict_key(
    *,
    kernel_name: str,
    kernelspec: dict[str, Any] | None,
    probe_content: str,
    config: Config,
) -> str | None:
    """The cache key of this run's probe, or None when its verdict must not be cached."""
    launch = _launch(kernel_name, config)
    if launch is None:
        return None
    material = {
        "format": FORMAT,
        "fazhi": fazhi.__version__,
        "nbgrader": nbgrader.__version__,
        "python": sys.version,
        "sources": _digest(_fazhi_sources()),
        "probe": hashlib.sha256(probe_content.encode()).hexdigest(),
        "kernel_name": kernel_name,
        "kernelspec": kernelspec,
        "launch": launch,
        "packages": [_installed(p) for p in KERNEL_SIDE_PACKAGES],
        "execute": _execute_settings(config),
    }
    text = json.dumps(material, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _state_dir() -> Path | None:
    """Where this user's key lives: never inside a course (None when there is no such place)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    return Path(base) / "fazhi" if os.path.isabs(base) else None


def _read_regular(path: Path, limit: int) -> bytes | None:
    """At most ``limit`` bytes of a regular file that is not a link (else None)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None


def _secret() -> bytes | None:
    """This user's signing key (created on first use, readable by the user only)."""
    folder = _state_dir()
    if folder is None:
        return None
    path = folder / KEY_FILE
    try:
        data = _read_regular(path, 1024)
        if data is None:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with contextlib.suppress(FileExistsError):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32))
            data = _read_regular(path, 1024)
    except OSError:
        LOG.info("probe verdict cache disabled: no key at %s", path, exc_info=True)
        return None
    return data if data and len(data) >= 32 else None


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()


def _signature(secret: bytes, key: str, payload: dict[str, Any]) -> str:
    return hmac.new(secret, key.encode() + b"\0" + _canonical(payload), hashlib.sha256).hexdigest()


def _genuine(secret: bytes, key: str, entry: Any) -> bool:
    """Whether ``entry`` was stored under ``key`` by this user (its signature matches)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("mac"), str):
        return False
    payload = {k: entry.get(k) for k in ("verified", "language_info")}
    try:
        expected = _signature(secret, key, payload)
    except (TypeError, ValueError):
        return False
    return hmac.compare_digest(entry["mac"], expected)


class VerdictCache:
    """The course's stored probe verdicts (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self.path = self.folder / CACHE_FILE

    def _entries(self) -> dict[str, Any]:
        data = _read_regular(self.path, MAX_BYTES)
        if data is None:
            return {}
        try:
            stored = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            LOG.info("probe verdict cache %s is not valid JSON: ignored", self.path)
            return {}
        if not isinstance(stored, dict) or stored.get("format") != FORMAT:
            return {}
        entries = stored.get("entries")
        return entries if isinstance(entries, dict) else {}

    def load(self, key: str, kinds: frozenset[str]) -> tuple[frozenset[str], dict[str, Any]] | None:
        """The stored (verified kinds, language_info) for ``key``, if present and genuine."""
        secret = _secret()
        entry = self._entries().get(key) if secret else None
        if secret is None or entry is None:
            return None
        if not _genuine(secret, key, entry):
            LOG.warning("probe verdict cache entry %s is not genuine: ignored", key[:12])
            return None
        verified, language_info = entry["verified"], entry["language_info"]
        if not isinstance(verified, list) or not all(isinstance(v, str) for v in verified):
            return None
        if frozenset(verified) != kinds or not isinstance(language_info, dict):
            return None
        return frozenset(verified), language_info

    def store(self, key: str, verified: frozenset[str], language_info: dict[str, Any]) -> None:
        """Remember a full pass, keeping only genuine entries (a write failure costs a probe)."""
        secret = _secret()
        if secret is None:
            return
        payload = {"verified": sorted(verified), "language_info": language_info}
        entries = {k: v for k, v in self._entries().items() if k != key and _genuine(secret, k, v)}
        entries = dict(list(entries.items())[-(MAX_ENTRIES - 1) :])
        entries[key] = {**payload, "mac": _signature(secret, key, payload)}
        text = json.dumps({"format": FORMAT, "entries": entries}, ensure_ascii=False, indent=1)
        try:
            if self.folder.is_symlink():
                return
            self.folder.mkdir(exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".probe-", dir=self.folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(temporary, self.path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
        except OSError:
            LOG.info("could not store the probe verdict in %s", self.path, exc_info=True)
