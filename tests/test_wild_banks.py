"""Question banks in the shapes found in the wild (tests/sample/wild/: fixtures written here that copy
the structure of public banks found with the search tool — bold questions with emoji marks and «Answer
here» placeholders, `####` numbered headings with source links, `#### Q1:` headings with «**Answer:**»,
`## Question N` sections, numbered lists with `- **Answer**:` items or `<details>` answers, `Q:`/`A:`
lines, question/answer tables, Russian «**Ответ:**», nested lists and quotes, a file per question —
not their words) import with no option but the language into a bank
that passes `check` and builds the PDF, the EPUB and the web edition with --strict: answers kept,
placeholders unanswered, no link decoration or emoji-mark leftover in any question."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlbook.errors import ContentError
from mlbook.content.load import load
from mlbook.upstream.merge import NewBook, SyncError, import_bank
from tests.conftest import ROOT

WILD = ROOT / "tests" / "sample" / "wild"
CORPUS = {  # fixture: (language option, {question: answered}, {question: sources})
    "bold-emoji": ("en", {"What is AUC (AU ROC)? When should you use it?": True, "What is regularization?": False,
                          "What does `x += 1` do in a loop?": True, "What is k-means?": False}, {}),
    "numbered-headings": ("en", {
        "Why is ReLU used more often than sigmoid in hidden layers?": True,
        "Implement [connected components](https://example.org/connected-components) on a binary image": False,
        "What does padding do?": True},
        {"Why is ReLU used more often than sigmoid in hidden layers?": ("[src](https://example.org/relu-vs-sigmoid)",),
         "Implement [connected components](https://example.org/connected-components) on a binary image": (
             "[src](https://example.org/cc)", "[Answer](https://example.org/cc-answer)"),
         "What does padding do?": ("[source](https://example.org/padding)",)}),
    "details": ("en", {"What is dropout?": True, "What is batch normalization?": True, "What is weight decay?": False},
                {}),
    "qa-lines": ("en", {"What is a convolution?": True, "What is stride?": True, "What is a receptive field?": False},
                 {}),
    "table": ("en", {"What is precision?": True, "What is recall?": True, "What is the F1 score?": False}, {}),
    "russian-labels": ("ru", {"Что такое переобучение?": True, "Что такое кросс-валидация?": True,
                              "Что такое `early stopping`?": False}, {}),
    "nested": ("en", {"What is a tensor?": True, "What is broadcasting?": True, "What is a view?": False}, {}),
    "folders": ("en", {"What is a loss function?": True, "What is an epoch?": True, "What is an anchor box?": True},
                {}),
    "q-number-headings": ("en", {"What is the difference between L1 and L2 penalties?": True,
                                 "Why do we standardize features before k-NN?": True, "What is early stopping?": False},
                          {}),
    "question-n-sections": ("en", {"What is a confusion matrix?": True, "What is the ROC curve?": False,
                                   "Why is accuracy misleading on imbalanced data?": True}, {}),
    "list-answer-labels": ("en", {"What is supervised learning?": True, "What is clustering?": True}, {}),
}
LEFTOVERS = re.compile("[\u200b-\u200d\ufe0e\ufe0f⭐👶🚀]|\\[\\[|\\(source:|\\[src\\]|^\\d+[.)]")


def cli(argv: list[str]) -> tuple[int, str, str]:
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *argv], capture_output=True, text=True,
                            cwd=ROOT, timeout=600)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_a_bank_from_the_wild_imports_and_builds_untouched(name, tmp_path):
    language, questions, sources = CORPUS[name]
    content, out = tmp_path / "content", tmp_path / "out"
    options = ["--language", language] if language != "ru" else []
    code, report, err = cli(["import", str(WILD / name), "--content", str(content), *options])
    assert code == 0, err
    book = load(content)
    assert {q.text: q.answered for q in book.questions} == questions
    assert {q.text: q.sources for q in book.questions if q.sources} == sources
    assert not [q.text for q in book.questions if LEFTOVERS.search(q.text)]
    assert not [q.id for q in book.questions if re.search("https?|src|[^a-z0-9_-]", q.id)]
    for output in ("pdf", "epub", "html"):
        code, _, err = cli([output, "--strict", "--content", str(content), "--out", str(out), "-q"])
        assert code == 0, (output, err)


def test_emoji_marks_written_as_sequences_leave_nothing_behind(tmp_path):
    code, _, _ = cli(["import", str(WILD / "bold-emoji"), "--content", str(tmp_path / "c"), "--language", "en"])
    assert code == 0
    book = load(tmp_path / "c")
    assert [(q.text, q.difficulty) for q in book.questions][:2] == [
        ("What is AUC (AU ROC)? When should you use it?", 2), ("What is regularization?", 1)]


def test_a_new_bank_says_what_it_guessed_and_prints_it_honestly(tmp_path):
    content = tmp_path / "c"
    code, report, _ = cli(["import", str(WILD / "table"), "--content", str(content), "--language", "en"])
    assert code == 0
    assert f"{content / 'book.yaml'}: guessed author «Metrics», license «not stated», no source URL; set them" \
           " there, or import into a new folder with --source-author NAME --license ID --source-url URL" in report
    assert cli(["html", "--content", str(content), "--out", str(tmp_path / "out"), "-q"])[0] == 0
    footer = (tmp_path / "out" / "site" / "index.html").read_text()
    assert "license not stated" in footer and "not stated license" not in footer
    assert not re.search(r'href="(?!https?:|#|[\w./-]+\.(?:html|css|js|svg|png)\b)', footer)


def test_inline_markdown_in_questions_is_rendered_in_every_output(tmp_path):
    content, out = tmp_path / "c", tmp_path / "out"
    assert cli(["import", str(WILD / "numbered-headings"), "--content", str(content), "--language", "en"])[0] == 0
    for output in ("pdf", "epub", "html"):
        assert cli([output, "--content", str(content), "--out", str(out), "-q"])[0] == 0
    pdf = subprocess.run(["pdftotext", str(out / "book.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Implement connected components on a binary image" in pdf and "](https" not in pdf
    site = (out / "site" / "section-1.html").read_text()
    assert 'Implement <a href="https://example.org/connected-components">connected components</a>' in site
    with zipfile.ZipFile(out / "book.epub") as epub:
        chapter = next(epub.read(n).decode() for n in epub.namelist() if "section" in n and n.endswith("xhtml"))
        nav = next(epub.read(n).decode() for n in epub.namelist() if n.endswith("nav.xhtml"))
    assert '<h3><span class="num">1.1.2</span> Implement <a href="https://example.org/connected-components">' in chapter
    assert "Implement connected components on a binary image" in nav and "](https" not in nav


answers = st.lists(st.sampled_from([
    "An answer.", "Answer here", "TODO", "<br/>", "<hr>", "---", "[[Answer]](https://example.org/a)",
    "See [the docs](https://example.org/d).", "`code`", "$x^2$", "**bold**", "\u200d", "\ufe0f", "  ", "\n",
    "| a | b |\n|---|---|\n| 1 | 2 |", "> quoted", "- item", "1. first",
]), max_size=5).map("\n\n".join)
questions = st.tuples(
    st.sampled_from(["What is", "Why does", "How do you", "Что такое"]),
    st.text(alphabet="abcdefgh ijk", min_size=1, max_size=12),
    st.sampled_from(["", " `x`", " **b**", " [link](https://example.org/l)"]),  # inline Markdown: kept
    st.sampled_from(["", " \u200d⭐️", " ⭐", " 🚀", " [[src](https://example.org/s)]", " (source: https://example.org/x)",
                     " [m]", " [[Answer]](https://example.org/a)"]),  # marks and decorations: taken off
).map(lambda parts: f"{parts[0]} {parts[1].strip() or 'x'}{parts[2]}?{parts[3]}")
layouts = st.sampled_from(["bold", "heading", "qa"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bank=st.lists(st.tuples(questions, answers), min_size=2, max_size=6), layout=layouts)
def test_import_refuses_with_a_located_message_or_writes_a_bank_that_passes_the_check(bank, layout, tmp_path_factory):
    folder = tmp_path_factory.mktemp("wild")
    write = {"bold": lambda q, a: f"**{q}**\n\n{a}\n\n", "heading": lambda q, a: f"### {q}\n\n{a}\n\n",
             "qa": lambda q, a: f"Q: {q}\nA: {a}\n\n"}[layout]
    source = folder / "README.md"
    source.write_text("# Generated bank\n\n## Section\n\n" + "".join(write(q, a) for q, a in bank), encoding="utf-8")
    content = folder / "content"
    try:
        import_bank(source, content, new_book=NewBook("en"))
    except (ContentError, SyncError) as refusal:
        problems = [str(p) for p in refusal.problems] if isinstance(refusal, ContentError) else [str(refusal)]
        assert all(re.match(r"^(/|--)", problem) for problem in problems), problems
        return
    book = load(content)  # raises if import wrote a bank that `check` refuses
    assert not [q.text for q in book.questions if LEFTOVERS.search(q.text)]


def test_emoji_left_in_the_text_are_drawn_in_the_pdf(tmp_path):
    """Public banks keep emoji that are not difficulty marks — in the title, the section headings, the
    questions, the answers; the PDF draws them from the colour emoji font the setup installs, so a
    --strict build has no missing glyph."""
    bank = tmp_path / "emoji.md"
    bank.write_text("# Vision notes 🧠\n\n## Basics 📖\n\n**What is a tensor? 🔥**\n\nAn array ✅, not a list ❌;"
                    " works on 👩‍💻 laptops and in 🇺🇸 labs.\n\n**What is a view?**\n\nThe same memory 🚀.\n")
    content, out = tmp_path / "c", tmp_path / "out"
    assert cli(["import", str(bank), "--content", str(content), "--language", "en"])[0] == 0
    code, _, err = cli(["pdf", "--strict", "--content", str(content), "--out", str(out), "-q"])
    assert code == 0, err
    text = subprocess.run(["pdftotext", str(out / "book.pdf"), "-"], capture_output=True, text=True).stdout
    for emoji in ("📖", "🔥", "✅", "❌", "👩\u200d💻", "🇺🇸", "🚀"):
        assert emoji in text, emoji
