"""Formula-safe text cells: what a spreadsheet would run as a formula, and how to defuse it."""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(text: str) -> bool:
    """Would Excel or LibreOffice read ``text`` as a formula (or DDE call) when typed in?"""
    return text.startswith(FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(text) is None


def neutralise(text: str) -> str:
    """``text`` with a leading single quote if a spreadsheet would otherwise run it (OWASP)."""
    return QUOTE + text if is_formula_like(text) else text


def restore(text: str) -> str:
    """Undo ``neutralise``: an importer of files fazhi exported gets the original text back."""
    if text.startswith(QUOTE) and is_formula_like(text[1:]):
        return text[1:]
    return text
