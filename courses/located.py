"""YAML with source lines, so content errors can name the file, line and field a trainer edits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fazhi.errors import InputError, InputErrors

Key = tuple[str | int, ...]

# 《法律简称》第X条 with Chinese numerals, as docs/content-format.md requires of every citation.
CITATION = re.compile(r"《[^《》]+》[^《》]*?第[一二三四五六七八九十百千零〇两]+条")
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class Located:
    """A parsed YAML document and the 1-based file line of every key and list item in it."""

    path: Path
    data: Any
    lines: dict[Key, int]
    first_line: int

    def line(self, *key: str | int) -> int:
        """The line of ``key`` (or of its nearest parent that exists)."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.first_line


@dataclass
class Problems:
    """Collects every problem of one file, then raises them together (all-or-nothing)."""

    path: Path
    errors: list[InputError] = field(default_factory=list)

    def add(self, line: int | None, field_name: str | None, message: str) -> None:
        self.errors.append(InputError(self.path, message, row=line, column=field_name))

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise InputErrors(sorted(self.errors, key=lambda e: e.row or 0))


def _walk(node: yaml.Node, key: Key, doc: Located, problems: Problems) -> None:
    """Record lines; report duplicate keys (YAML would silently keep the last one)."""
    offset = doc.first_line
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = str(key_node.value)
            child = (*key, name)
            line = key_node.start_mark.line + offset
            if name in seen:
                problems.add(line, name, f"字段“{name}”重复出现")
            seen.add(name)
            doc.lines[child] = line
            _walk(value_node, child, doc, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            doc.lines[(*key, index)] = item.start_mark.line + offset
            _walk(item, (*key, index), doc, problems)


def load_yaml(text: str, *, path: Path, first_line: int = 1) -> Located:
    """Parse ``text`` (which starts at ``first_line`` of ``path``); InputError on bad YAML."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problem = err.problem or err.context or "无法解析"
        raise InputError(path, f"YAML 格式错误：{problem}", row=line) from None
    except yaml.YAMLError as err:
        raise InputError(path, f"YAML 格式错误：{err}", row=first_line) from None
    doc = Located(path=path, data=data, lines={}, first_line=first_line)
    problems = Problems(path)
    if node is not None:
        _walk(node, (), doc, problems)
    problems.raise_any()
    return doc


def text_field(
    doc: Located, problems: Problems, mapping: Any, *key: str | int, required: bool = True
) -> str:
    """The non-empty text at ``mapping[key[-1]]`` (numbers become text); records problems."""
    name = str(key[-1])
    value = mapping.get(name) if isinstance(mapping, dict) else None
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(doc.line(*key), name, f"缺少“{name}”或内容为空")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.add(doc.line(*key), name, f"“{name}”应为文字")
        return ""
    return str(value).strip()


def points_field(doc: Located, problems: Problems, mapping: Any, *key: str | int) -> float:
    """A positive number of points."""
    name = str(key[-1])
    value = mapping.get(name) if isinstance(mapping, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        problems.add(doc.line(*key), name, f"“{name}”应为正数，实际为 {value!r}")
        return 0.0
    return float(value)


def citation_field(
    doc: Located, problems: Problems, mapping: Any, *key: str | int, required: bool = True
) -> str:
    """A legal basis: 《法律简称》第X条 (Chinese numerals)."""
    text = text_field(doc, problems, mapping, *key, required=required)
    if text and not CITATION.search(text):
        problems.add(
            doc.line(*key),
            str(key[-1]),
            f"法律依据“{text}”应写成《法律简称》第X条（条号用中文数字）",
        )
    return text


def id_field(doc: Located, problems: Problems, mapping: Any, *key: str | int) -> str:
    """An id: ASCII letters, digits, '-' and '_' (ids become nbgrader grade ids)."""
    text = text_field(doc, problems, mapping, *key)
    if text and not ID_PATTERN.match(text):
        problems.add(doc.line(*key), str(key[-1]), f"编号“{text}”只能使用英文字母、数字、“-”和“_”")
        return ""
    return text


def unknown_fields(
    doc: Located, problems: Problems, mapping: Any, allowed: set[str], *key: str | int
) -> None:
    """Refuse misspelt fields (e.g. ``explaination``) instead of silently ignoring them."""
    if not isinstance(mapping, dict):
        return
    for name in mapping:
        if str(name) not in allowed:
            known = "、".join(sorted(allowed))
            problems.add(
                doc.line(*key, str(name)), str(name), f"未知字段“{name}”（可用字段：{known}）"
            )
