"""Every content problem is reported as `path:line: message`, all at once, exit 1, no traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from mlbook.cli import run
from tests.conftest import ROOT, SAMPLE

BILLION_LAUGHS = """---
question: a
tags: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
see_also: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
key_points: [*b, *b, *b, *b, *b, *b, *b, *b, *b]
---
"""

SOFTMAX_FRONT = """---
question: Что такое softmax?
key_points: [один, два, три]
difficulty: 1
tags: [a]
see_also: []
---
"""


def check(content, capsys) -> tuple[int, str]:
    status = run(["check", "--content", str(content)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err


def replace_in(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (name, how to break the sample bank, file the message points at, line, message)
CASES = [
    ("issues_url not http", lambda c: replace_in(c / "book.yaml", "issues_url: https://example.org/sample-bank/issues",
                                                 "issues_url: javascript:alert(1)"),
     "book.yaml", 29, "'issues_url' must be an http(s) address of an issue tracker without '?' or '#',"
     " e.g. https://github.com/OWNER/REPO/issues"),
    ("bad yaml", lambda c: replace_in(c / "alpha/softmax.md", "difficulty: 1", "difficulty: [1"),
     "alpha/softmax.md", 8, "invalid YAML: expected ',' or ']', but got ':'"),
    ("no question", lambda c: replace_in(c / "alpha/softmax.md", "question: Что такое softmax и почему"
                                          " из логитов вычитают максимум?\n", ""),
     "alpha/softmax.md", 1, "'question' is required and must be non-empty text"),
    ("empty question", lambda c: replace_in(c / "beta/row-count.md",
                                            "question: Как посчитать количество строк в таблице?",
                                            "question: ''"),
     "beta/row-count.md", 2, "'question' is required and must be non-empty text"),
    ("unknown field", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "tags:", "keypoints: []\ntags:"),
     "alpha/sigmoid-plot.md", 8, "unknown field 'keypoints' (known: difficulty, key_points, question,"
     " see_also, sources, tags)"),
    ("source not a link", lambda c: replace_in(c / "alpha/softmax.md", "tags:", "sources: ['javascript:alert(1)']\ntags:"),
     "alpha/softmax.md", 8, "'sources' entry 'javascript:alert(1)' must be an http(s) address or a Markdown link to"
     " one, [text](https://…)"),
    ("difficulty word", lambda c: replace_in(c / "alpha/softmax.md", "difficulty: 1", "difficulty: hard"),
     "alpha/softmax.md", 7, "'difficulty' must be 1, 2 or 3, not 'hard'"),
    ("difficulty range", lambda c: replace_in(c / "alpha/softmax.md", "difficulty: 1", "difficulty: 4"),
     "alpha/softmax.md", 7, "'difficulty' must be 1, 2 or 3, not 4"),
    ("tags as string", lambda c: replace_in(c / "alpha/softmax.md", "tags: [активации, численная устойчивость]",
                                             "tags: активации"),
     "alpha/softmax.md", 8, "'tags' must be a list of non-empty texts, e.g. tags: [first, second]"),
    ("key point with a colon", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "  - S-образная кривая от 0 до 1\n",
                                                     "  - Форма: S-образная кривая от 0 до 1\n"),
     "alpha/sigmoid-plot.md", 3, "'key_points' must be a list of non-empty texts, e.g. key_points: [first, second];"
     " item 1 holds «: », which YAML reads as 'key: value' — put that item in quotes"),
    ("two key points", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "  - S-образная кривая от 0 до 1\n", ""),
     "alpha/sigmoid-plot.md", 3, "'key_points' has 2 items; write 3 to 6 short theses"),
    ("listed without file", lambda c: replace_in(c / "book.yaml", "      - row-count", "      - row-count\n      - ghost"),
     "book.yaml", 29, "no file for question 'ghost': expected content/<section>/ghost.md"),
    ("file not listed", lambda c: (c / "beta/extra.md").write_text(SOFTMAX_FRONT, encoding="utf-8"),
     "beta/extra.md", 1, "question 'extra' is not listed in {content}/book.yaml; add its id to a section"
     " there (or delete the file)"),
    ("listed twice", lambda c: replace_in(c / "book.yaml", "      - row-count", "      - row-count\n      - softmax"),
     "book.yaml", 29, "question 'softmax' is listed twice (first at line 19)"),
    ("duplicate id", lambda c: (c / "beta/softmax.md").write_text(SOFTMAX_FRONT, encoding="utf-8"),
     "beta/softmax.md", 1, "duplicate question id 'softmax' (also {content}/alpha/softmax.md)"),
    ("see_also unknown", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "see_also: [softmax]",
                                              "see_also: [softmax, nope]"),
     "alpha/sigmoid-plot.md", 9, "'see_also' names unknown question 'nope'"),
    ("see_also itself", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "see_also: [softmax]",
                                             "see_also: [sigmoid-plot]"),
     "alpha/sigmoid-plot.md", 9, "'see_also' of 'sigmoid-plot' names the question itself"),
    ("no front matter", lambda c: (c / "beta/row-count.md").write_text("Просто текст\n", encoding="utf-8"),
     "beta/row-count.md", 1, "missing front matter: the file must start with a '---' line, the YAML"
     " fields, and another '---' line"),
    ("latex does not parse", lambda c: replace_in(c / "alpha/sigmoid-plot.md", r"$\sigma(x) = 1 / (1 + e^{-x})$",
                                                  r"$\frac{1}{$"),
     "alpha/sigmoid-plot.md", 12, "formula does not parse: NoAvailableTokensError (an unclosed brace, or a command without its"
     " argument?): $\\frac{1}{$"),
    ("unknown latex command", lambda c: replace_in(c / "alpha/sigmoid-plot.md", r"$\sigma(x)", r"$\sigmaa(x)"),
     "alpha/sigmoid-plot.md", 12, "unknown LaTeX command '\\sigmaa' in formula: $\\sigmaa(x) = 1 / (1 + e^{-x})$"),
    ("latex newcommand", lambda c: replace_in(c / "alpha/sigmoid-plot.md", r"$\sigma(x)", r"$\newcommand{\a}{b} \sigma(x)"),
     "alpha/sigmoid-plot.md", 12, "'\\newcommand' is not allowed in formulas: $\\newcommand{\\a}{b} \\sigma(x) ="
     " 1 / (1 + e^{-x})$"),
    ("missing figure", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "figures/sigmoid.svg", "figures/none.svg"),
     "alpha/sigmoid-plot.md", 14, "figure 'figures/none.svg' not found (and no script none.py to make it)"),
    ("figure without alt", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "![График сигмоиды на отрезке"
                                                " от −6 до 6]", "![]"),
     "alpha/sigmoid-plot.md", 14, "figure 'figures/sigmoid.svg' has no alt text: write what it shows inside ![...]"),
    ("figure outside content", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "figures/sigmoid.svg",
                                                    "../../../../etc/passwd.svg"),
     "alpha/sigmoid-plot.md", 14, "figure '../../../../etc/passwd.svg' points outside the content folder"),
    ("figure by url", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "figures/sigmoid.svg",
                                           "https://example.org/x.svg"),
     "alpha/sigmoid-plot.md", 14, "figure 'https://example.org/x.svg' must be a path relative to the question"
     " file, not an absolute path or URL"),
    ("figure by absolute path", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "figures/sigmoid.svg",
                                                     "/etc/passwd.svg"),
     "alpha/sigmoid-plot.md", 14, "figure '/etc/passwd.svg' must be a path relative to the question file, not an"
     " absolute path or URL"),
    ("figure by file url", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "figures/sigmoid.svg",
                                                "file:///etc/passwd.svg"),
     "alpha/sigmoid-plot.md", 14, "figure 'file:///etc/passwd.svg' must be a path relative to the question file,"
     " not an absolute path or URL"),
    ("link to unknown figure", lambda c: replace_in(c / "alpha/sigmoid-plot.md", "[](#fig:sigmoid)", "[](#fig:nope)"),
     "alpha/sigmoid-plot.md", 16, "link to unknown figure '#fig:nope' (use a figure's file name without .svg)"),
    ("figure script raises", lambda c: (c / "alpha/figures/sigmoid.py").write_text(
        "raise RuntimeError('boom')\n", encoding="utf-8"),
     "alpha/sigmoid-plot.md", 14, "figure script sigmoid.py failed: RuntimeError: boom"),
    ("invalid utf-8", lambda c: (c / "beta/row-count.md").write_bytes(
        "---\nquestion: Вопрос\n".encode() + b"tags: [\xff]\n---\n"),
     "beta/row-count.md", 3, "not valid UTF-8 (byte 0xff); save the file as UTF-8"),
    ("mojibake", lambda c: (c / "beta/row-count.md").write_text(
        "---\nquestion: " + "Как посчитать количество строк?".encode().decode("mac_roman") + "\n---\n",
        encoding="utf-8"),
     "beta/row-count.md", 2, "text looks like mojibake (UTF-8 decoded as another code page, e.g. '–ë–∞–Ω–∫'"
     " for 'Банк'); re-import it with `build.py import`"),
    ("zero-width space", lambda c: replace_in(c / "beta/row-count.md", "количество строк", "количество\u200b строк"),
     "beta/row-count.md", 2, "question contains an invisible or control character (ZERO WIDTH SPACE, U+200B);"
     " delete it"),
    ("control character", lambda c: replace_in(c / "beta/row-count.md", "количество строк", "количество\x07 строк"),
     "beta/row-count.md", 2, "invalid YAML: unacceptable character #x0007: special characters are not allowed"),
    ("very long question", lambda c: replace_in(c / "beta/row-count.md", "в таблице?", "в таблице?" + "а" * 10_000),
     "beta/row-count.md", 2, "question is 10,041 characters long; the limit is 1,000 (put details in the answer)"),
    ("huge answer", lambda c: (c / "beta/row-count.md").write_text(
        "---\nquestion: Вопрос?\n---\n" + "слово " * 900_000, encoding="utf-8"),
     "beta/row-count.md", 1, "file is 9,900,032 bytes; the limit is 2,000,000 (split the answer or move data"
     " to a figure)"),
    ("yaml alias", lambda c: replace_in(c / "alpha/softmax.md", "tags: [активации, численная устойчивость]",
                                        "tags: &t [a]\nsee: *t"),
     "alpha/softmax.md", 9, "YAML aliases (*name) are not allowed in content; write the value out"),
    ("empty content folder", lambda c: [shutil.rmtree(c), c.mkdir()],
     "book.yaml", 1, "book.yaml not found: is this a content folder? (`python build.py import FILE.md --content DIR`"
     " creates one)"),
    ("book.yaml is a list", lambda c: (c / "book.yaml").write_text("- a\n- b\n", encoding="utf-8"),
     "book.yaml", 1, "book.yaml must be a mapping with title and sections"),
    ("yaml bomb", lambda c: (c / "beta/row-count.md").write_text(BILLION_LAUGHS, encoding="utf-8"),
     "beta/row-count.md", 4, "YAML aliases (*name) are not allowed in content; write the value out"),
    ("no book.yaml", lambda c: (c / "book.yaml").unlink(),
     "book.yaml", 1, "book.yaml not found: is this a content folder? (`python build.py import FILE.md --content DIR`"
     " creates one)"),
    ("no sections", lambda c: replace_in(c / "book.yaml", "sections:\n", "chapters:\n"),
     "book.yaml", 1, "'sections' is required: a list of sections with their questions"),
    ("section not a mapping", lambda c: replace_in(c / "book.yaml", "  - id: beta\n    title: Второй раздел\n"
                                                   "    emoji: 🐍\n    questions:\n      - row-count\n", "  - beta\n"),
     "book.yaml", 24, "each section must be a mapping with id, title and questions or subsections"),
    ("subsection not a mapping", lambda c: replace_in(c / "book.yaml", "      - title: Без ответа\n        questions:\n"
                                                      "          - open-question\n", "      - Без ответа\n"),
     "book.yaml", 21, "each subsection must be a mapping with title and questions"),
    ("questions not a list", lambda c: replace_in(c / "book.yaml", "    questions:\n      - row-count",
                                                  "    questions: row-count"),
     "book.yaml", 27, "'questions' must be a list of question ids"),
    ("file name not an id", lambda c: shutil.copy(c / "alpha/softmax.md", c / "alpha/Soft Max.md"),
     "alpha/Soft Max.md", 1, "file name 'Soft Max.md' is not a valid id (use lowercase latin letters, digits, '-'"
     " and '_')"),
    ("duplicate id", lambda c: shutil.copy(c / "alpha/softmax.md", c / "beta/softmax.md"),
     "beta/softmax.md", 1, "duplicate question id 'softmax' (also {content}/alpha/softmax.md)"),
    ("duplicate key", lambda c: replace_in(c / "alpha/softmax.md", "difficulty: 1\n", "difficulty: 1\ndifficulty: 2\n"),
     "alpha/softmax.md", 8, "key 'difficulty' appears twice"),
    ("figure_scripts not a boolean", lambda c: replace_in(c / "book.yaml", "figure_scripts: true", "figure_scripts: yes please"),
     "book.yaml", 30, "'figure_scripts' must be true or false, not 'yes please'"),
    ("section with both", lambda c: replace_in(c / "book.yaml", "    questions:\n      - row-count",
                                               "    questions:\n      - row-count\n    subsections: []"),
     "book.yaml", 24, "section 'Второй раздел' needs either 'subsections' or 'questions', not both"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_content_error_is_reported_with_path_and_line(case, sample_copy, sample_outputs, tmp_path, capsys):
    _, breaker, relative, line, message = case
    out = tmp_path / "out"
    shutil.copytree(sample_outputs, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    breaker(sample_copy)
    status = run(["all", "--content", str(sample_copy), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    expected = f"{sample_copy / relative}:{line}: " + message.replace("{content}", str(sample_copy))
    assert expected in err.splitlines(), err
    assert err.splitlines()[-1].endswith("in the content; nothing was written")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in ("bad yaml", "invalid utf-8", "yaml bomb")],
                         ids=lambda c: c[0])
def test_the_command_line_program_exits_1_without_traceback(case, sample_copy):
    _, breaker, relative, line, message = case
    breaker(sample_copy)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "pdf", "--content", str(sample_copy),
                             "--out", str(sample_copy.parent / "out")], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{sample_copy / relative}:{line}: {message}" in result.stderr.splitlines()
    assert not (sample_copy.parent / "out").exists()


def test_all_problems_are_reported_at_once(sample_copy, capsys):
    replace_in(sample_copy / "alpha/softmax.md", "difficulty: 1", "difficulty: hard")
    replace_in(sample_copy / "beta/row-count.md", "tags: [sql]", "tags: sql")
    replace_in(sample_copy / "alpha/sigmoid-plot.md", "see_also: [softmax]", "see_also: [nope]")
    status, err = check(sample_copy, capsys)
    assert status == 1
    lines = err.splitlines()
    assert len(lines) == 4
    assert lines[-1] == "error: 3 problems in the content; nothing was written"


def test_bom_and_crlf_are_accepted(sample_copy, capsys):
    path = sample_copy / "beta/row-count.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    status, _ = check(sample_copy, capsys)
    assert status == 0


def test_failed_build_keeps_previous_output(sample_copy, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(["sheet", "--content", str(sample_copy), "--out", str(out), "-q"]) == 0
    before = (out / "sheet.pdf").read_bytes()
    replace_in(sample_copy / "alpha/softmax.md", "difficulty: 1", "difficulty: hard")
    assert run(["sheet", "--content", str(sample_copy), "--out", str(out), "-q"]) == 1
    assert (out / "sheet.pdf").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["sheet.pdf"]


def test_link_to_unknown_question_is_reported(sample_copy, capsys):
    path = sample_copy / "beta/row-count.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nСм. [](#nope).\n", encoding="utf-8")
    status, err = check(sample_copy, capsys)
    assert status == 1
    line = path.read_text(encoding="utf-8").splitlines().index("См. [](#nope).") + 1
    assert f"{path}:{line}: link to unknown question '#nope' (use a question id)" in err.splitlines()


def test_strict_build_fails_on_a_missing_glyph(sample_copy, tmp_path, capsys):
    from mlbook.cli import run

    path = sample_copy / "beta/row-count.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nСимвол без шрифта: \U000f0000.\n", encoding="utf-8")
    assert run(["pdf", "--strict", "--content", str(sample_copy), "--out", str(tmp_path), "-q"]) == 1
    err = capsys.readouterr().err
    assert "warning: .notdef glyph rendered for Unicode string unsupported by fonts (1×)" in err
    assert "layout warning(s) with --strict" in err


def test_a_see_also_cycle_still_builds(sample_copy, tmp_path):
    from mlbook.content.load import load

    book = load(sample_copy)
    assert "sigmoid-plot" in book.question("softmax").see_also
    assert "softmax" in book.question("sigmoid-plot").see_also
    assert run(["pdf", "--content", str(sample_copy), "--out", str(tmp_path), "-q"]) == 0


def test_a_selection_that_keeps_no_question_is_a_usage_error(tmp_path, capsys):
    status = run(["sheet", "-q", "--content", str(SAMPLE), "--out", str(tmp_path), "--tags", "no-such-tag"])
    assert status == 2 and capsys.readouterr().err == (
        "build.py sheet: error: the selection (--sections, --tags, --difficulty) keeps no questions\n")
    assert not list(tmp_path.iterdir())
