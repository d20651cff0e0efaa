"""Reading question-and-answer Markdown, the layouts public interview banks use: questions as bold
paragraphs, headings or list items, each answer being everything up to the next question.

The answers keep their Markdown (code, math, links) line for line; what Markdown here cannot hold
is converted — layout HTML dropped, `<img>` and simple HTML tables turned into Markdown, a formula
image rendered by a web service turned back into `$…$` — and anything that would be lost is
reported as `path:line: message`.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from markdown_it import MarkdownIt

from mlbook.markup import math
from mlbook.upstream.bank_files import BankImage, RefusedImage, read_image
from mlbook.errors import ContentError, Problem
from mlbook.model import Location
from mlbook.markup.markdown import parse as parse_answer
from mlbook.urls import is_web_address

DIFFICULTY_MARKS = {"👶": 1, "⭐️": 2, "⭐": 2, "🚀": 3, "[e]": 1, "[m]": 2, "[h]": 3, "(easy)": 1, "(medium)": 2,
                    "(hard)": 3, "[easy]": 1, "[medium]": 2, "[hard]": 3}
"""Difficulty marks beside a question (lowercase), mapped to 1–3; `import --mark` adds others."""
_PLACEHOLDER = re.compile(r"^\W*(?:answer(?: goes)? here|your answer( here)?|todo|tbd|to be (?:done|filled|added|written)|"
                          r"coming soon|wip|answer|solution|ответ(?: здесь)?|решение|\.\.\.|…)\W*$", re.IGNORECASE)
_NUMBER_HEADING = re.compile(r"^(?:question|q|вопрос|задача|task)\s*(?:#|№)?\s*\d+\s*[.:]?$", re.IGNORECASE)
"""`## Question 12`: a heading that only numbers the question under it (no section of its own)."""
_TEMPLATE_QUESTION = re.compile(r"^\W*(?:question|вопрос)\W*$", re.IGNORECASE)
"""«Question?» answered «Answer body»: the example a bank's template starts with."""
_DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(<[^>]*>|\S+)")
"""A link reference definition: `[name]: https://…` (its label, its address)."""
_REFERENCE_IMAGE = re.compile(r"!\[([^\[\]]*+)\](?:\[([^\[\]]*+)\])?(?![(\[])")
"""`![alt][label]`, `![label][]` or `![label]`: an image whose address is in a definition."""
_BOLD_LINE = re.compile(r"^\s*(?P<mark>\*\*|__)(?P<text>.+)(?P=mark)\s*(?P<rest>.*?)\s*$")
"""A line in bold, then perhaps a difficulty mark: `**What does `__init__` do?** [m]`."""
_NUMBER = re.compile(r"^(?:q?\d+[.):]|question\s+\d+[.):])\s*", re.IGNORECASE)
_Q_LABEL = re.compile(r"^(?:\*\*|__|\*|_)?(?:Q|Question|В|Вопрос)\s*\d*\s*[:.)]\s*(?:\*\*|__|\*|_)?\s*(?=\S)",
                      re.IGNORECASE)
"""`Q:`, `**Q1.**`, `Вопрос:` before a question: a label, not part of it."""
_LEAD = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<mark>\*\*|__)(?P<question>(?:(?!(?P=mark)).)+)(?P=mark)(?P<rest>.*)$")
"""A list item opening in bold: `1. **What is a tensor?** An n-dimensional array.`"""
_ASKED = re.compile(r"[?？]\s*$|^(?:Q|Question|В|Вопрос)\s*\d*\s*[:.)]|^(?:what|why|how|when|which|who|whom|whose|where|"
                    r"explain|describe|compare|define|name|list|is|are|can|could|do|does|did|should|would|will|"
                    r"give|write|implement|design|derive|prove|что|как|почему|зачем|когда|какой|какая|какое|какие|"
                    r"каким|каков|чем|где|кто|объясни|объясните|расскажи|расскажите|опиши|опишите|сравни|"
                    r"сравните|назови|назовите|напиши|напишите)\b", re.IGNORECASE)
"""What a question looks like: it ends in «?», is labelled `Q:`, or opens with a question word or a task."""
_FORMULA_SERVICES = [
    (re.compile(r"^https?://latex\.codecogs\.com/[a-z]+\.(?:latex|image|download)\?(.+)$"), 1),
    (re.compile(r"^https?://render\.githubusercontent\.com/render/math\?math=(.+)$"), 1),
    (re.compile(r"^https?://chart\.googleapis\.com/chart\?cht=tx&chl=(.+)$"), 1),
    (re.compile(r"^https?://i\.upmath\.me/(?:svg|png)/(.+)$"), 1),
]
_RENDER_OPTIONS = re.compile(r"^(?:\s*\\(?:dpi\{\d+\}|bg_\w+|bg\{\w+\}|fn_\w+|inline|large|small|"
                             r"LARGE|huge|normalsize|color\{\w+\})\s*)+")
_HTML_IMG = re.compile(r"<img\b((?:[^<>\"'/]|/(?!>)|\"[^\"<]*+\"|'[^'<]*+')*+)/?>", re.IGNORECASE)
"""`<img …>` with quoted attributes (a `>` inside quotes is text); linear: no attribute spans a `<`."""
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_HTML_TABLE = re.compile(r"<table\b.{0,100000}?</table>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*+)\b[^<>]*?/?>")
"""A tag; its attributes never span a `<`, so a text full of unclosed tags is read in one pass."""
_INLINE_TAGS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
_TABLE_TAGS = {"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"}
_LAYOUT_TAGS = {"br", "p", "div", "center", "span", "details", "summary", "hr", "font", "section"}
_HTML_ELEMENTS = _LAYOUT_TAGS | set(_INLINE_TAGS) | _TABLE_TAGS | set(
    "a abbr article aside audio b base bdi bdo big blockquote body button canvas cite col colgroup data dd del"
    " dfn dialog dl dt embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header html iframe"
    " img input ins kbd label legend li link main map mark math meta meter nav noscript object ol optgroup"
    " option output picture pre progress q rp rt ruby s samp script select slot small source strike style"
    " sub sup svg template textarea time title track tt u ul var video wbr".split())
"""What is read as an HTML tag: `List<String>` or an autolink `<https://…>` is text, not a tag."""


@dataclass
class ImportedAnswer:
    """An answer as Markdown for the question's file, and the local images it refers to."""

    markdown: str = ""
    images: list[BankImage] = field(default_factory=list)
    """The images the answer shows, checked, each under the name the Markdown gives it (unique)."""


@dataclass
class QAQuestion:
    text: str
    line: int
    difficulty: int | None = None
    answer: ImportedAnswer = field(default_factory=ImportedAnswer)
    path: Path | None = None
    """The file the question is in (`line` is its line there)."""
    sources: list[str] = field(default_factory=list)
    """Links that decorated the question (`[[src](…)]`) or were its whole answer (`[[Answer]](…)`)."""
    numbered: bool = False
    """Whether the source numbered it (`#### 12) …`)."""


@dataclass
class QAGroup:
    title: str
    questions: list[QAQuestion] = field(default_factory=list)
    line: int = 0
    """The line of its heading (0: no heading)."""


@dataclass
class QASection:
    title: str
    groups: list[QAGroup] = field(default_factory=list)
    line: int = 0
    """The line of its heading (0: no heading)."""


@dataclass
class QABank:
    """What a Q&A file (or folder) holds; `notes` are the `path:line: message` reports."""

    title: str
    sections: list[QASection]
    notes: list[str] = field(default_factory=list)
    asked: int = 0
    """How many of its questions are written as questions are: bold or folded, or a heading or list item
    that is numbered or ends in «?» (a `## Table of contents` heading is not)."""


@dataclass
class _Block:
    kind: str  # heading, paragraph, list, other
    start: int
    end: int
    level: int = 0
    text: str = ""
    items: list[tuple[int, int, int]] = field(default_factory=list)
    """List items: (start, end, line where the item's first paragraph ends)."""
    links_only: bool = False
    """A paragraph or list of nothing but links and images (a table of contents, badges)."""
    ordered: bool = False
    """A numbered list."""


def has_answers(bank: QABank) -> bool:
    """True when the bank read as Q&A really answers its questions: some answer holds more than a list
    (read as Q&A, a question list's headings seem to be questions "answered" by lists of questions)."""
    return any(_has_prose(q.answer.markdown) for s in bank.sections for g in s.groups for q in g.questions)


def _composed(bank: QABank, path: Path) -> None:
    """Question and heading texts in Unicode's composed form (NFC): «й» one character, not «и» and a
    combining breve, so that ids, matching and fonts see the letter; each one changed is reported."""
    parts = [(s, s.line) for s in bank.sections] + [(g, g.line) for s in bank.sections for g in s.groups] + \
        [(q, q.line) for s in bank.sections for g in s.groups for q in g.questions]
    for part, line in parts:
        attribute = "text" if isinstance(part, QAQuestion) else "title"
        written = getattr(part, attribute)
        composed = unicodedata.normalize("NFC", written)
        if composed != written:
            setattr(part, attribute, composed)
            bank.notes.append(f"{path}:{max(line, 1)}: «{composed}» written in Unicode's composed form (NFC)")


_ABOUT_THE_REPOSITORY = re.compile(r"^\W*(?:how to contribute|contributing|contribution guidelines|how to help|"
                                   r"как (?:помочь|внести вклад)|участие в проекте)\W*$", re.IGNORECASE)
_ANNOUNCEMENT = re.compile(r"^[^\[\]]{0,40}:\s*\[[^\]]+\]\(https?://[^)]+\)\s*$")
"""`### Recently added: [NLP questions](https://…)`: news about another page, not a section of this one."""
_HEADING_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")


def heading_text(title: str, where: str, notes: list[str]) -> str:
    """A heading as a section's title: a link (`### New: [NLP questions](https://…)`) as its text — a
    title is printed in the contents and the running headers, where a link cannot be followed; reported."""
    text = _HEADING_LINK.sub(lambda m: m.group(1).strip(), title)
    if text != title:
        notes.append(f"{where}: the heading «{title}» links elsewhere; imported as its text «{text}»")
    return " ".join(text.split())


def has_lists(bank: QABank) -> bool:
    """True when some answer holds a list: read as Q&A, a question list's headings would seem to be
    questions whose answers are its lists."""
    return any(b.kind == "list" for s in bank.sections for g in s.groups for q in g.questions
               for b in _blocks(q.answer.markdown))


def _has_prose(markdown: str) -> bool:
    """Whether the Markdown holds more than lists, links and GitHub's alert boxes (`> [!TIP]`: a
    question list's asides, not an answer)."""
    lines = markdown.split("\n")
    return any(b.kind != "list" and not b.links_only and not _ALERT.match(lines[b.start]) for b in _blocks(markdown))


_ALERT = re.compile(r"^\s{0,3}>\s*\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.IGNORECASE)


def read_qa(text: str, path: Path, flat_title: str, marks: dict[str, int] | None = None,
            file_is_section: bool = False, root: Path | None = None) -> QABank:
    """The sections, questions and answers of one Q&A Markdown file. A lone top heading is the bank's
    title — or, for a file of a folder (`file_is_section`), the file's section. Images are taken only
    from inside `root`, the bank's folder (by default the file's)."""
    root = (root or path.parent).resolve()
    text = _qa_lines_as_bold(text)
    tokens = _PARSER.parse(text)  # once, for the nesting check, the tables and the blocks
    _check_nesting(tokens, path)
    text, folded = _folded_questions(text, tokens)
    if folded:
        tokens = _PARSER.parse(text)
    lines = text.split("\n")
    marks = {**DIFFICULTY_MARKS, **{k.lower(): v for k, v in (marks or {}).items()}}
    table = _table_bank(tokens, path, flat_title, marks, root)
    if table is not None:
        return table
    definitions = {_label(m.group(1)): m.group(2) for m in map(_DEFINITION.match, lines) if m}
    blocks = [b for b in _blocks_of(tokens) if not (b.kind == "heading" and _NUMBER_HEADING.match(b.text))]
    mode, question_level = ("folded", None) if folded else _question_layout(blocks, lines)
    blocks = sorted(blocks + [_Block("summary", line, line + 1, text=question) for line, (question, _) in
                              folded.items()], key=lambda b: (b.start, b.kind != "summary"))
    folded_end = 0  # the line of the current folded question's </details>
    labelled_answer = False  # the current question's answer opened with `Solution:` after its numbered item
    labelled_items = mode == "list" and sum(1 for b in blocks if b.kind == "list" for start, _, _ in b.items
                                            if _labelled_item(lines[start])) >= 2  # `- **Q: …**`: others are not
    labelled = mode == "bold" and sum(1 for b in blocks if b.kind == "paragraph"
                                      and _Q_LABEL.match(lines[b.start].strip())) >= 2
    structure = sorted({b.level for b in blocks if b.kind == "heading" and b.level != question_level
                        and (question_level is None or b.level < question_level)})
    headings = [b for b in blocks if b.kind == "heading" and b.level in structure]
    title = ""
    lone_top = bool(structure) and headings[0].level == structure[0] and \
        sum(1 for b in headings if b.level == structure[0]) == 1
    if lone_top and not file_is_section:
        title, structure = headings[0].text, structure[1:]
    section_level = structure[0] if structure else None
    group_level = structure[1] if len(structure) > 1 else None
    bank = QABank(title, [])
    current: QAQuestion | None = None
    answer_lines: list[tuple[int, str]] = []

    def close_question(until: int):
        if current is not None:
            if answer_lines:  # link reference definitions after the answer's last block are its own
                answer_lines.extend((n, lines[n]) for n in range(answer_lines[-1][0] + 1, until)
                                    if _DEFINITION.match(lines[n]) or not lines[n].strip())
            current.answer = _answer(answer_lines, path, bank.notes, root, definitions)
            links = links_only(current.answer.markdown)
            if links:  # an answer that only points elsewhere is further reading, not an answer
                current.sources += links
                current.answer = ImportedAnswer()
        answer_lines.clear()

    def group() -> QAGroup:
        if not bank.sections:
            bank.sections.append(QASection(flat_title))
        if not bank.sections[-1].groups:
            bank.sections[-1].groups.append(QAGroup(""))
        return bank.sections[-1].groups[-1]

    for block in blocks:
        if mode == "folded" and current is not None and block.start > folded_end and block.kind != "summary":
            close_question(block.start)  # what follows a folded answer's </details> is not part of it
            current = None
        if block.kind == "summary":
            close_question(block.start)
            current = _question(block.text, block.start, marks)
            current.path = path
            folded_end = folded[block.start][1]
            group().questions.append(current)
        elif block.kind == "heading" and block.level in structure and _ANNOUNCEMENT.match(block.text):
            bank.notes.append(f"{path}:{block.start + 1}: the heading «{block.text}» announces a page elsewhere;"
                              " not imported")
        elif block.kind == "heading" and block.level == section_level:
            close_question(block.start)
            current = None
            bank.sections.append(QASection(block.text, line=block.start + 1))
        elif block.kind == "heading" and block.level == group_level:
            close_question(block.start)
            current = None
            if not bank.sections:
                bank.sections.append(QASection(flat_title))
            bank.sections[-1].groups.append(QAGroup(block.text, line=block.start + 1))
        elif block.kind == "heading" and block.level in structure:
            if block.text != title:  # deeper than sections and subsections go
                bank.notes.append(f"{path}:{block.start + 1}: the heading «{block.text}» is deeper than"
                                  " the subsections; not imported")
        elif mode == "heading" and block.kind == "heading" and block.level == question_level:
            close_question(block.start)
            current = _question(block.text, block.start, marks)
            current.path = path
            group().questions.append(current)
        elif mode == "bold" and block.kind == "paragraph" and _BOLD_LINE.match(lines[block.start]) \
                and _is_bold_question(lines[block.start], marks) \
                and (not labelled or _Q_LABEL.match(lines[block.start].strip())):
            close_question(block.start)
            bold = _BOLD_LINE.match(lines[block.start])
            current = _question(f"{bold.group('text')} {bold.group('rest')}", block.start, marks)
            current.path = path
            group().questions.append(current)
            answer_lines.extend((n, lines[n]) for n in range(block.start + 1, block.end))
        elif block.kind == "list" and not block.links_only and not (labelled_answer and not block.ordered) and \
                (mode == "list" or mode == "bold" and _lead_questions(block, lines)) and \
                (not labelled_items or any(_labelled_item(lines[start]) for start, _, _ in block.items)):
            labelled_answer = False
            for start, end, first_end in block.items:
                close_question(start)
                lead = _lead(lines[start])
                if lead:  # `1. **Question?** its answer`
                    current = _question(lead.group("question"), start, marks)
                    answer_lines.append((start, lead.group("rest").lstrip(" :—–-")))
                    first_end = start + 1
                else:
                    first = " ".join(lines[n].strip() for n in range(start, first_end))
                    current = _question(re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", first), start, marks)
                current.path = path
                group().questions.append(current)
                indent = _indent_of(lines, first_end, end)
                answer_lines.extend((n, lines[n][indent:]) for n in range(first_end, end))
        elif current is not None:  # the answer goes on, blank lines between blocks included
            # `1. Question` then `Solution:` and a bulleted list: the list is the answer's, not questions
            labelled_answer = labelled_answer or (mode == "list" and block.kind == "paragraph"
                                                  and _ANSWER_LABEL.match(lines[block.start]) is not None)
            since = answer_lines[-1][0] + 1 if answer_lines else block.start
            answer_lines.extend((n, lines[n]) for n in range(min(since, block.start), block.end))
        elif block.kind != "heading" and not block.links_only and "".join(lines[block.start:block.end]).strip() \
                and not _THEMATIC_BREAK.match("".join(lines[block.start:block.end])):
            dropped = " ".join(" ".join(lines[block.start:block.end]).split())
            where = "before the first question" if not any(s.groups for s in bank.sections) else "between questions"
            bank.notes.append(f"{path}:{block.start + 1}: text {where} is not imported:"
                              f" «{dropped[:80]}{'…' if len(dropped) > 80 else ''}»")
    close_question(len(lines))
    for part in [s for s in bank.sections if s.line] + [g for s in bank.sections for g in s.groups if g.line]:
        part.title = heading_text(part.title, f"{path}:{part.line}", bank.notes)
    _composed(bank, path)
    bank.asked = sum(1 for s in bank.sections for g in s.groups for q in g.questions
                     if mode in ("bold", "folded") or q.numbered or q.text.endswith(("?", "？")))
    for group_ in (g for s in bank.sections for g in s.groups):
        for question in [q for q in group_.questions if _TEMPLATE_QUESTION.match(q.text)]:
            bank.notes.append(f"{path}:{question.line}: «{question.text}» is a template's example, not a question;"
                              " not imported")
            group_.questions.remove(question)
    for part in [s for s in bank.sections if s.line] + [g for s in bank.sections for g in s.groups if g.line]:
        if not any(q for g in getattr(part, "groups", [part]) for q in g.questions):
            bank.notes.append(f"{path}:{part.line}: no questions under the heading «{part.title}»; not imported")
    for section in [s for s in bank.sections if s.line and _ABOUT_THE_REPOSITORY.match(s.title)]:
        held = sum(len(g.questions) for g in section.groups)
        if held:  # `## How to contribute?` with an example question in the bank's own format
            bank.notes.append(f"{path}:{section.line}: the section «{section.title}» is about the repository; its"
                              f" {held} example question{'s' if held > 1 else ''} not imported")
            section.groups = []
    bank.sections = [s for s in bank.sections if any(g.questions for g in s.groups)]
    for section in bank.sections:
        section.groups = [g for g in section.groups if g.questions]
    return bank


_THEMATIC_BREAK = re.compile(r"^\s*(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_FOLD_TAG = re.compile(r"<(/?)details\b[^<>]*>|<summary\b[^<>]*>(.{0,1000}?)</summary\s*>", re.IGNORECASE | re.DOTALL)
"""`<details>`, `</details>`, and a summary with its text (a longer one is no question: bounded, so that
many unclosed summaries are read in linear time)."""


def _folded_questions(text: str, tokens: list) -> tuple[str, dict[int, tuple[str, int]]]:
    """A bank of folded questions, `<details><summary>question</summary> answer </details>` (two or
    more, outside lists): the text with the `<details>` and `<summary>` tags blanked, line for line, and
    each question by the line of its summary → (its text as Markdown, the line of its `</details>`).
    HTML blocks that held them lose their indentation: in HTML it means nothing, in Markdown it would
    make code. A summary that only says «Answer» folds an answer, not a question: {} is returned."""
    lines = text.split("\n")
    skipped = _code_lines(text) | {n for b in _blocks_of(tokens) if b.kind == "list" for n in range(b.start, b.end)}
    found: dict[int, list] = {}
    edits: list[tuple[int, int, int]] = []  # spans of the text to blank, and their lines
    depth, open_at = 0, None
    starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    for match in _FOLD_TAG.finditer(text):
        line = bisect.bisect_right(starts, match.start()) - 1  # the tag's line, without counting from the start
        if line in skipped:
            continue
        if match.group(2) is not None:  # a summary
            if depth == 1 and open_at is not None and open_at not in found:
                question = _inline_html(match.group(2))
                if question and not _SUMMARY_LABEL.search(match.group(0)):
                    found[open_at] = [question, line, None]
                    edits.append((match.start(), match.end(), line))
            continue
        if match.group(1):  # </details>
            depth = max(0, depth - 1)
            if depth == 0 and open_at in found:
                found[open_at][2] = line
                edits.append((match.start(), match.end(), line))
            open_at = None if depth == 0 else open_at
        else:
            depth += 1
            if depth == 1:
                open_at = line
                edits.append((match.start(), match.end(), line))
    questions = {summary: (question, end if end is not None else len(lines))
                 for question, summary, end in found.values()}
    if len(questions) < 2:
        return text, {}
    kept = {opened for opened in found} | {summary for _, summary, _ in found.values()} | \
        {end for _, _, end in found.values() if end is not None}
    out, position = [], 0
    for start, end, line in edits:
        if line in kept:
            out += [text[position:start], "\n" * text.count("\n", start, end)]
            position = end
    text = "".join(out) + text[position:]
    lines = text.split("\n")
    for token in tokens:
        if token.type == "html_block" and token.map and "<pre" not in token.content.lower() \
                and any(token.map[0] <= n < token.map[1] for n in kept):
            for n in range(*token.map):
                lines[n] = lines[n].lstrip()
    return "\n".join(lines), questions


def _inline_html(html: str) -> str:
    """A summary's text as one line of Markdown: `<b>`, `<code>` as their marks, other tags dropped."""
    def tag(match: re.Match) -> str:
        name = match.group(1).lower()
        return _INLINE_TAGS.get(name, match.group(0) if name not in _HTML_ELEMENTS else "")
    return " ".join(_HTML_TAG.sub(tag, html).split())


_QUESTION_LINE = re.compile(r"^(\s*)(?:\*\*)?(?:Q|Question|В|Вопрос)\s*\d*\s*[:.)](?:\*\*)?\s*(\S(?:.*\S)?)\s*$",
                            re.IGNORECASE)
_ANSWER_LABEL = re.compile(r"^\s*(?:\*\*|__|\*|_)?(?:A|Answer|Ans|О|Ответ|Solution|Решение)[ \t]*[:.)][ \t]*(?:\*\*|__|\*|_)?\s*"
                           r"|^\s*(?:\*\*|__|\*|_)(?:A|Answer|Ответ|Solution|Решение)[ \t]*[:.)]?[ \t]*(?:\*\*|__|\*|_)"
                           r"[ \t]*[:.]?\s*", re.IGNORECASE)
"""`A:`, `**Answer:**`, `Ответ:` at the start of an answer: a label, not part of it."""


def _qa_lines_as_bold(text: str) -> str:
    """`Q: …` / `A: …` lines (two or more questions) written as the bold layout, line for line:
    `**…**` for the question, the answer without its label."""
    lines = text.split("\n")
    if sum(1 for line in lines if _QUESTION_LINE.match(line)) < 2:
        return text
    out = []
    for line in lines:
        question = _QUESTION_LINE.match(line)
        if question and "**" not in question.group(2):
            line = f"{question.group(1)}**{question.group(2)}**"
        out.append(line)
    return "\n".join(out)


def _table_bank(tokens: list, path: Path, flat_title: str, marks: dict[str, int], root: Path) -> QABank | None:
    """A bank written as tables with a question column and an answer column, a row per question
    (under the headings before each table); None when the file has no such table."""
    bank, section = QABank("", []), flat_title
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            section = tokens[i + 1].content.strip()
        if token.type != "table_open":
            continue
        rows = _table_rows(tokens, i)
        header = [cell.lower() for cell in rows[0][1]] if rows else []
        asked = next((k for k, cell in enumerate(header) if re.match(r"^(question|вопрос)", cell)), None)
        answered = next((k for k, cell in enumerate(header) if re.match(r"^(answer|ответ)", cell)), None)
        if asked is None or answered is None:
            continue
        if not bank.sections or bank.sections[-1].title != section:
            bank.sections.append(QASection(section, [QAGroup("")]))
        for line, cells in rows[1:]:
            if max(asked, answered) < len(cells) and cells[asked].strip():
                question = _question(cells[asked], line, marks)
                question.path = path
                question.answer = _answer([(line, cells[answered])], path, bank.notes, root, {})
                bank.sections[-1].groups[0].questions.append(question)
    return bank if bank.sections else None


def _table_rows(tokens: list, start: int) -> list[tuple[int, list[str]]]:
    rows, cells, line = [], [], 0
    for token in tokens[start + 1:]:
        if token.type == "table_close":
            break
        if token.type == "tr_open":
            cells, line = [], token.map[0] if token.map else line
        elif token.type == "inline":
            cells.append(token.content)
        elif token.type == "tr_close":
            rows.append((line, cells))
    return rows


def _check_nesting(tokens: list, path: Path) -> None:
    """Refuse lists or quotes nested deeper than the Markdown parser reads: past its limit it stops
    seeing structure, and the questions after them would be read as part of one answer."""
    deepest = next((token for token in tokens if token.level >= _PARSER.options["maxNesting"] - 1
                    and token.map is not None), None)
    if deepest is not None:
        raise ContentError([Problem(Location(path, deepest.map[0] + 1), "lists or quotes nested more than"
                                    f" {_PARSER.options['maxNesting'] - 2} levels deep; the import cannot read"
                                    " what follows them: flatten them")])


def _question_layout(blocks: list[_Block], lines: list[str]) -> tuple[str, int | None]:
    """How questions are written: ("bold", None), ("list", None) or ("heading", level)."""
    bold = [b for b in blocks if b.kind == "paragraph" and _BOLD_LINE.match(lines[b.start])
            and _is_bold_question(lines[b.start], {})]
    if len(bold) >= 2:
        return "bold", None
    answered_items = [item for b in blocks if b.kind == "list" and not b.links_only for item in b.items
                      if item[2] < item[1] and "".join(lines[item[2]:item[1]]).strip() or _lead(lines[item[0]])]
    labelled_after = [b for before, b in zip(blocks, blocks[1:]) if before.kind == "list" and not before.links_only
                      and b.kind == "paragraph" and _ANSWER_LABEL.match(lines[b.start])]  # `1. Q` then `Solution: …`
    if len(answered_items) + len(labelled_after) >= 2:
        return "list", None
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    return "heading", (levels[-1] if levels else None)


def _lead(line: str) -> re.Match | None:
    """A list item that opens with a question in bold and goes on with its answer."""
    lead = _LEAD.match(line)
    return lead if lead and lead.group("rest").strip(" :—–-") and _ASKED.search(lead.group("question").strip()) \
        else None


def _lead_questions(block: _Block, lines: list[str]) -> bool:
    """A list every item of which opens with a question in bold (or is a `Q:`-labelled one)."""
    return all(_lead(lines[start]) or _labelled_item(lines[start]) for start, _, _ in block.items)


def _labelled_item(line: str) -> bool:
    """A list item that opens with `Q:` (`* **Q: What is …?**`)."""
    return _Q_LABEL.match(re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line)) is not None


def _is_bold_question(line: str, marks: dict[str, int]) -> bool:
    """A paragraph opening with a whole line in bold, and nothing after it but a difficulty mark."""
    bold = _BOLD_LINE.match(line)
    rest = bold.group("rest").strip().lower()
    if _ANSWER_LABEL.fullmatch(line.strip()):
        return False  # `**Answer:**` with nothing after it: an answer not written yet, not a question
    return not rest or rest in DIFFICULTY_MARKS or rest in marks


def _question(text: str, line: int, marks: dict[str, int]) -> QAQuestion:
    """A question's text as written, less what only decorates it: a number, a difficulty mark at its
    start or end (`[m]` inside «a[m] in numpy» is text), bold around the whole of it, and the joiners
    and variation selectors an emoji mark leaves behind."""
    text = re.sub(r"\s+", " ", text).strip()
    difficulty = None
    for mark, level in sorted(marks.items(), key=lambda pair: -len(pair[0])):
        lower = _trimmed(text).lower()
        if lower.endswith(mark) or lower.startswith(mark):
            difficulty = level
            text = _trimmed(text)
            text = text[:-len(mark)] if lower.endswith(mark) else text[len(mark):]
            break
    text, sources = _without_decorations(_trimmed(text))
    for wrapper in ("**", "__"):
        if text.startswith(wrapper) and text.endswith(wrapper) and len(text) > 4 \
                and wrapper not in text[2:-2]:
            text = text[2:-2].strip()
    numbered = _NUMBER.match(text) is not None
    text = _Q_LABEL.sub("", _NUMBER.sub("", text).strip()).strip()
    return QAQuestion(_trimmed(re.sub(r"\s+", " ", text)).rstrip(" :"), line + 1, difficulty, sources=sources,
                      numbered=numbered)


_DECORATION = re.compile(
    r"\s*(?:\[\[([^\]]*)\]\(([^)\s]+)\)\]"         # [[src](https://…)]
    r"|\[\[([^\]]*)\]\]\(([^)\s]+)\)"              # [[Answer]](https://…)
    r"|\[((?:src|source|sources|link|answer|solution|ref|reference|paper|video|docs?)\b[^\]]*)\]\(([^)\s]+)\)"
    r"|\(\s*(source|src|from|via|ref)\s*:\s*([^)\s]+)\s*\))\s*$",  # (source: https://…)
    re.IGNORECASE)
"""A link that decorates the end of a question rather than being part of it."""


def _without_decorations(text: str) -> tuple[str, list[str]]:
    """The question without the source links at its end, and those links as `[text](address)`."""
    sources = []
    while (match := _DECORATION.search(text, max(0, len(text) - 600))) is not None:  # only a tail is read
        groups = [g for g in match.groups()]
        label, address = next((groups[i], groups[i + 1]) for i in range(0, 8, 2) if groups[i + 1])
        sources.insert(0, f"[{label.strip() or address}]({address})" if is_web_address(address) else "")
        text = _trimmed(text[:match.start()])
    return text, [source for source in sources if source]


def _trimmed(text: str) -> str:
    """`text` without spaces, zero-width joiners and variation selectors at its ends."""
    return text.strip(" \t\u200b\u200c\u200d\u2060\ufe0e\ufe0f")


def _indent_of(lines: list[str], start: int, end: int) -> int:
    indents = [len(line) - len(line.lstrip()) for line in lines[start:end] if line.strip()]
    return min(indents) if indents else 0


def _answer(numbered: list[tuple[int, str]], path: Path, notes: list[str], root: Path,
            definitions: dict[str, str]) -> ImportedAnswer:
    """The answer's Markdown with HTML and images converted outside code; empty for a placeholder."""
    numbered = _without_comments(_without_back_links(numbered, path, notes), path, notes)
    while numbered and not numbered[0][1].strip():
        numbered = numbered[1:]
    while numbered and not numbered[-1][1].strip():
        numbered = numbered[:-1]
    text = _SUMMARY_LABEL.sub("", "\n".join(line for _, line in numbered))
    text = re.sub(r"^\s*[-*+]\s+(?=(?:\*\*|__|\*|_)?(?:A|Answer|Ans|Ответ)\b)", "", text, count=1, flags=re.IGNORECASE)
    labelled = _ANSWER_LABEL.match(text)
    if labelled:  # «**Ответ:** оценка…» → «Оценка…»; a label alone is no answer
        rest = text[labelled.end():]
        text = rest[:1].upper() + rest[1:]
    text = re.sub(r"(?:\n\s*(?:-{3,}|\*{3,}|_{3,}|<hr\s*/?>)\s*)+$", "", text)  # a rule after the answer
    if not _without_separators(text).strip() or \
            _PLACEHOLDER.match(re.sub(r"[*_`>#]", "", _without_separators(text)).strip()):
        return ImportedAnswer()
    first = numbered[0][0] if numbered else 0
    answer = ImportedAnswer()
    lines = text.split("\n")
    code = _code_lines(text)
    converted, start = [], 0
    while start < len(lines):
        end = start + 1
        while end < len(lines) and (end in code) == (start in code):
            end += 1
        chunk = "\n".join(lines[start:end])
        converted.append(chunk if start in code else _prose(chunk, path, first + start, answer, notes, root,
                                                            definitions))
        start = end
    answer.markdown = _formulas_checked(re.sub(r"\n{3,}", "\n\n", "\n".join(converted)).strip() + "\n",
                                       path, first, notes)
    return answer


_BACK_LINK = re.compile(r"^\s*(?:<(?:p|div)\b[^<>]*>)?\s*(?:\*\*|__|\*|_)?\[([^\[\]\n]*)\]\(#[^)\s]*\)(?:\*\*|__|\*|_)?\s*"
                        r"(?:</(?:p|div)\s*>)?\s*$")
_BACK_WORDS = re.compile(r"\b(?:back|top|return|go up|contents|index)\b|наверх|к началу|в начало|назад|содержани|"
                         r"оглавлени|[⬆↑⇧🔝⏫]", re.IGNORECASE)


def _without_back_links(numbered: list[tuple[int, str]], path: Path, notes: list[str]) -> list[tuple[int, str]]:
    """The answer's lines without the navigation links that stand alone on a line (`[⬆ Back to top](#questions)`,
    `[↑ наверх](#top)`): the book has no such places; each one removed is reported."""
    kept = []
    for line, text in numbered:
        link = _BACK_LINK.match(text)
        if link and _BACK_WORDS.search(link.group(1)):
            notes.append(f"{path}:{line + 1}: navigation link «{link.group(1).strip()}» removed")
        else:
            kept.append((line, text))
    return kept


def _without_comments(numbered: list[tuple[int, str]], path: Path, notes: list[str]) -> list[tuple[int, str]]:
    """The answer's lines without HTML comments outside code (invisible where the bank is read, they
    would show in the book), line for line; each one removed is reported."""
    text = "\n".join(line for _, line in numbered)
    if "<!--" not in text:
        return numbered
    code = _code_lines(text)
    out, position, line = [], 0, 0
    while (start := text.find("<!--", position)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break  # no comment closes after this one: none of the rest is a comment
        end += 3
        line += text.count("\n", position, start)
        out.append(text[position:start])
        if line in code:
            out.append(text[start:end])
        else:
            said = " ".join(text[start + 4:end - 3].split())
            notes.append(f"{path}:{numbered[line][0] + 1}: HTML comment «{said[:60]}{'…' if len(said) > 60 else ''}»"
                         " removed (it is not shown where the bank is read)")
            out.append("\n" * text.count("\n", start, end))
        line += text.count("\n", start, end)
        position = end
    text = "".join(out) + text[position:]
    return [(number, line) for (number, _), line in zip(numbered, text.split("\n"))]


def _formulas_checked(markdown: str, path: Path, first_line: int, notes: list[str]) -> str:
    """The answer with every formula the book cannot render (LaTeX it does not know, a command it
    refuses) kept as code, its source shown, and reported."""
    for token in parse_answer(markdown):
        found = [(token.content, True, token.map)] if token.type == "math_block" else [
            (child.content, child.type == "math_inline_double", token.map) for child in token.children or []
            if child.type in ("math_inline", "math_inline_double")]
        for latex, display, where in found:
            try:
                math.check(latex.strip(), display)
            except math.MathError as error:
                line = first_line + (where[0] if where else 0) + 1
                notes.append(f"{path}:{line}: formula not rendered ({error}); kept as code")
                markdown = _as_code(markdown, latex, token.type == "math_block")
    return markdown


def _as_code(markdown: str, latex: str, block: bool) -> str:
    if block:
        return markdown.replace(f"$${latex}$$", f"```latex\n{latex.strip()}\n```", 1)
    for dollars in ("$$", "$"):
        written = f"{dollars}{latex}{dollars}"
        if written in markdown:
            ticks = "``" if "`" in written else "`"
            return markdown.replace(written, f"{ticks}{written}{ticks}", 1)
    return markdown


def _without_separators(text: str) -> str:
    """The text without the layout and emphasis tags and thematic breaks (`<br/>`, `<div>`, `<b>`, `---`)
    that banks put around answers: what is left of «<b>Answer here</b> <br/>» is the placeholder, of
    «<div><br/></div>» nothing (an `<img>` is kept: it is an answer)."""
    return re.sub(r"</?(?:br|p|div|hr|span|center|font|section|details|summary|b|strong|i|em)\b[^<>\n]*+>"
                  r"|^\s*(?:-{3,}|\*{3,}|_{3,})\s*$", "", text, flags=re.MULTILINE | re.IGNORECASE)


def links_only(markdown: str) -> list[str] | None:
    """The links of an answer made of nothing but links (`[[Answer]](https://…)`), as `[text](address)`;
    None for an answer with anything else in it."""
    if not markdown.strip() or _has_prose(markdown) or any(b.kind == "list" and not b.links_only
                                                           for b in _blocks(markdown)):
        return None
    links = re.findall(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(([^)\s]+)\)", markdown)
    return [f"[{text.strip('[] ') or address}]({address})" for text, address in links
            if is_web_address(address)] or None


def _code_lines(text: str) -> set[int]:
    """The lines of fenced and indented code blocks, at any depth (in lists, quotes): kept as they are."""
    return {line for token in _PARSER.parse(text) if token.type in ("fence", "code_block") and token.map
            for line in range(*token.map)}


_SUMMARY_LABEL = re.compile(r"<summary\b[^>]*>\s*(?:<b>|<strong>)?\s*(?:show |click (?:here )?to (?:see|show|expand) |"
                            r"показать |посмотреть )?(?:the )?(?:answer|solution|hint|explanation|details|expand|"
                            r"code|ответ|решение|подсказка|код)s?\W*(?:</b>|</strong>)?\s*</summary>",
                            re.IGNORECASE)
"""`<summary>Answer</summary>` of a folded answer: a label, not part of the answer."""
_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)
"""A code span; a backtick after a backslash is a literal one, not an opening."""


def _prose(text: str, path: Path, first_line: int, answer: ImportedAnswer, notes: list[str], root: Path,
          definitions: dict[str, str]) -> str:
    """Markdown outside code blocks: HTML and images converted, what cannot be kept reported; code
    spans (`` `Map<String, Integer>` ``, `` `![lr](x.py)` ``) kept as they are."""
    spans: list[str] = []

    def hide(match: re.Match) -> str:
        spans.append(match.group(0))
        return f"\x01{len(spans) - 1}" + "\n" * match.group(0).count("\n") + "\x01"  # as many lines

    text = _converted(_CODE_SPAN.sub(hide, text), path, first_line, answer, notes, root, definitions)
    return re.sub("\x01(\\d+)\n*\x01", lambda m: spans[int(m.group(1))], text)


def _converted(text: str, path: Path, first_line: int, answer: ImportedAnswer, notes: list[str],
               root: Path, definitions: dict[str, str]) -> str:
    def where(position: int) -> str:
        return f"{path}:{first_line + text.count(chr(10), 0, position) + 1}"

    # Every step but the last keeps the line count (breaks are markers until the end), so that each
    # report's line number, taken from the text as that step sees it, is the source's.
    text = _HTML_IMG.sub(lambda m: _img_to_markdown(m, text), text)
    text = _REFERENCE_IMAGE.sub(lambda m: _inline_image(m, definitions), text)
    text = _images_replaced(text, lambda start, end, alt, src, title: _image(
        alt, src, title, _alone(text, start, end), path, where(start), answer, notes, root))
    text = re.sub(r'<a\b[^<>]*?href\s*=\s*["\']([^"\'<>]+)["\'][^<>]*>(.{0,2000}?)</a>',
                  lambda m: f"[{m.group(2).strip()}]({m.group(1)})", text, flags=re.IGNORECASE | re.DOTALL)

    def tag(match: re.Match) -> str:
        name = match.group(1).lower()
        if name not in _HTML_ELEMENTS:
            return match.group(0)  # `List<String>`, `<https://…>`: text
        if name in _TABLE_TAGS:
            return match.group(0)  # converted with their table, last
        if name in _INLINE_TAGS:
            return _INLINE_TAGS[name]
        if name not in _LAYOUT_TAGS:
            notes.append(f"{where(match.start())}: HTML <{name}> dropped (only its text is kept)")
        return _LINE_BREAK if name in ("br", "p", "div", "hr") else ""

    text = _INTERNAL_LINK.sub(lambda m: _unlinked(m, where(m.start()), notes), text)
    text = _EMPTY_INLINE.sub("", text)  # `<b></b>` would become `****`, a rule
    text = _HTML_TAG.sub(tag, text)
    text = _HTML_TABLE.sub(lambda m: _table(m.group(0), where(m.start()), notes), text)
    text = text.replace(_PARAGRAPH_BREAK, "\n\n").replace(_LINE_BREAK, "\n")
    text = _HARD_BREAK.sub("\\\\\n", text)  # two trailing spaces break the line: a backslash says so visibly
    return re.sub(r"(?<![ \t])[ \t]+\n", "\n", text)  # from the first blank of a run only: one pass


_HARD_BREAK = re.compile(r"(?<=\S)(?<!\\) {2,}\n(?=[ \t]*(?![-*+>#|<`~]|\d+[.)]\s)\S)")
"""Two or more spaces ending a line inside a paragraph (a line of text follows, not a new block)."""


_EMPTY_INLINE = re.compile(r"<(b|strong|i|em|code)\b[^<>]*>[ \t]*</\1\s*>", re.IGNORECASE)
_PARAGRAPH_BREAK, _LINE_BREAK = "\x00paragraph\x00", "\x00line\x00"


def _inline_image(match: re.Match, definitions: dict[str, str]) -> str:
    """A reference-style image as an inline one, so that it is checked and copied like every image."""
    label = _label(match.group(2) or match.group(1))
    return f"![{match.group(1)}]({definitions[label]})" if label in definitions else match.group(0)


def _label(text: str) -> str:
    """A reference label as CommonMark matches it: case-folded, inner whitespace collapsed."""
    return " ".join(text.split()).casefold()


_INTERNAL_LINK = re.compile(r"(?<!!)\[([^\[\]\n]*)\]\((#[^)\s]*)\)")
"""`[back to top](#table-of-contents)`: a link to a place in the bank's own file, which the book does not have."""


def _unlinked(match: re.Match, where: str, notes: list[str]) -> str:
    notes.append(f"{where}: link to {match.group(2)} in the bank's own file kept as its text")
    return match.group(1)


def _img_to_markdown(match: re.Match, text: str) -> str:
    """`<img src alt>` as a Markdown image; on a line of its own, a paragraph of its own (a figure)."""
    values = {m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None)
              for m in _ATTRIBUTE.finditer(match.group(1))}
    image = f"![{values.get('alt', '')}]({values.get('src', '')})"
    return f"{_PARAGRAPH_BREAK}{image}{_PARAGRAPH_BREAK}" if _alone(text, match.start(), match.end()) else image


def _alone(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is the only thing on its line."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return not text[line_start:start].strip() and not text[end:len(text) if line_end < 0 else line_end].strip()


def _images_replaced(text: str, replace) -> str:
    """`text` with every Markdown image `![alt](src "title")` replaced by `replace(start, end, alt, src,
    title)`; the address may hold balanced parentheses (a formula in a URL often does). Linear in the
    text: the brackets, blank lines and parentheses are each found once."""
    closing = _matching_parentheses(text)
    out, position, bracket, blank = [], 0, -1, -1
    for opening in re.finditer(r"!\[", text):
        if opening.start() < position:
            continue
        if bracket < opening.end():
            bracket = text.find("](", opening.end())
            if bracket < 0:
                break
        if blank < opening.end():
            blank = text.find("\n\n", opening.end())
            blank = len(text) if blank < 0 else blank
        close, end = bracket, closing.get(bracket + 1)
        if blank < close or end is None:
            continue
        target = text[close + 2:end].strip()
        titled = re.match(r'^(\S*+)\s++(?:"([^"]*)"|\'([^\']*)\'|\(([^)]*)\))$', target)
        src, title = (titled.group(1), next(t for t in titled.groups()[1:] if t is not None)) if titled \
            else (target, None)
        out += [text[position:opening.start()],
                replace(opening.start(), end + 1, text[opening.end():close].strip(), src.strip("<>"), title)]
        position = end + 1
    return "".join(out) + text[position:]


def _matching_parentheses(text: str) -> dict[int, int]:
    """The position of each `(` that is closed → the position of its `)`."""
    pairs, open_ = {}, []
    for match in re.finditer(r"[()]", text):
        if match.group() == "(":
            open_.append(match.start())
        elif open_:
            pairs[open_.pop()] = match.start()
    return pairs


def _image(alt: str, src: str, title: str | None, alone: bool, path: Path, where: str, answer: ImportedAnswer,
           notes: list[str], root: Path) -> str:
    if urlparse(src).scheme in ("http", "https"):
        latex = _formula_of(src)
        if latex:
            return f"$${latex}$$" if alone else f"${latex}$"
        notes.append(f"{where}: remote image {src} not fetched; kept as a link")
        return f"[{alt or src}]({src})"
    try:
        image = read_image(root, path.resolve(), src)
    except RefusedImage as refused:
        notes.append(f"{where}: {refused}; only its alt text is kept")
        return alt
    name = _unique_name(image, answer)
    if not alt.strip():
        alt = " ".join(re.split(r"[-_.]+", Path(unquote(src)).stem)).strip() or "image"
        notes.append(f"{where}: image {src} has no alt text; named «{alt}» after its file: write what it shows"
                     " in ![…]")
    suffix = ' "{}"'.format(title.replace('"', '\\"')) if title else ""
    return f"![{alt}]({name}{suffix})"


def _unique_name(image: BankImage, answer: ImportedAnswer) -> str:
    """The name the answer gives `image`: its own, unless another image of the answer has it."""
    same = next((taken for taken in answer.images if taken.data == image.data), None)
    if same is not None:
        return same.name
    names = {taken.name for taken in answer.images}
    stem, dot, suffix = image.name.rpartition(".")
    name, n = image.name, 2
    while name in names:
        name, n = f"{stem}-{n}{dot}{suffix}", n + 1
    answer.images.append(BankImage(image.data, name))
    return name


def _formula_of(url: str) -> str:
    for pattern, group in _FORMULA_SERVICES:
        match = pattern.match(url)
        if match:
            return _RENDER_OPTIONS.sub("", unquote(match.group(group))).strip()
    return ""


def _table(html: str, where: str, notes: list[str]) -> str:
    """A simple HTML table as a Markdown table; one with merged cells is reported and kept as text."""
    rows = [[re.sub(r"\s+", " ", _HTML_TAG.sub("", cell)).strip().replace("|", "\\|")
             for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.IGNORECASE | re.DOTALL)]
            for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", html, re.IGNORECASE | re.DOTALL)]
    rows = [row for row in rows if row]
    if re.search(r"\b(?:rowspan|colspan)\s*=", html, re.IGNORECASE) or not rows:
        notes.append(f"{where}: HTML table with merged cells kept as plain rows; check it")
        return "\n".join(" · ".join(row) for row in rows) + "\n"
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n" + "\n".join(lines) + "\n"


_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table")


def _blocks(text: str) -> list[_Block]:
    """The top-level blocks of the Markdown with their line ranges."""
    return _blocks_of(_PARSER.parse(text))


def _blocks_of(tokens: list) -> list[_Block]:
    blocks, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        if token.level != 0 or token.map is None:
            i += 1
            continue
        start, end = token.map
        if token.type == "heading_open":
            blocks.append(_Block("heading", start, end, int(token.tag[1]), tokens[i + 1].content.strip()))
        elif token.type == "paragraph_open":
            blocks.append(_Block("paragraph", start, end, links_only=_links_only(tokens[i + 1])))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            items, links = [], []
            depth_close = token.type.replace("_open", "_close")
            j = i + 1
            while j < len(tokens) and not (tokens[j].type == depth_close and tokens[j].level == 0):
                if tokens[j].type == "list_item_open" and tokens[j].level == 1:
                    item_start, item_end = tokens[j].map
                    first = tokens[j + 1]  # the item's first block: list_item_close for an empty item
                    paragraph = first.type == "paragraph_open" and first.map is not None
                    first_end = first.map[1] if paragraph else item_start + 1
                    inline = tokens[j + 2] if paragraph else None
                    links.append(inline is not None and _links_only(inline))
                    items.append((item_start, item_end, min(first_end, item_end)))
                j += 1
            blocks.append(_Block("list", start, end, items=items, links_only=bool(links) and all(links),
                                 ordered=token.type == "ordered_list_open"))
            i = j
        else:
            blocks.append(_Block("other", start, end))
        i += 1
    return blocks


def _links_only(inline) -> bool:
    """An inline run of nothing but links, images and separators (a table of contents, badges)."""
    depth, saw_link = 0, False
    for child in inline.children or []:
        if child.type in ("link_open", "image"):
            saw_link = True
            depth += child.type == "link_open"
        elif child.type == "link_close":
            depth -= 1
        elif child.type in ("text", "softbreak", "hardbreak", "html_inline") and depth == 0:
            if child.content.strip(" |·•-—,\n"):
                return False
    return saw_link
