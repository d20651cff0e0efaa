"""Where the answers use the glossary's terms: the subject index, the glossary's check, the search.

A Russian word is found by its lemma (pymorphy3 and its dictionary: «батч-нормализацией» is
«батч-нормализация»; a word with several readings matches any of them), a Latin one without its plural
or possessive ending, case aside («normalizations» is «normalization», «objects» is not «objectness») —
except a form of two or more capital letters (`BN`, `NMS`, `mAP`), which matches only as written. A
term of several words matches them in a row, with nothing but spaces, a dash or a slash between; where
two terms overlap, the longer wins. Only prose is searched: never code, formulas, addresses or a link
whose text is its address.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it.token import Token

from mlbook import cache
from mlbook.files import write_text_atomically
from mlbook.markup.markdown import parse_for_reading, parse_inline_for_reading
from mlbook.model import Question, Term

_WORD = re.compile(r"[^\W_]+")
_JOINED = re.compile(r"[-‐‑–—.'’]")
"""A sign that joins two words into one (`батч-нормализация`, `R-CNN`, `i.i.d`, `Д'Агостино`): a term
may not start or end inside such a word (`CNN` is not found in `R-CNN`)."""
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_BETWEEN_WORDS = re.compile(r"[\s\u00a0\u202f]+|[\s\u00a0\u202f]*[-‐‑–—/][\s\u00a0\u202f]*|[.'’]")
"""What may stand between the words of a term: spaces, a hyphen, dash or slash (`Манна–Уитни` is
`Манна-Уитни`, `A/B-тест`), or a dot or apostrophe with no space (`i.i.d`, `Д'Агостино`)."""


@dataclass(frozen=True)
class Occurrence:
    """A term found in a piece of text: `text[start:end]` names it."""

    start: int
    end: int
    term: Term


@lru_cache(maxsize=1)
def _morphology():
    import pymorphy3  # loaded only by books that have a glossary (its dictionary takes ~0.1 s to open)

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def word_keys(word: str) -> frozenset[str]:
    """What a word of the text is matched by: the lemmas of its readings (Russian), its singular (Latin),
    and the word as written (for forms in capitals)."""
    keys = {word}
    lower = word.lower().replace("ё", "е")
    if _CYRILLIC.search(word):
        keys.update(_KEPT.get(lower))
    else:
        keys.add(_english_singular(lower))
    return frozenset(keys)


class _KeptLemmas:
    """pymorphy3's lemmas of the words met so far, kept in the cache between builds (a book's 12,000
    words take pymorphy3 2 s to parse, the file 0.03 s to read), under its and its dictionary's versions."""

    def __init__(self) -> None:
        self.lemmas: dict[str, list[str]] | None = None
        self.new = False

    def file(self) -> Path:
        return cache.entry("terms", ".json", cache.versions("pymorphy3", "pymorphy3-dicts-ru"), "lemmas")

    def get(self, word: str) -> list[str]:
        """The lemmas of the readings of `word` (lower case, ё as е), the likeliest first."""
        if self.lemmas is None:
            try:
                self.lemmas = json.loads(self.file().read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.lemmas = {}
        found = self.lemmas.get(word)
        if not isinstance(found, list):
            found = list(dict.fromkeys(parse.normal_form.replace("ё", "е") for parse in _morphology().parse(word)))
            self.lemmas[word], self.new = found, True
        return found

    def save(self) -> None:
        if self.new and self.lemmas is not None:
            write_text_atomically(self.file(), json.dumps(self.lemmas, ensure_ascii=False, separators=(",", ":")))
            self.new = False


_KEPT = _KeptLemmas()


def keep_lemmas() -> None:
    """Write the lemmas parsed since the last call to the cache (a build calls it after the check)."""
    _KEPT.save()


def _english_singular(word: str) -> str:
    """An English word without its plural or possessive ending: only inflection, never derivation
    (Snowball's stemmer makes «objectness» and «object» one word; an index entry would then list pages
    that say only «object»)."""
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _pattern_keys(word: str) -> frozenset[str]:
    """What a word of a term's name or form may be among a text word's keys to match it: an abbreviation
    in capitals (`BN`, `mAP`) only as written; a Russian word in pymorphy3's dictionary by its lemma; one
    it does not know (`трансформер`, `лосс`) by itself or any lemma pymorphy3 guesses for it — its guesses
    for a word it does not know differ between the word's forms."""
    if has_capitals(word) and not _CYRILLIC.search(word):
        return frozenset({word})
    lower = word.lower().replace("ё", "е")
    if not _CYRILLIC.search(word):
        return frozenset({_english_singular(lower)})
    lemmas = _KEPT.get(lower)
    if _morphology().word_is_known(lower):
        return frozenset(lemmas[:1])
    return frozenset({lower, *lemmas})


def has_capitals(form: str) -> bool:
    """Two or more capital letters (`BN`, `mAP`): an abbreviation, found only as written."""
    return sum(ch.isupper() for ch in form) >= 2


def names_of(term: Term) -> list[str]:
    """Every name a term is found by: Russian, English, and its forms."""
    return [name for name in (term.ru, term.en, *term.forms) if name]


def anchor_key(term: Term) -> str:
    """A short stable key of a term (from its name): its index and glossary entries' ids (`ixe-KEY`,
    `gl-KEY`) and its pages in the page map."""
    return hashlib.sha1((term.ru or term.en).casefold().encode()).hexdigest()[:8]


class TermFinder:
    """Finds the terms of a glossary in text."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self._by_first: dict[str, list[tuple[tuple[frozenset[str], ...], Term]]] = {}
        for term in terms:
            for name in names_of(term):
                pattern = tuple(_pattern_keys(word) for word in _WORD.findall(name))
                for key in pattern[0] if pattern else ():
                    if (pattern, term) not in self._by_first.get(key, []):
                        self._by_first.setdefault(key, []).append((pattern, term))
        for patterns in self._by_first.values():
            patterns.sort(key=lambda item: -len(item[0]))

    def find(self, text: str, question_id: str = "") -> list[Occurrence]:
        """The terms in `text` (of the question `question_id`: a term whose `not_in` names it is not
        looked for), in order, never overlapping; addresses in the text are skipped."""
        addresses = ([(found.start(), found.end()) for found in _ADDRESS.finditer(text)]
                     if "://" in text or "www." in text or "@" in text else [])
        words = [match for match in _WORD.finditer(text)
                 if not addresses or not any(start <= match.start() < end for start, end in addresses)]
        found, i = [], 0
        while i < len(words):
            length, term = (0, None) if _joined(text, words, i) else self._match_at(text, words, i, question_id)
            if term is None:
                i += 1
                continue
            found.append(Occurrence(words[i].start(), words[i + length - 1].end(), term))
            i += length
        return found

    def _match_at(self, text: str, words: list[re.Match], i: int, question_id: str) -> tuple[int, Term | None]:
        keys = word_keys(words[i].group())
        for key in keys:
            for pattern, term in self._by_first.get(key, ()):
                if question_id and question_id in term.not_in:
                    continue
                if self._rest_matches(text, words, i, pattern):
                    return len(pattern), term
        return 0, None

    @staticmethod
    def _rest_matches(text: str, words: list[re.Match], i: int, pattern: tuple[frozenset[str], ...]) -> bool:
        if i + len(pattern) > len(words) or _joined(text, words, i + len(pattern)):
            return False
        for k in range(1, len(pattern)):
            before, word = words[i + k - 1], words[i + k]
            if not _BETWEEN_WORDS.fullmatch(text[before.end():word.start()]):
                return False
            if not pattern[k] & word_keys(word.group()):
                return False
        return True


def _joined(text: str, words: list[re.Match], i: int) -> bool:
    """Whether word `i` is joined to the one before it: nothing but a hyphen, dash or apostrophe between,
    or a dot before a word that does not start with a capital (`i.i.d`, `torch.nn`; not `1.Токенизация`,
    a heading whose space the PDF's text lost)."""
    if not 0 < i < len(words):
        return False
    between = text[words[i - 1].end():words[i].start()]
    return _JOINED.fullmatch(between) is not None and not (between == "." and words[i].group()[0].isupper())


REFERENCE_HEADINGS = {"источники", "литература", "sources", "references", "further reading", "bibliography"}
"""Headings of an answer's list of sources: what follows them is not searched (an index does not point
at the titles of the papers an answer cites)."""


def prose_runs(tokens: Iterable[Token]) -> Iterator[str]:
    """Every run of prose in parsed Markdown — consecutive text and soft line breaks of an inline token, as
    one string (a term may run over a line break of the source): text outside code, formulas, raw HTML
    and links that show their own address, up to a heading of sources."""
    tokens = list(tokens)
    for position, token in enumerate(tokens):
        if (token.type == "heading_open" and position + 1 < len(tokens)
                and tokens[position + 1].content.strip().rstrip(":").casefold() in REFERENCE_HEADINGS):
            return
        if token.type == "inline":
            yield from _runs_of(token.children or [])


def _runs_of(children: list[Token]) -> Iterator[str]:
    links: list[bool] = []  # for each open link: whether its text is its address
    run: list[str] = []
    for index, child in enumerate(children):
        if child.type in ("text", "softbreak") and not any(links):
            run.append("\n" if child.type == "softbreak" else child.content)
            continue
        if run:
            yield "".join(run)
            run = []
        if child.type == "link_open":
            following = children[index + 1] if index + 1 < len(children) else None
            links.append(following is not None and following.type == "text" and (
                following.content.strip() == str(child.attrs.get("href", "")).strip()
                or _ADDRESS.match(following.content.strip()) is not None))
        elif child.type == "link_close" and links:
            links.pop()
    if run:
        yield "".join(run)


@lru_cache(maxsize=4)
def finder_for(glossary: tuple[Term, ...]) -> TermFinder:
    """The finder of a book's glossary, made once per process."""
    return TermFinder(glossary)


@lru_cache(maxsize=None)
def terms_in_question(glossary: tuple[Term, ...], question: Question) -> dict[Term, int]:
    """How many times each term occurs in a question's answer and key points (their prose): once per
    process (the check, the editions and the search all ask), and from the cache while neither the
    question, the glossary nor this code changed."""
    counts = _cached_search(glossary, "prose", question.id, question.body, *question.key_points,
                            search=lambda finder: _prose_counts(finder, question))
    return {glossary[index]: count for index, count in counts}


@lru_cache(maxsize=None)
def terms_in_title(glossary: tuple[Term, ...], question: Question) -> frozenset[Term]:
    """The terms a question's own text names: their main entry is this question."""
    found = _cached_search(glossary, "title", question.id, question.text,
                           search=lambda finder: [(occurrence.term, 1)
                                                  for occurrence in finder.find(question.text, question.id)])
    return frozenset(glossary[index] for index, _ in found)


def terms_in_texts(glossary: tuple[Term, ...], texts: list[dict[str, str]]) -> list[set[Term]]:
    """Per page of a laid-out part (question id → its prose there, `pdf.page_text`): the terms it shows."""
    pages = _cached_search(glossary, "pages", json.dumps(texts, ensure_ascii=False, sort_keys=True),
                           search=lambda finder: [(occurrence.term, index) for index, page in enumerate(texts)
                                                  for question, text in page.items()
                                                  for occurrence in finder.find(text, question)])
    found: list[set[Term]] = [set() for _ in texts]
    for term_index, page_index in pages:
        found[page_index].add(glossary[term_index])
    return found


def _prose_counts(finder: TermFinder, question: Question) -> list[tuple[Term, int]]:
    counts: dict[Term, int] = {}
    points = [token for point in question.key_points for token in parse_inline_for_reading(point)]
    for run in [*prose_runs(parse_for_reading(question.body)), *prose_runs(points)]:
        for occurrence in finder.find(run, question.id):
            counts[occurrence.term] = counts.get(occurrence.term, 0) + 1
    return list(counts.items())


def _cached_search(glossary: tuple[Term, ...], kind: str, *inputs: str, search) -> list[tuple[int, int]]:
    """`search(finder)`'s (term, number) pairs as (the term's index in the glossary, number), kept in the
    cache under the glossary, the inputs, this module's code and the versions of what reads the text."""
    path = cache.entry("terms", ".json", _CODE, cache.versions("pymorphy3", "pymorphy3-dicts-ru", "markdown-it-py"),
                       _glossary_key(glossary), kind, *inputs)
    try:
        return [tuple(pair) for pair in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        pass
    index = {term: i for i, term in enumerate(glossary)}
    pairs = [(index[term], number) for term, number in search(finder_for(glossary))]
    write_text_atomically(path, json.dumps(pairs))
    return pairs


_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
"""This module's source: a change to how terms are found gives new cache entries, never stale ones."""


@lru_cache(maxsize=4)
def _glossary_key(glossary: tuple[Term, ...]) -> str:
    return hashlib.sha256(repr([(t.ru, t.en, t.forms, t.not_in) for t in glossary]).encode()).hexdigest()
