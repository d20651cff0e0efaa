"""Golden HTML of the sample bank (print, EPUB, web pages, Anki card fields). `make golden` (python -m tests.golden) rewrites tests/golden/."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mlbook import cache
from mlbook.content.load import load
from mlbook.pdf.page_map import BookPart, PageMap
from mlbook.render.documents import (Page, render_anki_notes, render_book_parts, render_epub_parts, render_print,
                                     render_site)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "sample" / "content"
GOLDEN = ROOT / "tests" / "golden"


def normalized(html: str) -> str:
    """The HTML with the cache's file names (hashes of library versions among others) replaced."""
    html = re.sub(r"mlbook-cache:figures/[0-9a-f]{2}/[0-9a-f]{64}\.svg", "FIGURE_CACHE/generated.svg", html)
    return re.sub(r"mlbook-cache:math/[0-9a-f]{2}/[0-9a-f]{64}\.svg", "MATH_CACHE/formula.svg", html)


def golden_documents() -> dict[str, str]:
    """Each golden file's name and its expected text."""
    book = load(SAMPLE)
    documents = {f"{kind}.html": normalized(render_print(book, Page(kind, False))[0])
                 for kind in ("handout", "sheet")}
    for name, html in render_book_parts(book, Page("book")):  # page numbers as on a first build: not known yet
        documents[f"book-part-{name}.html"] = normalized(BookPart(name, html).html(PageMap()))
    front, chapters, back, _ = render_epub_parts(book, True)
    documents["epub-about.xhtml"] = front
    for section, html in chapters:
        documents[f"epub-section-{section.number}.xhtml"] = html
    for name, html in back:
        documents[f"epub-{name}"] = html
    pages, _ = render_site(book, True)
    for name, text in pages.items():
        documents[f"site-{name}"] = text
    notes, _ = render_anki_notes(book)
    documents["anki-notes.json"] = json.dumps({question.id: fields for question, fields in notes},
                                              ensure_ascii=False, indent=1) + "\n"
    return documents


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for old in GOLDEN.iterdir():
        old.unlink()
    for name, text in golden_documents().items():
        (GOLDEN / name).write_text(text, encoding="utf-8")
        print(f"wrote {GOLDEN / name}")


if __name__ == "__main__":
    main()
