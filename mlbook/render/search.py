"""The web edition's search index, built with the book: lunr (lunr.py here, lunr.js in the reader's
browser) over each question's text, key points and answer prose, Russian words by Snowball's stemmer.

The browser stems a query with the same algorithm (lunr-languages' Russian Snowball stemmer):
`tests/test_web_reader.py` checks both give the same stem for every word of the bank's questions."""

from __future__ import annotations

import json
import re
from functools import lru_cache

import snowballstemmer
from lunr.builder import Builder
from lunr.pipeline import Pipeline

from mlbook.markup import terms
from mlbook.markup.markdown import parse_for_reading, parse_inline, question_text
from mlbook.model import Book, Question

FIELDS = {"t": 10, "k": 4, "g": 2, "a": 1}
"""Index fields and their boosts: the question's text, its key points and tags, the glossary's names of
the terms it uses (so «батчнорм», "batch normalization" and "BN" find an answer that says only one of
them), its answer's prose."""
STEMMER = "mlbook-stem"
"""The name of the stemming step in the serialised index; site.js registers the browser's one under it."""
SKIPPED = {"fence", "code_block", "math_block", "math_block_label", "math_inline", "math_inline_double",
           "image", "html_block", "html_inline"}
"""Markdown tokens whose text is not prose: code blocks, formulas (their LaTeX), pictures."""
LENGTH_NORMALISATION = 0.3
"""BM25's b (lunr's default 0.75): how much a short field outranks a long one. A question's text is
short however central its subject: at 0.75 «Какие обучаемые параметры есть в BatchNorm» came before
«Как работает BatchNorm и LayerNorm?» for "batch normalization"."""
_WORD = re.compile(r"\w+")
_PART = re.compile(r"[A-ZА-ЯЁ]?[a-zа-яё]+|[A-ZА-ЯЁ]+(?![a-zа-яё])|[0-9]+")
_CYRILLIC = re.compile(r"[а-я]")


def words(text: str) -> list[str]:
    """The words of `text` as the index holds them: lower case, ё as е, split at anything not a letter,
    digit or `_` (so `sklearn.feature_selection` is two words, `mutual_info_regression` one); a word
    written in parts (`BatchNorm`, `mutual_info_regression`) also as its parts. site.js does the same."""
    found = []
    for word in _WORD.findall(text):
        parts = _PART.findall(word)
        found += [_normal(word)] + ([_normal(part) for part in parts] if len(parts) > 1 else [])
    return found


def _normal(word: str) -> str:
    return word.lower().replace("ё", "е")


@lru_cache(maxsize=None)
def stem(word: str) -> str:
    """Snowball's Russian stem of a Cyrillic word; any other word as it is. (lunr.py's Porter stemmer
    and lunr.js's disagree — "decay", "xᵀy" —, and a query stemmed otherwise than the index misses.)"""
    return _russian().stemWord(word) if _CYRILLIC.search(word) else word


@lru_cache(maxsize=1)
def _russian():
    return snowballstemmer.stemmer("russian")


def _stem_token(token, i=None, tokens=None):
    return token.update(lambda word, metadata=None: stem(word))


Pipeline.register_function(_stem_token, STEMMER)


def prose(markdown_tokens) -> str:
    """The text a reader reads: paragraphs, lists, headings, inline code; not code blocks or LaTeX."""
    parts = []
    for token in markdown_tokens:
        if token.type in SKIPPED:
            continue
        if token.type == "inline":
            parts.extend(child.content for child in token.children or []
                         if child.type in ("text", "code_inline"))
    return " ".join(parts)


def key_points_text(question: Question) -> str:
    """The key points and tags as plain text (the formulas' LaTeX left out)."""
    return " · ".join([prose(parse_inline(point)) for point in question.key_points] + list(question.tags))


def glossary_names(book: Book) -> dict[str, str]:
    """Per question id: every name (Russian, English, forms) of the glossary's terms its text or its
    answer uses."""
    if not book.glossary:
        return {}
    names = {}
    for question in book.questions:
        used = terms.terms_in_title(book.glossary, question) | set(terms.terms_in_question(book.glossary, question))
        names[question.id] = " · ".join(name for term in sorted(used, key=lambda term: term.source.line)
                                        for name in terms.names_of(term))
    return names


def index_script(book: Book, href) -> str:
    """`search.js`: the documents (number, text, link, key points for snippets) and the lunr index."""
    documents = [{"n": q.number, "t": question_text(q.text), "u": href(q), "k": key_points_text(q)}
                 for q in book.questions]
    builder = Builder()
    builder.b(LENGTH_NORMALISATION)
    builder.pipeline.add(_stem_token)
    builder.search_pipeline.add(_stem_token)
    builder.ref("i")
    for name, boost in FIELDS.items():
        builder.field(name, boost=boost)
    glossary = glossary_names(book)
    for i, (question, document) in enumerate(zip(book.questions, documents)):
        builder.add({"i": str(i), "t": words(document["t"]), "k": words(document["k"]),
                     "g": words(glossary.get(question.id, "")),
                     "a": words(prose(parse_for_reading(question.body)) if question.answered else "")})
    index = builder.build().serialize()
    return ("window.SEARCH_DOCS = " + json.dumps(documents, ensure_ascii=False, separators=(",", ":")) + ";\n"
            + "window.SEARCH_INDEX = " + json.dumps(index, ensure_ascii=False, separators=(",", ":")) + ";\n")
