"""Stage 3b: the parts' PDFs joined into the book with pikepdf.

The front matter's PDF is the base (its catalog carries the title, language, XMP metadata and the
PDF/UA markers); every other part's pages are appended with their structure tree, whose parent-tree
keys are renumbered. Links to other parts (`x-mlbook-ref:` URIs from the layout) become internal
links; named destinations and bookmarks are made anew from where every part put its anchors.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from mlbook.files import atomic_output
from mlbook.pdf.layout import LaidOutPart, first_pages
from mlbook.pdf.page_map import FOREIGN_LINK


def join_parts(parts: list[LaidOutPart], target: Path) -> int:
    """Write the parts as one PDF to `target` (atomically); return its page count."""
    with atomic_output(target) as temporary, temporary.open("wb") as stream:
        return _join(parts, stream)


def _join(parts: list[LaidOutPart], stream) -> int:
    sources = [pikepdf.open(part.pdf) for part in parts]
    try:
        book = sources[0]
        structure = book.Root.StructTreeRoot
        document = structure.K[0]
        keys = structure.ParentTree.Nums
        next_key = _next_key(keys)
        for source in sources[1:]:
            next_key = _append(book, source, document, keys, next_key)
        structure.ParentTreeNextKey = next_key
        starts = first_pages(parts)
        _link_across_parts(book)
        _named_destinations(book, parts, starts)
        _bookmarks(book, parts, starts)
        # to a stream: given a path, pikepdf writes a temporary file of its own beside it
        book.save(stream, deterministic_id=True, compress_streams=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return len(book.pages)
    finally:
        for source in sources:
            source.close()


def _next_key(numbers: Array) -> int:
    return max((int(numbers[i]) for i in range(0, len(numbers), 2)), default=-1) + 1


def _append(book: pikepdf.Pdf, source: pikepdf.Pdf, document, keys: Array, offset: int) -> int:
    """Append the source's pages and structure elements; return the next free parent-tree key."""
    first = len(book.pages)
    with warnings.catch_warnings():  # named destinations are made anew for the whole book below
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        book.pages.extend(source.pages)
    structure = book.copy_foreign(source.Root.StructTreeRoot)
    for page in book.pages[first:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    numbers = structure.ParentTree.Nums
    for i in range(0, len(numbers), 2):
        keys.append(int(numbers[i]) + offset)
        keys.append(numbers[i + 1])
    for element in structure.K[0].K:
        element.P = document
        document.K.append(element)
    return offset + _next_key(numbers)


def _link_across_parts(book: pikepdf.Pdf) -> None:
    """`x-mlbook-ref:ID` links (targets in another part) → links to the named destination ID."""
    for page in book.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            uri = str(action.URI)
            if uri.startswith(FOREIGN_LINK):
                del annotation["/A"]
                annotation.Dest = String(uri[len(FOREIGN_LINK):])
                if "/Contents" in annotation:
                    annotation.Contents = String(uri[len(FOREIGN_LINK):])


def _named_destinations(book: pikepdf.Pdf, parts: list[LaidOutPart], starts: list[int]) -> None:
    """One name tree with every anchor of every part (the part that holds an id first wins)."""
    destinations: dict[str, Array] = {}
    for part, start in zip(parts, starts):
        for name, (page, x, y) in part.anchors.items():
            if name not in destinations:
                destinations[name] = Array([book.pages[start + page].obj, Name.XYZ, x, y, 0])
    tree = pikepdf.NameTree.new(book)
    for name in sorted(destinations):
        tree[name] = destinations[name]
    if "/Names" not in book.Root:
        book.Root.Names = Dictionary()
    book.Root.Names.Dests = tree.obj


def _bookmarks(book: pikepdf.Pdf, parts: list[LaidOutPart], starts: list[int]) -> None:
    """The outline from every part's headings, nested by their bookmark level."""
    with book.open_outline() as outline:
        outline.root.clear()
        stack: list[tuple[int, pikepdf.OutlineItem | None]] = [(0, None)]
        for part, start in zip(parts, starts):
            for level, label, page, x, y in part.bookmarks:
                item = pikepdf.OutlineItem(label, start + page, "XYZ", left=x, top=y, zoom=0)
                while stack[-1][0] >= level:
                    stack.pop()
                parent = stack[-1][1]
                (outline.root if parent is None else parent.children).append(item)
                stack.append((level, item))
