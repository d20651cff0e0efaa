"""The book model: what `load` produces and every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a content file, for messages that point the user at it."""

    path: Path
    """File the item came from."""
    line: int
    """1-based line in that file."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A probe to ask after the answer, from the answer's follow-up section («Подводные камни и
    вопросы на засыпку»): an item `- **probe** gist`."""

    probe: str
    """What to ask or check, as Markdown (the item's bold lead, without the `**`)."""
    gist: str
    """What a strong reply says, as Markdown (the rest of the item's first paragraph)."""
    source: Location
    """Where the item is in the question's file."""


@dataclass(frozen=True, slots=True)
class Question:
    """One question with its (possibly still missing) answer."""

    id: str
    """Stable identifier: the file name without `.md`; used in links and `see_also`."""
    text: str
    """The question, verbatim from the bank."""
    key_points: tuple[str, ...]
    """3–6 short theses of a good answer; the interviewer sheet shows them."""
    difficulty: int | None
    """1 (warm-up) to 3 (senior); None while unanswered."""
    tags: tuple[str, ...]
    """Free-form topic tags, used for selection."""
    see_also: tuple[str, ...]
    """Ids of related questions."""
    body: str
    """The answer in Markdown; empty while unanswered."""
    body_line: int
    """Line of the file on which `body` starts, to map Markdown lines back to the file."""
    number: str
    """Number in the book, e.g. `2.4.3` (section.subsection.question) or `4.2`."""
    source: Location
    """Where the question's file starts."""
    sources: tuple[str, ...] = ()
    """Links where the question or its answer comes from (`[text](https://…)` or an address), shown
    under the answer as further reading."""
    minutes: int | None = None
    """Minutes the question takes in an interview (`minutes:` in the front matter); None: the book's
    default for its difficulty (`Book.minutes_of`)."""
    follow_ups: tuple[FollowUp, ...] = ()
    """The probes of the answer's follow-up section, in order; empty when it has none."""

    @property
    def answered(self) -> bool:
        return bool(self.body.strip())


@dataclass(frozen=True, slots=True)
class Subsection:
    """A group of questions inside a section."""

    title: str
    """Heading as shown in the book; empty for the unnamed group of a section without subsections."""
    number: str
    """Number in the book, e.g. `2.4`; equal to the section's number when unnamed."""
    questions: tuple[Question, ...]
    """The questions, in book order."""
    source: Location | None = field(default=None, compare=False)
    """Where the subsection (or its section, for the unnamed group) is listed in book.yaml."""


@dataclass(frozen=True, slots=True)
class Section:
    """A chapter of the book."""

    id: str
    """Identifier, unique within the book."""
    title: str
    """Heading as shown in the book (without the emoji)."""
    emoji: str
    """The emoji the bank puts before the title; kept as data, shown as an icon or not at all."""
    number: str
    """Number in the book, e.g. `2`."""
    subsections: tuple[Subsection, ...]
    """Subsections; a section without any holds its questions in one unnamed subsection."""
    source: Location | None = field(default=None, compare=False)
    """Where the section is listed in book.yaml."""

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for sub in self.subsections for q in sub.questions)


@dataclass(frozen=True, slots=True)
class Source:
    """Where the question bank comes from, for the attribution page."""

    name: str
    """Repository name, e.g. `epishchik/ML-Interview`."""
    url: str
    """Address of the repository."""
    author: str
    """Author of the bank."""
    license: str
    """SPDX id of the bank's license, e.g. `Apache-2.0`."""
    note: str
    """Free text: commit or date taken, what was changed."""


@dataclass(frozen=True, slots=True)
class Term:
    """A term of the book's glossary (`glossary.yaml`): its names, a definition, and how to find it.

    The subject index lists where the answers use it; the glossary appendix pairs its names."""

    ru: str
    """The Russian name, as an index heading ('' when the glossary of a book in another language has none)."""
    en: str
    """The English name."""
    forms: tuple[str, ...]
    """Other ways the text writes it: abbreviations, class names, transliterations (not inflected forms:
    Russian words are found by their lemma)."""
    definition: str
    """One line, in the book's language."""
    see_also: tuple[str, ...]
    """Names (in the book's language) of related terms."""
    parent: str
    """Name of the broader term whose sub-entry this is in the index ('' for a main entry)."""
    source: Location
    """Where the term starts in glossary.yaml."""
    not_in: tuple[str, ...] = ()
    """Ids of questions where its words mean something else (not looked for there)."""

    def name(self, language: str) -> str:
        """The name in `language` (the book's), the English one where it has none."""
        return self.ru if is_russian(language) and self.ru else self.en

    def other_name(self, language: str) -> str:
        """The name in the other language of the pair ('' where there is none)."""
        return self.en if is_russian(language) and self.ru else self.ru


def is_russian(language: str) -> bool:
    """Whether a BCP 47 tag (`ru`, `ru-RU`) names Russian: the glossary's names pair Russian with English."""
    return language.split("-")[0] == "ru"


@dataclass(frozen=True, slots=True)
class Book:
    """The whole question bank, validated."""

    title: str
    """Title on the cover and in document metadata."""
    subtitle: str
    """Line under the title on the cover."""
    author: str
    """Author of the answers, for metadata."""
    language: str
    """BCP 47 language tag, e.g. `ru`."""
    identifier: str
    """Stable identifier of the book (EPUB `dc:identifier`)."""
    source: Source
    """The bank's origin and license."""
    sections: tuple[Section, ...]
    """Chapters in book order."""
    root: Path = field(compare=False)
    """The content folder the book was loaded from."""
    issues_url: str = ""
    """Issue tracker where readers report errors (e.g. `https://github.com/OWNER/REPO/issues`);
    empty: no «Сообщить об ошибке» links."""
    kicker: str = ""
    """A line above the title on the cover (e.g. `Machine Learning Engineer · Computer Vision`)."""
    figure_scripts: bool = False
    """Whether figure scripts (`figures/x.py` making `x.svg`) may run: `figure_scripts: true` in
    book.yaml, for a bank whose code its owner trusts. A bank made by `import` never has it."""
    minutes_by_difficulty: tuple[int, int, int] = (3, 5, 8)
    """Interview minutes of a question of difficulty 1, 2, 3 without its own `minutes:`
    (`minutes_by_difficulty:` in book.yaml)."""
    answers_from_source: bool = False
    """Whether the answers come from the source bank (`answers_from_source: true`, set by `import` when
    the bank it read had answers): the About page and the site's footer then credit the bank with them,
    not the book's editors."""
    glossary: tuple[Term, ...] = ()
    """The terms of `glossary.yaml`, in its order (empty: no glossary, no subject index)."""

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    def minutes_of(self, question: Question) -> int:
        """Minutes `question` takes in an interview: its own `minutes:`, else its difficulty's default
        (a question without difficulty counts as the middle one)."""
        if question.minutes is not None:
            return question.minutes
        return self.minutes_by_difficulty[(question.difficulty or 2) - 1]

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)
