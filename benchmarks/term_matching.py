"""Which way of finding Russian terms the subject index should use: pymorphy3's lemmas or Snowball's stems.

Runs both over the book's prose (answers and key points) with the real glossary and prints how many
occurrences each finds, and the words where they disagree, for a reader to judge which is right.
`python -m benchmarks.term_matching` (numbers in benchmarks/README.md, "Subject index")."""

from __future__ import annotations

import collections
import time
from functools import lru_cache
from pathlib import Path

import snowballstemmer

from mlbook.content.load import load
from mlbook.markup import terms
from mlbook.markup.markdown import parse_for_reading, parse_inline_for_reading

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=None)
def _snowball_keys(word: str) -> frozenset[str]:
    lower = word.lower().replace("ё", "е")
    if terms._CYRILLIC.search(word):
        return frozenset({word, snowballstemmer.stemmer("russian").stemWord(lower)})
    return frozenset({word, terms._english_singular(lower)})


def _snowball_pattern_keys(word: str) -> frozenset[str]:
    if terms.has_capitals(word) and not terms._CYRILLIC.search(word):
        return frozenset({word})
    lower = word.lower().replace("ё", "е")
    if terms._CYRILLIC.search(word):
        return frozenset({snowballstemmer.stemmer("russian").stemWord(lower)})
    return frozenset({terms._english_singular(lower)})


def occurrences(book, finder) -> collections.Counter:
    found = collections.Counter()
    for question in book.questions:
        points = [token for point in question.key_points for token in parse_inline_for_reading(point)]
        for run in [*terms.prose_runs(parse_for_reading(question.body)), *terms.prose_runs(points)]:
            for o in finder.find(run, question.id):
                found[(question.id, o.term.ru, run[o.start:o.end])] += 1
    return found


def main() -> None:
    book = load(ROOT / "content")
    start = time.perf_counter()
    lemmas = occurrences(book, terms.TermFinder(book.glossary))
    lemma_time = time.perf_counter() - start
    terms.word_keys, terms._pattern_keys = _snowball_keys, _snowball_pattern_keys
    start = time.perf_counter()
    stems = occurrences(book, terms.TermFinder(book.glossary))
    stem_time = time.perf_counter() - start
    print(f"pymorphy3 lemmas: {sum(lemmas.values())} occurrences ({lemma_time:.1f} s, first run)")
    print(f"Snowball stems:   {sum(stems.values())} occurrences ({stem_time:.1f} s)")
    for name, only in (("only by lemma", lemmas - stems), ("only by stem", stems - lemmas)):
        words = collections.Counter()
        for (_, term, text), n in only.items():
            words[(term, text)] += n
        print(f"\n{name}: {sum(only.values())} occurrences, {len(words)} distinct words")
        for (term, text), n in words.most_common(25):
            print(f"  {n:3}  {text!r} → {term}")


if __name__ == "__main__":
    main()
