"""The content's YAML: libyaml (the fast path) and PyYAML's own parser read the same data and lines."""

from __future__ import annotations

import pytest

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
