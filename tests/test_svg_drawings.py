"""SVG drawings kept and replayed (mlbook/pdf/drawings.py): the PDF is the one WeasyPrint writes when
it parses every image anew, byte for byte, whether the drawings come from the cache or not."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import weasyprint

from mlbook.markup import math
from mlbook.pdf import drawings as svg_drawings

FORMULA = r"\frac{a+b}{a-b} = \sqrt{a^2 + b^2}"
GROUPS = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30" viewBox="0 0 40 30">'
          '<rect width="40" height="30" fill="#ddeeff"/>'
          '<g opacity="0.5"><circle cx="15" cy="15" r="10" fill="red"/>'
          '<g opacity="0.3"><rect x="20" y="5" width="15" height="20" fill="blue"/></g></g>'
          '<path d="M0 30 L40 0" stroke="black" stroke-opacity="0.7" fill="none"/></svg>')
TEXT = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<text x="2" y="15" font-size="12">ab</text></svg>')


def data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def document() -> str:
    """A formula three times at two sizes (WeasyPrint draws it wrongly after the first time), images
    with transparency groups (kept) and with text (drawn by WeasyPrint every time)."""
    formula = data_url(math.svg(FORMULA, False))
    images = [(formula, "height:1.2em"), (data_url(GROUPS), "height:3em"), (formula, "height:1.2em"),
              (data_url(TEXT), "height:2em"), (formula, "height:2em"), (data_url(GROUPS), "height:3em"),
              (data_url(TEXT), "height:2em")]
    body = "".join(f'<p>Formula <img src="{src}" style="{style}" alt="x"/> text.</p>' for src, style in images)
    return f"<html><head><style>p {{ color: #333 }}</style></head><body>{body}</body></html>"


class NoImageCache(dict):
    """WeasyPrint's image cache, refusing to keep anything: every image is parsed anew."""

    def __contains__(self, key):
        return False

    def __setitem__(self, key, value):
        pass


def pdf(cache=None) -> bytes:
    return weasyprint.HTML(string=document()).render(cache=cache).write_pdf(pdf_variant="pdf/ua-1")


@dataclass
class Drawings:
    folder: Path
    calls: list = field(default_factory=list)
    """One item per image WeasyPrint drew itself."""
    parsed: list = field(default_factory=list)
    """The path strings WeasyPrint parsed."""

    def entries(self) -> list[Path]:
        return sorted(self.folder.glob("*/*.json"))


@pytest.fixture
def drawings(tmp_path, monkeypatch) -> Drawings:
    """Drawings kept in a folder of this test; WeasyPrint's own drawing counted."""
    kept = Drawings(tmp_path / "drawings")
    original = svg_drawings._original_draw
    monkeypatch.setattr(svg_drawings, "_original_draw", lambda *args: kept.calls.append(1) or original(*args))
    path = svg_drawings._original_path
    monkeypatch.setattr(svg_drawings, "_original_path",
                        lambda svg, node, size: kept.parsed.append(node.get("d")) or path(svg, node, size))
    svg_drawings.uninstall()  # no path strings kept from other tests
    svg_drawings.install(kept.folder)
    yield kept
    svg_drawings.uninstall()


@pytest.fixture(scope="module")
def reference() -> bytes:
    svg_drawings.uninstall()
    return pdf(NoImageCache())


def test_weasyprint_alone_draws_a_repeated_image_differently(reference):
    """The control: the document does show the bug the drawings avoid."""
    svg_drawings.uninstall()
    assert pdf() != reference


def test_kept_and_replayed_drawings_give_the_reference_pdf(drawings, reference):
    assert pdf() == reference
    # the formula drawn anew three times, its glyphs' paths parsed once; the groups' one path
    assert sorted(drawings.parsed) == sorted(set(re.findall(r' d="([^"]+)"', math.svg(FORMULA, False)))
                                             | {"M0 30 L40 0"})
    # kept: the formula at 1.2em in the two graphics states it is met in (the colour of the text
    # before it set, or not), at 2em, and the image with groups; never the one with text
    assert len(drawings.entries()) == 4
    assert len(drawings.calls) == 6  # the second image with groups came from the cache already
    drawings.calls.clear()
    assert pdf() == reference
    assert drawings.calls == [1, 1]  # only the image with text


def test_a_broken_entry_is_drawn_again(drawings, reference):
    pdf()
    for entry in drawings.entries():
        entry.write_text(entry.read_text()[:100])  # as if cut off (entries are written atomically)
    drawings.calls.clear()
    assert pdf() == reference
    assert len(drawings.calls) == 6
    drawings.calls.clear()
    assert pdf() == reference
    assert len(drawings.calls) == 2


def test_an_entry_of_the_wrong_shape_is_drawn_again(drawings, reference):
    pdf()
    for number, entry in enumerate(drawings.entries()):
        data = json.loads(entry.read_text())
        data["drawing"][["operators", "states", "groups"][number % 3]] = [[1, 2]]
        entry.write_text(json.dumps(data))
    drawings.calls.clear()
    assert pdf() == reference
    assert len(drawings.calls) == 6


def test_an_entry_of_another_format_is_not_read(drawings, reference):
    pdf()
    for entry in drawings.entries():
        entry.write_text(entry.read_text().replace(svg_drawings.FORMAT, "mlbook-svg-drawing 0"))
    drawings.calls.clear()
    assert pdf() == reference
    assert len(drawings.calls) == 6


def test_an_svg_written_in_the_html_is_never_kept(drawings, tmp_path):
    """It carries the document's URL, not its own content: two different ones must not share a drawing."""
    (tmp_path / "page.html").write_text("")
    shapes = ['<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="10"/></svg>',
              '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><circle cx="10" cy="10" r="9"/></svg>']
    html = "".join(f"<p>{shape}</p>" for shape in shapes)
    kept = weasyprint.HTML(string=html, base_url=str(tmp_path / "page.html")).write_pdf()
    assert drawings.entries() == [] and len(drawings.calls) == 2
    svg_drawings.uninstall()
    assert weasyprint.HTML(string=html, base_url=str(tmp_path / "page.html")).write_pdf() == kept


def test_the_print_editions_formulas_are_kept_and_drawn_as_parsed_anew(drawings, tmp_path, monkeypatch):
    """The print HTML names a formula `mlbook-cache:…`: its drawing is kept like any SVG file's."""
    from mlbook import cache
    from mlbook.markup.markdown import AnswerRenderer
    from mlbook.pdf.fetch import BookFetcher

    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "cache"))
    image = AnswerRenderer("print", tmp_path).math_html(FORMULA, False)
    html = f"<html><body><p>{image} and again {image}</p></body></html>"

    def written(cache_of_images=None) -> bytes:
        return weasyprint.HTML(string=html, url_fetcher=BookFetcher([cache.folder("math")])).render(
            cache=cache_of_images).write_pdf(pdf_variant="pdf/ua-1")

    kept = written()
    assert 'src="mlbook-cache:math/' in image and drawings.entries()
    svg_drawings.uninstall()
    assert kept == written(NoImageCache())
