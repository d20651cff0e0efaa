"""The sample bank renders to exactly the committed HTML (regenerate with `make golden`)."""

import pytest

from mlbook.content.load import load
from mlbook.render.documents import Page, render_book_parts
from tests.conftest import SAMPLE
from tests.golden import GOLDEN, golden_documents

DOCUMENTS = golden_documents()


def test_golden_files_match_the_documents():
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_rendered_html_matches_golden(name):
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert DOCUMENTS[name] == expected, f"{name} changed; if intended, run `make golden` and review the diff"


def test_the_print_html_names_no_path_of_this_machine(sample_copy, tmp_path, monkeypatch):
    """A laid-out part is cached under its HTML: the same bank gives the same HTML in another folder
    and with another cache root (the bank's files by their place in it, the cache's by theirs)."""
    here = render_book_parts(load(SAMPLE), Page("book"))
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "another-cache"))
    there = render_book_parts(load(sample_copy), Page("book"))
    assert here == there and "file:" not in "".join(html for _, html in there)
    assert str(tmp_path) not in "".join(html for _, html in there)

