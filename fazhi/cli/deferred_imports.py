"""Start-up costs of third-party imports that the CLI defers until they are actually used.

``jsonschema`` (imported by nbformat, hence by every notebook-handling command) imports
``rfc3987_syntax`` when it is installed, only to register its "iri" format checkers; that
module compiles an Earley grammar at import, which took 1-3 s of the 43-officer ``fazhi grade``
run (``python -X importtime``). The CLI registers a stand-in whose ``is_valid_syntax`` imports
the real module on first call, so an IRI check behaves exactly as before and a run that checks
none (nbformat never asks for formats) does not pay for the grammar.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

IRI_MODULE = "rfc3987_syntax"
_LOCK = threading.Lock()


def _real_iri_module() -> Any:
    """Replace the stand-in by the real module (imported now) and return it."""
    with _LOCK:
        current = sys.modules.get(IRI_MODULE)
        if getattr(current, "__fazhi_stand_in__", False):
            del sys.modules[IRI_MODULE]
        return importlib.import_module(IRI_MODULE)


def defer_iri_grammar() -> None:
    """Register the stand-in, unless jsonschema was imported already or the module is absent."""
    if IRI_MODULE in sys.modules or "jsonschema" in sys.modules:
        return
    if importlib.util.find_spec(IRI_MODULE) is None:
        return
    stand_in = types.ModuleType(IRI_MODULE, "Imports rfc3987_syntax when first used.")

    def is_valid_syntax(term: str, value: str) -> Any:
        return _real_iri_module().is_valid_syntax(term, value)

    def __getattr__(name: str) -> Any:  # anything else also comes from the real module
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(_real_iri_module(), name)

    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    setattr(stand_in, "__getattr__", __getattr__)  # noqa: B010 (module-level __getattr__)
    stand_in.__fazhi_stand_in__ = True  # type: ignore[attr-defined]
    sys.modules[IRI_MODULE] = stand_in
