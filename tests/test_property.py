"""Any front matter and any Markdown either builds or fails with a content error: never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlbook.render import documents as render
from mlbook.errors import ContentError
from mlbook.content.load import load
from tests.conftest import SAMPLE

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False),
                    st.text(max_size=30))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
front_matter = st.dictionaries(
    st.sampled_from(["question", "key_points", "difficulty", "tags", "see_also", "extra"]), values,
    max_size=6)
words = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=40)
valid_front_matter = st.fixed_dictionaries({
    "question": words, "key_points": st.lists(words, min_size=3, max_size=6),
    "difficulty": st.sampled_from([1, 2, 3]), "tags": st.lists(words, max_size=3),
    "see_also": st.lists(st.sampled_from(["softmax", "sigmoid-plot"]), max_size=2, unique=True)})
markdown_pieces = st.sampled_from([
    "текст ", "$x^2$", "$$\n\\frac{a}{b}\n$$\n", "$\\frac{a}{$", "\\", "{", "}", "`код`", "```python\nx = 1\n```\n",
    "```\n", "![рис](figures/sigmoid.svg)", "![](nope.svg)", "[](#softmax)", "[a](#nope)", "<script>", "# ", "\n",
    "\n\n", "- ", "| a | b |\n|---|---|\n", "**", "_", "$", "$$", "\u200b", "\x00", "&amp;", "{{ 7*7 }}",
])
bodies = st.lists(markdown_pieces, max_size=25).map("".join)


def write_question(content: Path, front, body: str) -> None:
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    (content / "beta/row-count.md").write_text(text, encoding="utf-8")


def outcome(front, body, folder: Path) -> str:
    """Load the sample bank with one question replaced, and render it: "built" or "content error"
    (a content error must be located in the bank; anything else fails the test)."""
    content = folder / "content"
    shutil.copytree(SAMPLE, content)
    (content / "glossary.yaml").unlink()  # its terms are in the question replaced here (tests/test_subject_index.py)
    write_question(content, front, body)
    try:
        book = load(content)
    except ContentError as error:
        assert error.problems and all(problem.message for problem in error.problems)
        assert all(str(problem).startswith(str(content)) for problem in error.problems)
        return "content error"
    for kind in ("book", "handout", "sheet"):
        html, _ = render.render_print(book, render.Page(kind, kind == "book"))
        assert "<script>" not in html
    render.render_epub_parts(book, True)
    return "built"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=st.one_of(front_matter, valid_front_matter), body=bodies)
def test_generated_content_builds_or_fails_with_a_content_error(front, body, tmp_path_factory):
    outcome(front, body, tmp_path_factory.mktemp("bank"))


@pytest.mark.parametrize("front, body, expected", [
    ({"question": "Что такое x?", "key_points": ["a", "b", "c"], "difficulty": 1, "tags": [], "see_also": []},
     "текст $x^2$", "built"),
    ({"question": "", "difficulty": "hard"}, "$\\frac{a}{$", "content error"),
])
def test_the_property_can_see_both_outcomes(front, body, expected, tmp_path):
    """The property above would pass vacuously if every input failed, or every input built: one of
    each, from its own strategies' shapes, gives each outcome (no list shared between tests)."""
    assert outcome(front, body, tmp_path) == expected
