"""The content's YAML: libyaml (the fast path) and PyYAML's own parser read the same data and lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlbook.content import yamlsafe
from mlbook.content.yamlsafe import LineDict, LineList, YamlProblem, parse_yaml
from tests.conftest import CONTENT, ROOT

pytestmark = pytest.mark.skipif(yamlsafe._FastLoader is None, reason="PyYAML without libyaml")


def yaml_texts() -> list[tuple[str, str]]:
    """Every YAML text of the real bank and the test banks: the `.yaml` files and the Markdown front
    matter."""
    texts = []
    for folder in (CONTENT, ROOT / "tests"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".yaml", ".yml") and path.is_file():
                texts.append((str(path), path.read_text(encoding="utf-8", errors="replace")))
            elif path.suffix == ".md" and path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                if text.startswith("---\n") and "\n---" in text[4:]:
                    texts.append((str(path), text[4:text.index("\n---", 4) + 1]))
    return texts


def with_lines(data):
    """The data with the line numbers the loader kept, as plain values to compare."""
    if isinstance(data, LineDict):
        return ("map", data.line, data.key_lines, {key: with_lines(value) for key, value in data.items()})
    if isinstance(data, LineList):
        return ("seq", data.line, data.item_lines, [with_lines(item) for item in data])
    return (type(data).__name__, data)


def read_both(text: str):
    results = []
    for parse in (parse_yaml, yamlsafe._parse_with_pyyaml):
        try:
            results.append(with_lines(parse(text)))
        except YamlProblem as problem:
            results.append(("problem", problem.line, problem.message))
    return results


def test_both_parsers_read_every_yaml_text_of_the_banks_alike():
    texts = yaml_texts()
    assert len(texts) > 100
    for path, text in texts:
        fast, pyyaml = read_both(text)
        assert fast == pyyaml, path


@pytest.mark.parametrize("text", [
    "a: &x [1, 2]\nb: *x\n",
    "a:\n  - &x {k: v}\n  - [*x]\n",
    "&x a: b\n*x : c\n",
    "a: &x\n  b: *x\n",
    "- &a [x, x]\n- &b [*a, *a]\n- &c [*b, *b]\n",
])
def test_an_alias_is_refused_with_the_line_pyyaml_gives(text):
    fast, pyyaml = read_both(text)
    assert fast == pyyaml and fast[0] == "problem"
    assert fast[2] == "YAML aliases (*name) are not allowed in content; write the value out"


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "a: [1\n", "a: !!python/object:os.system x\n", "a: b: c\n", "a: \"\\x07\"\n", "- a\n-b: [\n",
    "a: 1\n\tb: 2\n", "", "# only a comment\n", "a: 2001-12-14\n", "a: 0x1F\nb: 1_000\nc: .inf\nd: ~\ne: yes\n",
])
def test_errors_and_edge_cases_read_alike(text):
    fast, pyyaml = read_both(text)
    assert fast == pyyaml


def test_a_tab_after_a_value_is_read_as_yaml_allows():
    """libyaml reads a tab after a value as space, where PyYAML refused it ("found character '\\t' that
    cannot start any token"): the one kind of text the fast path accepts and PyYAML did not."""
    assert parse_yaml("question: Что такое BN?\t\ntags: [a]\t\n") == {"question": "Что такое BN?", "tags": ["a"]}


PIECES = ["a", "b", ":", " ", "\n", "- ", "  ", "\t", "[", "]", "{", "}", ",", "'", '"', "#", "&x", "*x", "!!str",
          "?", "|", ">", "1", "0x1F", "~", "yes", "é", "\\", "%YAML 1.1\n", "---\n", "...\n", "\u00a0", "\u2028",
          "\x85", "key: value\n", "- item\n", "!!python/name:os.system", "<<: *x\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=16).map("".join))
def test_any_text_the_two_parsers_both_read_gives_the_same_data(text):
    """On texts made of YAML's syntax (60,000 of them when this was written: the data never differed): where
    both read it, the data and lines are the same; the fast path raises nothing but YamlProblem."""
    fast, pyyaml = read_both(text)
    if fast[0] != "problem" and pyyaml[0] != "problem":
        assert fast == pyyaml
    elif fast[0] == "problem":
        assert fast == pyyaml  # refused: PyYAML's message, at PyYAML's line
