"""Legal content agrees with the statute texts in tests/laws/ (modules, cases, question banks).

Two checks over every text field of the bundled content:

- every citation ``《法名》第X条[第Y款][第（Z）项]`` names a law whose text is here, and that
  article, paragraph and item exist in it;
- every quotation “…” of six characters or more is word for word a passage of a statute
  (ellipses split it into passages), unless it is listed in ``NOT_STATUTE`` below as a
  deliberate non-statute quotation (a refuted claim, a bureau document, a line of a scenario).

Wrong law taught to officers is this product's worst bug: a misquote or a citation of an
article that does not exist fails here. The texts and their source are in tests/laws/README.md.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from fazhi.courses.catalog import bundled_root, content_files

LAWS = Path(__file__).parent / "laws"
NUMERALS = "零一二三四五六七八九十百千"
DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
ARTICLE = re.compile(rf"^第([{NUMERALS}]+)条\s*(.*)$")
ITEM = re.compile(rf"^[（(]([{NUMERALS}]+)[）)]")
CITATION = re.compile(r"《([^》]+)》")
# one reference after a citation: 第X条 / 第Y款 (of the last article) / 第（Z）项, with separators
REFERENCE = re.compile(
    rf"(?:、|和|及|或者|，|,)?(?:第([{NUMERALS}]+)(条|款)|第?（([{NUMERALS}]+)）项)"
)
QUOTATION = re.compile(r"“([^”]{6,})”")
PUNCTUATION = re.compile(r"[\s，。；：、,.;:“”\"‘’'（）()《》!?！？—\-…*]")
# cited names that are not the statute file's name
ALIASES = {
    "民法典": ("民法典-总则编.md", "民法典-物权编.md"),
    "最高人民法院关于行政机关负责人出庭应诉若干问题的规定": ("负责人出庭应诉规定2020.md",),
}
# quotations that are deliberately not statute text, and why
NOT_STATUTE = {
    "当场处罚可以不出示证件": "a wrong claim the explanation refutes",
    "公民享有的权利不附带任何义务": "a wrong claim the explanation refutes",
    "无主观过错不罚": "the name of a rule",
    "实施从轻、减轻和不予行政处罚清单管理": "bureau document",
    "探索建立轻微不罚及首违不罚清单": "bureau document",
    "梳理公布行政执法‘四张清单’，实施从轻、减轻和不予行政处罚清单管理": "bureau document",
    "公布免于处罚事项13项，从轻处罚事项8项，减轻处罚事项3项": "bureau document",
    "坚持柔性执法、规范执法，探索建立轻微不罚及首违不罚清单": "bureau document",
    "坚持‘首违不罚、轻微免罚’": "bureau document",
    "大力推行‘721’工作法，积极运用说服教育、劝导示范、警示告诫、指导等行政执法方式": (
        "bureau document"
    ),
    "全面落实行政执法公示、执法全过程记录和重大执法决定法制审核三项制度": "bureau document",
    "执法单位初审、局行政处罚审查委员会会审、局重大执法决定法制审核委员会集体研判": (
        "bureau document"
    ),
    "对本决定不服的，应当自收到本决定书之日起六十日内向区人民政府申请行政复议": (
        "a decision's wording in a scenario"
    ),
    "催告—陈述申辩—决定—执行": "a summary of the procedure's steps",
    "经负责人批准": "an exception the explanation says the article does not have",
    "两类行为、一个前置、两条路径": "a mnemonic",
    "行政执法三项制度": "the name of a policy (bureau documents)",
    "事实很清楚，王某也在现场，干脆当场开罚单吧。": "a line of a scenario",
    "下次巡查时直接上门把罚款现金收回来。": "a line of a scenario",
    "是被人诱骗的": "a party's plea in a scenario",
}


def number(text: str) -> int:
    """Chinese numerals as statutes write them (一百二十八) → int."""
    total = current = 0
    for char in text:
        if char in DIGITS:
            current = DIGITS[char]
        else:
            total += (current or 1) * {"十": 10, "百": 100, "千": 1000}[char]
            current = 0
    return total + current


@dataclass
class Paragraph:
    text: str
    items: list[int]


def parse_statute(paths: tuple[Path, ...]) -> dict[int, list[Paragraph]]:
    """Article number → its paragraphs (款), each with its numbered items (项)."""
    articles: dict[int, list[Paragraph]] = {}
    for path in paths:
        current: list[Paragraph] | None = None
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", "<!--")):
                continue
            if match := ARTICLE.match(line):
                current = [Paragraph(match.group(2), [])]
                articles[number(match.group(1))] = current
            elif current is None:
                continue
            elif item := ITEM.match(line):
                current[-1].items.append(number(item.group(1)))
            elif current[-1].text:
                current.append(Paragraph(line, []))
            else:  # the article's number stood alone on its line
                current[-1].text = line
    return articles


@cache
def statute(name: str) -> dict[int, list[Paragraph]] | None:
    name = name.removeprefix("中华人民共和国")
    files = ALIASES.get(name) or tuple(
        p.name for p in LAWS.glob("*.md") if re.sub(r"(\(.*\)|\d{4})$", "", p.stem) == name
    )
    return parse_statute(tuple(LAWS / f for f in files)) if files else None


def normalise(text: str) -> str:
    return PUNCTUATION.sub("", unicodedata.normalize("NFKC", text))


@cache
def statute_text() -> str:
    return normalise("\n".join(p.read_text(encoding="utf-8") for p in LAWS.glob("*.md")))


def _strings(value: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _strings(inner, f"{where}[{index}]")


def content_texts() -> list[tuple[str, str]]:
    """(where, text) of every text in the bundled modules, cases and question banks."""
    texts: list[tuple[str, str]] = []
    for path in content_files(bundled_root()):
        if path.suffix == ".md":
            texts.append((path.name, path.read_text(encoding="utf-8")))
        else:
            texts.extend(_strings(yaml.safe_load(path.read_text(encoding="utf-8")), path.name))
    banks = Path(str(resources.files("fazhi.exams").joinpath("banks")))
    for path in sorted(banks.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                texts.extend((f"{path.name}:{row['id']}:{k}", v or "") for k, v in row.items())
    return texts


def citation_problems(texts: list[tuple[str, str]]) -> tuple[int, list[str]]:
    """(articles checked, problems) for the citations in ``texts``."""
    checked, problems = 0, []
    for where, text in texts:
        for citation in CITATION.finditer(text):
            name, position, references = citation.group(1), citation.end(), []
            while match := REFERENCE.match(text, position):
                references.append(match)
                position = match.end()
            if not references:
                continue
            articles = statute(name)
            if articles is None:
                problems.append(f"{where}: 《{name}》 has no text in tests/laws")
                continue
            article: int | None = None
            paragraph: int | None = None
            for reference in references:
                found = reference.group(0).lstrip("、和及或者，,")
                numeral, unit, item = reference.groups()
                if unit == "条":
                    article, paragraph = number(numeral), None
                    checked += 1
                    if article not in articles:
                        problems.append(f"{where}: 《{name}》{found}: no such article")
                    continue
                if article not in articles:
                    continue
                paragraphs = articles[article]
                if unit == "款":
                    paragraph = number(numeral)
                    if paragraph > len(paragraphs):
                        problems.append(
                            f"{where}: 《{name}》第{article}条{found}: "
                            f"the article has {len(paragraphs)} paragraphs"
                        )
                    continue
                within = (
                    [paragraphs[paragraph - 1]]
                    if paragraph and paragraph <= len(paragraphs)
                    else paragraphs
                )
                if number(item) not in [i for p in within for i in p.items]:
                    problems.append(f"{where}: 《{name}》第{article}条{found}: no such item")
    return checked, problems


def misquotations(texts: list[tuple[str, str]]) -> tuple[int, list[str]]:
    """(quotations checked, those not found in any statute and not in NOT_STATUTE)."""
    checked, problems = 0, []
    for where, text in texts:
        for quotation in QUOTATION.findall(text):
            if quotation.strip("*") in NOT_STATUTE:
                continue
            passages = [p for p in re.split("…+", quotation) if len(normalise(p)) >= 4]
            checked += 1
            if not all(normalise(p) in statute_text() for p in passages):
                problems.append(f"{where}: “{quotation}”")
    return checked, problems


def test_every_cited_article_exists() -> None:
    """Does every 《法》第X条(第Y款)(第（Z）项) in the content exist in the statute's text?"""
    checked, problems = citation_problems(content_texts())
    assert problems == []
    assert checked > 1000  # the content cites ~1,500 articles: the parser found them


def test_quotations_are_statute_text() -> None:
    """Is every quotation of a statute in the content word for word the statute's text?"""
    texts = content_texts()
    checked, problems = misquotations(texts)
    assert problems == []
    assert checked > 300
    # the exceptions are still used (a stale entry would hide nothing, but misleads)
    quoted = {q.strip("*") for _, text in texts for q in QUOTATION.findall(text)}
    assert set(NOT_STATUTE) <= quoted


def test_checks_catch_wrong_law() -> None:
    """Would a citation of a missing article, paragraph or item, or a misquotation, fail?"""
    wrong = [
        ("a", "依据《行政处罚法》第二百条"),
        ("b", "《行政处罚法》第三十三条第四款"),
        ("c", "《城市市容和环境卫生管理条例》第三十四条第（九）项"),
        ("d", "《治安管理处罚法》第十条"),
        ("e", "第三十三条规定：“违法行为轻微并及时改正，没有造成危害后果的，可以不予行政处罚。”"),
    ]
    _, problems = citation_problems(wrong)
    assert [p.split(":")[0] for p in problems] == ["a", "b", "c", "d"]
    right = [("f", "《行政处罚法》第三十三条第一款、第二款，《行政强制法》第四十三条第二款")]
    assert citation_problems(right) == (2, [])
    _, quotes = misquotations(wrong)
    assert [q.split(":")[0] for q in quotes] == ["e"]
    _, quotes = misquotations(
        [("g", "“违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。”")]
    )
    assert quotes == []
