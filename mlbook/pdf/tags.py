"""Stage 3a, after WeasyPrint: a part's structure tree without its plain `Span` elements.

WeasyPrint tags every HTML `<span>` as a `Span` structure element; the book's code blocks (a span per
highlighted token) and formulas make 135,000 of them, 80 % of the 170,000 objects of the book's PDF
— what the join holds in memory and what a reader parses. A `Span` with nothing of its own (no
attributes, language, alternate or actual text, id) says nothing a reader of the tree needs: its
contents (marked-content ids, annotations, elements) move into its parent, in the same place and
order, and the parent tree points to the parent. Marked content that sits on another page than the
parent's gets a marked-content reference naming its page, as the PDF reference asks.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name

PLAIN_KEYS = {"/Type", "/S", "/P", "/K", "/Pg"}
"""The only keys a `Span` may have to be merged into its parent."""


def without_plain_spans(data: bytes) -> bytes:
    """The PDF with its plain `Span` elements merged into their parents, saved with its streams
    compressed (the layout has WeasyPrint write it uncompressed: its zlib level 9 costs a quarter of
    writing a part, QPDF's default level here is faster for 1 % more bytes)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is not None and "/Nums" in root.get("/ParentTree", {}):
            merged: dict[tuple[int, int], Dictionary] = {}
            for element in _elements(root.K):
                _merge_spans_into(element, merged)
            _repoint_parent_tree(root.ParentTree.Nums, merged)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


def _elements(kids) -> list[Dictionary]:
    kids = kids if isinstance(kids, Array) else [kids]
    return [kid for kid in kids if _is_element(kid)]


def _is_element(kid) -> bool:
    return isinstance(kid, Dictionary) and kid.get("/Type", Name.StructElem) == Name.StructElem and "/S" in kid


def _is_plain_span(kid) -> bool:
    return (_is_element(kid) and kid.is_indirect and kid.S == Name.Span
            and set(kid.keys()) <= PLAIN_KEYS)


def _merge_spans_into(element: Dictionary, merged: dict) -> None:
    """Merge the plain spans under `element` (at any depth) into their nearest other ancestor."""
    stack = [element]
    while stack:
        current = stack.pop()
        kids = current.get("/K")
        if not isinstance(kids, Array):
            if _is_element(kids):
                stack.append(kids)
            continue
        lifted, changed = [], False
        for kid in kids:
            if _is_plain_span(kid):
                lifted.extend(_contents_for(current, kid, merged))
                changed = True
            else:
                lifted.append(kid)
        if changed:
            current.K = Array(lifted)
        stack.extend(kid for kid in lifted if _is_element(kid))


def _contents_for(parent: Dictionary, span: Dictionary, merged: dict) -> list:
    """The span's contents as children of `parent` (spans inside it merged too)."""
    merged[span.objgen] = parent
    page = span.get("/Pg")
    same_page = page is not None and "/Pg" in parent and parent.Pg.objgen == page.objgen
    contents = []
    kids = span.get("/K")
    for kid in (kids if isinstance(kids, Array) else [] if kids is None else [kids]):
        if _is_plain_span(kid):
            contents.extend(_contents_for(parent, kid, merged))
        elif isinstance(kid, int):
            contents.append(kid if same_page or page is None else
                            Dictionary(Type=Name.MCR, Pg=page, MCID=kid))
        elif _is_element(kid):
            kid.P = parent
            contents.append(kid)
        else:  # a marked-content or object reference: it keeps the page it was on
            if isinstance(kid, Dictionary) and "/Pg" not in kid and page is not None and not same_page:
                kid.Pg = page
            contents.append(kid)
    return contents


def _repoint_parent_tree(numbers: Array, merged: dict) -> None:
    """Entries of the parent tree that named a merged span name the element it was merged into."""
    for index in range(1, len(numbers), 2):
        value = numbers[index]
        if isinstance(value, Array):
            for position, entry in enumerate(value):
                if isinstance(entry, Dictionary) and entry.objgen in merged:
                    value[position] = merged[entry.objgen]
        elif isinstance(value, Dictionary) and value.objgen in merged:
            numbers[index] = merged[value.objgen]
