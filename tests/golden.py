"""Golden HTML of the sample bank. `make golden` (python -m tests.golden) rewrites tests/golden/."""

from __future__ import annotations

import re
from pathlib import Path

from mlbook.markup import figures, math
from mlbook.content.load import load
from mlbook.render.documents import Page, PageMap, render_book_parts, render_epub_parts, render_print

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "sample" / "content"
GOLDEN = ROOT / "tests" / "golden"


def normalized(html: str) -> str:
    """The HTML with machine-specific paths replaced, so it compares across checkouts."""
    html = html.replace(SAMPLE.resolve().as_uri(), "CONTENT")
    html = html.replace(figures.CACHE_DIR.resolve().as_uri(), "FIGURE_CACHE")
    html = html.replace(math.CACHE_DIR.resolve().as_uri(), "MATH_CACHE")
    return re.sub(r"FIGURE_CACHE/[0-9a-f]{64}\.svg", "FIGURE_CACHE/generated.svg", html)


def golden_documents() -> dict[str, str]:
    """Each golden file's name and its expected text."""
    book = load(SAMPLE)
    documents = {f"{kind}.html": normalized(render_print(book, Page(kind, False))[0])
                 for kind in ("handout", "sheet")}
    for part in render_book_parts(book, Page("book")):  # page numbers as on a first build: not known yet
        documents[f"book-part-{part.name}.html"] = normalized(part.html(PageMap()))
    front, chapters, _ = render_epub_parts(book, True)
    documents["epub-about.xhtml"] = front
    for section, html in chapters:
        documents[f"epub-section-{section.number}.xhtml"] = html
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
