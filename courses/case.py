"""Case exercises (docs/content-format.md §3): case handling and case-file review (案卷评查).

Handling: from the facts the officer chooses the procedure, picks the legal basis from a
list, judges the circumstance, enters the fine and writes the reasoning. Review: the
officer ticks the defects in a case file. Every problem of a file is reported at once,
with its file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fazhi.errors import InputError
from fazhi.kernel.scoring import CHOICE_LETTERS
from fazhi.nbgrader_markers import marker_lines
from fazhi.nbgrader_markers import message as marker_message

from .located import (
    CITATION,
    Located,
    Problems,
    citation_field,
    id_field,
    load_yaml,
    points_field,
    text_field,
    unknown_fields,
)

KINDS = ("handling", "review")
PROCEDURES = ("简易程序", "一般程序")
PROCEDURE_SYNONYMS = {"普通程序": "一般程序"}  # 一般程序 = 普通程序 (《行政处罚法》第五章第三节)
CIRCUMSTANCES = ("轻微不罚", "首违不罚", "从轻", "一般", "从重")
NO_PENALTY = ("轻微不罚", "首违不罚")
HANDLING_FIELDS = {"id", "kind", "title", "basis_note", "facts", "parts"}
REVIEW_FIELDS = {"id", "kind", "title", "basis_note", "facts", "documents", "checklist", "points"}
PART_FIELDS = {
    "procedure": {"answer", "points", "basis", "explanation"},
    "legal_basis": {"options", "answer", "points", "basis", "explanation"},
    "circumstance": {"answer", "points", "basis", "explanation"},
    "fine": {"min", "max", "points", "basis", "explanation"},
    "reasoning": {"prompt", "points", "rubric", "reference"},
}
REQUIRED_PARTS = ("procedure", "legal_basis", "circumstance", "reasoning")


@dataclass(frozen=True)
class ChoicePart:
    """Procedure or circumstance: one labelled alternative (scored kind ``exact``)."""

    answer: str
    points: float
    basis: str
    explanation: str


@dataclass(frozen=True)
class BasisPart:
    """The applicable provisions, picked from ``options`` (scored kind ``multiple``)."""

    options: tuple[str, ...]
    answer: tuple[int, ...]
    points: float
    basis: str
    explanation: str


@dataclass(frozen=True)
class FinePart:
    """The fine in yuan: full points within [low, high] (scored kind ``range``)."""

    low: float
    high: float
    points: float
    basis: str
    explanation: str


@dataclass(frozen=True)
class WrittenPart:
    """The written reasoning, graded by hand against the rubric."""

    prompt: str
    points: float
    rubric: str
    reference: str


@dataclass(frozen=True)
class HandlingCase:
    path: Path
    id: str
    title: str
    basis_note: str
    facts: str
    procedure: ChoicePart
    legal_basis: BasisPart
    circumstance: ChoicePart
    fine: FinePart | None
    reasoning: WrittenPart

    kind = "handling"

    @property
    def points(self) -> float:
        fine = self.fine.points if self.fine is not None else 0.0
        parts = (self.procedure, self.legal_basis, self.circumstance, self.reasoning)
        return fine + sum(part.points for part in parts)


@dataclass(frozen=True)
class Document:
    title: str
    content: str


@dataclass(frozen=True)
class CheckItem:
    """One checklist statement: a planted defect (with its article) or a sound distractor."""

    text: str
    defect: bool
    basis: str
    explanation: str


@dataclass(frozen=True)
class ReviewCase:
    path: Path
    id: str
    title: str
    basis_note: str
    facts: str
    documents: tuple[Document, ...]
    checklist: tuple[CheckItem, ...]
    points: float

    kind = "review"

    @property
    def defects(self) -> list[int]:
        return [index for index, item in enumerate(self.checklist) if item.defect]


Case = HandlingCase | ReviewCase


def _part(doc: Located, problems: Problems, parts: dict, name: str) -> dict | None:
    data = parts.get(name)
    if data is None:
        if name in REQUIRED_PARTS:
            problems.add(doc.line("parts"), name, f"缺少答题部分“{name}”")
        return None
    if not isinstance(data, dict):
        problems.add(doc.line("parts", name), name, f"答题部分“{name}”应为“字段: 值”的形式")
        return None
    unknown_fields(doc, problems, data, PART_FIELDS[name], "parts", name)
    return data


def _choice(
    doc: Located, problems: Problems, data: dict, name: str, allowed: tuple[str, ...]
) -> ChoicePart:
    key = ("parts", name)
    answer = text_field(doc, problems, data, *key, "answer")
    if name == "procedure":
        answer = PROCEDURE_SYNONYMS.get(answer, answer)
    if answer and answer not in allowed:
        problems.add(
            doc.line(*key, "answer"), "answer", f"“{answer}”无效，应为 {' / '.join(allowed)}"
        )
    return ChoicePart(
        answer=answer,
        points=points_field(doc, problems, data, *key, "points"),
        basis=citation_field(doc, problems, data, *key, "basis"),
        explanation=text_field(doc, problems, data, *key, "explanation"),
    )


def _legal_basis(doc: Located, problems: Problems, data: dict) -> BasisPart:
    key = ("parts", "legal_basis")
    raw_options = data.get("options")
    options: list[str] = []
    if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= len(CHOICE_LETTERS):
        problems.add(
            doc.line(*key, "options"),
            "options",
            f"options 应列出 2–{len(CHOICE_LETTERS)} 个条文供选择",
        )
    else:
        for index, value in enumerate(raw_options):
            line = doc.line(*key, "options", index)
            text = value.strip() if isinstance(value, str) else ""
            if not CITATION.search(text):
                problems.add(
                    line, "options", f"第 {index + 1} 个条文“{text}”应写成《法律简称》第X条"
                )
            elif text in options:
                problems.add(line, "options", f"条文“{text}”重复")
            options.append(text)
    raw_answer = data.get("answer")
    answer: list[int] = []
    ok = isinstance(raw_answer, list) and bool(raw_answer)
    if isinstance(raw_answer, list):
        for value in raw_answer:
            valid = isinstance(value, int) and not isinstance(value, bool)
            if not valid or not 0 <= value < len(options) or value in answer:
                ok = False
                break
            answer.append(value)
    if not ok:
        problems.add(
            doc.line(*key, "answer"),
            "answer",
            f"answer 应为 options 中正确条文的序号列表（从 0 起，互不重复），实际为 {raw_answer!r}",
        )
    return BasisPart(
        options=tuple(options),
        answer=tuple(sorted(answer)),
        points=points_field(doc, problems, data, *key, "points"),
        basis=citation_field(doc, problems, data, *key, "basis", required=False),
        explanation=text_field(doc, problems, data, *key, "explanation"),
    )


def _fine(doc: Located, problems: Problems, data: dict) -> FinePart:
    key = ("parts", "fine")
    bounds = []
    for name in ("min", "max"):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.add(
                doc.line(*key, name), name, f"罚款 {name} 应为不小于 0 的数（元），实际为 {value!r}"
            )
            value = 0
        bounds.append(float(value))
    if bounds[0] > bounds[1]:
        problems.add(doc.line(*key, "max"), "max", f"罚款上限 {bounds[1]:g} 小于下限 {bounds[0]:g}")
    return FinePart(
        low=bounds[0],
        high=bounds[1],
        points=points_field(doc, problems, data, *key, "points"),
        basis=citation_field(doc, problems, data, *key, "basis"),
        explanation=text_field(doc, problems, data, *key, "explanation"),
    )


def _written(doc: Located, problems: Problems, data: dict) -> WrittenPart:
    key = ("parts", "reasoning")
    return WrittenPart(
        prompt=text_field(doc, problems, data, *key, "prompt"),
        points=points_field(doc, problems, data, *key, "points"),
        rubric=text_field(doc, problems, data, *key, "rubric"),
        reference=text_field(doc, problems, data, *key, "reference", required=False),
    )


def _handling(doc: Located, problems: Problems, head: dict[str, str]) -> HandlingCase:
    data = doc.data
    unknown_fields(doc, problems, data, HANDLING_FIELDS)
    parts = data.get("parts")
    if not isinstance(parts, dict):
        problems.add(doc.line("parts"), "parts", "缺少答题部分 parts")
        parts = {}
    unknown_fields(doc, problems, parts, set(PART_FIELDS), "parts")
    found = {name: _part(doc, problems, parts, name) for name in PART_FIELDS}
    # A missing part is reported once by _part; its fields are not checked one by one.
    quiet = Problems(doc.path)

    def checked(name: str) -> tuple[Problems, dict[str, Any]]:
        data = found[name]
        return (problems, data) if data is not None else (quiet, {})

    procedure = _choice(doc, *checked("procedure"), "procedure", PROCEDURES)
    circumstance = _choice(doc, *checked("circumstance"), "circumstance", CIRCUMSTANCES)
    fine = _fine(doc, problems, found["fine"]) if found["fine"] is not None else None
    if fine is not None and circumstance.answer in NO_PENALTY:
        problems.add(
            doc.line("parts", "fine"),
            "fine",
            f"情节为“{circumstance.answer}”（不予处罚）时不应有罚款部分 fine",
        )
    return HandlingCase(
        path=doc.path,
        procedure=procedure,
        legal_basis=_legal_basis(doc, *checked("legal_basis")),
        circumstance=circumstance,
        fine=fine,
        reasoning=_written(doc, *checked("reasoning")),
        **head,
    )


def _review(doc: Located, problems: Problems, head: dict[str, str]) -> ReviewCase:
    data = doc.data
    unknown_fields(doc, problems, data, REVIEW_FIELDS)
    documents = []
    raw_documents = data.get("documents")
    if not isinstance(raw_documents, list) or not raw_documents:
        problems.add(doc.line("documents"), "documents", "缺少案卷文书列表 documents")
        raw_documents = []
    for index, item in enumerate(raw_documents):
        unknown_fields(doc, problems, item, {"title", "content"}, "documents", index)
        documents.append(
            Document(
                title=text_field(doc, problems, item, "documents", index, "title"),
                content=text_field(doc, problems, item, "documents", index, "content"),
            )
        )
    checklist = []
    raw_items = data.get("checklist")
    if not isinstance(raw_items, list) or len(raw_items) < 2:
        problems.add(doc.line("checklist"), "checklist", "评查清单 checklist 至少需要 2 项")
        raw_items = []
    for index, item in enumerate(raw_items):
        key = ("checklist", index)
        unknown_fields(doc, problems, item, {"text", "defect", "basis", "explanation"}, *key)
        defect = item.get("defect") if isinstance(item, dict) else None
        if not isinstance(defect, bool):
            problems.add(
                doc.line(*key, "defect"), "defect", "defect 应为 true（问题）或 false（无误）"
            )
            defect = False
        checklist.append(
            CheckItem(
                text=text_field(doc, problems, item, *key, "text"),
                defect=defect,
                basis=citation_field(doc, problems, item, *key, "basis", required=defect),
                explanation=text_field(doc, problems, item, *key, "explanation"),
            )
        )
    if raw_items and (all(i.defect for i in checklist) or not any(i.defect for i in checklist)):
        problems.add(
            doc.line("checklist"), "checklist", "评查清单应同时包含问题项（defect: true）和无误项"
        )
    return ReviewCase(
        path=doc.path,
        documents=tuple(documents),
        checklist=tuple(checklist),
        points=points_field(doc, problems, data, "points"),
        **head,
    )


def load_case(path: Path | str) -> Case:
    """Parse and validate one case file; InputError/InputErrors name file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(path, f"无法读取案例文件（应为 UTF-8 编码）：{err}") from None
    doc = load_yaml(text, path=path)
    if not isinstance(doc.data, dict):
        raise InputError(path, "案例文件应为“字段: 值”的 YAML", row=1)
    problems = Problems(path)
    for number, marker in marker_lines(text):  # would release keys with the notebook
        keys = [key for key, line in doc.lines.items() if line <= number]
        names = [str(k) for k in max(keys, key=doc.lines.__getitem__) if isinstance(k, str)]
        problems.add(number, names[-1] if names else None, marker_message(marker))
    kind = doc.data.get("kind")
    if kind not in KINDS:
        raise InputError(
            path,
            f"kind 应为 handling 或 review，实际为 {kind!r}",
            row=doc.line("kind"),
            column="kind",
        )
    head = {
        "id": id_field(doc, problems, doc.data, "id"),
        "title": text_field(doc, problems, doc.data, "title"),
        "basis_note": text_field(doc, problems, doc.data, "basis_note", required=False),
        "facts": text_field(doc, problems, doc.data, "facts"),
    }
    case: Case = (_handling if kind == "handling" else _review)(doc, problems, head)
    problems.raise_any()
    return case
