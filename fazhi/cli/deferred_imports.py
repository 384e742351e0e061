"""Start-up costs of third-party imports that the CLI defers until they are actually used.

Several libraries the CLI needs import, at import time, modules that only a feature the
command never uses will call (``python -X importtime`` on a 43-officer ``fazhi grade``). For
each module in ``DEFERRED`` the CLI registers a stand-in before any command imports it: a
module object built from the real module's spec (same name, file and package path) whose code
has not run yet. The first use of anything the module defines runs its code in that same
object, so from then on the stand-in *is* the real module, including for code that already
holds it. Meanwhile the submodules of a deferred package import as usual, without the
package's ``__init__``; and functions that importers bind by name (``from m import f``) are
placeholders that run the module on their first call and then call the real function.

Only the ``fazhi`` command installs the stand-ins (``fazhi.cli.main``). The Jupyter server,
the kernels and nbgrader's own commands are other processes and import the real modules.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from typing import Any


@dataclass(frozen=True)
class Deferral:
    """A module the CLI imports only when something defined in it is used.

    A deferred submodule (``setuptools.archive_util``) is bound on its parent package when it
    runs, so it must be reached by ``from package.module import name`` (as its importers do),
    not as the attribute of a package imported meanwhile.
    """

    module: str
    why: str  # who imports it, what that costs, and what really uses it
    functions: tuple[str, ...] = ()  # bound by name at their importers' import: placeholders


DEFERRED = (
    Deferral(
        "rfc3987_syntax",
        "jsonschema (imported by nbformat) binds its is_valid_syntax for the 'iri' format "
        "checkers; it compiles an Earley grammar at import (1-3 s). nbformat never checks "
        "formats.",
        functions=("is_valid_syntax",),
    ),
    Deferral(
        "rfc3986_validator",
        "jsonschema binds its validate_rfc3986 for the 'uri' format checkers; it compiles its "
        "RFC 3986 regular expressions at import (~20 ms). nbformat never checks formats.",
        functions=("validate_rfc3986",),
    ),
    Deferral(
        "setuptools.archive_util",
        "nbgrader.utils binds three of its functions for `nbgrader zip_collect`; importing it "
        "imports setuptools and pkg_resources (~0.15 s), which nothing else in the CLI uses.",
        functions=("unpack_archive", "unpack_tarfile", "unpack_zipfile"),
    ),
    Deferral(
        "soupsieve",
        "bs4 (imported by nbconvert's markdown filters) imports it for CSS selectors "
        "(Tag.select), which only the HTML exporter calls (feedback, not grading); it compiles "
        "its CSS grammar at import (~0.1 s).",
    ),
    Deferral(
        "IPython",
        "jupyter_client's KernelSpecManager imports IPython.paths to search ~/.ipython for "
        "kernels; IPython's __init__ imports its interactive shell (~35 ms), which the CLI never "
        "starts. Submodules such as IPython.display import as usual.",
    ),
    Deferral(
        "requests",
        "nbgrader.api imports nbgrader.auth, whose JupyterHub plugin calls it to ask the Hub "
        "for a user's courses (a Hub deployment's exchange commands only); with urllib3 its "
        "import costs ~40 ms.",
    ),
)

_DONE = "done"
_RUNNING = "running"


class _StandIn:
    """The bookkeeping of one stand-in: its module object, and whether its code has run."""

    def __init__(self, module: types.ModuleType, spec: ModuleSpec) -> None:
        self.module = module
        self.spec = spec
        self.state = ""
        self.lock = threading.RLock()  # reentrant: the module's own code may use the module
        # the module's ``__getattr__`` and ``__dir__`` (PEP 562) until its code has run
        self.hooks: dict[str, Callable[..., Any]] = {
            "__getattr__": self.getattr,
            "__dir__": self.names,
        }

    def getattr(self, name: str) -> Any:
        """What the real module would answer for ``name``."""
        if name == "__path__":
            # a plain module has none; the import system asks on every ``from m import f``,
            # so running the module to answer would defeat the deferral
            raise AttributeError(f"module {self.spec.name!r} has no attribute {name!r}")
        if self._has_submodule(name):  # as ``from package import submodule`` would import it
            return importlib.import_module(f"{self.spec.name}.{name}")
        self.run()
        if self.state == _DONE:
            return getattr(self.module, name)  # through the module's own __getattr__, if any
        try:  # its code is running in this thread: a partly initialised module
            return self.module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.spec.name!r} has no attribute {name!r}") from None

    def names(self) -> list[str]:
        """What ``dir()`` of the real module lists."""
        self.run()
        if self.state == _DONE:
            return dir(self.module)
        return sorted(self.module.__dict__)

    def _has_submodule(self, name: str) -> bool:
        """Whether ``name`` is a submodule; dunders are not (``requests.__version__`` is both,
        and the package's ``__init__`` makes it a string)."""
        if self.spec.submodule_search_locations is None or "." in name or name.startswith("__"):
            return False
        return importlib.util.find_spec(f"{self.spec.name}.{name}") is not None

    def run(self) -> None:
        """Run the module's code in the stand-in, once, as importing it would have."""
        with self.lock:
            if self.state:  # done, or running in this thread: its code is using the module
                return
            self.state = _RUNNING
            try:
                parent, _, child = self.spec.name.rpartition(".")
                if parent:
                    importlib.import_module(parent)  # as the import system imports it first
                assert self.spec.loader is not None
                self.spec.loader.exec_module(self.module)
                if parent:
                    setattr(sys.modules[parent], child, self.module)
            except BaseException:
                self.state = ""  # a later use tries again and meets the same error
                raise
            self.state = _DONE
            for name, hook in self.hooks.items():
                if self.module.__dict__.get(name) is hook:  # the real module has none of its own
                    del self.module.__dict__[name]


def _placeholder(stand_in: _StandIn, name: str) -> Callable[..., Any]:
    """A function that runs the module on its first call and calls the real ``name``."""

    def placeholder(*args: Any, **kwargs: Any) -> Any:
        stand_in.run()
        return getattr(stand_in.module, name)(*args, **kwargs)

    placeholder.__name__ = placeholder.__qualname__ = name
    placeholder.__module__ = stand_in.spec.name
    return placeholder


def _spec_without_importing(name: str) -> ModuleSpec | None:
    """The spec of ``name``, found without running its parent packages' ``__init__``."""
    parent = name.rpartition(".")[0]
    if not parent or parent in sys.modules:
        return importlib.util.find_spec(name)
    parent_spec = _spec_without_importing(parent)
    if parent_spec is None or parent_spec.submodule_search_locations is None:
        return None
    return importlib.machinery.PathFinder.find_spec(name, parent_spec.submodule_search_locations)


def defer(deferral: Deferral) -> types.ModuleType | None:
    """Register the stand-in for ``deferral``, unless its module is imported already or absent."""
    if deferral.module in sys.modules:
        return None
    spec = _spec_without_importing(deferral.module)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    stand_in = _StandIn(module, spec)
    for name in deferral.functions:
        setattr(module, name, _placeholder(stand_in, name))
    module.__dict__.update(stand_in.hooks)
    sys.modules[deferral.module] = module
    return module


def defer_imports(deferred: tuple[Deferral, ...] = DEFERRED) -> None:
    """Register the stand-ins of ``deferred`` (the CLI calls this before any command runs)."""
    for deferral in deferred:
        defer(deferral)
