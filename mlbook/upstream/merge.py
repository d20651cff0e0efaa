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
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mlbook.errors import ContentError, Problem
from mlbook.files import read_no_follow
from mlbook.upstream.lists import ImportedBank, ImportedSection, read_bank
from mlbook.labels import Labels, LabelsError, labels
from mlbook.content.load import MAX_FILE_BYTES, load, split_front_matter
from mlbook.markup.markdown import question_text
from mlbook.model import Book, Location, Question
from mlbook.upstream.qa import QAQuestion
from mlbook.upstream.staging import LOCK, Staging, finish_interrupted_locked, import_lock
from mlbook.text import content_words, slugify
from mlbook.urls import is_web_address

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
    nearby = _WordIndex(existing)
    for i, text in enumerate(upstream):
        if matches[i] is not None:
            continue
        scored = sorted(((_similarity(text, q.text), q) for q in nearby.candidates(text) if q.id not in taken),
                        key=lambda pair: -pair[0])
        close = [(score, q) for score, q in scored if score >= SIMILAR]
        if len(close) >= 2 and close[0][0] - close[1][0] < CLEAR_MARGIN:
            matches[i] = _Match(None, [q for score, q in close if close[0][0] - score < CLEAR_MARGIN])
        elif close:
            matches[i] = _Match(close[0][1])
            taken.add(close[0][1].id)
        else:
            matches[i] = _Match(None)
    return matches


def _similarity(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, normalize(a), normalize(b))
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0  # both are upper bounds of ratio(), and cheap
    return matcher.ratio()


class _WordIndex:
    """Existing questions by their words, so that a new question is compared with the few that share
    its rarest words instead of with every question (10,000 rewordings: seconds, not hours). A
    rewording similar enough to match (≥ 0.85 of its characters in common) keeps most of its words."""

    RAREST = 4
    """How many of a question's rarest words find its candidates."""
    MOST = 20
    """How many candidates, those sharing the most words, are compared character by character."""

    def __init__(self, questions: list[Question]):
        self.size = len(questions)
        self.postings: dict[str, list[Question]] = {}
        for question in questions:
            for word in set(normalize(question.text).split()):
                self.postings.setdefault(word, []).append(question)

    def candidates(self, text: str) -> list[Question]:
        words = sorted(set(normalize(text).split()), key=lambda w: (len(self.postings.get(w, ())), w))
        common = max(10, int(self.size ** 0.5))  # a word in more questions than this tells little
        rare = [word for word in words[:self.RAREST] if len(self.postings.get(word, ())) <= common]
        shared: Counter = Counter()
        by_id = {}
        for word in rare or words[:1]:
            for question in self.postings.get(word, ()):
                shared[question.id] += 1
                by_id[question.id] = question
        return [by_id[qid] for qid, _ in shared.most_common(self.MOST)]


class SyncError(ValueError):
    """An import option that cannot be applied — a target folder that is not a bank, an unknown
    language, a `--same` naming no such question; the message says why (the command line exits 2)."""


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
                new_book: NewBook | None = None, marks: dict[str, int] | None = None,
                force: bool = False) -> Report:
    """Import or merge `markdown_file` (or a folder of .md files) into `content`; with dry_run, only
    report. `same` maps the id a new question would get to the id of the existing question it rewords
    (confirmed by a person); `new_book` sets book.yaml's language, title and source for a new bank;
    `force` lets `prune` delete answers written here. Nothing is written until the whole import is
    computed, and then all of it at once (mlbook/staging.py)."""
    new_book = new_book or NewBook()
    _check_target(content, new_book)
    with import_lock(content):
        finish_interrupted_locked(content)
        book = load(content) if (content / "book.yaml").exists() else None
        language = book.language if book else new_book.language
        bank = read_bank(markdown_file, flat_title or labels(language).questions, marks)
        staging = Staging(content)
        if book is None:
            report = _fresh_import(bank, markdown_file, content, new_book, staging)
        else:
            report = _merge(bank, book, content, prune, same or {}, staging, force)
        _report_repeated(bank, report)
        _check_result(content, staging)
        if not dry_run:
            staging.commit()
    return report


def _check_result(content: Path, staging: Staging) -> None:
    """Load the bank as the import would leave it, in a copy: a bank `check` would refuse is never
    written (the problems are reported at the paths the files would have)."""
    with tempfile.TemporaryDirectory(prefix="mlbook-import-") as folder:
        trial = Path(folder) / "content"
        if content.is_dir():
            shutil.copytree(content, trial, symlinks=True, ignore=shutil.ignore_patterns(".*"))
        for path, data in staging.writes.items():
            target = trial / path.relative_to(content)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for path in staging.deletes:
            (trial / path.relative_to(content)).unlink(missing_ok=True)
        try:
            load(trial)
        except ContentError as error:
            raise ContentError([problem.moved(trial, content) for problem in error.problems]
                               + [Problem(content, "the bank this import would write fails the check above;"
                                          " nothing was written")]) from None


def _check_target(content: Path, new_book: NewBook) -> None:
    """Refuse, before reading anything, a target that is no bank folder or options that cannot be used."""
    if content.exists() and not content.is_dir():
        raise SyncError(f"--content {content}: not a folder")
    if content.is_dir() and not (content / "book.yaml").exists() and \
            any(entry.name != LOCK for entry in content.iterdir()):
        raise SyncError(f"--content {content}: the folder is not empty and holds no book.yaml; import creates"
                        " a new bank only in a new or empty folder (or merges into a bank)")
    try:
        labels(new_book.language)
    except LabelsError as error:
        raise SyncError(f"--language {new_book.language}: {error}") from None
    if new_book.source_url and not is_web_address(new_book.source_url):
        raise SyncError(f"--source-url {new_book.source_url}: must be an http(s) address")


def _report_repeated(bank: ImportedBank, report: Report) -> None:
    """Two questions with the same text are imported as two, each with its own answer: said, not merged."""
    first: dict[str, str] = {}
    for section in bank.sections:
        for group in section.groups:
            for index, text in enumerate(group.questions):
                imported = group.answer(index)
                where = f"{imported.path}:{imported.line}" if imported and imported.path else section.title
                key = normalize(text)
                if key in first:
                    report.notes.append(f"{where}: the question «{text}» is asked again (first at {first[key]});"
                                        " imported twice, each with its own answer: merge them if they are one")
                else:
                    first[key] = where


def _taken_ids(content: Path) -> set[str]:
    """Every name a new question file or section folder must not take: the ids of every `.md` file in
    the folder, and the names of the files beside book.yaml (a folder cannot take a file's name)."""
    if not content.is_dir():
        return set()
    return {path.stem for path in content.rglob("*.md")} | {path.name for path in content.iterdir()
                                                            if not path.is_dir()}


def _fresh_import(bank: ImportedBank, source: Path, content: Path, new_book: NewBook, staging: Staging) -> Report:
    report = Report(repaired_mojibake=bank.repaired_mojibake, notes=list(bank.notes))
    taken: set[str] = _taken_ids(content)
    sections, seen, answered = [], {}, False
    for section in bank.sections:
        section_id = _unique(slugify(section.title, max_words=3), taken)
        groups = []
        for group in section.groups:
            ids = []
            for index, text in enumerate(group.questions):
                qid = _unique(_question_id(text), taken)
                ids.append(qid)
                report.added.append(text)
                imported = group.answer(index)
                written = _write_question(content / section_id / f"{qid}.md", text, imported, staging)
                if imported is not None:
                    seen[qid] = _seen_entry(imported, written)
                answered = answered or bool(written.strip())
            groups.append((group.title, ids))
        sections.append(_section_entry(section_id, section, groups, labels(new_book.language)))
    metadata = _default_metadata(source, bank.title, new_book)
    if answered:
        metadata["answers_from_source"] = True  # the About page credits the bank, not the editors
    report.notes += _guessed(metadata, new_book, content)
    staging.write(content / "book.yaml", _dump_yaml({**metadata, "sections": sections}))
    _write_seen(content, seen, staging)
    return report


def _write_question(path: Path, text: str, imported: QAQuestion | None, staging: Staging) -> str:
    """A new question's file: with its answer, difficulty and images when the source has them.
    Returns the answer as written."""
    if imported is None:
        staging.write(path, _new_question_file(text))
        return ""
    body = _copied_images(path, imported, staging)
    _staged_question_file(path, _new_question_file(text, imported.difficulty, imported.sources)
                          + ("\n" + body if body else ""), imported, staging)
    return body


def _staged_question_file(path: Path, text: str, imported: QAQuestion, staging: Staging) -> None:
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        where = Location(imported.path, imported.line) if imported.path else path
        raise ContentError([Problem(where, f"the answer to «{imported.text[:60]}» is {size:,} bytes; a"
                                    f" question file holds at most {MAX_FILE_BYTES:,}: shorten or split it;"
                                    " nothing was written")])
    staging.write(path, text)


def _copied_images(path: Path, imported: QAQuestion, staging: Staging) -> str:
    """The answer's Markdown, its images copied beside `path` as `<question id>-<name>`: never over a
    file that is there already unless it holds the same bytes (an image has an image's suffix, so a
    copy cannot take a question file's name)."""
    copies = {}
    for image in imported.answer.images:
        stem, _, suffix = image.name.rpartition(".")
        target, n = path.parent / f"{path.stem}-{image.name}", 2
        while (staging.exists(target) and staging.read(target) != image.data) or target.with_suffix(".py").exists():
            target, n = path.parent / f"{path.stem}-{stem}-{n}.{suffix}", n + 1
        staging.write(target, image.data)
        copies[image.name] = target.name
    if not copies:
        return imported.answer.markdown
    names = "|".join(re.escape(name) for name in sorted(copies, key=len, reverse=True))
    return re.sub(rf"\]\(({names})(?=[) ])", lambda m: f"]({copies[m.group(1)]}",  # one pass: a new name
                  imported.answer.markdown)                                           # is never renamed again


def _merge(bank: ImportedBank, book: Book, content: Path, prune: bool, same: dict[str, str],
           staging: Staging, force: bool) -> Report:
    report = Report(repaired_mojibake=bank.repaired_mojibake, notes=list(bank.notes))
    upstream = [(s, g, text, g.answer(i)) for s in bank.sections for g in s.groups
                for i, text in enumerate(g.questions)]
    matches = _match_all([text for _, _, text, _ in upstream], list(book.questions))
    old_place = {q.id: (s.title, sub.title) for s in book.sections for sub in s.subsections for q in sub.questions}
    _pair_rewordings(upstream, matches, book, old_place, same, report)
    taken = {q.id for q in book.questions} | {s.id for s in book.sections} | _taken_ids(content)
    layout: dict[str, dict[str, list[str]]] = {}  # section title → group title → ids, in upstream order
    new_files, rewordings, taken_answers, folders = {}, {}, {}, {}
    seen = _read_seen(content)
    for (section, group, text, imported), match in zip(upstream, matches):
        ids = layout.setdefault(section.title, {}).setdefault(group.title, [])
        if match.candidates:
            names = " or ".join(f"{q.number} «{q.text}»" for q in match.candidates)
            report.ambiguous.append(f"«{text}» could be {names}; not imported: make the texts differ")
        elif match.question is None:
            qid = _unique(_question_id(text), taken)
            folder = next((s.id for s in book.sections if s.title == section.title), None) or \
                folders.setdefault(section.title, _unique(slugify(section.title, 3), taken))
            new_files[content / folder / f"{qid}.md"] = (text, imported)
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
            if imported is not None and _sync_answer(question, imported, seen, report):
                taken_answers[question] = imported
                changed = True
            report.unchanged += not changed
    kept = _keep_missing(book, matches, layout, report, prune, seen, force)
    _apply(book, bank.sections, layout, new_files, rewordings, content, prune, kept, staging, seen)
    for question, imported in taken_answers.items():
        seen[question.id] = _seen_entry(imported, _replace_answer(question.source.path, imported, staging))
    if seen:
        _write_seen(content, seen, staging)
    return report


SEEN_FILE = ".import-seen.json"
"""In the content folder: a digest of every answer as the last import saw it upstream."""


def _digest(markdown: str) -> str:
    return hashlib.sha256(markdown.strip().encode()).hexdigest()[:16]


def _seen_entry(imported: QAQuestion, written: str) -> str:
    """What the seen file keeps of an answer: its digest upstream and the digest of what was written
    here (they differ where images were renamed: `![a](a.png)` → `![a](<id>-a.png)`)."""
    return f"{_digest(imported.answer.markdown)} {_digest(written)}"


def _upstream_digest(entry: str | None) -> str | None:
    return entry.split()[0] if entry else None


def _written_digest(entry: str | None) -> str | None:
    """The digest of the answer as the last import wrote it (an entry of an older import: its upstream one)."""
    return entry.split()[-1] if entry else None


def _read_seen(content: Path) -> dict[str, str]:
    """The digests of the last import; a file that is not a flat mapping of texts, or is a link,
    counts as none."""
    try:
        data = json.loads(read_no_follow(content / SEEN_FILE).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if isinstance(key, str) and isinstance(value, str)}


def _write_seen(content: Path, seen: dict[str, str], staging: Staging) -> None:
    staging.write(content / SEEN_FILE, json.dumps(seen, indent=0, sort_keys=True) + "\n")


def _sync_answer(question: Question, imported: QAQuestion, seen: dict[str, str], report: Report) -> bool:
    """Whether to take the upstream answer: yes when it changed there and not here since the last
    import (or here it is still unanswered); a change on both sides is a conflict — ours is kept."""
    upstream, here, before = _digest(imported.answer.markdown), _digest(question.body), seen.get(question.id)
    written = _written_digest(before) or here
    seen[question.id] = f"{upstream} {written}"  # upstream as seen now; here as the last import wrote it
    if upstream == here or upstream == _upstream_digest(before) or not imported.answer.markdown.strip():
        return False  # the same on both sides, changed only here, or nothing upstream to take
    if here == _written_digest(before) or not question.body.strip():
        report.updated.append(f"{question.id}: the answer changed upstream; taken")
        return True
    report.conflicts.append(f"{question.id}: the answer changed here and upstream since the last import;"
                            f" ours kept, upstream's not taken ({question.source.path})")
    return False


def _replace_answer(path: Path, imported: QAQuestion, staging: Staging) -> str:
    """The question file with its answer (everything after the front matter) replaced; returns the
    answer as written."""
    text = path.read_text(encoding="utf-8")
    _, old_body, _ = split_front_matter(text)  # the file loaded a moment ago: it has front matter
    body = _copied_images(path, imported, staging)
    _staged_question_file(path, text[:len(text) - len(old_body)] + ("\n" + body if body else ""), imported,
                          staging)
    return body


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
    by_slug = {_question_id(text): i for i, (_, _, text, _) in new.items()}
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
    by_rarest: dict[str, list[str]] = {}  # each old question under its rarest word: a new one holding all
    frequency = Counter(word for words in old_words.values() for word in words)  # its words holds that one
    for qid, words in old_words.items():
        if words:
            by_rarest.setdefault(min(words, key=lambda w: (frequency[w], w)), []).append(qid)
    candidates = {}
    for i, (section, _, text, _) in new.items():
        words = content_words(text)
        candidates[i] = [unmatched_old[qid] for word in sorted(words) for qid in by_rarest.get(word, ())
                         if old_place[qid][0] == section.title and old_words[qid] <= words]
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
                          f" --same {_question_id(text)}={q.id}" for q in options]


def _keep_missing(book, matches, layout, report, prune, seen: dict[str, str], force: bool) -> set[str]:
    """Questions no longer upstream: reported, and kept at the end of their old group unless pruned.
    Candidates of an ambiguous match stay where they were, for a person to decide; with --prune, a
    question whose answer was written or edited here is kept too unless `force`. Returns the ids of
    the questions kept although pruned."""
    matched = {m.question.id for m in matches if m.question}
    ambiguous = {q.id for m in matches for q in m.candidates}
    kept = set()
    for section in book.sections:
        for sub in section.subsections:
            for question in sub.questions:
                if question.id in matched:
                    continue
                if question.id in ambiguous:
                    layout.setdefault(section.title, {}).setdefault(sub.title, []).append(question.id)
                    continue
                written_here = question.body.strip() and \
                    _written_digest(seen.get(question.id)) != _digest(question.body)
                if prune and (force or not written_here):
                    report.removed.append(f"{question.id}: {question.text}")
                    continue
                if prune:
                    kept.add(question.id)
                    report.missing.append(f"{question.id}: {question.text} (kept: its answer was written or"
                                          f" edited here; --prune --force deletes it)")
                else:
                    report.missing.append(f"{question.id}: {question.text} (kept; --prune removes it)")
                layout.setdefault(section.title, {}).setdefault(sub.title, []).append(question.id)
    return kept


def _apply(book, imported, layout, new_files, rewordings, content, prune, kept, staging: Staging,
           seen: dict[str, str]) -> None:
    for path, (text, details) in new_files.items():
        written = _write_question(path, text, details, staging)
        if details is not None:
            seen[path.stem] = _seen_entry(details, written)
    for question, text in rewordings.items():
        staging.write(question.source.path, _replace_question_line(question.source.path, text))
    if prune:
        listed = {qid for groups in layout.values() for ids in groups.values() for qid in ids}
        for question in book.questions:
            if question.id not in listed and question.id not in kept:
                staging.delete(question.source.path)
    meta = yaml.safe_load((content / "book.yaml").read_text(encoding="utf-8"))
    sections = _sections_yaml(book, imported, layout)
    if sections != meta.get("sections"):  # an import that changes nothing rewrites nothing
        staging.write(content / "book.yaml", _dump_yaml({**meta, "sections": sections}))


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


def _new_question_file(text: str, difficulty: int | None = None, sources: list[str] | None = None) -> str:
    front = yaml.safe_dump({"question": text}, allow_unicode=True, width=10_000)
    level = "" if difficulty is None else f" {difficulty}"
    links = yaml.safe_dump({"sources": sources}, allow_unicode=True, width=10_000) if sources else ""
    return f"---\n{front}key_points: []\ndifficulty:{level}\ntags: []\nsee_also: []\n{links}---\n"


def _default_metadata(source: Path, title: str, new_book: NewBook) -> dict:
    """book.yaml of a new bank: the title and source given, and for what is not given an honest default
    that builds at once (the bank's title, or its folder's name — a repository's, usually — as its name;
    that folder's name as its author's, a guess the import reports; the license "not stated", no URL)."""
    words = labels(new_book.language)
    folder = _folder_name(source)
    name = title or folder
    return {
        "title": new_book.title or title or words.questions,
        "subtitle": "",
        "author": new_book.source_author or folder,
        "language": new_book.language,
        "identifier": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'mlbook:{source.name}')}",
        "source": {"name": name, "url": new_book.source_url, "author": new_book.source_author or folder,
                   "license": new_book.license or words.license_not_stated, "note": ""},
    }


def _folder_name(source: Path) -> str:
    """The name of the folder the bank is (a file: the folder it is in), which is usually its repository's."""
    folder = source.absolute() if source.is_dir() else source.absolute().parent
    return " ".join(folder.name.split()) or "unknown"


def _guessed(metadata: dict, new_book: NewBook, content: Path) -> list[str]:
    """What a new bank's book.yaml says that nobody told the import, and how to say it."""
    guesses = [(not new_book.source_author, f"author «{metadata['source']['author']}» (the name of the bank's"
                " folder)", "--source-author NAME"),
               (not new_book.license, f"license «{metadata['source']['license']}»", "--license ID"),
               (not new_book.source_url, "no source URL", "--source-url URL")]
    said = [(what, option) for missing, what, option in guesses if missing]
    if not said:
        return []
    return [f"{content / 'book.yaml'}: guessed {', '.join(what for what, _ in said)}; set them there, or import"
            f" into a new folder with {' '.join(option for _, option in said)}"]


def _dump_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, width=100, sort_keys=False)


def _question_id(text: str) -> str:
    """An id from the question's words: `Implement [connected components](https://…)` → implement-connected-…"""
    return slugify(question_text(text))


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate

