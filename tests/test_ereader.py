"""The e-book on an e-reader: formulas drawn as pictures where MathML does not render, each named by
its LaTeX, and nothing running past the edge of a 6-inch screen in a real reading engine (calibre)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pytest

from mlbook.markup import markdown, math
from tests.conftest import CONTENT, LazyBook
from tests.page_bounds import median_word_height, paths_outside, words, words_outside
from tests.pdftext import pdf_text

BOOK = LazyBook(CONTENT)
MATHML = "{http://www.w3.org/1998/Math/MathML}"
NEEDS_CALIBRE = pytest.mark.skipif(shutil.which("ebook-convert") is None,
                                   reason="calibre's ebook-convert is not installed (make test installs it)")


def chapter_files(epub: Path, folder: Path) -> dict[str, Path]:
    """The EPUB unpacked into `folder`: its section chapters by number."""
    with zipfile.ZipFile(epub) as archive:
        archive.extractall(folder)
    return {re.search(r"section-(\d+)", path.name).group(1): path
            for path in sorted((folder / "EPUB").glob("section-*.xhtml"))}


def source_formulas(section) -> list[str]:
    """The LaTeX of every formula the answers and key points of a section hold."""
    found = []
    for question in section.questions:
        if not question.answered:
            continue
        tokens = list(markdown.parse_for_reading(question.body))
        for point in question.key_points:
            tokens += markdown._PARSER.parseInline(point)
        for token in tokens:
            if token.type == "math_block":
                found.append(token.content.strip())
            found += [child.content.strip() for child in token.children or []
                      if child.type in ("math_inline", "math_inline_double")]
    return found


def accessible_names(chapter: Path) -> list[str]:
    """The accessible name of every element the chapter marks as a formula (role="math")."""
    root = ElementTree.parse(chapter).getroot()
    return [element.get("aria-label", "") for element in root.iter() if element.get("role") == "math"]


def test_every_formula_is_an_svg_named_by_its_latex(book_outputs, tmp_path):
    chapters = chapter_files(book_outputs / "book.epub", tmp_path)
    assert len(chapters) == len(BOOK.sections)
    for section in BOOK.sections:
        xhtml = chapters[section.number].read_text(encoding="utf-8")
        assert "<math" not in xhtml and "<use" not in xhtml
        names = accessible_names(chapters[section.number])
        assert all(names), f"section {section.number}: a formula without accessible text"
        assert Counter(names) == Counter(source_formulas(section)), section.number


def run_together_texts(chapter: Path) -> list[str]:
    """What an engine without MathML shows of each formula: its characters run together (the
    formulas long enough for that text not to occur in the prose by chance)."""
    root = ElementTree.parse(chapter).getroot()
    texts = ["".join(math_element.itertext()).replace(" ", "") for math_element in root.iter(f"{MATHML}math")]
    return [text for text in texts if len(text) >= 12]


def prose_text(chapter: Path) -> str:
    """The chapter's text outside its formulas, without spaces."""
    def text_of(element) -> str:
        if element.tag.endswith("}svg") or element.tag.endswith("}title"):
            return element.tail or ""
        return (element.text or "") + "".join(text_of(child) for child in element) + (element.tail or "")
    return re.sub(r"\s+", "", text_of(ElementTree.parse(chapter).getroot()))


def rendered_text(chapter: Path) -> str:
    """The chapter laid out by WeasyPrint, an engine that reads XHTML + CSS + SVG but not MathML."""
    import weasyprint

    pdf = chapter.with_suffix(".pdf")
    weasyprint.HTML(filename=str(chapter)).write_pdf(pdf)
    return pdf_text(pdf).replace(" ", ""), pdf


def test_without_mathml_formulas_show_as_pictures_not_run_together_text(book_outputs, tmp_path):
    """Section 4 (metrics, 128 formulas): in the MathML edition an engine without MathML runs the
    formulas' characters together (as «P(нечестная∣орёл)=1·11001·1100+…» for the coin problem) — the
    control that shows the check can fail — in the SVG edition none of that text appears and every
    path of every formula is drawn."""
    kindle = chapter_files(book_outputs / "book-kindle.epub", tmp_path / "kindle")["4"]
    samples = run_together_texts(kindle)
    assert len(samples) >= 20
    kindle_text, _ = rendered_text(kindle)
    assert sum(text in kindle_text for text in samples) >= 0.9 * len(samples)

    chapter = chapter_files(book_outputs / "book.epub", tmp_path / "epub")["4"]
    prose = prose_text(chapter)  # a formula's characters may also be written out in a sentence
    text, pdf = rendered_text(chapter)
    assert [sample for sample in samples if sample in text and sample not in prose] == []
    import pikepdf

    from tests.page_bounds import painted_path_count
    with pikepdf.open(pdf) as document:
        painted = sum(painted_path_count(page) for page in document.pages)
    assert painted >= chapter.read_text(encoding="utf-8").count("<path ")


FORMULAS = [r"\frac{1}{2}", r"r_{im} = -\partial L / \partial F",
            r"\hat\theta = \arg\max_\theta \sum_{i=1}^n \log p(x_i \mid \theta)",
            r"\left(1 - \frac{1}{n}\right)^n \xrightarrow[n\to\infty]{} e^{-1}"]


@pytest.mark.parametrize("latex", FORMULAS)
def test_inline_svg_draws_what_ziamath_draws(latex, tmp_path, monkeypatch):
    """The SVG with glyphs drawn in place is pixel for pixel ziamath's own path-only drawing."""
    import numpy as np
    import weasyprint
    import ziamath

    ours = str(math.inline_svg(latex, True)).replace("currentColor", "black")
    monkeypatch.setattr(ziamath.config, "svg2", False)
    width, height, _ = math.svg_box(math.svg(latex, True))
    theirs = ziamath.Latex(latex, size=math.SIZE, inline=False).svg()
    theirs = re.sub(r'width="[^"]*" height="[^"]*"', f'width="{width:.3f}em" height="{height:.3f}em"', theirs, 1)
    pictures = []
    for name, svg in (("ours", ours), ("theirs", theirs)):
        html = f'<html><body style="margin:0;font-size:40px">{svg}</body></html>'
        weasyprint.HTML(string=html).write_pdf(tmp_path / f"{name}.pdf")
        subprocess.run(["pdftoppm", "-gray", "-r", "72", "-singlefile", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
        pictures.append(_read_pgm(tmp_path / f"{name}.pgm"))
    assert (pictures[0] < 128).sum() > 100  # something is drawn
    difference = np.abs(pictures[0].astype(int) - pictures[1].astype(int))
    # Both round coordinates to 0.001 of a unit, at different stages: anti-aliasing may differ a little.
    assert difference.max() <= 48 and (difference > 8).sum() <= 0.01 * (pictures[0] < 250).sum()


def _read_pgm(path: Path):
    import numpy as np

    header, width_height, depth, data = path.read_bytes().split(b"\n", 3)
    width, height = (int(v) for v in width_height.split())
    return np.frombuffer(data, dtype=np.uint8)[:width * height].reshape(height, width)


def test_inline_svg_is_self_contained_and_follows_the_text():
    svg = str(math.inline_svg(r"\sigma(x) = \frac{1}{1+e^{-x}}", False))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="math"')
    assert 'aria-label="\\sigma(x) = \\frac{1}{1+e^{-x}}"' in svg and "<title>\\sigma(x)" in svg
    assert re.search(r'width="[\d.]+em" height="[\d.]+em"', svg)
    assert " id=" not in svg and "<use" not in svg and "href" not in svg
    assert set(re.findall(r'fill="([^"]*)"', svg)) == {"currentColor"}
    hidden = str(math.inline_svg("x", False, labelled=False))
    assert 'aria-hidden="true"' in hidden and "aria-label" not in hidden and "<title>" not in hidden


@pytest.mark.parametrize("latex, pieces", [
    (r"a, \qquad b.", [("", "a,"), ("\u2003\u2003", "b.")]),
    (r"\text{a \quad b} \quad c", [("", r"\text{a \quad b}"), ("\u2003\u2003", "c")]),
    (r"\left( x \quad y \right) \qquad z", [("", r"\left( x \quad y \right)"), ("\u2003\u2003", "z")]),
    (r"\{a\} \qquad \{b\}", [("", r"\{a\}"), ("\u2003\u2003", r"\{b\}")]),
    (r"x \quadrature", [("", r"x \quadrature")]),
    (r"x = y", [("", "x = y")]),  # narrow: not cut at the relation
    (r"P(H) = P(H \mid F) P(F) + P(H \mid \bar F) P(\bar F) = \frac{1}{100} + \frac{99}{200} = \frac{101}{200}",
     [("", "P(H)"), (" ", r"= P(H \mid F) P(F) + P(H \mid \bar F) P(\bar F)"),
      (" ", r"= \frac{1}{100} + \frac{99}{200}"), (" ", r"= \frac{101}{200}")]),
    (r"\begin{aligned} a &= \operatorname{something}(x_1, x_2, x_3, x_4, x_5, x_6, x_7, x_8) \\ b &= 2 \end{aligned}",
     [("", "a"), (" ", r"= \operatorname{something}(x_1, x_2, x_3, x_4, x_5, x_6, x_7, x_8)"),
      ("<br/>", "b  = 2")]),
])
def test_display_formulas_break_where_a_narrow_screen_may(latex, pieces):
    assert math.display_pieces(latex) == pieces


@NEEDS_CALIBRE
def test_nothing_runs_off_a_six_inch_page_in_calibre(book_outputs, tmp_path):
    """book.epub through calibre's reading engine at a 6-inch screen's 9 × 12 cm and a 14 pt font:
    every word and every drawn path (formulas, rules) stays inside the page's text area, and the text
    keeps its size (calibre shrinks a whole page whose content is too wide to fit, which would hide
    an overflow)."""
    pdf = tmp_path / "six-inch.pdf"
    margin = 14.0
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox")
    subprocess.run(["ebook-convert", str(book_outputs / "book.epub"), str(pdf), "--custom-size", "90x120",
                    "--unit", "millimeter", "--pdf-default-font-size", "19", "--pdf-mono-font-size", "16"]
                   + [arg for side in ("left", "right", "top", "bottom")
                      for arg in (f"--pdf-page-margin-{side}", str(margin))],
                   check=True, capture_output=True, env=environment, timeout=600)
    width, font_size = 90 / 25.4 * 72, 19 * 0.75
    text = pdf_text(pdf)
    found = words(pdf)
    assert median_word_height(found) >= font_size
    assert BOOK.questions[-1].text in text and "Коротко." in text
    assert words_outside(found, margin, width - margin) == []
    assert paths_outside(pdf, margin, width - margin) == []


@pytest.mark.parametrize("name", ["book.epub", "book-kindle.epub"])
def test_every_link_inside_the_epub_leads_somewhere(book_outputs, tmp_path, name):
    """Contents, a chapter's list of its questions, see-also and back links: every internal link
    names a file of the book and an id in it."""
    chapter_files(book_outputs / name, tmp_path)
    documents = {path.name: ElementTree.parse(path).getroot() for path in (tmp_path / "EPUB").glob("*.xhtml")}
    ids = {name: {element.get("id") for element in root.iter() if element.get("id")}
           for name, root in documents.items()}
    links = [(name, element.get("href")) for name, root in documents.items() for element in root.iter()
             if element.tag.endswith("}a") and element.get("href")]
    internal = [(source, href) for source, href in links if not re.match(r"[a-z]+:", href)]
    assert len(internal) > 2 * len(BOOK.questions)
    for source, href in internal:
        target, _, fragment = href.partition("#")
        target = target or source
        assert target in ids and (not fragment or fragment in ids[target]), (source, href)
    chapter = documents["section-1.xhtml"]
    back = [a for a in chapter.iter() if a.tag.endswith("}a") and a.get("href") == "#q-1"]
    assert len(back) == len(BOOK.sections[0].questions)
