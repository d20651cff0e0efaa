"""Stage 3: HTML → files. WeasyPrint writes PDFs, ebooklib the EPUB; every file lands atomically."""

from __future__ import annotations

import ctypes
import logging
import re
from pathlib import Path

import weasyprint

from mlbook.pdf import join, layout, page_map
from mlbook.render import documents
from mlbook.pdf.fetch import BookFetcher
from mlbook.files import atomic_output
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
    try:
        with layout.book_weasyprint(), atomic_output(target) as temporary:
            document = weasyprint.HTML(string=html, base_url=str(book.root.resolve()) + "/",
                                       url_fetcher=fetcher).render()
            document.write_pdf(temporary, pdf_variant="pdf/ua-1", uncompressed_pdf=False,
                               custom_metadata=False)
    finally:
        progress_logger.removeHandler(pages)
        main_logger.removeHandler(warnings)
        main_logger.propagate = propagate
    return len(document.pages), warnings.messages


MAX_PASSES = 6
"""Layout passes before the page numbers must have settled (usually one; two on an empty cache; up to five
when they go round a cycle, see `_laid_out_book`)."""


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
    parts = [page_map.BookPart(name, html) for name, html in documents.render_book_parts(book, page)]
    _return_freed_memory()  # what rendering left behind, before the workers are forked
    map_file = page_map.kept_file(book, page)
    pages = page_map.read(map_file)
    roots = documents.print_file_roots(book)
    base_url = str(book.root.resolve()) + "/"
    glossary = book.glossary if documents.has_back_matter(book, page) else ()
    if not pages.starts:  # a first build: find where everything falls, then lay out with those numbers
        measured = layout.measure_parts([layout.Job(part.name, part.html(pages), base_url, roots)
                                         for part in parts], progress)
        pages = page_map.from_layout(measured, glossary)
    html = [part.html(pages) for part in parts]
    maps: list[page_map.PageMap] = []
    lengths: list[dict[str, int]] = []
    floors: dict[str, int] = {}
    for _ in range(MAX_PASSES):
        laid_out = _lay_out_at_least(parts, html, floors, base_url, roots, progress)
        pages = page_map.from_layout(laid_out, glossary)
        lengths.append({part.name: part.pages for part in laid_out})
        if pages in maps[:-1]:  # the map of an earlier pass again: the numbers go round a cycle
            for name, most in _longest(lengths[maps.index(pages) + 1:]).items():
                floors[name] = max(most, floors.get(name, 0))
        maps.append(pages)
        changed = False
        for index, part in enumerate(parts):  # one part's HTML at a time: a large bank's is large
            text = part.html(pages)
            if text != html[index]:
                html[index], changed = text, True
        if not changed:
            break
    else:
        raise LayoutNotSettled(f"{target}: page numbers still changed after {MAX_PASSES} layout passes")
    page_map.write(map_file, pages)
    return laid_out


def _longest(lengths: list[dict[str, int]]) -> dict[str, int]:
    """The most pages each part had in the passes of a cycle, for the parts whose length changed.

    A cycle: a part shows a number ("99") that makes it a page longer, which moves the page it names
    ("100"), which makes it a page shorter, and so on (LaTeX's "labels may have changed", forever). Each
    such part is then kept at its longer length, with blank pages at its end where the numbers it shows
    would make it shorter: its length no longer depends on them, and the numbers settle."""
    names = {name for passes in lengths for name in passes}
    return {name: max(passes[name] for passes in lengths) for name in names
            if len({passes[name] for passes in lengths}) > 1}


def _lay_out_at_least(parts: list[page_map.BookPart], html: list[str], floors: dict[str, int], base_url: str,
                      roots, progress) -> list[layout.LaidOutPart]:
    """Every part laid out; one shorter than its floor (`_longest`) again, with blank pages to make it up."""
    jobs = [layout.Job(part.name, text, base_url, roots) for part, text in zip(parts, html)]
    laid_out = layout.lay_out_parts(jobs, progress)
    short = {index: floors[part.name] - part.pages for index, part in enumerate(laid_out)
             if floors.get(part.name, 0) > part.pages}
    if short:
        padded = layout.lay_out_parts([layout.Job(jobs[index].name, _with_blank_pages(jobs[index].html, count),
                                                  base_url, roots) for index, count in short.items()], progress)
        for index, part in zip(short, padded):
            laid_out[index] = part
    return laid_out


def _with_blank_pages(html: str, count: int) -> str:
    return html.replace("</body>", '<div class="blank-page"></div>' * count + "</body>", 1)


def _return_freed_memory() -> None:
    """Give the memory Python has freed back to the system (glibc keeps it for reuse otherwise)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class LayoutNotSettled(Exception):
    """The page numbers kept changing between layout passes (a page break that flips back and forth)."""


class LayoutWarnings(Exception):
    """The print engine warned while laying out a PDF and `--strict` was given."""


def book_pdf(book: Book, target: Path, options, report) -> None:
    """The `pdf` output (`build.OUTPUTS`): the book, laid out in parts."""
    report.stage("pdf: lay out parts and join")
    page = documents.Page("book", options.answers, options.paper)
    pages, warnings = write_book_pdf(book, page, target, report.part_progress)
    _report_layout(target, pages, warnings, options, report)


def handout_pdf(book: Book, target: Path, options, report) -> None:
    """The `handout` output: the questions, with room to write."""
    _print_pdf("handout", book, target, options, report)


def sheet_pdf(book: Book, target: Path, options, report) -> None:
    """The `sheet` output: the interviewer's key points and score boxes."""
    _print_pdf("sheet", book, target, options, report)


def _print_pdf(kind: str, book: Book, target: Path, options, report) -> None:
    report.stage(f"{kind}: render HTML")
    html, _ = documents.render_print(book, documents.Page(kind, options.answers, options.paper))
    report.done()
    report.stage(f"{kind}: lay out and write PDF")
    pages, warnings = write_pdf(html, book, target, report.progress)
    _report_layout(target, pages, warnings, options, report)


def _report_layout(target: Path, pages: int, warnings: list[str], options, report) -> None:
    """The page count, and the print engine's warnings grouped by kind (one line each, details with -v)."""
    report.clear_progress()
    report.done(f"{pages} pages")
    kinds: dict[str, list[str]] = {}
    for message in warnings:
        kinds.setdefault(message.split(":")[0][:80], []).append(message)
    for kind, messages in kinds.items():
        report.warn(f"  warning: {kind} ({len(messages)}×)")
        for message in messages:
            report.detail(f"    {message[:200]}")
    if warnings and options.strict:
        raise LayoutWarnings(f"{target}: {len(warnings)} layout warning(s) with --strict; see above")
