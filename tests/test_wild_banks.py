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
    "no-answers-yet": ("en", {"What is a p-value?": False, "What does Bayes' theorem relate?": False,
                              "What is a type I error?": False, "When is a t-test the wrong choice?": False}, {}),
    "folded-ru": ("ru", {"Что такое bias и variance?": True, "Зачем нужна кросс-валидация?": True,
                         "Что такое бустинг?": False}, {}),
    "folded-html": ("en", {"Why do residual connections help deep networks train?": True,
                           "What is the `softmax` temperature?": True, "What is label smoothing?": False}, {}),
    "bold-lead-items": ("en", {"What is tokenization?": True, "Stemming vs lemmatization?": True, "Explain TF-IDF.": True,
                               "Design a spam filter for a mail service.": True,
                               "Build search over support tickets.": True}, {}),
    "labelled-items": ("en", {"Why use a mel scale for spectrograms?": True, "What does a hop length control?": True,
                              "What is CTC loss for?": True}, {}),
    "back-links": ("en", {"What is stationarity?": True, "Why difference a series before fitting ARIMA?": True,
                          "What does a partial autocorrelation plot show?": False,
                          "Ce qu'on appelle «saisonnalité», c'est quoi ?": False,
                          "How do you validate a forecasting model?": False}, {}),
    "solution-paragraphs": ("en", {"What is a learning rate?": False, "Why does momentum help?": False,
                                   "Name two ways to look inside a trained CNN.": True,
                                   "Is a grid of learning rates 0.1, 0.2, …, 0.5 a good search?": True,
                                   "What is a saddle point?": False, "What does weight decay do?": True}, {}),
    "linked-headings": ("en", {"What is a feature map?": True, "What is dilation?": True, "What is an anchor?": True},
                        {"What is a feature map?": ("[src](https://example.org/fm)",)}),
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
    assert f"{content / 'book.yaml'}: guessed author «table» (the name of the bank's folder), license «not stated», no source URL; set them" \
           " there, or import into a new folder with --source-author NAME --license ID --source-url URL" in report
    assert cli(["html", "--content", str(content), "--out", str(tmp_path / "out"), "-q"])[0] == 0
    footer = (tmp_path / "out" / "site" / "index.html").read_text()
    assert "license not stated" in footer and "not stated license" not in footer
    assert "Answers: the same bank; design: the book&#39;s editors." in footer  # not «Answers and design: …»
    assert "answers_from_source: true" in (content / "book.yaml").read_text()
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


def imported(tmp_path, text: str, language: str = "en"):
    """`text` as a bank's README imported into a new bank: (the bank as loaded, the report's lines)."""
    source = tmp_path / "bank" / "README.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(text, encoding="utf-8")
    report = import_bank(source, tmp_path / "content", new_book=NewBook(language))
    return load(tmp_path / "content"), report.lines()


@pytest.mark.parametrize("text", [
    "# Bank\n\n**What is a tensor?**\n\n**What is a view?**\n",
    "# Bank\n\n## Basics\n\n**What is a tensor?**\n\nTODO\n\n**What is a view?**\n\nTBD\n",
    "# Bank\n\n#### 1) What is a tensor?\n\n#### 2) What is a view?\n",
    "# Bank\n\n## Question 1\n\n**What is a tensor?**\n\n**Answer:** _[To be filled]_\n\n---\n\n"
    "## Question 2\n\n**What is a view?**\n\n**Answer:**\n",
])
def test_a_bank_with_no_answer_yet_imports_every_question_unanswered(text, tmp_path):
    book, _ = imported(tmp_path, text)
    assert [(q.text, q.answered) for q in book.questions] == [("What is a tensor?", False), ("What is a view?", False)]


def test_folded_questions_keep_their_answers_whole_and_the_front_matter_gives_the_title(tmp_path):
    content = tmp_path / "ru"
    report = import_bank(WILD / "folded-ru" / "README.md", content)
    book = load(content)
    assert book.title == "Вопросы по классическому ML"
    assert "**Как их уменьшить:**\n\nBias уменьшают" in book.questions[0].body  # bold inside an answer: no question
    assert f"{WILD / 'folded-ru' / 'README.md'}:1: front matter (icon, title) not imported; its title «Вопросы по" \
           " классическому ML» is the bank's" in report.notes
    book, lines = imported(tmp_path / "en", (WILD / "folded-html" / "README.md").read_text(encoding="utf-8"))
    residual = book.questions[0].body.strip() + "\n"
    assert residual == ("The gradient reaches early layers through the identity path, so it does not vanish.\n\n"
                        "They also let a block **learn only a correction** to its input.\n")
    assert any(line.endswith(":5: «Question?» is a template's example, not a question; not imported") for line in lines)


def test_a_bold_lead_is_the_question_and_labels_are_taken_off(tmp_path):
    book, lines = imported(tmp_path / "lead", (WILD / "bold-lead-items" / "README.md").read_text(encoding="utf-8"))
    assert book.questions[1].body.strip() == "Cutting suffixes by rule vs mapping to the dictionary form."
    assert book.questions[3].body.strip() == ("- **Features:** sender reputation, links, text embeddings.\n"
                                              "- **Model:** gradient boosting, retrained weekly.")
    book, lines = imported(tmp_path / "labels", (WILD / "labelled-items" / "README.md").read_text(encoding="utf-8"))
    assert book.questions[0].body.strip().startswith("It spaces frequency bands")
    assert any(line.endswith(":19: no questions under the heading «Cheat sheet»; not imported") for line in lines)


def test_navigation_links_and_comments_leave_the_answers_with_a_note_and_questions_are_composed(tmp_path):
    import unicodedata

    source = WILD / "back-links" / "README.md"
    assert unicodedata.normalize("NFC", source.read_text(encoding="utf-8")) != source.read_text(encoding="utf-8")
    book, lines = imported(tmp_path, source.read_text(encoding="utf-8"))
    bodies = {q.text: q.body.strip() for q in book.questions}
    assert bodies["What is stationarity?"] == "A series is stationary when its mean and variance do not change over time."
    assert bodies["Why difference a series before fitting ARIMA?"] == "To remove a trend, so that what is left is stationary."
    assert [q.id for q in book.questions][3] == "ce-qu-on-appelle"
    notes = [line.split("README.md:", 1)[1] for line in lines if "README.md:" in line]
    assert "9: navigation link «⬆ Back to top» removed" in notes and "26: navigation link «↑ наверх» removed" in notes
    assert "13: HTML comment «TODO: a proper answer with a plot» removed (it is not shown where the bank is read)" in notes
    assert "22: «Ce qu'on appelle «saisonnalité», c'est quoi ?» written in Unicode's composed form (NFC)" in notes
    assert not [line for line in lines if "#questions" in line]


def test_the_title_is_the_banks_heading_and_the_author_a_reported_guess_never_the_file_name(tmp_path):
    book, lines = imported(tmp_path / "list", "# Vision Questions\n\n## Basics\n\n- What is a kernel?\n- What is a stride?\n")
    assert (book.title, book.author, book.source.name, book.source.author) == (
        "Vision Questions", "bank", "Vision Questions", "bank")
    assert not book.answers_from_source
    assert any("guessed author «bank» (the name of the bank's folder)" in line for line in lines)
    book, _ = imported(tmp_path / "qa", "**What is a kernel?**\n\nA small matrix.\n\n**What is a stride?**\n\nA step.\n")
    assert (book.title, book.source.name, book.answers_from_source) == ("Questions", "bank", True)


def test_solution_paragraphs_after_numbered_items_are_their_answers_and_a_setext_heading_the_title(tmp_path):
    book, _ = imported(tmp_path, (WILD / "solution-paragraphs" / "README.md").read_text(encoding="utf-8"))
    assert book.title == "Common optimisation questions"
    assert book.questions[2].body.strip() == (
        "- Saliency maps — the gradient of the score with respect to the input pixels.\n"
        "- Filter visualisation — an input optimised to excite one filter.".replace("- ", "* "))
    assert book.questions[3].body.strip() == "No; search on a logarithmic scale instead."


def test_headings_lose_their_links_announcements_are_dropped_and_hard_breaks_kept(tmp_path):
    book, lines = imported(tmp_path, (WILD / "linked-headings" / "README.md").read_text(encoding="utf-8"))
    assert [s.title for s in book.sections] == ["Features", "Detection"]
    assert book.questions[0].body.strip() == "The output of one filter over the image:\\\none channel of the next layer's input."
    assert any(line.endswith(":4: the heading «New: [Speech questions](https://example.org/speech)» announces a page"
                             " elsewhere; not imported") for line in lines)
    assert any(":6: the heading «[Features](https://example.org/features)» links elsewhere; imported as its text"
               " «Features»" in line for line in lines)


def test_lines_once_decoded_with_the_wrong_code_page_are_repaired_and_reported(tmp_path):
    text = "# Vision ðŸ“ˆ\n\n## Basics\n\n**Whatâ€™s a tensor?**\n\nAn array.\n\n**Ð§Ñ‚Ð¾ Ñ‚Ð°ÐºÐ¾Ðµ view?**\n\nA tensor.\n"
    book, lines = imported(tmp_path, text)
    assert book.title == "Vision 📈" and [q.text for q in book.questions] == ["What’s a tensor?", "Что такое view?"]
    assert any(line.endswith("README.md:5: mojibake (UTF-8 read with another code page) repaired: «**Whatâ€™s a"
                             " tensor?**» → «**What’s a tensor?**»") for line in lines)


def test_an_alert_box_does_not_make_a_question_list_a_q_and_a_bank(tmp_path):
    text = ("# Vision Prep\n\n## Basics\n- What is a kernel?\n- What is a stride?\n\n## Detection\n"
            "- What is NMS?\n\n> [!TIP]\n> **Practice**: write IoU in NumPy.\n")
    book, _ = imported(tmp_path, text)
    assert [q.text for q in book.questions] == ["What is a kernel?", "What is a stride?", "What is NMS?"]
    assert [s.title for s in book.sections] == ["Basics", "Detection"] and book.title == "Vision Prep"


def test_a_folders_front_page_gives_the_title_and_no_question(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "README.md").write_text("# 40 Statistics Questions\n\nAnswers to [a list](https://example.org/list).\n\n"
                                      "- [Testing](testing.md)\n- [Sampling](sampling.md)\n", encoding="utf-8")
    (folder / "testing.md").write_text("## Testing (2 questions)\n\n#### 1. What is a p-value?\n\nA probability.\n\n"
                                       "#### 2. What is power?\n\nOne minus beta.\n", encoding="utf-8")
    report = import_bank(folder, tmp_path / "content", new_book=NewBook("en"))
    book = load(tmp_path / "content")
    assert book.title == "40 Statistics Questions"
    assert [q.text for q in book.questions] == ["What is a p-value?", "What is power?"]
    assert f"{folder / 'README.md'}:1: the bank's front page (its title and a list of its files); only its title is" \
           " imported" in report.notes


def test_unclosed_summaries_and_comments_are_read_in_one_pass(tmp_path):
    import time

    text = ("# Bank\n\n" + "<details><summary>" * 20_000 + "\n\n**What is a?**\n\nOne" + " <!--" * 20_000 + "\n\n"
            "**What is b?**\n\n<!-- x -->Two\n")
    started = time.monotonic()
    book, _ = imported(tmp_path, text)
    assert time.monotonic() - started < 20
    assert [q.text for q in book.questions] == ["What is a?", "What is b?"] and book.questions[1].body.strip() == "Two"


def test_an_example_question_in_a_how_to_contribute_section_is_not_imported(tmp_path):
    text = ("# Bank\n\n## How to contribute?\nUse this format:\n\n---\n#### How old are you?\n\nOld enough.\n\n"
            "## Questions\n#### What is a tensor?\n\nAn array.\n\n#### What is a view?\n\nA tensor sharing storage.\n")
    book, lines = imported(tmp_path, text)
    assert [q.text for q in book.questions] == ["What is a tensor?", "What is a view?"]
    assert any(line.endswith(":3: the section «How to contribute?» is about the repository; its 1 example question"
                             " not imported") for line in lines)


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
