"""Reading Markdown question lists (the seed bank's layout and its common variants)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentError
from .text import looks_like_mojibake, repair_mojibake

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")
_EMOJI = re.compile(r"^([^\w\s«\"'(]+)\s*(.*)$")


@dataclass
class ImportedGroup:
    """A subsection of the imported list (title empty for questions directly under a section)."""

    title: str
    questions: list[str] = field(default_factory=list)


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


def read_bank(path: Path, flat_title: str = "Вопросы") -> ImportedBank:
    """Read a Markdown question list, repairing text that was once decoded with the wrong code page."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ContentError([f"{path}:1: cannot read: {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        raise ContentError([f"{path}:1: not valid UTF-8 (byte {exc.start}); save it as UTF-8"]) from None
    text = text.replace("\r\n", "\n")
    repaired = False
    if looks_like_mojibake(text):
        fixed = repair_mojibake(text)
        if fixed is None:
            raise ContentError([f"{path}:1: text looks like mojibake (UTF-8 decoded as another code page)"
                                " and cannot be repaired automatically; convert it back to UTF-8 first"])
        text, repaired = fixed, True
    return ImportedBank(parse_question_list(text, path, flat_title), repaired)


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


def parse_question_list(text: str, path: Path, flat_title: str = "Вопросы") -> list[ImportedSection]:
    """Sections, subsections and questions (list items, continued on indented lines)."""
    lines = text.splitlines()
    section_level, subsection_level = _heading_levels(lines)
    sections: list[ImportedSection] = []
    last: list[str] | None = None  # the question list the previous item went to
    for line in lines:
        heading, item = _HEADING.match(line), _ITEM.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            if level == section_level:
                sections.append(ImportedSection(*reversed(_split_emoji(title))))
            elif level == subsection_level and sections:
                sections[-1].groups.append(ImportedGroup(_split_emoji(title)[1]))
            last = None
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
    sections = [s for s in sections if s.questions]
    if not sections:
        raise ContentError([f"{path}:1: no questions found: expected list items ('- question') under"
                            " '#'/'##' headings, or a plain list"])
    return sections


def _split_emoji(title: str) -> tuple[str, str]:
    match = _EMOJI.match(title)
    return (match.group(1), match.group(2)) if match else ("", title)
