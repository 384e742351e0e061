"""Which modules and cases exist: the bundled ones and a workspace's own.

Bundled content lives beside this code (``modules/*.md``, ``cases/*.yaml``). A workspace
may add or replace content in ``content/modules/`` and ``content/cases/``: a workspace
file with the id of a bundled one replaces it, so a trainer can adapt a bundled module.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fazhi.errors import InputError, InputErrors, UserError

from .case import load_case
from .compile import Content
from .module import Module, load_module

WORKSPACE_DIR = "content"
MODULE_GLOB = "modules/*.md"
CASE_GLOBS = ("cases/*.yaml", "cases/*.yml")


@dataclass(frozen=True)
class Entry:
    """One content file: its id and what it is (``module``, ``handling`` or ``review``)."""

    id: str
    kind: str
    title: str
    path: Path
    bundled: bool


def bundled_root() -> Path:
    return Path(str(resources.files("fazhi.courses")))


def content_files(root: Path) -> list[Path]:
    """Module and case files under ``root`` (sorted: modules first, then cases)."""
    files = sorted(root.glob(MODULE_GLOB))
    for pattern in CASE_GLOBS:
        files += sorted(root.glob(pattern))
    return files


def load_content(path: Path | str) -> Content:
    """Parse a module (``.md``) or case (``.yaml``) file."""
    path = Path(path)
    if path.suffix.lower() == ".md":
        return load_module(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        return load_case(path)
    raise InputError(path, "不支持的内容文件：模块用 .md，案例用 .yaml")


def load_catalog(*, workspace: Path | None = None) -> dict[str, tuple[Content, bool]]:
    """Every module and case by id, with whether it is bundled; all problems reported at once."""
    found: dict[str, tuple[Content, bool]] = {}
    problems: list[InputError] = []
    roots = [(bundled_root(), True)]
    if workspace is not None:
        roots.append((workspace / WORKSPACE_DIR, False))
    for root, bundled in roots:
        seen_here: dict[str, Path] = {}
        for path in content_files(root):
            try:
                content = load_content(path)
            except InputErrors as err:
                problems += err.errors
                continue
            except InputError as err:
                problems.append(err)
                continue
            if content.id in seen_here:
                problems.append(
                    InputError(path, f"编号“{content.id}”与 {seen_here[content.id].name} 重复")
                )
                continue
            seen_here[content.id] = path
            found[content.id] = (content, bundled)
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    return found


def list_entries(*, workspace: Path | None = None) -> list[Entry]:
    """Catalogue rows for ``fazhi course list``: modules first, then cases, by file name."""
    rows = []
    for content_id, (content, bundled) in load_catalog(workspace=workspace).items():
        kind = "module" if isinstance(content, Module) else content.kind
        rows.append(Entry(content_id, kind, content.title, content.path, bundled))
    return sorted(rows, key=lambda e: (e.kind != "module", e.path.name, e.id))


def find_content(name: str, *, workspace: Path | None = None) -> Content:
    """Content by id, or by the path of a file (a trainer's draft anywhere on disk)."""
    candidate = Path(name)
    if candidate.suffix.lower() in (".md", ".yaml", ".yml"):
        if not candidate.exists():
            raise UserError(f"找不到内容文件：{candidate}")
        return load_content(candidate)
    catalog = load_catalog(workspace=workspace)
    if name not in catalog:
        known = "、".join(sorted(catalog)) or "（无）"
        raise UserError(f"没有编号为“{name}”的模块或案例。可用的有：{known}")
    return catalog[name][0]
