"""Reading question-and-answer Markdown, the layouts public interview banks use: questions as bold
paragraphs, headings or list items, each answer being everything up to the next question.

The answers keep their Markdown (code, math, links) line for line; what Markdown here cannot hold
is converted — layout HTML dropped, `<img>` and simple HTML tables turned into Markdown, a formula
image rendered by a web service turned back into `$…$` — and anything that would be lost is
reported as `path:line: message`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from markdown_it import MarkdownIt

DIFFICULTY_MARKS = {"👶": 1, "⭐️": 2, "⭐": 2, "🚀": 3, "[e]": 1, "[m]": 2, "[h]": 3, "(easy)": 1, "(medium)": 2,
                    "(hard)": 3, "[easy]": 1, "[medium]": 2, "[hard]": 3}
"""Difficulty marks beside a question (lowercase), mapped to 1–3; `import --mark` adds others."""
_PLACEHOLDER = re.compile(r"^\W*(?:answer(?: goes)? here|your answer( here)?|todo|tbd|to be done|coming soon|"
                          r"wip|ответ(?: здесь)?|\.\.\.|…)\W*$", re.IGNORECASE)
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*(.*?)\s*$")
_NUMBER = re.compile(r"^(?:q?\d+[.):]|question\s+\d+[.):])\s*", re.IGNORECASE)
_FORMULA_SERVICES = [
    (re.compile(r"^https?://latex\.codecogs\.com/[a-z]+\.(?:latex|image|download)\?(.+)$"), 1),
    (re.compile(r"^https?://render\.githubusercontent\.com/render/math\?math=(.+)$"), 1),
    (re.compile(r"^https?://chart\.googleapis\.com/chart\?cht=tx&chl=(.+)$"), 1),
    (re.compile(r"^https?://i\.upmath\.me/(?:svg|png)/(.+)$"), 1),
]
_RENDER_OPTIONS = re.compile(r"^(?:\s*\\(?:dpi\{\d+\}|bg_\w+|bg\{\w+\}|fn_\w+|inline|large|small|"
                             r"LARGE|huge|normalsize|color\{\w+\})\s*)+")
_HTML_IMG = re.compile(r"<img\b([^>]*)/?>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_HTML_TABLE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?/?>")
_INLINE_TAGS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
_TABLE_TAGS = {"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"}
_LAYOUT_TAGS = {"br", "p", "div", "center", "span", "details", "summary", "hr", "font", "section"}


@dataclass
class ImportedAnswer:
    """An answer as Markdown for the question's file, and the local images it refers to."""

    markdown: str = ""
    images: list[tuple[Path, str]] = field(default_factory=list)
    """(source file, the name it gets next to the question's file)."""


@dataclass
class QAQuestion:
    text: str
    line: int
    difficulty: int | None = None
    answer: ImportedAnswer = field(default_factory=ImportedAnswer)


@dataclass
class QAGroup:
    title: str
    questions: list[QAQuestion] = field(default_factory=list)


@dataclass
class QASection:
    title: str
    groups: list[QAGroup] = field(default_factory=list)


@dataclass
class QABank:
    """What a Q&A file (or folder) holds; `notes` are the `path:line: message` reports."""

    title: str
    sections: list[QASection]
    notes: list[str] = field(default_factory=list)


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


def has_answers(bank: QABank) -> bool:
    """True when the bank read as Q&A really answers its questions: some answer holds more than a list
    (read as Q&A, a question list's headings seem to be questions "answered" by lists of questions)."""
    return any(_has_prose(q.answer.markdown) for s in bank.sections for g in s.groups for q in g.questions)


def _has_prose(markdown: str) -> bool:
    return any(b.kind != "list" and not b.links_only for b in _blocks(markdown))


def read_qa(text: str, path: Path, flat_title: str, marks: dict[str, int] | None = None,
            file_is_section: bool = False) -> QABank:
    """The sections, questions and answers of one Q&A Markdown file. A lone top heading is the bank's
    title — or, for a file of a folder (`file_is_section`), the file's section."""
    lines = text.splitlines()
    blocks = _blocks(text)
    marks = {**DIFFICULTY_MARKS, **{k.lower(): v for k, v in (marks or {}).items()}}
    mode, question_level = _question_layout(blocks, lines)
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

    def close_question():
        if current is not None:
            current.answer = _answer(answer_lines, path, bank.notes)
        answer_lines.clear()

    def group() -> QAGroup:
        if not bank.sections:
            bank.sections.append(QASection(flat_title))
        if not bank.sections[-1].groups:
            bank.sections[-1].groups.append(QAGroup(""))
        return bank.sections[-1].groups[-1]

    for block in blocks:
        if block.kind == "heading" and block.level == section_level:
            close_question()
            current = None
            bank.sections.append(QASection(block.text))
        elif block.kind == "heading" and block.level == group_level:
            close_question()
            current = None
            if not bank.sections:
                bank.sections.append(QASection(flat_title))
            bank.sections[-1].groups.append(QAGroup(block.text))
        elif block.kind == "heading" and block.level in structure:
            continue  # the book's title
        elif mode == "heading" and block.kind == "heading" and block.level == question_level:
            close_question()
            current = _question(block.text, block.start, marks)
            group().questions.append(current)
        elif mode == "bold" and block.kind == "paragraph" and _BOLD_LINE.match(lines[block.start]) \
                and _is_bold_question(lines[block.start], marks):
            close_question()
            bold = _BOLD_LINE.match(lines[block.start])
            current = _question(f"{bold.group(1)} {bold.group(2)}", block.start, marks)
            group().questions.append(current)
            answer_lines.extend((n, lines[n]) for n in range(block.start + 1, block.end))
        elif mode == "list" and block.kind == "list" and not block.links_only:
            for start, end, first_end in block.items:
                close_question()
                first = " ".join(lines[n].strip() for n in range(start, first_end))
                current = _question(re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", first), start, marks)
                group().questions.append(current)
                indent = _indent_of(lines, first_end, end)
                answer_lines.extend((n, lines[n][indent:]) for n in range(first_end, end))
        elif current is not None:  # the answer goes on, blank lines between blocks included
            since = answer_lines[-1][0] + 1 if answer_lines else block.start
            answer_lines.extend((n, lines[n]) for n in range(min(since, block.start), block.end))
        elif block.kind != "heading" and not block.links_only and "".join(lines[block.start:block.end]).strip():
            bank.notes.append(f"{path}:{block.start + 1}: text before the first question is not imported")
    close_question()
    bank.sections = [s for s in bank.sections if any(g.questions for g in s.groups)]
    for section in bank.sections:
        section.groups = [g for g in section.groups if g.questions]
    return bank


def _question_layout(blocks: list[_Block], lines: list[str]) -> tuple[str, int | None]:
    """How questions are written: ("bold", None), ("list", None) or ("heading", level)."""
    bold = [b for b in blocks if b.kind == "paragraph" and _BOLD_LINE.match(lines[b.start])
            and _is_bold_question(lines[b.start], {})]
    if len(bold) >= 2:
        return "bold", None
    answered_items = [item for b in blocks if b.kind == "list" and not b.links_only for item in b.items
                      if item[2] < item[1] and "".join(lines[item[2]:item[1]]).strip()]
    if len(answered_items) >= 2:
        return "list", None
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    return "heading", (levels[-1] if levels else None)


def _is_bold_question(line: str, marks: dict[str, int]) -> bool:
    """A paragraph opening with a whole line in bold, and nothing after it but a difficulty mark."""
    bold = _BOLD_LINE.match(line)
    rest = bold.group(2).strip().lower()
    return not rest or rest in DIFFICULTY_MARKS or rest in marks


def _question(text: str, line: int, marks: dict[str, int]) -> QAQuestion:
    text = re.sub(r"\s+", " ", text).strip()
    difficulty = None
    for mark, level in sorted(marks.items(), key=lambda pair: -len(pair[0])):
        position = text.lower().find(mark)
        if position >= 0:
            difficulty = level
            text = (text[:position] + text[position + len(mark):]).strip()
            break
    text = _NUMBER.sub("", text.replace("**", "").replace("__", "")).strip()
    return QAQuestion(re.sub(r"\s+", " ", text).strip(" :"), line + 1, difficulty)


def _indent_of(lines: list[str], start: int, end: int) -> int:
    indents = [len(line) - len(line.lstrip()) for line in lines[start:end] if line.strip()]
    return min(indents) if indents else 0


def _answer(numbered: list[tuple[int, str]], path: Path, notes: list[str]) -> ImportedAnswer:
    """The answer's Markdown with HTML and images converted; empty for a placeholder."""
    while numbered and not numbered[0][1].strip():
        numbered = numbered[1:]
    while numbered and not numbered[-1][1].strip():
        numbered = numbered[:-1]
    text = "\n".join(line for _, line in numbered)
    if not text.strip() or _PLACEHOLDER.match(re.sub(r"[*_`>#]", "", text).strip()):
        return ImportedAnswer()
    first = numbered[0][0] if numbered else 0
    answer = ImportedAnswer()
    parts = re.split(r"(^(?:```|~~~).*?^(?:```|~~~)[ \t]*$)", text, flags=re.MULTILINE | re.DOTALL)
    converted, line = [], first
    for index, part in enumerate(parts):
        converted.append(part if index % 2 else _prose(part, path, line, answer, notes))
        line += part.count("\n")
    answer.markdown = re.sub(r"\n{3,}", "\n\n", "".join(converted)).strip() + "\n"
    return answer


def _prose(text: str, path: Path, first_line: int, answer: ImportedAnswer, notes: list[str]) -> str:
    """Markdown outside code blocks: HTML and images converted, what cannot be kept reported."""
    def where(position: int) -> str:
        return f"{path}:{first_line + text.count(chr(10), 0, position) + 1}"

    # Every step but the last keeps the line count (breaks are markers until the end), so that each
    # report's line number, taken from the text as that step sees it, is the source's.
    text = _HTML_IMG.sub(lambda m: _img_to_markdown(m, text), text)
    text = _images_replaced(text, lambda start, end, alt, src, title: _image(
        alt, src, title, _alone(text, start, end), path, where(start), answer, notes))
    text = re.sub(r'<a\b[^>]*?href\s*=\s*["\']([^"\']+)["\'][^>]*>(.*?)</a>',
                  lambda m: f"[{m.group(2).strip()}]({m.group(1)})", text, flags=re.IGNORECASE | re.DOTALL)

    def tag(match: re.Match) -> str:
        name = match.group(1).lower()
        if name in _TABLE_TAGS:
            return match.group(0)  # converted with their table, last
        if name in _INLINE_TAGS:
            return _INLINE_TAGS[name]
        if name not in _LAYOUT_TAGS:
            notes.append(f"{where(match.start())}: HTML <{name}> dropped (only its text is kept)")
        return _LINE_BREAK if name in ("br", "p", "div", "hr") else ""

    text = _HTML_TAG.sub(tag, text)
    text = _HTML_TABLE.sub(lambda m: _table(m.group(0), where(m.start()), notes), text)
    text = text.replace(_PARAGRAPH_BREAK, "\n\n").replace(_LINE_BREAK, "\n")
    return re.sub(r"[ \t]+\n", "\n", text)


_PARAGRAPH_BREAK, _LINE_BREAK = "\x00paragraph\x00", "\x00line\x00"


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
    title)`; the address may hold balanced parentheses (a formula in a URL often does)."""
    out, position = [], 0
    for opening in re.finditer(r"!\[", text):
        if opening.start() < position:
            continue
        close = text.find("](", opening.end())
        if close < 0 or "\n\n" in text[opening.end():close]:
            continue
        depth, i = 1, close + 2
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        if depth:
            continue
        target = text[close + 2:i - 1].strip()
        titled = re.match(r'^(.*?)\s+"([^"]*)"$', target)
        src, title = (titled.group(1), titled.group(2)) if titled else (target, None)
        out += [text[position:opening.start()],
                replace(opening.start(), i, text[opening.end():close].strip(), src.strip("<>"), title)]
        position = i
    return "".join(out) + text[position:]


def _image(alt: str, src: str, title: str | None, alone: bool, path: Path, where: str, answer: ImportedAnswer,
           notes: list[str]) -> str:
    if urlparse(src).scheme in ("http", "https"):
        latex = _formula_of(src)
        if latex:
            return f"$${latex}$$" if alone else f"${latex}$"
        notes.append(f"{where}: remote image {src} not fetched; kept as a link")
        return f"[{alt or src}]({src})"
    source = (path.parent / unquote(src)).resolve()
    if not source.is_file():
        notes.append(f"{where}: image {src} not found; kept as a link")
        return f"[{alt or src}]({src})"
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", source.name)
    answer.images.append((source, name))
    if not alt:
        notes.append(f"{where}: image {src} has no alt text; write what it shows in ![…] (build.py check lists it)")
    suffix = f' "{title}"' if title else ""
    return f"![{alt}]({name}{suffix})"


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
    tokens = _PARSER.parse(text)
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
                    first = next(t for t in tokens[j + 1:] if t.map is not None)
                    first_end = first.map[1] if first.type == "paragraph_open" else item_start + 1
                    inline = tokens[tokens.index(first) + 1] if first.type == "paragraph_open" else None
                    links.append(inline is not None and _links_only(inline))
                    items.append((item_start, item_end, min(first_end, item_end)))
                j += 1
            blocks.append(_Block("list", start, end, items=items, links_only=bool(links) and all(links)))
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
