"""Reading Markdown question banks: question lists (the seed bank's layout and its common variants)
and question-and-answer files (mlbook/qa.py), one file or a folder of them."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import ftfy

from mlbook.content.yamlsafe import YamlProblem, parse_yaml
from mlbook.upstream import qa
from mlbook.errors import ContentError, Problem
from mlbook.model import Location
from mlbook.text import looks_like_mojibake, repair_mojibake, without_unwanted_characters

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")
_LINK_ONLY = re.compile(r"^\[[^\]]*\]\([^)]*\)\W*$")


@dataclass
class ImportedGroup:
    """A subsection of the imported list (title empty for questions directly under a section)."""

    title: str
    questions: list[str] = field(default_factory=list)
    answers: list[qa.QAQuestion] = field(default_factory=list)
    """For a Q&A source: each question's answer, difficulty and images, in the order of `questions`
    (two questions with the same text keep their own answers)."""

    def answer(self, index: int) -> qa.QAQuestion | None:
        """The answer of the question at `index`, if the source has answers."""
        return self.answers[index] if index < len(self.answers) else None


@dataclass
class ImportedSection:
    """A section of the imported list."""

    title: str
    emoji: str
    groups: list[ImportedGroup] = field(default_factory=list)

    @property
    def questions(self) -> list[str]:
        return [q for g in self.groups for q in g.questions]


@dataclass
class ImportedBank:
    """What a Markdown file holds, and whether its encoding had to be repaired."""

    sections: list[ImportedSection]
    repaired_mojibake: bool
    title: str = ""
    """The bank's own title (a lone top heading), if it has one."""
    notes: list[str] = field(default_factory=list)
    """`path:line: message` for what the import could not keep as it was."""


def read_bank(path: Path, flat_title: str = "Вопросы", marks: dict[str, int] | None = None) -> ImportedBank:
    """Read a Markdown question list or Q&A file — or every `.md` file of a folder, in name order, a
    file without headings becoming a section named by its title — repairing text that was once
    decoded with the wrong code page."""
    if not path.is_dir():
        return _read_file(path, flat_title, marks)
    notes: list[str] = []
    files, not_followed = _markdown_files(path)
    notes += map(str, not_followed)
    if not files:
        raise ContentError(not_followed + [Problem(path, "no .md files in the folder")])
    skipped: list[Problem] = []
    banks, title = [], path.name
    for file in files:
        text, repaired = _read_text(file, notes)
        if file.name.lower() in ("readme.md", "readme.markdown"):
            title = _readme_title(text, file) or title
            if file.parent == path and _front_page(text):
                notes.append(f"{file}:1: the bank's front page (its title and a list of its files); only its"
                             " title is imported")
                continue
        section = _name_title(file.parent)
        try:
            body = _without_front_matter(text, file)[0]
            banks.append(_parse(text, file, repaired, section if _is_question_file(body) else
                                _first_heading(body) or _name_title(file), marks, file_is_section=True,
                                root=path))
        except NoQuestions:  # a README with badges and a table of contents, say
            skipped.append(Problem(Location(file, 1), "no questions in this file; skipped"))
            notes.append(str(skipped[-1]))
    if not banks:
        raise ContentError(not_followed + skipped)
    return ImportedBank(_merged([s for b in banks for s in b.sections]), any(b.repaired_mojibake for b in banks),
                        title, notes + [n for b in banks for n in b.notes])


def _front_page(text: str) -> bool:
    """A folder's README that is its front page: at most one heading, and links to the folder's
    Markdown files (`- [Communication](communication.md)`), which are the questions."""
    headings = [line for line in text.split("\n") if _HEADING.match(line)]
    return len(headings) <= 1 and re.search(r"\]\((?!https?:)[^()\s]+\.(?:md|markdown)\)", text) is not None


def _is_question_file(text: str) -> bool:
    """A file that is one question: a single heading, first, then its answer (a folder of such files
    is a section: `basics/loss.md`, `basics/epoch.md`)."""
    headings = [line for line in text.split("\n") if _HEADING.match(line)]
    first = next((line for line in text.split("\n") if line.strip()), "")
    return len(headings) == 1 and first == headings[0] and bool(text.split(first, 1)[1].strip())


def _merged(sections: list[ImportedSection]) -> list[ImportedSection]:
    """Sections with one title (the files of one folder) as one section, in the order first seen."""
    by_title: dict[str, ImportedSection] = {}
    for section in sections:
        if section.title not in by_title:
            by_title[section.title] = section
            continue
        kept = by_title[section.title]
        for group in section.groups:
            same = next((g for g in kept.groups if g.title == group.title), None)
            if same is None:
                kept.groups.append(group)
            else:
                same.questions += group.questions
                same.answers += group.answers
    return list(by_title.values())


def _markdown_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The folder's `.md` files in name order, none of them hidden or reached through a symbolic link
    (a link may point anywhere on the machine: it is reported, not followed), and those reports."""
    found, not_followed = [], []
    for directory, subdirectories, names in os.walk(folder):
        here = Path(directory)
        for name in [n for n in subdirectories if (here / n).is_symlink()]:
            not_followed.append(Problem(Location(here / name, 1), "a symbolic link to a folder; not followed"))
        subdirectories[:] = sorted(n for n in subdirectories if not n.startswith(".") and not (here / n).is_symlink())
        for name in names:
            if not name.lower().endswith((".md", ".markdown")) or name.startswith("."):
                continue
            if (here / name).is_symlink():
                not_followed.append(Problem(Location(here / name, 1), "a symbolic link; not followed"))
            else:
                found.append(here / name)
    return sorted(found), not_followed


class NoQuestions(ContentError):
    """A file without a single question in any layout the importer knows."""


def _first_heading(text: str) -> str:
    return next((heading.group(2) for heading in map(_HEADING.match, text.splitlines()) if heading), "")


def _name_title(path: Path) -> str:
    """A section title for a file without headings: its name (without what a bank may not hold)."""
    name = without_unwanted_characters(path.stem.replace("\n", " "))[0]
    return " ".join(name.replace("-", " ").replace("_", " ").split()).capitalize() or "Questions"


def _read_file(path: Path, flat_title: str, marks: dict[str, int] | None) -> ImportedBank:
    notes: list[str] = []
    text, repaired = _read_text(path, notes)
    bank = _parse(text, path, repaired, flat_title, marks)
    bank.notes[:0] = notes
    return bank


MAX_SOURCE_BYTES = 20_000_000
"""The largest Markdown file an import reads (a bank's README is rarely over 1 MB)."""


def _read_text(path: Path, notes: list[str]) -> tuple[str, bool]:
    """The file's text, and whether it had to be repaired (UTF-8 once decoded as another code page).
    Characters a bank may not hold are removed, each reported in `notes`."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ContentError([Problem(Location(path, 1), "not a regular file; import reads Markdown files")])
        if info.st_size > MAX_SOURCE_BYTES:
            raise ContentError([Problem(Location(path, 1), f"the file is {info.st_size:,} bytes; the import reads"
                                        f" files of at most {MAX_SOURCE_BYTES:,}")])
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ContentError([Problem(Location(path, 1), f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise ContentError([Problem(Location(path, 1), f"not valid UTF-8 (byte {exc.start}); save it as UTF-8")]) \
            from None
    text = text.replace("\r\n", "\n")
    repaired = False
    if looks_like_mojibake(text):
        fixed = repair_mojibake(text)
        if fixed is None:
            raise ContentError([Problem(Location(path, 1), "text looks like mojibake (UTF-8 decoded as another code"
                                        " page) and cannot be repaired automatically; convert it back to UTF-8"
                                        " first")])
        text, repaired = fixed, True
    text = _mojibake_repaired(text, path, notes)
    text, removed = without_unwanted_characters(text)  # after the repair, which can bring some back
    notes += [f"{path}:{line}: {name} removed" + (" (a line break)" if "SEPARATOR" in name else "")
              for line, name in removed]
    return text, repaired


def _mojibake_repaired(text: str, path: Path, notes: list[str]) -> str:
    """The text with every line that was UTF-8 decoded as cp1252, Latin-1 or Mac Roman (`Whatâ€™s`,
    `ðŸ“ˆ`, `Ð§Ñ‚Ð¾`) decoded back, as ftfy finds them, line for line; each line repaired is reported."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.isascii():
            continue
        fixed = ftfy.fix_encoding(line)
        if fixed != line and "\n" not in fixed:
            notes.append(f"{path}:{number + 1}: mojibake (UTF-8 read with another code page) repaired:"
                         f" «{line.strip()[:50]}» → «{fixed.strip()[:50]}»")
            lines[number] = fixed
    return "\n".join(lines)


def _parse(text: str, path: Path, repaired: bool, flat_title: str, marks: dict[str, int] | None,
           file_is_section: bool = False, root: Path | None = None) -> ImportedBank:
    """A question-and-answer file's questions with their answers, or a question list's questions."""
    text, front_title, front_notes = _without_front_matter(text, path)
    imported = _parse_body(text, path, repaired, flat_title, marks, file_is_section, root)
    imported.title = imported.title or front_title
    imported.notes[:0] = front_notes
    return imported


def _readme_title(text: str, path: Path) -> str:
    """The title a folder's README gives the bank: its front matter's, or its first heading."""
    text, front_title, _ = _without_front_matter(text, path)
    return front_title or _split_emoji(_first_heading(text))[1]


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def _without_front_matter(text: str, path: Path) -> tuple[str, str, list[str]]:
    """The text with its YAML front matter (`---` … `---` first in the file, as GitHub and static site
    generators read it) blanked line for line, the `title:` it gives, and a note of what was dropped."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return text, "", []
    try:
        data = parse_yaml(match.group(1) or "")
    except YamlProblem:
        data = None
    title = data.get("title") if isinstance(data, dict) else None
    title = " ".join(title.split()) if isinstance(title, str) else ""
    fields = ", ".join(str(key) for key in data) if isinstance(data, dict) else "not YAML"
    note = f"{path}:1: front matter ({fields}) not imported" + (f"; its title «{title}» is the bank's" if title
                                                                 else "")
    return "\n" * match.group(0).count("\n") + text[match.end():], title, [note]


def _parse_body(text: str, path: Path, repaired: bool, flat_title: str, marks: dict[str, int] | None,
                file_is_section: bool, root: Path | None) -> ImportedBank:
    bank = qa.read_qa(text, path, flat_title, marks, file_is_section, root)
    if qa.has_answers(bank):
        return _from_qa(bank, path, repaired)
    asked = bank.asked if bank.asked >= 2 else 0  # questions as a Q&A bank writes them, none answered yet
    notes: list[str] = []
    try:
        listed = parse_question_list(text, path, flat_title, notes)
    except NoQuestions:
        if asked:
            return _from_qa(bank, path, repaired)
        raise
    if asked > sum(len(s.questions) for s in listed) and not qa.has_lists(bank):
        return _from_qa(bank, path, repaired)  # more questions than its lists hold (a list of links, say)
    return ImportedBank(listed, repaired, "" if file_is_section else _list_title(text), notes=notes)


def _from_qa(bank: qa.QABank, path: Path, repaired: bool) -> ImportedBank:
    sections = []
    for section in bank.sections:
        imported = ImportedSection(*reversed(_split_emoji(section.title)))
        for group in section.groups:
            imported.groups.append(ImportedGroup(_split_emoji(group.title)[1], [q.text for q in group.questions],
                                                 list(group.questions)))
        sections.append(imported)
    if not sections:
        raise NoQuestions([Problem(Location(path, 1), "no questions found: expected questions as bold"
                                   " paragraphs, headings or list items, each followed by its answer")])
    return ImportedBank(sections, repaired, _split_emoji(bank.title)[1], bank.notes)


def _list_title(text: str) -> str:
    """A question list's title: its lone top heading, before everything (as `_heading_levels` reads it)."""
    headings = [(len(m.group(1)), m.group(2)) for m in map(_HEADING.match, text.split("\n")) if m]
    if not headings:
        return ""
    top = min(level for level, _ in headings)
    lone = [title for level, title in headings if level == top]
    levels = {level for level, _ in headings}
    return _split_emoji(lone[0])[1] if len(lone) == 1 and headings[0][0] == top and len(levels) > 1 else ""


def _heading_levels(lines: list[str]) -> tuple[int | None, int | None]:
    """(section level, subsection level): a lone top heading before everything is the list's title."""
    levels = [len(m.group(1)) for m in map(_HEADING.match, lines) if m]
    if not levels:
        return None, None
    top = min(levels)
    if levels.count(top) == 1 and levels[0] == top and len(set(levels)) > 1:
        levels = [level for level in levels if level != top]
    distinct = sorted(set(levels))
    return distinct[0], (distinct[1] if len(distinct) > 1 else None)


def parse_question_list(text: str, path: Path, flat_title: str = "Вопросы",
                        notes: list[str] | None = None) -> list[ImportedSection]:
    """Sections, subsections and questions (list items, continued on indented lines). Text that is
    none of these is reported in `notes`, a paragraph at a time."""
    lines = text.split("\n")
    section_level, subsection_level = _heading_levels(lines)
    sections: list[ImportedSection] = []
    last: list[str] | None = None  # the question list the previous item went to
    skipped: list[int] = []  # the lines of the paragraph not imported, until it ends
    for number, line in enumerate(lines):
        if skipped and (not line.strip() or _HEADING.match(line) or _ITEM.match(line)):
            _report_skipped(lines, skipped, path, notes)
            skipped = []
        if unicodedata.normalize("NFC", line) != line and (_HEADING.match(line) or _ITEM.match(line)
                                                            or (last and line.startswith((" ", "\t")))):
            line = unicodedata.normalize("NFC", line)
            if notes is not None:
                notes.append(f"{path}:{number + 1}: «{line.strip()}» written in Unicode's composed form (NFC)")
        heading, item = _HEADING.match(line), _ITEM.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            if level in (section_level, subsection_level):
                title = qa.heading_text(title, f"{path}:{number + 1}", notes if notes is not None else [])
            if level == section_level:
                sections.append(ImportedSection(*reversed(_split_emoji(title))))
            elif level == subsection_level and sections:
                sections[-1].groups.append(ImportedGroup(_split_emoji(title)[1]))
            last = None
        elif item and not item.group(1) and _LINK_ONLY.match(item.group(2)):
            last = None  # a table of contents: a list of links
        elif item and not item.group(1):
            if not sections:
                sections.append(ImportedSection(flat_title, ""))
            if not sections[-1].groups:
                sections[-1].groups.append(ImportedGroup(""))
            last = sections[-1].groups[-1].questions
            last.append(item.group(2))
        elif last and line.startswith((" ", "\t")) and line.strip():
            last[-1] += " " + line.strip()
        elif not line.strip():
            continue
        else:
            last = None
            skipped.append(number)
    _report_skipped(lines, skipped, path, notes)
    sections = [s for s in sections if s.questions]
    if not sections:
        raise NoQuestions([Problem(Location(path, 1), "no questions found: expected list items ('- question')"
                                   " under '#'/'##' headings, or a plain list")])
    return sections


def _report_skipped(lines: list[str], skipped: list[int], path: Path, notes: list[str] | None) -> None:
    if skipped and notes is not None:
        text = " ".join(" ".join(lines[n] for n in skipped).split())
        notes.append(f"{path}:{skipped[0] + 1}: not a question (not a list item), not imported:"
                     f" «{text[:80]}{'…' if len(text) > 80 else ''}»")


def _split_emoji(title: str) -> tuple[str, str]:
    """(the emoji a title starts with, the rest): «🧠 Основы» → («🧠», «Основы»); «.NET», «¿Qué?» keep
    their first character."""
    end = 0
    while end < len(title) and (unicodedata.category(title[end]) == "So" or (
            end and title[end] in _EMOJI_JOINERS) or 0x1F3FB <= ord(title[end]) <= 0x1F3FF):
        end += 1
    return (title[:end], title[end:].strip()) if end and title[end:].strip() else ("", title)


_EMOJI_JOINERS = "\u200d\ufe0f\u20e3"
"""What continues an emoji: a zero-width joiner, the emoji variation selector, a keycap."""
