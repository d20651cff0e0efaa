"""The EPUB3 editions: a chapter per section, nav and NCX, written by ebooklib, reproducibly."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from ebooklib import epub

from mlbook.files import atomic_output, mime, reproducible_zip, source_date_epoch
from mlbook.labels import Labels, labels
from mlbook.model import Book
from mlbook.render import cover, documents


def write_epub(book: Book, answers: bool, target: Path, css: str, cover_png: bytes,
               edition: str = "epub") -> None:
    """Build the EPUB3 (a chapter per section, nav and NCX) and write it reproducibly. `edition`:
    "epub" (formulas as SVG) or "kindle" (formulas as MathML)."""
    front, chapters, back, renderer = documents.render_epub_parts(book, answers, edition)
    ebook = epub.EpubBook()
    ebook.set_identifier(book.identifier)
    ebook.set_title(book.title)
    ebook.set_language(book.language)
    ebook.add_author(book.author)
    if book.subtitle:
        ebook.add_metadata("DC", "description", book.subtitle)
    words = labels(book.language)
    ebook.add_metadata("DC", "rights", words("questions_source", source=book.source.name,
                                             license=book.source.license))
    _accessibility_metadata(ebook, edition, words)
    ebook.set_cover("cover.png", cover_png, create_page=True)
    ebook.get_item_with_id("cover").is_linear = True  # a non-linear cover must be linked; keep it in the flow
    ebook.add_item(epub.EpubItem(uid="style", file_name="style/book.css", media_type="text/css",
                                 content=css.encode()))
    about = _xhtml_item("about", "about.xhtml", front)
    items = [about] + [_xhtml_item(f"section-{s.number}", documents.epub_chapter_name(s.number), html)
                       for s, html in chapters]
    back_items = [_xhtml_item(name.split(".")[0], name, html) for name, html in back]
    items += back_items
    for item in items:
        ebook.add_item(item)
    for figure in renderer.figures:
        ebook.add_item(epub.EpubItem(uid=figure.name.replace("/", "-").replace(".", "-"),
                                     file_name=figure.name, media_type=mime(figure.path),
                                     content=figure.path.read_bytes()))
    ebook.toc = [epub.Link("about.xhtml", words.about, "toc-about")] + [
        (epub.Section(f"{s.number}. {s.title}", documents.epub_chapter_name(s.number)),
         [epub.Link(documents.epub_href(q), f"{q.number} {documents.question_text(q.text)}", f"toc-{q.id}") for q in s.questions])
        for s, _ in chapters
    ] + [epub.Link(item.file_name, title, f"toc-{item.id}")
         for item, title in zip(back_items, (words.glossary, words.subject_index))]
    ebook.add_item(epub.EpubNcx())
    ebook.add_item(epub.EpubNav())
    ebook.spine = ["cover", "nav"] + items
    buffer = io.BytesIO()
    epub.write_epub(buffer, ebook, {"epub3_pages": False, "mtime": _epoch_datetime()})
    with atomic_output(target) as temporary:
        temporary.write_bytes(reproducible_zip(buffer.getvalue(), stored_first="mimetype"))


def _xhtml_item(uid: str, name: str, html: str) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=name, media_type="application/xhtml+xml",
                         content=html.encode("utf-8"))
    item.properties = [name for name, tag in (("mathml", "<math"), ("svg", "<svg")) if tag in html]
    return item


_MATH_ACCESSIBILITY = {"epub": ([], "formulas_svg"),
                       "kindle": ([("schema:accessibilityFeature", "MathML")], "formulas_mathml")}


def _accessibility_metadata(ebook: epub.EpubBook, edition: str, words: Labels) -> None:
    math_features, math_summary = _MATH_ACCESSIBILITY[edition]
    for prop, value in math_features + [("schema:accessMode", "textual"), ("schema:accessMode", "visual"),
                        ("schema:accessModeSufficient", "textual"),
                        ("schema:accessibilityFeature", "structuralNavigation"),
                        ("schema:accessibilityFeature", "tableOfContents"),
                        ("schema:accessibilityFeature", "alternativeText"),
                        ("schema:accessibilityHazard", "none"),
                        ("schema:accessibilitySummary",
                         words("accessibility_summary", formulas=getattr(words, math_summary)))]:
        ebook.add_metadata(None, "meta", value, {"property": prop})


def _epoch_datetime() -> datetime.datetime:
    return datetime.datetime.fromtimestamp(source_date_epoch(), tz=datetime.timezone.utc)


def svg_edition(book: Book, target: Path, options, report) -> None:
    """The `epub` output (`build.OUTPUTS`): formulas as SVG, for e-ink readers and phones."""
    _edition("epub", "epub", book, target, options, report)


def kindle_edition(book: Book, target: Path, options, report) -> None:
    """The `epub-kindle` output: formulas as MathML, for Send to Kindle and Apple Books."""
    _edition("kindle", "epub-kindle", book, target, options, report)


def _edition(edition: str, name: str, book: Book, target: Path, options, report) -> None:
    report.stage(f"{name}: render and write")
    css = (documents.TEMPLATES / "epub.css").read_text(encoding="utf-8") + documents.pygments_css()
    write_epub(book, options.answers, target, css, cover.cover_png(book), edition)
    report.done()
