"""Choosing questions: sections, tags, difficulty, and a seeded random draw."""

from functools import lru_cache

from mlbook.cli import run
from mlbook.content.load import load
from mlbook.content.select import Selection, select
from tests.conftest import CONTENT, SAMPLE


@lru_cache(maxsize=None)
def book_of(folder):
    """The bank, loaded inside the test that first needs it (a content error fails that test)."""
    return load(folder)


def ids(book):
    return [q.id for q in book.questions]


def test_sections_by_number_id_and_subsection():
    assert ids(select(book_of(SAMPLE), Selection(sections=("2",)))) == ["row-count"]
    assert ids(select(book_of(SAMPLE), Selection(sections=("alpha",)))) == ["softmax", "sigmoid-plot",
                                                                        "open-question"]
    assert ids(select(book_of(SAMPLE), Selection(sections=("1.2",)))) == ["open-question"]


def test_tags_and_difficulty():
    assert ids(select(book_of(SAMPLE), Selection(tags=("sql",)))) == ["row-count"]
    assert ids(select(book_of(SAMPLE), Selection(difficulty=(1,)))) == ["softmax", "sigmoid-plot", "row-count"]


def test_numbers_are_kept_after_selection():
    chosen = select(book_of(SAMPLE), Selection(sections=("2",)))
    assert [q.number for q in chosen.questions] == ["2.1"]


def test_random_selection_is_stable_for_a_seed_and_differs_across_seeds():
    first = ids(select(book_of(CONTENT), Selection(random_count=10, seed=7)))
    again = ids(select(book_of(CONTENT), Selection(random_count=10, seed=7)))
    other = ids(select(book_of(CONTENT), Selection(random_count=10, seed=8)))
    assert first == again and len(first) == 10 and first != other
    assert first == [q for q in ids(book_of(CONTENT)) if q in first]  # kept in book order


def test_unknown_section_is_a_usage_error(capsys):
    assert run(["sheet", "-q", "--sections", "9", "2.7", "1", "--content", str(SAMPLE), "--out", "/nonexistent"]) == 2
    assert capsys.readouterr().err == (
        f"build.py sheet: error: argument --sections: {SAMPLE / 'book.yaml'} has no section or subsection"
        " '9', '2.7' (use a number like 2 or 2.4, or a section id)\n")
