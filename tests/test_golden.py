"""The sample bank renders to exactly the committed HTML (regenerate with `make golden`)."""

import pytest

from tests.golden import GOLDEN, golden_documents

DOCUMENTS = golden_documents()


def test_golden_files_match_the_documents():
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_rendered_html_matches_golden(name):
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert DOCUMENTS[name] == expected, f"{name} changed; if intended, run `make golden` and review the diff"
