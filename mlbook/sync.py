"""`build.py import`: create `content/` from a Markdown list, or merge a newer list into it.

Questions already in the bank are matched by text, tolerant to small rewordings, and keep their ids,
answers and metadata. Nothing is guessed: a question that could be either of two is only reported.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .files import write_text_atomically
from .importer import ImportedBank, ImportedSection, read_bank
from .labels import Labels, labels
from .load import load, split_front_matter
from .model import Book, Question
from .qa import QAQuestion
from .text import content_words, slugify

SIMILAR = 0.85
"""Similarity (difflib ratio of normalized texts) from which a question counts as reworded."""
CLEAR_MARGIN = 0.05
"""How much better the best match must be than the second best to be taken without asking."""


@dataclass
class Report:
    """What an import did (or would do, with --dry-run): one list per kind of change."""

    added: list[str] = field(default_factory=list)
    reworded: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    likely: list[str] = field(default_factory=list)
    """Rewordings that could pair more than one way: imported as added + missing, to confirm with --same."""
    updated: list[str] = field(default_factory=list)
    """Answers changed upstream and untouched here: taken."""
    conflicts: list[str] = field(default_factory=list)
    """Answers changed here and upstream since the last import: ours kept, nothing overwritten."""
    unchanged: int = 0
    repaired_mojibake: bool = False
    notes: list[str] = field(default_factory=list)
    """`path:line: message`: what the source held that the import could not keep as it was."""

    def lines(self) -> list[str]:
        out = ["repaired mojibake: the file was UTF-8 decoded as another code page"] if self.repaired_mojibake else []
        out += self.notes
        for kind in ("added", "reworded", "moved", "missing", "removed", "ambiguous", "likely", "updated",
                     "conflicts"):
            out += [f"{'conflict' if kind == 'conflicts' else kind}: {item}" for item in getattr(self, kind)]
        counts = ", ".join(f"{len(getattr(self, k))} {k}" for k in ("added", "reworded", "moved", "missing",
                                                                     "removed", "ambiguous"))
        answers = (f", answers: {len(self.updated)} updated, {len(self.conflicts)} in conflict"
                   if self.updated or self.conflicts else "")
        return out + [f"summary: {counts}, {self.unchanged} unchanged{answers}"]


def normalize(text: str) -> str:
    text = text.lower().replace("ё", "е")
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


@dataclass
class _Match:
    question: Question | None
    candidates: list[Question] = field(default_factory=list)


def _match_all(upstream: list[str], existing: list[Question]) -> list[_Match]:
    """For each upstream question: its existing question (exact text first, then close rewordings)."""
    by_text = {}
    for question in existing:
        by_text.setdefault(normalize(question.text), []).append(question)
    matches, taken = [], set()
    for text in upstream:
        exact = [q for q in by_text.get(normalize(text), []) if q.id not in taken]
        matches.append(_Match(exact[0]) if exact else None)
        if exact:
            taken.add(exact[0].id)
    for i, text in enumerate(upstream):
        if matches[i] is not None:
            continue
        scored = sorted(((difflib.SequenceMatcher(None, normalize(text), normalize(q.text)).ratio(), q)
                         for q in existing if q.id not in taken), key=lambda pair: -pair[0])
        close = [(score, q) for score, q in scored if score >= SIMILAR]
        if len(close) >= 2 and close[0][0] - close[1][0] < CLEAR_MARGIN:
            matches[i] = _Match(None, [q for score, q in close if close[0][0] - score < CLEAR_MARGIN])
        elif close:
            matches[i] = _Match(close[0][1])
            taken.add(close[0][1].id)
        else:
            matches[i] = _Match(None)
    return matches


class SyncError(ValueError):
    """An import option that cannot be applied; the message says why."""


@dataclass
class NewBook:
    """What a fresh import writes into book.yaml besides the sections."""

    language: str = "ru"
    title: str = ""
    source_url: str = ""
    source_author: str = ""
    license: str = ""


def import_bank(markdown_file: Path, content: Path, dry_run: bool = False, prune: bool = False,
                flat_title: str | None = None, same: dict[str, str] | None = None,
                new_book: NewBook | None = None, marks: dict[str, int] | None = None) -> Report:
    """Import or merge `markdown_file` (or a folder of .md files) into `content`; with dry_run, only
    report. `same` maps the id a new question would get to the id of the existing question it rewords
    (confirmed by a person); `new_book` sets book.yaml's language, title and source for a new bank."""
    new_book = new_book or NewBook()
    book = load(content) if (content / "book.yaml").exists() else None
    language = book.language if book else new_book.language
    bank = read_bank(markdown_file, flat_title or labels(language).questions, marks)
    if book is None:
        return _fresh_import(bank, markdown_file.name, content, dry_run, new_book)
    return _merge(bank, book, content, dry_run, prune, same or {})


def _fresh_import(bank: ImportedBank, source: str, content: Path, dry_run: bool, new_book: NewBook) -> Report:
    report = Report(repaired_mojibake=bank.repaired_mojibake, notes=list(bank.notes))
    taken: set[str] = set()
    sections, seen = [], {}
    for section in bank.sections:
        section_id = _unique(slugify(section.title, max_words=3), taken)
        groups = []
        for group in section.groups:
            ids = []
            for text in group.questions:
                qid = _unique(slugify(text), taken)
                ids.append(qid)
                report.added.append(text)
                if text in group.answers:
                    seen[qid] = _digest(group.answers[text].answer.markdown)
                if not dry_run:
                    _write_question(content / section_id / f"{qid}.md", text, group.answers.get(text))
            groups.append((group.title, ids))
        sections.append(_section_entry(section_id, section, groups, labels(new_book.language)))
    if not dry_run:
        metadata = _default_metadata(source, bank.title, new_book)
        write_text_atomically(content / "book.yaml", _dump_yaml({**metadata, "sections": sections}))
        _write_seen(content, seen)
    return report


def _write_question(path: Path, text: str, imported: QAQuestion | None) -> None:
    """A new question's file: with its answer, difficulty and images when the source has them."""
    if imported is None:
        write_text_atomically(path, _new_question_file(text))
        return
    body = _copied_images(path, imported)
    write_text_atomically(path, _new_question_file(text, imported.difficulty) + ("\n" + body if body else ""))


def _copied_images(path: Path, imported: QAQuestion) -> str:
    """The answer's Markdown, its local images copied beside `path` as `<question id>-<name>`."""
    body = imported.answer.markdown
    for source, name in imported.answer.images:
        target = f"{path.stem}-{name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path.parent / target)
        body = re.sub(rf"\]\({re.escape(name)}(?=[) ])", f"]({target}", body)
    return body


def _merge(bank: ImportedBank, book: Book, content: Path, dry_run: bool, prune: bool,
           same: dict[str, str]) -> Report:
    report = Report(repaired_mojibake=bank.repaired_mojibake, notes=list(bank.notes))
    upstream = [(s, g, text) for s in bank.sections for g in s.groups for text in g.questions]
    matches = _match_all([text for _, _, text in upstream], list(book.questions))
    old_place = {q.id: (s.title, sub.title) for s in book.sections for sub in s.subsections for q in sub.questions}
    _pair_rewordings(upstream, matches, book, old_place, same, report)
    taken = {q.id for q in book.questions} | {s.id for s in book.sections}
    layout: dict[str, dict[str, list[str]]] = {}  # section title → group title → ids, in upstream order
    new_files, rewordings, taken_answers = {}, {}, {}
    seen = _read_seen(content)
    for (section, group, text), match in zip(upstream, matches):
        ids = layout.setdefault(section.title, {}).setdefault(group.title, [])
        if match.candidates:
            names = " or ".join(f"{q.number} «{q.text}»" for q in match.candidates)
            report.ambiguous.append(f"«{text}» could be {names}; not imported: make the texts differ")
        elif match.question is None:
            qid = _unique(slugify(text), taken)
            folder = next((s.id for s in book.sections if s.title == section.title), slugify(section.title, 3))
            new_files[content / folder / f"{qid}.md"] = (text, group.answers.get(text))
            if text in group.answers:
                seen[qid] = _digest(group.answers[text].answer.markdown)
            ids.append(qid)
            report.added.append(f"{qid}: {text}")
        else:
            question = match.question
            ids.append(question.id)
            changed = False
            if question.text != text:
                rewordings[question] = text
                report.reworded.append(f"{question.id}: «{question.text}» → «{text}»")
                changed = True
            if old_place[question.id] != (section.title, group.title):
                report.moved.append(f"{question.id}: {' / '.join(filter(None, old_place[question.id]))}"
                                    f" → {' / '.join(filter(None, (section.title, group.title)))}")
                changed = True
            if text in group.answers and _sync_answer(question, group.answers[text], seen, report):
                taken_answers[question] = group.answers[text]
                changed = True
            report.unchanged += not changed
    _keep_missing(book, matches, layout, report, prune)
    if not dry_run:
        _apply(book, bank.sections, layout, new_files, rewordings, content, prune, report)
        for question, imported in taken_answers.items():
            _replace_answer(question.source.path, imported)
        if seen:
            _write_seen(content, seen)
    return report


SEEN_FILE = ".import-seen.json"
"""In the content folder: a digest of every answer as the last import saw it upstream."""


def _digest(markdown: str) -> str:
    return hashlib.sha256(markdown.strip().encode()).hexdigest()[:16]


def _read_seen(content: Path) -> dict[str, str]:
    try:
        return dict(json.loads((content / SEEN_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return {}


def _write_seen(content: Path, seen: dict[str, str]) -> None:
    write_text_atomically(content / SEEN_FILE, json.dumps(seen, indent=0, sort_keys=True) + "\n")


def _sync_answer(question: Question, imported: QAQuestion, seen: dict[str, str], report: Report) -> bool:
    """Whether to take the upstream answer: yes when it changed there and not here since the last
    import (or here it is still unanswered); a change on both sides is a conflict — ours is kept."""
    upstream, here, before = _digest(imported.answer.markdown), _digest(question.body), seen.get(question.id)
    seen[question.id] = upstream
    if upstream == here or upstream == before or not imported.answer.markdown.strip():
        return False  # the same on both sides, changed only here, or nothing upstream to take
    if here == before or not question.body.strip():
        report.updated.append(f"{question.id}: the answer changed upstream; taken")
        return True
    report.conflicts.append(f"{question.id}: the answer changed here and upstream since the last import;"
                            f" ours kept, upstream's not taken ({question.source.path})")
    return False


def _replace_answer(path: Path, imported: QAQuestion) -> None:
    """The question file with its answer (everything after the front matter) replaced."""
    text = path.read_text(encoding="utf-8")
    _, old_body, _ = split_front_matter(text)  # the file loaded a moment ago: it has front matter
    body = _copied_images(path, imported)
    write_text_atomically(path, text[:len(text) - len(old_body)] + ("\n" + body if body else ""))


def _pair_rewordings(upstream, matches: list[_Match], book: Book, old_place, same: dict[str, str],
                     report: Report) -> None:
    """A second look at the questions still unmatched. A new question and a missing one in the same
    section pair up when every content word of the old question is in the new one (a term translated,
    a clause added, words reordered: «Что такое bagging?» → «Что такое бэггинг (bagging)?») and
    neither could pair with another; pairs that are not one to one are listed as likely, for `same`
    (--same NEW_ID=OLD_ID) to confirm."""
    paired = {m.question.id for m in matches if m.question} | {q.id for m in matches for q in m.candidates}
    unmatched_old = {q.id: q for q in book.questions if q.id not in paired}
    new = {i: upstream[i] for i, m in enumerate(matches) if m.question is None and not m.candidates}
    by_slug = {slugify(text): i for i, (_, _, text) in new.items()}
    for new_id, old_id in same.items():
        if new_id not in by_slug:
            raise SyncError(f"--same {new_id}={old_id}: no new question gets the id '{new_id}'"
                            f" (the ids are in the 'added:' lines of a --dry-run)")
        if old_id not in unmatched_old:
            raise SyncError(f"--same {new_id}={old_id}: '{old_id}' is not an existing question left"
                            " without a match")
        matches[by_slug[new_id]] = _Match(unmatched_old.pop(old_id))
        del new[by_slug[new_id]]
    old_words = {qid: content_words(q.text) for qid, q in unmatched_old.items()}
    candidates = {i: [q for qid, q in unmatched_old.items() if old_place[qid][0] == section.title
                      and old_words[qid] and old_words[qid] <= content_words(text)]
                  for i, (section, _, text) in new.items()}
    claims: dict[str, int] = {}
    for options in candidates.values():
        for question in options:
            claims[question.id] = claims.get(question.id, 0) + 1
    for i, options in candidates.items():
        if len(options) == 1 and claims[options[0].id] == 1:
            matches[i] = _Match(options[0])
            continue
        text = new[i][2]
        report.likely += [f"«{text}» may reword {q.id} «{q.text}»: if so, import again with"
                          f" --same {slugify(text)}={q.id}" for q in options]


def _keep_missing(book, matches, layout, report, prune) -> None:
    """Questions no longer upstream: reported, and kept at the end of their old group unless pruned.
    Candidates of an ambiguous match stay where they were, for a person to decide."""
    matched = {m.question.id for m in matches if m.question}
    ambiguous = {q.id for m in matches for q in m.candidates}
    for section in book.sections:
        for sub in section.subsections:
            for question in sub.questions:
                if question.id in matched:
                    continue
                if question.id not in ambiguous and prune:
                    report.removed.append(f"{question.id}: {question.text}")
                    continue
                if question.id not in ambiguous:
                    report.missing.append(f"{question.id}: {question.text} (kept; --prune removes it)")
                layout.setdefault(section.title, {}).setdefault(sub.title, []).append(question.id)


def _apply(book, imported, layout, new_files, rewordings, content, prune, report) -> None:
    for path, (text, details) in new_files.items():
        _write_question(path, text, details)
    for question, text in rewordings.items():
        write_text_atomically(question.source.path, _replace_question_line(question.source.path, text))
    if prune:
        listed = {qid for groups in layout.values() for ids in groups.values() for qid in ids}
        for question in book.questions:
            if question.id not in listed:
                question.source.path.unlink()
    meta = yaml.safe_load((content / "book.yaml").read_text(encoding="utf-8"))
    sections = _sections_yaml(book, imported, layout)
    if sections != meta.get("sections"):  # an import that changes nothing rewrites nothing
        write_text_atomically(content / "book.yaml", _dump_yaml({**meta, "sections": sections}))


def _sections_yaml(book: Book, imported: list[ImportedSection], layout) -> list[dict]:
    taken = {s.id for s in book.sections}
    emoji = {s.title: s.emoji for s in imported} | {s.title: s.emoji for s in book.sections if s.title not in
                                                    {i.title for i in imported}}
    entries = []
    for title, groups in layout.items():
        existing = next((s for s in book.sections if s.title == title), None)
        section_id = existing.id if existing else _unique(slugify(title, max_words=3), taken)
        pairs = [(group, ids) for group, ids in groups.items() if ids]
        if pairs:
            entries.append(_section_entry(section_id, _Titled(title, emoji.get(title, "")), pairs,
                                          labels(book.language)))
    return entries


@dataclass
class _Titled:
    title: str
    emoji: str


def _section_entry(section_id: str, section, groups: list[tuple[str, list[str]]], words: Labels) -> dict:
    entry = {"id": section_id, "title": section.title, "emoji": section.emoji}
    if len(groups) == 1 and not groups[0][0]:
        entry["questions"] = groups[0][1]
    else:  # questions before the first subsection heading get a subsection of their own
        entry["subsections"] = [{"title": title or words.general_questions, "questions": ids}
                                for title, ids in groups]
    return entry


def _replace_question_line(path: Path, text: str) -> str:
    """The file with its `question:` field set to `text`; everything else byte for byte the same."""
    original = path.read_text(encoding="utf-8")
    line = yaml.safe_dump({"question": text}, allow_unicode=True, width=10_000).rstrip("\n")
    return re.sub(r"^question:.*$", lambda _: line, original, count=1, flags=re.MULTILINE)


def _new_question_file(text: str, difficulty: int | None = None) -> str:
    front = yaml.safe_dump({"question": text}, allow_unicode=True, width=10_000)
    level = "" if difficulty is None else f" {difficulty}"
    return f"---\n{front}key_points: []\ndifficulty:{level}\ntags: []\nsee_also: []\n---\n"


def _default_metadata(source: str, title: str, new_book: NewBook) -> dict:
    """book.yaml of a new bank: this project's own bank (the seed) when nothing else is said of a
    Russian list; otherwise the title and source given, the rest for the author to fill in (the
    loader names each field left empty)."""
    if new_book != NewBook():
        words = labels(new_book.language)
        return {
            "title": new_book.title or title or words.questions,
            "subtitle": "",
            "author": new_book.source_author,
            "language": new_book.language,
            "identifier": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'mlbook:{source}')}",
            "source": {"name": title or source, "url": new_book.source_url, "author": new_book.source_author,
                       "license": new_book.license, "note": ""},
        }
    return {
        "title": "Собеседование ML-инженера в Computer Vision",
        "subtitle": "Вопросы и ответы",
        "author": "Составители книги",
        "language": "ru",
        "identifier": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'mlbook:{source}')}",
        "source": {"name": "epishchik/ML-Interview", "url": "https://github.com/epishchik/ML-Interview",
                   "author": "Evgenii Pishchik", "license": "Apache-2.0",
                   "note": f"Вопросы взяты из {source}."},
    }


def _dump_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, width=100, sort_keys=False)


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate

