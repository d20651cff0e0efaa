"""What each laid-out page of the book says, question by question: the prose the subject index looks in.

The index lists the pages where the reader sees a term, so its pages are read off the layout itself, not
marked in the HTML (an element around a word changes how WeasyPrint 70 justifies a line: it can drop
the space before it). Read: the question's title, its key points and its answer, lines joined as a reader
joins them (a word hyphenated at a line's end is one word); not read: code, the answer's sources, the
links to related questions, anything outside a question.
"""

from __future__ import annotations

from weasyprint.formatting_structure import boxes

from mlbook.markup.terms import REFERENCE_HEADINGS

QUESTION_CLASS = "question"
"""The class of a question's element (`<article class="question" id="q-ID">`, templates/book.html.j2)."""
SKIPPED_TAGS = {"code", "pre", "kbd", "samp"}
SKIPPED_CLASSES = {"code", "see-also", "sources", "difficulty", "label", "report-error"}
BLOCK_SEPARATOR = " | "
"""Between blocks (paragraphs, items, cells): no term runs across it."""
_SOFT_HYPHEN = "\u2010"
"""What WeasyPrint draws where it hyphenates a word (its `hyphenate-character`)."""


def question_texts(page) -> dict[str, str]:
    """Question id → the prose of that question on `page` (a `weasyprint.Page`)."""
    reader = _Reader()
    reader.read(page._page_box)
    return {qid: _joined(lines) for qid, lines in reader.lines.items()}


class _Reader:
    def __init__(self) -> None:
        self.lines: dict[str, list[str]] = {}
        self.question: str | None = None
        self.in_sources = False

    def read(self, box) -> None:
        tag, classes = _tag_and_classes(box)
        if tag == "article" and QUESTION_CLASS in classes:
            self.question, self.in_sources = (box.element.get("id") or "").removeprefix("q-"), False
        if tag in SKIPPED_TAGS or classes & SKIPPED_CLASSES:
            return
        if tag in ("h4", "h5", "h6") and _text_of(box).strip().rstrip(":").casefold() in REFERENCE_HEADINGS:
            self.in_sources = True
        if self.in_sources:
            return
        if isinstance(box, boxes.LineBox):
            if self.question is not None:
                self.lines.setdefault(self.question, []).append(_text_of(box))
            return
        if isinstance(box, boxes.BlockBox) and self.question is not None:
            self.lines.setdefault(self.question, []).append(BLOCK_SEPARATOR)
        for child in getattr(box, "children", ()):
            self.read(child)


def _tag_and_classes(box) -> tuple[str, set[str]]:
    element = getattr(box, "element", None)
    classes = set((element.get("class") or "").split()) if element is not None else set()
    return getattr(box, "element_tag", "") or "", classes


def _text_of(box) -> str:
    """The text of a line (or any box), code left out."""
    if isinstance(box, boxes.TextBox):
        return box.text
    tag, classes = _tag_and_classes(box)
    if tag in SKIPPED_TAGS or classes & SKIPPED_CLASSES:
        return " "
    return "".join(_text_of(child) for child in getattr(box, "children", ()))


def _joined(lines: list[str]) -> str:
    """Lines as running text: a word hyphenated at a line's end is joined, a line ending with a hyphen of
    the text (`батч-`) runs on, any other line ends with a space."""
    text = ""
    for line in lines:
        if line == BLOCK_SEPARATOR:
            text += BLOCK_SEPARATOR
        elif text.endswith(_SOFT_HYPHEN):
            text = text[:-1] + line
        elif text.endswith(("-", "‐", "‑")):
            text += line
        else:
            text += " " + line
    return text
