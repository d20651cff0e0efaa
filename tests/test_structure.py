"""The structure tree without plain spans (mlbook/structure.py): the same marked content in the same
reading order, every parent-tree entry naming the element that holds its content."""

from __future__ import annotations

import io

import pikepdf
import weasyprint
from pikepdf import Array, Dictionary, Name

from mlbook.pdf.tags import PLAIN_KEYS, without_plain_spans


def tagged_pdf() -> bytes:
    """Code with a span per token over two pages, nested spans, spans in a link and in a list."""
    line = ('<span class="k">def</span> <span class="nf">f</span>(<span class="n">x</span>):'
            ' <span class="k">return</span> <span><span class="n">x</span> <em>+</em></span> 1')
    code = "\n".join([line] * 90)
    body = (f"<h1>Title</h1><p>Text <span>with <span>nested</span> spans</span> and"
            f' <a href="https://example.org/"><span>a link</span></a>.</p><pre>{code}</pre>'
            "<ul><li><span>item</span> one</li><li>item <span>two</span></li></ul>")
    html = f"<html lang='en'><head><style>@page {{ size: A6 }}</style></head><body>{body}</body></html>"
    return weasyprint.HTML(string=html).render().write_pdf(pdf_variant="pdf/ua-1")


def reading_order(pdf: pikepdf.Pdf) -> list[tuple]:
    """Every marked content and annotation of the structure tree, in its order: (page, MCID, element)
    or ("annotation", object, element)."""
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    found = []

    def walk(element, page):
        page = element.get("/Pg", page)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, Array) else [] if kids is None else [kids]:
            if isinstance(kid, int):
                found.append((pages[page.objgen], kid, element.objgen))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                found.append((pages[kid.get("/Pg", page).objgen], int(kid.MCID), element.objgen))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
                found.append(("annotation", kid.Obj.objgen, element.objgen))
            elif isinstance(kid, Dictionary) and "/S" in kid:
                walk(kid, page)

    walk(pdf.Root.StructTreeRoot, None)
    return found


def elements(pdf: pikepdf.Pdf) -> list[Dictionary]:
    """The structure elements of the tree (WeasyPrint also makes some for the page margins, which
    only the parent tree names)."""
    found, stack = [], [pdf.Root.StructTreeRoot]
    while stack:
        kids = stack.pop().get("/K")
        for kid in kids if isinstance(kids, Array) else [] if kids is None else [kids]:
            if isinstance(kid, Dictionary) and "/S" in kid:
                found.append(kid)
                stack.append(kid)
    return found


def assert_parent_tree_names_the_holders(pdf: pikepdf.Pdf) -> None:
    numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
    tree = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
    for page, mcid, holder in reading_order(pdf):
        if page == "annotation":
            annotation = pdf.get_object(mcid)
            assert tree[int(annotation.StructParent)].objgen == holder
        else:
            assert tree[int(pdf.pages[page].obj.StructParents)][mcid].objgen == holder, (page, mcid)


def test_plain_spans_are_merged_and_nothing_else_changes():
    original = tagged_pdf()
    merged = without_plain_spans(original)
    with pikepdf.open(io.BytesIO(original)) as before, pikepdf.open(io.BytesIO(merged)) as after:
        spans = [e for e in elements(before) if e.S == Name.Span]
        assert len(spans) > 500 and len(before.pages) >= 2
        assert not [e for e in elements(after) if e.S == Name.Span and set(e.keys()) <= PLAIN_KEYS]
        assert [item[:2] for item in reading_order(after)] == [item[:2] for item in reading_order(before)]
        assert len(elements(after)) == len(elements(before)) - len(spans)
        assert_parent_tree_names_the_holders(before)
        assert_parent_tree_names_the_holders(after)
        # every element's parent holds it
        for element in elements(after):
            if "/P" in element and element.P.get("/Type") == Name.StructElem:
                assert element.objgen in {k.objgen for k in element.P.K if isinstance(k, Dictionary)}
        for page_before, page_after in zip(before.pages, after.pages):
            assert page_before.Contents.read_bytes() == page_after.Contents.read_bytes()


def test_marked_content_on_another_page_than_its_new_parent_names_its_page():
    """WeasyPrint starts new elements on every page; a span whose page differs from its parent's is
    made here by moving one span of page 1 to page 2 in the tree."""
    with pikepdf.open(io.BytesIO(tagged_pdf())) as pdf:
        span = next(e for e in elements(pdf) if e.S == Name.Span and set(e.keys()) <= PLAIN_KEYS
                    and e.P.Pg.objgen == pdf.pages[0].obj.objgen and any(isinstance(k, int) for k in e.K))
        span.Pg = pdf.pages[1].obj
        mcids = [k for k in span.K if isinstance(k, int)]
        expected = [item[:2] for item in reading_order(pdf)]
        edited = io.BytesIO()
        pdf.save(edited)
    with pikepdf.open(io.BytesIO(without_plain_spans(edited.getvalue()))) as pdf:
        assert [item[:2] for item in reading_order(pdf)] == expected
        holders = [e for e in elements(pdf)
                   if any(isinstance(k, Dictionary) and k.get("/Type") == Name.MCR for k in e.K)]
        assert len(holders) == 1  # WeasyPrint writes none: these are the moved span's
        references = [k for k in holders[0].K if isinstance(k, Dictionary) and k.get("/Type") == Name.MCR]
        assert [int(r.MCID) for r in references] == mcids
        assert all(r.Pg.objgen == pdf.pages[1].obj.objgen for r in references)


def test_a_pdf_without_a_structure_tree_keeps_its_pages_and_is_compressed():
    data = weasyprint.HTML(string="<p>Not <span>tagged</span>.</p>").render().write_pdf(uncompressed_pdf=True)
    saved = without_plain_spans(data)
    with pikepdf.open(io.BytesIO(data)) as before, pikepdf.open(io.BytesIO(saved)) as after:
        assert "/StructTreeRoot" not in after.Root
        assert after.pages[0].Contents.read_bytes() == before.pages[0].Contents.read_bytes()
        assert "/Filter" not in before.pages[0].Contents and after.pages[0].Contents.Filter == Name.FlateDecode


def test_the_joined_book_keeps_its_reading_order_and_parent_tree(sample_outputs):
    with pikepdf.open(sample_outputs / "book.pdf") as pdf:
        assert not [e for e in elements(pdf) if e.S == Name.Span and set(e.keys()) <= PLAIN_KEYS]
        assert len(reading_order(pdf)) > 500
        assert_parent_tree_names_the_holders(pdf)
