"""nbgrader's region delimiters, which no content (bank, module, case) may contain.

nbgrader finds ``### BEGIN HIDDEN TESTS`` and its kin by plain substring search on every line
(``ClearSolutions``, ``ClearHiddenTests``, ``ClearMarkScheme``). A 解析, a reference answer or
a case text holding ``END HIDDEN TESTS`` would end the hidden region early, and the key after
it would be released to officers. Importers refuse such text, naming file, row and column;
the notebook factories neutralise any that still arrives (e.g. imported before this check).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from traitlets.config import Config

# nbgrader's defaults (ClearSolutions, ClearHiddenTests, ClearMarkScheme) and the autograded
# answer markers some nbgrader versions and tools use.
DEFAULT_MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "BEGIN MARK SCHEME",
    "END MARK SCHEME",
    "BEGIN AUTOGRADED ANSWER",
    "END AUTOGRADED ANSWER",
)
MESSAGE = (
    "内容中不能出现 nbgrader 的区域标记“{marker}”（它会使答案或评分要点随试卷发给队员），请改写"
)


def configured_markers(config: Config | None = None) -> tuple[str, ...]:
    """The defaults plus the delimiters a course configured for nbgrader's preprocessors."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearSolutions

    found = list(DEFAULT_MARKERS)
    config = config or Config()
    solutions = ClearSolutions(config=config)
    tests = ClearHiddenTests(config=config)
    scheme = ClearMarkScheme(config=config)
    for marker in (
        solutions.begin_solution_delimeter,
        solutions.end_solution_delimeter,
        tests.begin_test_delimeter,
        tests.end_test_delimeter,
        scheme.begin_mark_scheme_delimeter,
        scheme.end_mark_scheme_delimeter,
    ):
        if marker.strip() and marker not in found:
            found.append(marker)
    return tuple(found)


def _pattern(marker: str) -> re.Pattern[str]:
    """The marker in any case, with any run of whitespace between its words."""
    words = _canonical(marker).split()
    return re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)


def _canonical(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def find_marker(text: str, markers: Iterable[str] = DEFAULT_MARKERS) -> str | None:
    """The first delimiter ``text`` contains (after NFKC, case-insensitively), else None."""
    canonical = _canonical(text)
    for marker in markers:
        if _pattern(marker).search(canonical):
            return marker
    return None


def marker_lines(
    text: str, markers: Iterable[str] = DEFAULT_MARKERS, *, first_line: int = 1
) -> list[tuple[int, str]]:
    """(line number, delimiter) for every line of ``text`` that holds a delimiter."""
    markers = tuple(markers)
    found = []
    for number, line in enumerate(text.splitlines(), start=first_line):
        marker = find_marker(line, markers)
        if marker is not None:
            found.append((number, marker))
    return found


def message(marker: str) -> str:
    """The Chinese message for content holding ``marker``."""
    return MESSAGE.format(marker=marker)


def _full_width(match: re.Match[str]) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in match.group())


def neutralise(text: str, markers: Iterable[str] = DEFAULT_MARKERS) -> str:
    """``text`` with every delimiter nbgrader could match written in full-width letters, which
    read the same but never match; the rest of the text is left exactly as it was."""
    for marker in markers:
        text = _pattern(marker).sub(_full_width, text)
    return text
