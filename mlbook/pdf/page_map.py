"""The page map: where the last layout of a book put each part and anchor, like LaTeX's .aux file.

A part's HTML shows the page numbers of the map it is given (`BookPart.html`); the map of the last
build is kept in the cache, so that a build normally lays the book out once, and only parts whose
HTML changed are laid out again."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from mlbook import cache
from mlbook.files import write_text_atomically
from mlbook.model import Book, Term
from mlbook.markup import terms
from mlbook.pdf import layout
from mlbook.render.documents import Page


@dataclass(frozen=True)
class PageMap:
    """Where the last layout put things: the first page of every part, the page of every anchor."""

    starts: dict[str, int] = field(default_factory=dict)
    """Part name → its first page number."""
    anchors: dict[str, int] = field(default_factory=dict)
    """Anchor id → the page number it landed on."""
    terms: dict[str, list[int]] = field(default_factory=dict)
    """A glossary term's key (`terms.anchor_key`) → the pages whose questions' prose shows it."""

    def page_of(self, anchor: str) -> str:
        """The page an anchor is on, as printed (`UNKNOWN_PAGE` before the first layout)."""
        return str(self.anchors.get(anchor, UNKNOWN_PAGE))


_INTERNAL_LINK = re.compile(r'<a\b([^>]*?) href="#([^"]*)"')
_ANCHOR_ID = re.compile(r'\sid="([^"]+)"')
NO_PAGE_CLASS = 'class="to-index"'
"""Links that show no page number (the glossary's terms, to their index entries)."""
FOREIGN_LINK = "x-mlbook-ref:"
"""Scheme of links to anchors in other parts; the join turns them into internal links."""
UNKNOWN_PAGE = "000"
"""Shown for a page not known yet (first build): three digits, the width most of the book's page numbers have
(a narrower guess moved a line, and with it every later page, in the first pass)."""


@dataclass(frozen=True)
class BookPart:
    """One part of the book: HTML whose page numbers are filled in from a `PageMap`."""

    name: str
    """`front`, or the number of the subsection (or section without subsections) it holds."""
    template: str
    """The part's HTML without page numbers."""

    @cached_property
    def anchors(self) -> frozenset[str]:
        """Ids of the elements in this part."""
        return frozenset(_ANCHOR_ID.findall(self.template))

    def html(self, pages: PageMap) -> str:
        """The HTML to lay out: its first page number, the page of every link's target, and the pages of
        every subject index entry."""
        own = self.anchors
        template = _INDEX_PAGES.sub(lambda match: index_pages(match.group(1), match.group(2).split(), pages),
                                    self.template)
        template = _PAGE_OF.sub(lambda match: pages.page_of(match.group(1)), template)

        def number(match: re.Match) -> str:
            attributes, target = match.groups()
            href = f"#{target}" if target in own else f"{FOREIGN_LINK}{target}"
            if NO_PAGE_CLASS in attributes:  # a link that shows no page: its HTML need not change with one
                return f'<a{attributes} href="{href}"'
            return f'<a{attributes} href="{href}" data-page="{pages.page_of(target)}"'

        html = _INTERNAL_LINK.sub(number, template)
        start = pages.starts.get(self.name)
        if start is not None and self.name != "front":
            html = html.replace("</head>", f"<style>@page :first {{ counter-reset: page {start}; }}</style>\n"
                                "</head>", 1)
        return html


_PAGE_OF = re.compile(r'<span class="page-of" data-anchor="([^"]*)"></span>')
"""The page of an anchor as plain text (the glossary's reverse list: a number the CSS generates after a
link is a box of its own, and 280 of them were a tenth of the glossary's layout time)."""
_INDEX_PAGES = re.compile(r'<span class="ix-pages" data-term="([^"]*)" data-main="([^"]*)"></span>')
"""An index entry's pages, to be filled in: its term's key, and the anchors of the questions whose
subject it is (`templates/book.html.j2`)."""


def index_pages(term: str, main: list[str], pages: PageMap) -> str:
    """`, 12, 45–47, <b>52</b>`: every page that shows the term, runs of pages as ranges, the pages of the
    main questions in bold and on their own. Plain text, not links or a span: every box costs the layout
    time (3,000 link boxes doubled the index's), and the build's budget for the index is a tenth of the book's."""
    bold = {pages.anchors[anchor] for anchor in main if anchor in pages.anchors}
    shown = []
    for run in _runs(sorted(set(pages.terms.get(term, ())) | bold), bold):
        if run[0] in bold:
            shown.append(f"<b>{run[0]}</b>")
        else:
            shown.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
    return f', {", ".join(shown)}' if shown else ""


def _runs(numbers: list[int], alone: set[int]) -> list[list[int]]:
    """Consecutive numbers as runs; a number in `alone` is a run of its own."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1 and number not in alone and runs[-1][-1] not in alone:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


def from_layout(parts: list[layout.LaidOutPart], glossary: tuple[Term, ...] = ()) -> PageMap:
    """Printed page numbers (the first page is 1) of every part's start, every anchor and every page
    where a question's prose shows a term of the `glossary`."""
    starts, anchors, found = {}, {}, {}
    for part, first in zip(parts, layout.first_pages(parts)):
        starts[part.name] = first + 1
        for name, (index, _, _) in part.anchors.items():
            anchors.setdefault(name, first + 1 + index)
        for index, shown in enumerate(terms.terms_in_texts(glossary, part.texts) if glossary else ()):
            for term in shown:
                found.setdefault(terms.anchor_key(term), set()).add(first + 1 + index)
    return PageMap(starts, anchors, {key: sorted(pages) for key, pages in sorted(found.items())})


def kept_file(book: Book, page: Page) -> Path:
    """Where the map of this book folder and kind of document is kept between builds."""
    key = hashlib.sha256(f"{book.root.resolve()}|{page}".encode()).hexdigest()[:24]
    return cache.folder("layout") / "maps" / f"{key}.json"


def read(path: Path) -> PageMap:
    """The map kept in `path`; an empty one when there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return PageMap(dict(data["starts"]), dict(data["anchors"]), dict(data.get("terms", {})))
    except (OSError, ValueError, KeyError, TypeError):
        return PageMap()


def write(path: Path, pages: PageMap) -> None:
    write_text_atomically(path, json.dumps({"starts": pages.starts, "anchors": pages.anchors,
                                            "terms": pages.terms}, ensure_ascii=False, sort_keys=True))
