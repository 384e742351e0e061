"""nbformat's reading, validating and writing of notebooks, made cheap for kernel-free grading.

Each is exactly what nbformat does -- the same notebook read, the same verdict (and error), the
same text written -- but cheaper where an exam's notebooks are alike for every officer: these
steps were about a third of the kernel-free grading of a submission.

Writing: NotebookExporter writes ``nbformat.writes``: ``json.dumps(..., indent=1,
sort_keys=True)`` of the notebook after ``split_lines`` and ``strip_transient``, plus a
trailing newline. With an indent ``json`` never uses its C encoder, and its pure-Python
encoder takes ~3 ms for a 100-cell exam notebook. Yet most of that text repeats: the cells
OverwriteCells restores from the master are the same in every submission, and score outputs
take few distinct values. So each cell (and each other top-level value) is encoded compactly by
the C encoder, which is cheap, as the key of a memo; its indented text is made once by
``json``'s own encoder with nbformat's settings and remembered. The compact text determines the
indented text: both encoders accept the same values (dicts, lists and tuples, strings, numbers,
booleans, None, and subclasses of these) and render each of them alike. The notebook's text is
assembled as ``json`` lays it out: a value nested ``depth`` levels deep is its own text with
every newline followed by ``depth`` spaces (inside a JSON string a newline is always escaped,
so a raw newline in the text is structure). Anything else -- a notebook that is not a mapping
with string keys, a value the C encoder refuses (such as bytes, which nbformat's BytesEncoder
takes) or a circular reference -- is written by nbformat's exact ``json.dumps``, which returns
or raises as it always did.

Validating: a notebook is valid when its top level is and each of its cells is (the schema has
no rule across cells; cell ids, the one cross-cell check, are nbformat's ``_normalize``, which
changes nothing when every cell has a distinct id). Cells found valid are remembered by their
compact text (with the format's minor version and the validator, whose schemas decide), and
only the rest are validated, with the top level, by nbformat itself; should that fail, nbformat
validates the whole notebook, so the error is its own. Both memos are bounded.

Reading: ``json.loads`` with NotebookNode as the object hook builds the same nodes as
nbformat's ``from_dict`` of the parsed dicts, without a second pass over the notebook.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Hashable
from json.encoder import encode_basestring
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode
from nbformat.v4.nbjson import BytesEncoder
from nbformat.v4.rwbase import rejoin_lines, split_lines, strip_transient

# nbformat.v4.nbjson.JSONWriter.writes
_INDENTED: dict[str, Any] = {
    "cls": BytesEncoder,
    "indent": 1,
    "sort_keys": True,
    "separators": (",", ": "),
    "ensure_ascii": False,
}
# No indent and no ``default``: json's C encoder. Its text is only ever a memo key.
_COMPACT = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))

MEMO_ENTRIES = 4096
MEMO_CHARS = 64 * 1024 * 1024  # keys and values together, in characters
ENTRY_CHARS = 1024 * 1024  # a larger value is handled every time, never remembered


class BoundedMemo:
    """A thread-safe dict bounded in entries and characters, emptied when it would overflow."""

    def __init__(self, entries: int = MEMO_ENTRIES, chars: int = MEMO_CHARS) -> None:
        self.max_entries, self.max_chars = entries, chars
        self._values: dict[Hashable, str] = {}
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        return self._values.get(key)

    def put(self, key: Hashable, value: str, size: int) -> None:
        """Remember ``value`` (``size`` characters with its key) unless it alone is too large."""
        if size > min(ENTRY_CHARS, self.max_chars):
            return
        with self._lock:
            if len(self._values) >= self.max_entries or self._chars + size > self.max_chars:
                self._values.clear()
                self._chars = 0
            self._values[key] = value
            self._chars += size

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._chars = 0

    def __len__(self) -> int:
        return len(self._values)


_TEXTS = BoundedMemo()  # (depth, compact text) -> indented text
_VALID_CELLS = BoundedMemo()  # (validator, nbformat_minor, compact text) -> ""


# -- reading --------------------------------------------------------------------------------


def notebook_from_text(text: str) -> NotebookNode:
    """``nbformat.convert(nbformat.reader.reads(text), 4)``: the notebook nbformat reads (its
    validation, which only logs, is the caller's), for a v4 notebook in one pass."""
    try:
        nb = json.loads(text, object_hook=NotebookNode)
    except ValueError:
        nb = None  # nbformat raises its own error below
    if not isinstance(nb, dict) or nb.get("nbformat", 1) != 4:
        return nbformat.convert(nbformat.reader.reads(text), 4)
    try:
        return strip_transient(rejoin_lines(nb))
    except AttributeError as err:  # as nbformat.reader.reads reports it
        raise nbformat.ValidationError(
            f"The notebook is invalid and is missing an expected key: {err}"
        ) from None


# -- validating -----------------------------------------------------------------------------


def validate(nb: NotebookNode) -> None:
    """``nbformat.validate(nb, relax_add_props=True)``: the same verdict, and the same error."""
    unseen = _unvalidated_cells(nb)
    if unseen is None:
        nbformat.validate(nb, relax_add_props=True)
        return
    cells, keys = unseen
    shell = NotebookNode(nb)
    shell["cells"] = cells
    try:
        nbformat.validate(shell, relax_add_props=True)
    except Exception:
        # the whole notebook is invalid too; nbformat's verdict on it, and its error, stand
        nbformat.validate(nb, relax_add_props=True)
        return
    for key in keys:
        _VALID_CELLS.put(key, "", len(key[2]))


def _unvalidated_cells(nb: Any) -> tuple[list[Any], list[tuple[str, int, str]]] | None:
    """The cells not yet known to be valid (with their memo keys), or None when the notebook
    is not one the memo may judge: an odd version, or ids that nbformat would repair."""
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None
    major, minor = nb.get("nbformat", 1), nb.get("nbformat_minor", 0)
    if type(major) is not int or type(minor) is not int or major != 4:
        return None
    cells = nb["cells"]
    if not all(isinstance(cell, dict) for cell in cells):
        return None
    if minor >= 5 and not _distinct_ids(cells):
        return None
    validator = os.environ.get("NBFORMAT_VALIDATOR", "")
    unseen, keys = [], []
    try:
        for cell in cells:
            key = (validator, minor, _COMPACT.encode(cell))
            if _VALID_CELLS.get(key) is None:
                unseen.append(cell)
                keys.append(key)
    except (TypeError, ValueError, RecursionError):  # not JSON: nbformat decides
        return None
    return unseen, keys


def _distinct_ids(cells: list[dict[str, Any]]) -> bool:
    """Whether nbformat's ``_normalize`` leaves the ids alone: each cell has one, all distinct."""
    seen = set()
    for cell in cells:
        if "id" not in cell:
            return False
        try:
            if cell["id"] in seen:
                return False
            seen.add(cell["id"])
        except TypeError:
            return False
    return True


# -- writing --------------------------------------------------------------------------------


def notebook_text(nb: NotebookNode) -> str:
    """``nbformat.writes(nb)`` with NotebookExporter's trailing newline, for a notebook the caller
    discards: like nbformat's writer it splits lines and strips transient metadata, but in
    place (no defensive copy) and without validating (the caller has validated)."""
    nb = strip_transient(split_lines(nb))
    try:
        text = _assembled(nb)
    except Exception:  # anything unusual: nbformat's own encoding returns or raises as before
        text = exact_json(nb)
    return text if text.endswith("\n") else text + "\n"


def exact_json(nb: Any) -> str:
    """nbformat's JSON text of a notebook already split and stripped (``nbformat.writes``)."""
    return json.dumps(nb, **_INDENTED)


def _assembled(nb: Any) -> str:
    """The top-level object as json's indenting encoder lays it out, from remembered parts."""
    if not isinstance(nb, dict):
        raise TypeError("not a notebook mapping")
    if not nb:
        return "{}"
    parts = ["{"]
    for index, key in enumerate(sorted(nb)):
        if type(key) is not str:
            raise TypeError("notebook keys must be strings")
        value = nb[key]
        parts.append("\n " if index == 0 else ",\n ")
        parts.append(encode_basestring(key))
        parts.append(": ")
        if key == "cells" and type(value) is list and value:
            parts.append(_cells_text(value))
        else:
            parts.append(_text(value, 1))
    parts.append("\n}")
    return "".join(parts)


def _cells_text(cells: list[Any]) -> str:
    parts = ["["]
    for index, cell in enumerate(cells):
        parts.append("\n  " if index == 0 else ",\n  ")
        parts.append(_text(cell, 2))
    parts.append("\n ]")
    return "".join(parts)


def _text(value: Any, depth: int) -> str:
    """json's indented text of ``value`` nested ``depth`` levels deep."""
    key = (depth, _COMPACT.encode(value))
    found = _TEXTS.get(key)
    if found is not None:
        return found
    text = json.dumps(value, **_INDENTED).replace("\n", "\n" + " " * depth)
    _TEXTS.put(key, text, len(key[1]) + len(text))
    return text
