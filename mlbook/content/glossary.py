"""`glossary.yaml`: the book's terms, checked as the questions are (every problem as `path:line`).

A list of terms, each a mapping:

    - ru: батч-нормализация          # the name in Russian (required in a Russian book)
      en: batch normalization         # the name in English (required)
      forms: [BatchNorm, BN]          # other ways the text writes it (not inflected forms)
      definition: Нормализация …      # one line, in the book's language (required)
      see_also: [нормализация слоя]   # other terms, by either of their names
      parent: нормализация            # the broader term whose sub-entry it is in the index
      not_in: [question-id]           # answers where its words mean something else
"""

from __future__ import annotations

import re
from pathlib import Path

from mlbook.errors import Problems
from mlbook.markup import terms
from mlbook.model import Book, Location, Term, is_russian
from mlbook.content.yamlsafe import LineDict, LineList
from mlbook.text import character_name, unwanted_character

FILE = "glossary.yaml"
KEYS = ("ru", "en", "forms", "definition", "see_also", "parent", "not_in")
MAX_DEFINITION_CHARS = 400
MAX_TERMS = 5_000


def glossary_file(root: Path) -> Path:
    return root / FILE


def read_terms(data, path: Path, language: str, problems: Problems) -> tuple[Term, ...]:
    """The terms of the parsed `glossary.yaml`, each checked; cross-references checked too."""
    if data is None:
        return ()
    if not isinstance(data, LineList):
        problems.add(Location(path, getattr(data, "line", 1)),
                     "glossary.yaml must be a list of terms (`- ru: …`, `  en: …`, `  definition: …`)")
        return ()
    if len(data) > MAX_TERMS:
        problems.add(Location(path, 1), f"{len(data):,} terms; the limit is {MAX_TERMS:,}")
        return ()
    read = [_term(item, Location(path, line), language, problems) for item, line in zip(data, data.item_lines)]
    found = tuple(term for term in read if term is not None)
    _check_unique(found, language, problems)
    _check_references(found, language, problems)
    return found


def _term(item, where: Location, language: str, problems: Problems) -> Term | None:
    if not isinstance(item, LineDict):
        problems.add(where, "a term must be a mapping with ru, en and definition")
        return None
    ok = True
    for key in item:
        if key not in KEYS:
            problems.add(_line(item, key, where), f"unknown field '{key}' (a term has: {', '.join(KEYS)})")
            ok = False
    required = {"en", "definition"} | ({"ru"} if is_russian(language) else set())
    texts = {key: _text(item, key, where, key in required, problems) for key in ("ru", "en", "definition", "parent")}
    lists = {key: _texts(item, key, where, problems) for key in ("forms", "see_also", "not_in")}
    if None in texts.values() or None in lists.values() or not ok:
        return None
    if len(texts["definition"]) > MAX_DEFINITION_CHARS:
        problems.add(_line(item, "definition", where), f"the definition is {len(texts['definition'])} characters"
                     f" long; keep it to one line of at most {MAX_DEFINITION_CHARS}")
        return None
    term = Term(texts["ru"], texts["en"], tuple(lists["forms"]), texts["definition"], tuple(lists["see_also"]),
                texts["parent"], where, tuple(lists["not_in"]))
    for key, name in [("ru", term.ru), ("en", term.en)] + [("forms", form) for form in term.forms]:
        if name and not re.search(r"[^\W_]", name):
            problems.add(_line(item, key, where), f"'{name}' has no letters or digits to find it by")
            return None
    return term


def _line(item: LineDict, key: str, where: Location) -> Location:
    return Location(where.path, item.key_lines.get(key, where.line))


def _text(item: LineDict, key: str, where: Location, required: bool, problems: Problems) -> str | None:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.add(_line(item, key, where), f"'{key}' is required and must be text" if required
                     else f"'{key}' must be text")
        return None
    if "\n" in value.strip():
        problems.add(_line(item, key, where), f"'{key}' must be one line")
        return None
    if _has_unwanted_character(value, item, key, where, problems):
        return None
    return " ".join(value.split())


def _texts(item: LineDict, key: str, where: Location, problems: Problems) -> list[str] | None:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, str) and entry.strip() for entry in value):
        problems.add(_line(item, key, where), f"'{key}' must be a list of names ([A, B])")
        return None
    if any(_has_unwanted_character(entry, item, key, where, problems) for entry in value):
        return None
    return [" ".join(entry.split()) for entry in value]


def _has_unwanted_character(value: str, item: LineDict, key: str, where: Location, problems: Problems) -> bool:
    """Report a control or invisible character in `value` (the text of field `key`); True if there is one."""
    bad = unwanted_character(value)
    if bad is not None:
        problems.add(_line(item, key, where), f"'{key}' contains an invisible or control character"
                     f" ({character_name(bad.group())}); delete it")
    return bad is not None


def name_key(name: str) -> str:
    """Names compared as a reader would: case, ё/е and spacing aside."""
    return " ".join(name.casefold().replace("ё", "е").split())


def _check_unique(found: tuple[Term, ...], language: str, problems: Problems) -> None:
    """A term's name once; a form (or name) naming one term only."""
    names: dict[str, Term] = {}
    for term in found:
        key = name_key(term.name(language))
        if key in names:
            problems.add(term.source, f"the term '{term.name(language)}' appears twice (also line"
                         f" {names[key].source.line})")
        else:
            names[key] = term
    forms: dict[str, Term] = {}
    for term in found:
        for form in dict.fromkeys(terms.names_of(term)):
            key = form if terms.has_capitals(form) else name_key(form)
            other = forms.setdefault(key, term)
            if other is not term and name_key(other.name(language)) != name_key(term.name(language)):
                problems.add(term.source, f"'{form}' names two terms: '{other.name(language)}' (line"
                             f" {other.source.line}) and '{term.name(language)}'; keep it in one")


def names_to_terms(found, language: str) -> dict:
    """A term by either of its names (as `name_key`), the name in the book's language first."""
    by_name = {}
    for term in found:
        by_name.setdefault(name_key(term.other_name(language)), term)
    by_name.update({name_key(term.name(language)): term for term in found})
    by_name.pop("", None)
    return by_name


def _check_references(found: tuple[Term, ...], language: str, problems: Problems) -> None:
    """`see_also` and `parent` name terms of the glossary (by either name); sub-entries go one level deep."""
    by_name = names_to_terms(found, language)
    for term in found:
        for other in term.see_also:
            if name_key(other) not in by_name:
                problems.add(term.source, f"see_also: no term '{other}' in the glossary")
        if not term.parent:
            continue
        parent = by_name.get(name_key(term.parent))
        if parent is None:
            problems.add(term.source, f"parent: no term '{term.parent}' in the glossary")
        elif parent is term:
            problems.add(term.source, "a term cannot be its own parent")
        elif parent.parent:
            problems.add(term.source, f"parent: '{parent.name(language)}' is itself a sub-entry (of"
                         f" '{parent.parent}'); sub-entries go one level deep")


def check_used(book: Book, problems: Problems) -> None:
    """Every term is found in some question or answer: an index entry needs a page."""
    if not book.glossary:
        return
    ids = {question.id for question in book.questions}
    for term in book.glossary:
        for qid in term.not_in:
            if qid not in ids:
                problems.add(term.source, f"not_in: no question '{qid}' in the book")
    used: set[Term] = set()
    for question in book.questions:
        used |= terms.terms_in_title(book.glossary, question)
        used |= set(terms.terms_in_question(book.glossary, question))
    terms.keep_lemmas()
    for term in book.glossary:
        if term not in used:
            problems.add(term.source, f"the term '{term.name(book.language)}' is found nowhere in the book's"
                         " questions or answers (code and formulas aside): add the form the text uses to"
                         " 'forms', or remove the term")
