"""The one rule for officer ids (工号), exam names and bank names that may become paths.

An officer id is ASCII letters, digits, ``_`` and ``-`` (1–32 characters, starting with a
letter or digit), read after NFKC (full-width ``ＣＧ０００１`` → ``CG0001``) and upper-cased,
so ``cg0001`` and ``CG0001`` are the same officer everywhere an id is read: roster, answer
sheets, study records, mock-court scores and the hub's user names (lower-case).
"""

from __future__ import annotations

import re
import unicodedata

OFFICER_ID_MAX = 32
OFFICER_ID_PATTERN = re.compile(rf"^[A-Z0-9][A-Z0-9_-]{{0,{OFFICER_ID_MAX - 1}}}$")
EXAM_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
BANK_NAME_MAX = 100
OFFICER_ID_RULE = f"工号只能由英文字母、数字、下划线和连字符组成（不超过 {OFFICER_ID_MAX} 个字符）"


def officer_key(text: object) -> str:
    """The canonical form of a 工号 as typed: NFKC, trimmed, upper-case (no validation)."""
    return unicodedata.normalize("NFKC", str(text or "")).strip().upper()


def normalise_officer_id(text: object) -> str:
    """``text`` as a canonical 工号; ValueError with a Chinese message when it is not one."""
    key = officer_key(text)
    if not key:
        raise ValueError("工号不能为空")
    if not OFFICER_ID_PATTERN.fullmatch(key):
        shown = key if len(key) <= 40 else key[:40] + "……"
        raise ValueError(f"工号“{shown}”无效：{OFFICER_ID_RULE}")
    return key


def check_exam_name(name: str) -> str:
    """An exam (nbgrader assignment) name: one safe folder name; ValueError otherwise."""
    if not EXAM_NAME_PATTERN.fullmatch(name or ""):
        raise ValueError(
            f"考试名称“{name}”无效：只能由英文字母、数字、下划线和连字符组成，"
            "以字母或数字开头，不超过 64 个字符"
        )
    return name


def check_bank_name(name: str) -> str:
    """A bank name: printable text without path separators, at most 100 characters."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    if not text:
        raise ValueError("题库名称不能为空")
    if len(text) > BANK_NAME_MAX:
        raise ValueError(f"题库名称过长（最多 {BANK_NAME_MAX} 个字符）")
    bad = {"/", "\\"} & set(text)
    if bad or text in {".", ".."} or any(not ch.isprintable() for ch in text):
        raise ValueError(f"题库名称“{text}”无效：不能包含 / \\ 或控制字符，也不能是 . 或 ..")
    return text
