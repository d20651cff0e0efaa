"""Stage 3: HTML → files. WeasyPrint writes PDFs, ebooklib the EPUB; every file lands atomically."""

from __future__ import annotations

import ctypes
import hashlib
import io
import json
import logging
import os
import re
import time
import zipfile
from pathlib import Path

import weasyprint
from ebooklib import epub

from mlbook.pdf import drawings, join, layout
from mlbook.render import documents
from mlbook.pdf.fetch import BookFetcher, mime
from mlbook.files import atomic_output, write_text_atomically
from mlbook.labels import Labels, labels
from mlbook.model import Book


class _PageProgress(logging.Handler):
    """Counts pages as WeasyPrint lays them out, to show a progress line."""

    def __init__(self, report):
        super().__init__()
        self.report = report

    def emit(self, record):
        match = re.search(r"Creating layout - Page (\d+)$", record.getMessage())
        if match:
            self.report(int(match.group(1)))


def write_pdf(html: str, book: Book, target: Path, progress=None) -> tuple[int, list[str]]:
    """Lay out the HTML and write the PDF; return its page count and WeasyPrint's warnings."""
    fetcher = BookFetcher(list(documents.print_file_roots(book)))
    progress_logger, main_logger = logging.getLogger("weasyprint.progress"), logging.getLogger("weasyprint")
    pages, warnings = _PageProgress(progress or (lambda page: None)), layout.WarningCollector()
    progress_logger.addHandler(pages)
    progress_logger.setLevel(logging.INFO)
    main_logger.addHandler(warnings)
    propagate, main_logger.propagate = main_logger.propagate, False
    drawings.install(layout.drawings_dir())
    try:
        document = weasyprint.HTML(string=html, base_url=str(book.root.resolve()) + "/",
                                   url_fetcher=fetcher).render()
        with atomic_output(target) as temporary:
            document.write_pdf(temporary, pdf_variant="pdf/ua-1", uncompressed_pdf=False,
                               custom_metadata=False)
    finally:
        progress_logger.removeHandler(pages)
        main_logger.removeHandler(warnings)
        main_logger.propagate = propagate
    return len(document.pages), warnings.messages


MAX_PASSES = 4
"""Layout passes before the page numbers must have settled (usually one; two on an empty cache)."""


def write_book_pdf(book: Book, page: documents.Page, target: Path, progress=None) -> tuple[int, list[str]]:
    """Lay the book out part by part until every page number it shows is right; join the parts.

    Returns the page count and WeasyPrint's warnings. The page map of the last build (where every
    anchor landed, like LaTeX's .aux file) is kept, so a build normally needs a single pass, and
    only parts whose HTML changed are laid out again.
    """
    laid_out = _laid_out_book(book, page, target, progress)
    _return_freed_memory()  # the parts' HTML is gone: the join of a large bank needs the room
    count = join.join_parts(laid_out, target)
    return count, [message for part in laid_out for message in part.warnings]


def _laid_out_book(book: Book, page: documents.Page, target: Path, progress) -> list[layout.LaidOutPart]:
    """Every part laid out with the page numbers of the last pass, until they no longer change."""
    parts = documents.render_book_parts(book, page)
    _return_freed_memory()  # what rendering left behind, before the workers are forked
    map_file = _page_map_file(book, page)
    pages = _read_page_map(map_file)
    roots = documents.print_file_roots(book)
    base_url = str(book.root.resolve()) + "/"
    if not pages.starts:  # a first build: find where everything falls, then lay out with those numbers
        measured = layout.measure_parts([layout.Job(part.name, part.html(pages), base_url, roots)
                                         for part in parts], progress)
        pages = _page_map(measured)
    html = [part.html(pages) for part in parts]
    for _ in range(MAX_PASSES):
        laid_out = layout.lay_out_parts([layout.Job(part.name, text, base_url, roots)
                                         for part, text in zip(parts, html)], progress)
        pages = _page_map(laid_out)
        changed = False
        for index, part in enumerate(parts):  # one part's HTML at a time: a large bank's is large
            text = part.html(pages)
            if text != html[index]:
                html[index], changed = text, True
        if not changed:
            break
    else:
        raise LayoutNotSettled(f"{target}: page numbers still changed after {MAX_PASSES} layout passes")
    _write_page_map(map_file, pages)
    return laid_out


def _return_freed_memory() -> None:
    """Give the memory Python has freed back to the system (glibc keeps it for reuse otherwise)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class LayoutNotSettled(Exception):
    """The page numbers kept changing between layout passes (a page break that flips back and forth)."""


def _page_map(parts: list[layout.LaidOutPart]) -> documents.PageMap:
    """Printed page numbers (the first page is 1) of every part's start and every anchor."""
    starts, anchors = {}, {}
    for part, first in zip(parts, layout.first_pages(parts)):
        starts[part.name] = first + 1
        for name, (index, _, _) in part.anchors.items():
            anchors.setdefault(name, first + 1 + index)
    return documents.PageMap(starts, anchors)


def _page_map_file(book: Book, page: documents.Page) -> Path:
    key = hashlib.sha256(f"{book.root.resolve()}|{page}".encode()).hexdigest()[:24]
    return layout.CACHE_DIR / "maps" / f"{key}.json"


def _read_page_map(path: Path) -> documents.PageMap:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return documents.PageMap(dict(data["starts"]), dict(data["anchors"]))
    except (OSError, ValueError, KeyError, TypeError):
        return documents.PageMap()


def _write_page_map(path: Path, pages: documents.PageMap) -> None:
    write_text_atomically(path, json.dumps({"starts": pages.starts, "anchors": pages.anchors},
                                           ensure_ascii=False, sort_keys=True))


def write_epub(book: Book, answers: bool, target: Path, css: str, cover_png: bytes,
               edition: str = "epub") -> None:
    """Build the EPUB3 (a chapter per section, nav and NCX) and write it reproducibly. `edition`:
    "epub" (formulas as SVG) or "kindle" (formulas as MathML)."""
    front, chapters, renderer = documents.render_epub_parts(book, answers, edition)
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
    ]
    ebook.add_item(epub.EpubNcx())
    ebook.add_item(epub.EpubNav())
    ebook.spine = ["cover", "nav"] + items
    buffer = io.BytesIO()
    epub.write_epub(buffer, ebook, {"epub3_pages": False, "mtime": _epoch_datetime()})
    with atomic_output(target) as temporary:
        temporary.write_bytes(_normalized_zip(buffer.getvalue()))


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


def _epoch() -> int:
    return int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))


def _epoch_datetime():
    import datetime
    return datetime.datetime.fromtimestamp(_epoch(), tz=datetime.timezone.utc)


def _normalized_zip(data: bytes) -> bytes:
    """The same zip with fixed entry dates, `mimetype` first and stored: byte-identical rebuilds."""
    stamp = time.gmtime(max(_epoch(), 315532800))[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda n: (n != "mimetype", n))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()
