"""The subject index and the glossary, as every edition shows them.

Order (`collation_key`): letter by letter, case, ё/е, spaces, hyphens and signs aside, as Russian
indexes sort; the entries are grouped by the script of their first letter — the book's own script first
(Cyrillic in a Russian book), then the other (Latin) as a group of its own, as Russian publishers set
Latin-script terms apart — each under its letter; an entry starting with a digit opens its group under «0–9».
A term's main entries are the questions whose own text names it (bold in every edition).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mlbook.content.glossary import name_key, names_to_terms
from mlbook.markup import terms
from mlbook.model import Book, Question, Term, is_russian

DIGITS = "0–9"
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")


@dataclass
class Entry:
    """A term in the index."""

    term: Term
    heading: str
    """The term's name in the book's language."""
    key: str
    """`terms.anchor_key`: the index entry is `ixe-KEY`, the glossary entry `gl-KEY`."""
    main: list[Question] = field(default_factory=list)
    """Questions whose text names the term, in book order."""
    questions: list[Question] = field(default_factory=list)
    """Questions whose text names it or whose answer uses it, each once, in book order."""
    see_also: list[Entry] = field(default_factory=list)
    subentries: list[Entry] = field(default_factory=list)
    other_name: str = ""
    """The term's name in the other language; "" when it has none or it is the heading again (Adam,
    ImageNet): the glossary does not repeat a name, and the reverse list does not pair it with itself."""


@dataclass
class Letter:
    """The entries under one letter."""

    letter: str
    entries: list[Entry]


@dataclass
class Group:
    """The entries of one script (`cyrillic`, `latin`, `other`), by letter."""

    script: str
    letters: list[Letter]


def collation_key(name: str) -> tuple[str, str]:
    """Letter by letter: lower case, ё as е, only letters and digits; the name itself breaks a tie."""
    folded = name.casefold().replace("ё", "е")
    return "".join(ch for ch in folded if ch.isalnum()), name


def sort_key(name: str, language: str) -> tuple[int, tuple[str, str]]:
    """Where a name goes in the book's index: its script's place (`script_order`), then `collation_key`."""
    return script_order(language).index(script_of(name)), collation_key(name)


def script_of(name: str) -> str:
    """`cyrillic`, `latin` or `other`: the script of the name's first letter."""
    for ch in name.casefold():
        if ch.isalpha():
            return "cyrillic" if _CYRILLIC.match(ch) else "latin" if _LATIN.match(ch) else "other"
    return "other"


def letter_of(name: str) -> str:
    key = collation_key(name)[0]
    return DIGITS if not key or key[0].isdigit() else key[0].upper()


def script_order(language: str) -> tuple[str, ...]:
    return ("cyrillic", "latin", "other") if is_russian(language) else ("latin", "cyrillic", "other")


def entries(book: Book) -> dict[Term, Entry]:
    """Every term's entry, with the questions that name it and those whose answers use it."""
    found = {term: _entry(term, book.language) for term in book.glossary}
    for question in book.questions:
        named = terms.terms_in_title(book.glossary, question)
        for term in named:
            found[term].main.append(question)
        for term in named | set(terms.terms_in_question(book.glossary, question)):
            found[term].questions.append(question)
    by_name = {key: found[term] for key, term in names_to_terms(book.glossary, book.language).items()}
    for entry in found.values():
        entry.see_also = sorted((by_name[name_key(name)] for name in entry.term.see_also
                                 if name_key(name) in by_name), key=lambda other: sort_key(other.heading,
                                                                                            book.language))
        if entry.term.parent and name_key(entry.term.parent) in by_name:
            by_name[name_key(entry.term.parent)].subentries.append(entry)
    for entry in found.values():
        entry.subentries.sort(key=lambda sub: sort_key(sub.heading, book.language))
    return found


def _entry(term: Term, language: str) -> Entry:
    heading, other = term.name(language), term.other_name(language)
    return Entry(term, heading, terms.anchor_key(term),
                 other_name="" if other.casefold() == heading.casefold() else other)


def groups(book: Book, found: dict[Term, Entry] | None = None) -> list[Group]:
    """The index's main entries (sub-entries sit in their parent), grouped by script and letter."""
    found = entries(book) if found is None else found
    top = sorted((entry for entry in found.values() if not entry.term.parent),
                 key=lambda entry: collation_key(entry.heading))
    result = []
    for script in script_order(book.language):
        letters: dict[str, list[Entry]] = {}
        for entry in top:
            if script_of(entry.heading) == script:
                letters.setdefault(letter_of(entry.heading), []).append(entry)
        if letters:
            result.append(Group(script, [Letter(letter, items) for letter, items in letters.items()]))
    return result


def glossary_order(book: Book, found: dict[Term, Entry]) -> list[Entry]:
    """All terms for the glossary, by their name in the book's language, in the index's order."""
    return sorted(found.values(), key=lambda entry: sort_key(entry.heading, book.language))


def reverse_order(book: Book, found: dict[Term, Entry]) -> list[tuple[str, Entry]]:
    """(other-language name, entry) for the reverse list (English → Russian), in that name's order."""
    pairs = [(entry.other_name, entry) for entry in found.values() if entry.other_name]
    other = "en" if is_russian(book.language) else "ru"
    return sorted(pairs, key=lambda pair: sort_key(pair[0], other))
