"""Stage 1: read `content/` into a validated `Book`. All content checks live here."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from urllib.parse import urlparse

from mlbook.errors import Problems
from mlbook.files import first_link
from mlbook.labels import LabelsError, labels
from mlbook.content.checks import DeferredChecks, check_body, stray_markup
from mlbook.content.follow_ups import read_follow_ups
from mlbook.content import glossary
from mlbook.markup.markdown import figure_numbers
from mlbook.model import Book, Location, Question, Section, Source, Subsection
from mlbook.text import character_name, looks_like_mojibake, unwanted_character
from mlbook.urls import is_web_address
from mlbook.content.yamlsafe import LineDict, LineList, YamlProblem, parse_yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
QUESTION_KEYS = {"question", "key_points", "difficulty", "tags", "see_also", "sources", "minutes"}
MAX_MINUTES = 60
"""The longest a question may take in an interview (`minutes:`, `minutes_by_difficulty:`)."""
SOURCE_LINK = re.compile(r"^\[([^\]\n]+)\]\((\S+)\)$")
"""An entry of `sources`: `[text](https://…)`, or the address alone."""
MAX_FILE_BYTES = 2_000_000
MAX_QUESTION_CHARS = 1_000


def load(root: Path) -> Book:
    """Read and check the whole bank under `root`; raise ContentError listing every problem."""
    problems = Problems()
    book_file = root / "book.yaml"
    if not book_file.is_file():
        problems.add(Location(book_file, 1), "book.yaml not found: is this a content folder?"
                     " (`python build.py import FILE.md --content DIR` creates one)")
        problems.raise_if_any()
    meta = _read_yaml_file(book_file, problems)
    files = _question_files(root, problems)
    questions = {qid: _read_question(qid, path, problems) for qid, path in files.items()}
    book = None
    if isinstance(meta, LineDict):
        book = _build_book(root, book_file, meta, questions, problems)
    elif meta is not None:
        problems.add(Location(book_file, 1), "book.yaml must be a mapping with title and sections")
    if book is not None:
        book = _with_follow_ups(book, problems)
        book = _with_glossary(book, problems)
        _check_see_also(book, questions, problems)
        known_ids = set(questions) | set(figure_numbers(book.questions))
        deferred = DeferredChecks(book.figure_scripts)
        for question in book.questions:
            check_body(question, root, known_ids, problems, deferred)
        deferred.run(problems)
    problems.raise_if_any()
    return book


# --- reading files -----------------------------------------------------------------------------

def _read_text(path: Path, problems: Problems) -> str | None:
    """The file as text with BOM and CRLF removed, or None after reporting why it cannot be read."""
    if not path.is_file():
        problems.add(Location(path, 1), "file not found")
        return None
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        problems.add(Location(path, 1), f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}"
                     " (split the answer or move data to a figure)")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(Location(path, line), f"not valid UTF-8 (byte 0x{data[exc.start]:02x});"
                     " save the file as UTF-8")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if looks_like_mojibake(text):
        line = text[: _first_mojibake(text)].count("\n") + 1
        problems.add(Location(path, line), "text looks like mojibake (UTF-8 decoded as another code"
                     " page, e.g. '–ë–∞–Ω–∫' for 'Банк'); re-import it with `build.py import`")
        return None
    return text


def _first_mojibake(text: str) -> int:
    match = re.search("[\u2013\u2014][^\u0000-\u007f\u0400-\u04ff]", text)
    return match.start() if match else 0


def _read_yaml_file(path: Path, problems: Problems):
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        return parse_yaml(text)
    except YamlProblem as exc:
        problems.add(Location(path, exc.line), exc.message)
        return None


NOT_QUESTIONS = {"README.md", "CHECKED.md"}


def _question_files(root: Path, problems: Problems) -> dict[str, Path]:
    """Every `*.md` question file under root by id (its stem), reporting duplicate ids.

    Upper-case notes in the root (README.md, CHECKED.md: the fact-check record) are not questions.
    """
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.md")):
        if path.name in NOT_QUESTIONS or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        qid = path.stem
        if first_link(path, root):
            problems.add(Location(path, 1), "a symbolic link (or inside a linked folder): question files must be"
                         " files in the content folder, so that no file elsewhere is read into the book")
        elif not ID_PATTERN.match(qid):
            problems.add(Location(path, 1), f"file name '{path.name}' is not a valid id"
                         " (use lowercase latin letters, digits, '-' and '_')")
        elif qid in found:
            problems.add(Location(path, 1), f"duplicate question id '{qid}' (also {found[qid]})")
        else:
            found[qid] = path
    return found


# --- one question file -------------------------------------------------------------------------

class _RawQuestion:
    """A question file's fields before numbering; None fields were invalid."""

    def __init__(self, path: Path, front: LineDict, body: str, body_line: int):
        self.path, self.front, self.body, self.body_line = path, front, body, body_line


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, body's first line) or None if the file has no front matter."""
    if not text.startswith("---\n"):
        return None
    end = re.search(r"^---[ \t]*$", text[4:], flags=re.MULTILINE)
    if end is None:
        return None
    front = text[4: 4 + end.start()]
    body = text[4 + end.end():].removeprefix("\n")
    body_line = front.count("\n") + 3
    return front, body, body_line


def _read_question(qid: str, path: Path, problems: Problems) -> _RawQuestion | None:
    text = _read_text(path, problems)
    if text is None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        problems.add(Location(path, 1), "missing front matter: the file must start with a '---'"
                     " line, the YAML fields, and another '---' line")
        return None
    front_text, body, body_line = parts
    try:
        front = parse_yaml(front_text)
    except YamlProblem as exc:
        problems.add(Location(path, exc.line + 1), exc.message)
        return None
    if not isinstance(front, LineDict):
        problems.add(Location(path, 2), "front matter must be a YAML mapping (key: value lines)")
        return None
    for key in front:
        if key not in QUESTION_KEYS:
            problems.add(Location(path, front.key_lines[key] + 1), f"unknown field '{key}'"
                         f" (known: {', '.join(sorted(QUESTION_KEYS))})")
    raw = _RawQuestion(path, front, body, body_line)
    _check_question_fields(raw, problems)
    _check_body_characters(raw, problems)
    return raw


def _field_line(raw: _RawQuestion, key: str) -> Location:
    return Location(raw.path, raw.front.key_lines.get(key, 0) + 1)


def _colon_hint(value: object) -> str:
    """An item written `- text: more text` is a mapping in YAML: name it and say how to keep it text."""
    items = value if isinstance(value, list) else []
    mapped = [n for n, item in enumerate(items, 1) if isinstance(item, dict)]
    if not mapped:
        return ""
    return f"; item {mapped[0]} holds «: », which YAML reads as 'key: value' — put that item in quotes"


def _check_question_fields(raw: _RawQuestion, problems: Problems) -> None:
    front = raw.front
    text = front.get("question")
    if not isinstance(text, str) or not text.strip():
        where = _field_line(raw, "question") if "question" in front else Location(raw.path, 1)
        problems.add(where, "'question' is required and must be non-empty text")
    else:
        _check_question_text(text, _field_line(raw, "question"), problems)
    for key in ("key_points", "tags", "see_also", "sources"):
        value = front.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.add(_field_line(raw, key), f"'{key}' must be a list of non-empty texts,"
                         f" e.g. {key}: [first, second]{_colon_hint(value)}")
    for entry in front.get("sources", []) if isinstance(front.get("sources"), list) else []:
        link = SOURCE_LINK.match(entry.strip()) if isinstance(entry, str) else None
        if not is_web_address(link.group(2) if link else str(entry).strip()):
            problems.add(_field_line(raw, "sources"), f"'sources' entry {entry!r} must be an http(s) address"
                         " or a Markdown link to one, [text](https://…)")
    points = front.get("key_points", [])
    if isinstance(points, list) and points and not 3 <= len(points) <= 6:
        problems.add(_field_line(raw, "key_points"), f"'key_points' has {len(points)} items;"
                     " write 3 to 6 short theses")
    for point in points if isinstance(points, list) else []:
        stray = stray_markup(point) if isinstance(point, str) else None
        if stray:
            problems.add(_field_line(raw, "key_points"), f"key point «{point[:60]}»: {stray}")
    difficulty = front.get("difficulty")
    if difficulty is not None and (type(difficulty) is not int or not 1 <= difficulty <= 3):
        problems.add(_field_line(raw, "difficulty"), f"'difficulty' must be 1, 2 or 3,"
                     f" not {difficulty!r}")
    minutes = front.get("minutes")
    if minutes is not None and not _is_minutes(minutes):
        problems.add(_field_line(raw, "minutes"), f"'minutes' must be a whole number of minutes from 1"
                     f" to {MAX_MINUTES}, not {minutes!r}")


def _is_minutes(value) -> bool:
    return type(value) is int and 1 <= value <= MAX_MINUTES


def _check_question_text(text: str, where: Location, problems: Problems) -> None:
    if len(text) > MAX_QUESTION_CHARS:
        problems.add(where, f"question is {len(text):,} characters long; the limit is"
                     f" {MAX_QUESTION_CHARS:,} (put details in the answer)")
    hidden = unwanted_character(text)
    if hidden:
        problems.add(where, f"question contains an invisible or control character"
                     f" ({character_name(hidden.group())}); delete it")


def _check_body_characters(raw: _RawQuestion, problems: Problems) -> None:
    """The answer and the key points hold no character that hides or reorders text or breaks XML."""
    hidden = unwanted_character(raw.body)
    if hidden:
        line = raw.body_line + raw.body.count("\n", 0, hidden.start())
        problems.add(Location(raw.path, line), f"answer contains an invisible or control character"
                     f" ({character_name(hidden.group())}); delete it")
    points = raw.front.get("key_points")
    for point in points if isinstance(points, list) else []:
        hidden = unwanted_character(point) if isinstance(point, str) else None
        if hidden:
            problems.add(_field_line(raw, "key_points"), f"key point contains an invisible or control"
                         f" character ({character_name(hidden.group())}); delete it")
            break


# --- book.yaml and the whole book --------------------------------------------------------------

def _text_field(data: LineDict, key: str, where: Location, problems: Problems,
                required: bool = True) -> str:
    value = data.get(key, "")
    line = data.key_lines.get(key, data.line)
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(Location(where.path, line), f"'{key}' is required and must be text")
        return ""
    hidden = unwanted_character(value)
    if hidden:
        problems.add(Location(where.path, line), f"'{key}' contains an invisible or control character"
                     f" ({character_name(hidden.group())}); delete it")
        return ""
    return value.strip()


def _build_book(root: Path, book_file: Path, meta: LineDict,
                questions: dict[str, _RawQuestion | None], problems: Problems) -> Book | None:
    here = Location(book_file, meta.line)
    source = meta.get("source")
    if not isinstance(source, LineDict):
        problems.add(Location(book_file, meta.key_lines.get("source", 1)),
                     "'source' is required: a mapping with name, url, author, license")
        source = LineDict()
        source.key_lines = {}
    sections_data = meta.get("sections")
    if not isinstance(sections_data, LineList) or not sections_data:
        problems.add(Location(book_file, meta.key_lines.get("sections", 1)),
                     "'sections' is required: a list of sections with their questions")
        sections_data = LineList()
        sections_data.item_lines = []
    listed: dict[str, Location] = {}
    sections = tuple(
        _build_section(str(i), data, Location(book_file, line), questions, listed, problems)
        for i, (data, line) in enumerate(zip(sections_data, sections_data.item_lines), start=1)
    )
    for qid, path in sorted((q, r.path) for q, r in questions.items() if r and q not in listed):
        problems.add(Location(path, 1), f"question '{qid}' is not listed in {book_file};"
                     " add its id to a section there (or delete the file)")
    return Book(
        title=_text_field(meta, "title", here, problems),
        subtitle=_text_field(meta, "subtitle", here, problems, required=False),
        author=_text_field(meta, "author", here, problems),
        language=_language(meta, here, problems),
        identifier=_text_field(meta, "identifier", here, problems),
        source=_source(source, here, problems),
        sections=sections,
        root=root,
        issues_url=_issues_url(meta, here, problems),
        kicker=_text_field(meta, "kicker", here, problems, required=False),
        figure_scripts=_flag(meta, "figure_scripts", here, problems),
        answers_from_source=_flag(meta, "answers_from_source", here, problems),
        minutes_by_difficulty=_minutes_by_difficulty(meta, here, problems),
    )


def _minutes_by_difficulty(meta: LineDict, where: Location, problems: Problems) -> tuple[int, int, int]:
    """`minutes_by_difficulty: {1: 3, 2: 5, 3: 8}`: a question's interview minutes when it gives none."""
    default = Book.__dataclass_fields__["minutes_by_difficulty"].default
    value = meta.get("minutes_by_difficulty")
    if value is None:
        return default
    if not isinstance(value, dict) or set(value) != {1, 2, 3} or not all(map(_is_minutes, value.values())):
        problems.add(Location(where.path, meta.key_lines.get("minutes_by_difficulty", meta.line)),
                     "'minutes_by_difficulty' must give the minutes (1 to"
                     f" {MAX_MINUTES}) of each difficulty, e.g. {{1: 3, 2: 5, 3: 8}}, not {value!r}")
        return default
    return (value[1], value[2], value[3])


def _with_follow_ups(book: Book, problems: Problems) -> Book:
    """The book with each answer's follow-ups read (`content.follow_ups`) under its language's heading."""
    try:
        heading = labels(book.language).follow_ups_heading
    except LabelsError:  # reported with book.yaml's 'language'
        return book

    def question(q: Question) -> Question:
        return dataclasses.replace(q, follow_ups=read_follow_ups(q, heading, problems))

    def subsection(sub: Subsection) -> Subsection:
        return dataclasses.replace(sub, questions=tuple(map(question, sub.questions)))

    return dataclasses.replace(book, sections=tuple(
        dataclasses.replace(section, subsections=tuple(map(subsection, section.subsections)))
        for section in book.sections))


def _with_glossary(book: Book, problems: Problems) -> Book:
    """The book with the terms of its `glossary.yaml` (none when it has no such file)."""
    path = glossary.glossary_file(book.root)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        problems.add(Location(path, 1), "glossary.yaml must be a regular file in the content folder,"
                     " not a link or a folder")
        return book
    if not path.exists():
        return book
    found = glossary.read_terms(_read_yaml_file(path, problems), path, book.language, problems)
    book = dataclasses.replace(book, glossary=found)
    glossary.check_used(book, problems)
    return book


def _flag(meta: LineDict, key: str, where: Location, problems: Problems) -> bool:
    """A true/false field, false when absent: `figure_scripts: true` lets the bank's figure scripts run
    (its owner trusts its code); `answers_from_source: true` credits the source bank with the answers."""
    value = meta.get(key, False)
    if type(value) is not bool:
        problems.add(Location(where.path, meta.key_lines.get(key, meta.line)),
                     f"'{key}' must be true or false, not {value!r}")
        return False
    return value


def _source(source: LineDict, where: Location, problems: Problems) -> Source:
    """`source`: name, author and license required; `url` optional, and a web address when given."""
    fields = {key: _text_field(source, key, where, problems, required=key not in ("url", "note"))
              for key in ("name", "url", "author", "license", "note")}
    if fields["url"] and not is_web_address(fields["url"]):
        problems.add(Location(where.path, source.key_lines.get("url", source.line)),
                     "source 'url' must be an http(s) address, e.g. https://github.com/OWNER/REPO"
                     " (or leave it out)")
        fields["url"] = ""
    return Source(**fields)


def _language(meta: LineDict, where: Location, problems: Problems) -> str:
    """`language`: a code with a labels file (templates/languages/CODE.yaml) for every output's words."""
    language = _text_field(meta, "language", where, problems)
    if language:
        try:
            labels(language)
        except LabelsError as error:
            problems.add(Location(where.path, meta.key_lines.get("language", meta.line)), str(error))
    return language


def _issues_url(meta: LineDict, where: Location, problems: Problems) -> str:
    """The optional `issues_url`: an http(s) address without query or fragment."""
    url = _text_field(meta, "issues_url", where, problems, required=False)
    parsed = urlparse(url)
    if url and (not is_web_address(url) or parsed.query or parsed.fragment):
        problems.add(Location(where.path, meta.key_lines.get("issues_url", meta.line)),
                     "'issues_url' must be an http(s) address of an issue tracker without '?' or '#',"
                     " e.g. https://github.com/OWNER/REPO/issues")
        return ""
    return url.rstrip("/")


def _build_section(number: str, data, where: Location, questions, listed, problems) -> Section:
    if not isinstance(data, LineDict):
        problems.add(where, "each section must be a mapping with id, title and questions or subsections")
        return Section("", "", "", number, (), where)
    sid = data.get("id")
    if not isinstance(sid, str) or not ID_PATTERN.match(sid):
        problems.add(where, "section 'id' is required: lowercase latin letters, digits, '-', '_'")
    title = _text_field(data, "title", where, problems)
    emoji = data.get("emoji", "")
    has_subsections, has_questions = "subsections" in data, "questions" in data
    if has_subsections == has_questions:
        problems.add(where, f"section '{title}' needs either 'subsections' or 'questions', not both")
        return Section(str(sid), title, str(emoji), number, (), where)
    if has_questions:
        group = _build_group(number, "", data, where, questions, listed, problems)
        return Section(str(sid), title, str(emoji), number, (group,), where)
    subsections = data["subsections"]
    if not isinstance(subsections, LineList):
        problems.add(Location(where.path, data.key_lines["subsections"]), "'subsections' must be a list")
        return Section(str(sid), title, str(emoji), number, (), where)
    groups = tuple(
        _build_subsection(f"{number}.{j}", sub, Location(where.path, line), questions, listed, problems)
        for j, (sub, line) in enumerate(zip(subsections, subsections.item_lines), start=1)
    )
    return Section(str(sid), title, str(emoji), number, groups, where)


def _build_subsection(number, data, where, questions, listed, problems) -> Subsection:
    if not isinstance(data, LineDict):
        problems.add(where, "each subsection must be a mapping with title and questions")
        return Subsection("", number, (), where)
    title = _text_field(data, "title", where, problems)
    return _build_group(number, title, data, where, questions, listed, problems)


def _build_group(number, title, data: LineDict, where, questions, listed, problems) -> Subsection:
    ids = data.get("questions")
    line = data.key_lines.get("questions", where.line)
    if not isinstance(ids, LineList) or not all(isinstance(i, str) for i in ids):
        problems.add(Location(where.path, line), "'questions' must be a list of question ids")
        return Subsection(title, number, (), where)
    built = []
    for k, (qid, qline) in enumerate(zip(ids, ids.item_lines), start=1):
        at = Location(where.path, qline)
        if qid in listed:
            problems.add(at, f"question '{qid}' is listed twice (first at line {listed[qid].line})")
            continue
        listed[qid] = at
        if qid not in questions:
            problems.add(at, f"no file for question '{qid}': expected content/<section>/{qid}.md")
            continue
        raw = questions[qid]
        if raw is not None:
            built.append(_make_question(qid, f"{number}.{k}", raw))
    return Subsection(title, number, tuple(built), where)


def _make_question(qid: str, number: str, raw: _RawQuestion) -> Question:
    front = raw.front

    def strings(key):
        value = front.get(key) or []
        return tuple(v.strip() for v in value if isinstance(v, str)) if isinstance(value, list) else ()

    difficulty = front.get("difficulty")
    return Question(
        id=qid,
        text=str(front.get("question") or "").strip(),
        key_points=strings("key_points"),
        difficulty=difficulty if type(difficulty) is int else None,
        tags=strings("tags"),
        see_also=strings("see_also"),
        sources=strings("sources"),
        minutes=front.get("minutes") if _is_minutes(front.get("minutes")) else None,
        body=raw.body,
        body_line=raw.body_line,
        number=number,
        source=Location(raw.path, 1),
    )


def _check_see_also(book: Book, raw: dict, problems: Problems) -> None:
    known = set(raw)
    for question in book.questions:
        where = _field_line(raw[question.id], "see_also") if raw[question.id] else question.source
        for target in question.see_also:
            if target == question.id:
                problems.add(where, f"'see_also' of '{question.id}' names the question itself")
            elif target not in known:
                problems.add(where, f"'see_also' names unknown question '{target}'")
