"""`build.py import`: turn a Markdown question list (the seed bank's layout) into `content/`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ContentError
from .text import looks_like_mojibake, slugify

_HEADING = re.compile(r"^(#{1,3})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")
_EMOJI = re.compile(r"^([^\w\s«\"'(]+)\s*(.*)$")


@dataclass
class ImportedGroup:
    title: str
    questions: list[str] = field(default_factory=list)


@dataclass
class ImportedSection:
    title: str
    emoji: str
    groups: list[ImportedGroup] = field(default_factory=list)


def parse_question_list(text: str, path: Path) -> list[ImportedSection]:
    """Sections (`##`), subsections (`###`) and questions (list items) of a Markdown bank."""
    if looks_like_mojibake(text):
        raise ContentError([f"{path}:1: text looks like mojibake (UTF-8 decoded as another code page);"
                            " convert it back to UTF-8 first"])
    sections: list[ImportedSection] = []
    for line in text.splitlines():
        heading, item = _HEADING.match(line), _ITEM.match(line)
        if heading and len(heading.group(1)) == 2:
            emoji, title = _split_emoji(heading.group(2))
            sections.append(ImportedSection(title, emoji))
        elif heading and len(heading.group(1)) == 3 and sections:
            sections[-1].groups.append(ImportedGroup(heading.group(2)))
        elif item and sections:
            if not sections[-1].groups:
                sections[-1].groups.append(ImportedGroup(""))
            sections[-1].groups[-1].questions.append(item.group(1))
        elif line.startswith("  ") and line.strip() and sections and sections[-1].groups:
            group = sections[-1].groups[-1]
            if group.questions:
                group.questions[-1] += " " + line.strip()
    if not any(g.questions for s in sections for g in s.groups):
        raise ContentError([f"{path}:1: no questions found: expected '## Section' headings"
                            " and '- question' list items"])
    return sections


def _split_emoji(title: str) -> tuple[str, str]:
    match = _EMOJI.match(title)
    return (match.group(1), match.group(2)) if match else ("", title)


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def write_content(sections: list[ImportedSection], source: str, content: Path) -> int:
    """Write book.yaml and one file per question; return the number of questions written."""
    if (content / "book.yaml").exists():
        raise ContentError([f"{content / 'book.yaml'}:1: content already exists; import into an"
                            " empty folder (merging into an existing bank is not supported yet)"])
    taken: set[str] = set()
    sections_yaml, count = [], 0
    for section in sections:
        section_id = _unique(slugify(section.title, max_words=3), taken)
        groups_yaml = []
        for group in section.groups:
            ids = []
            for question in group.questions:
                qid = _unique(slugify(question), taken)
                _write_question(content / section_id / f"{qid}.md", question)
                ids.append(qid)
                count += 1
            groups_yaml.append({"title": group.title, "questions": ids})
        entry = {"id": section_id, "title": section.title, "emoji": section.emoji}
        if len(groups_yaml) == 1 and not groups_yaml[0]["title"]:
            entry["questions"] = groups_yaml[0]["questions"]
        else:
            entry["subsections"] = groups_yaml
        sections_yaml.append(entry)
    _write_book_yaml(content / "book.yaml", sections_yaml, source)
    return count


def _write_question(path: Path, question: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump({"question": question}, allow_unicode=True, width=1000, sort_keys=False)
    path.write_text(f"---\n{front}key_points: []\ndifficulty:\ntags: []\nsee_also: []\n---\n",
                    encoding="utf-8")


def _write_book_yaml(path: Path, sections: list[dict], source: str) -> None:
    meta = {
        "title": "Собеседование ML-инженера в Computer Vision",
        "subtitle": "Вопросы и ответы",
        "author": "Составители книги",
        "language": "ru",
        "identifier": "urn:uuid:" + _stable_uuid(source),
        "source": {
            "name": "epishchik/ML-Interview",
            "url": "https://github.com/epishchik/ML-Interview",
            "author": "Evgenii Pishchik",
            "license": "Apache-2.0",
            "note": f"Вопросы взяты из {source}.",
        },
        "sections": sections,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(meta, allow_unicode=True, width=100, sort_keys=False),
                    encoding="utf-8")


def _stable_uuid(name: str) -> str:
    import uuid
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mlbook:{name}"))


def import_bank(markdown_file: Path, content: Path) -> int:
    """Read a Markdown bank and write `content/`; return the number of questions."""
    try:
        text = markdown_file.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ContentError([f"{markdown_file}:1: cannot read: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise ContentError([f"{markdown_file}:1: not valid UTF-8"]) from None
    sections = parse_question_list(text.replace("\r\n", "\n"), markdown_file)
    return write_content(sections, markdown_file.name, content)
