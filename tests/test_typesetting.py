"""Formulas, figures, line breaks and the PDF's structure: rendered once, cached, tagged."""

from __future__ import annotations

import html as entities
import re

import pytest
import weasyprint
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pypdf import PdfReader

from mlbook.markup import figures, markdown, math
from mlbook.pdf import line_breaks
from tests.codeblocks import code_blocks
from mlbook.content.load import load
from mlbook.markup.markdown import AnswerRenderer
from tests.conftest import CONTENT, SAMPLE
from tests.pdftext import page_lines


def test_a_formula_is_rendered_once_then_read_from_the_disk_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path))
    math.svg.cache_clear()
    first = math.svg(r"\text{Кэш}\ x^{42}", False)
    assert len(list(tmp_path.rglob("*.svg"))) == 1
    math.svg.cache_clear()
    monkeypatch.setattr(math.ziamath, "Latex", lambda *a, **k: pytest.fail("formula rendered twice"))
    assert math.svg(r"\text{Кэш}\ x^{42}", False) == first
    math.svg.cache_clear()


def test_the_print_html_embeds_a_formula_as_its_cached_file_written_again_when_gone(tmp_path, monkeypatch):
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path))
    math.svg.cache_clear()
    renderer = AnswerRenderer("print", tmp_path, "ru", {}, lambda q: "")
    html = renderer.math_html(r"x^{2}", False)
    [path] = tmp_path.rglob("*.svg")
    assert f'src="mlbook-cache:{path.relative_to(tmp_path).as_posix()}"' in html and "data:" not in html
    path.unlink()  # the cache emptied while the formula is still remembered in memory (`make serve`)
    assert renderer.math_html(r"x^{2}", False) == html
    assert path.read_text(encoding="utf-8") == math.svg(r"x^{2}", False)
    math.svg.cache_clear()


def test_cyrillic_text_in_formulas_renders_as_glyphs_not_boxes():
    svg = math.svg(r"\text{где } x", True)
    assert svg.count("<path") == 4  # г, д, е and x are drawn as outlines (the space is not)


def test_no_display_formula_of_the_book_is_taller_than_a_tenth_of_a_page():
    """ziamath stretched the \\left( … \\right) around a sum with a subscripted set to 148 em, a formula
    that took a page of its own (gradient accumulation); the book's tallest is under 8 em."""
    heights = {}
    for question in load(CONTENT).questions:
        for formula in re.findall(r"\$\$(.+?)\$\$", question.body, re.DOTALL):
            _, height, depth = math.svg_box(math.svg(formula.strip(), True))
            heights[f"{question.id}: {formula.strip()[:60]}"] = height + depth
    assert len(heights) > 100
    assert {name: round(h, 1) for name, h in heights.items() if h > 10} == {}


def test_no_page_of_the_book_is_left_with_a_heading_alone(book_outputs):
    """A code block of 40 lines or more may break across pages: kept whole, it moved to the next page and
    left the one before with nothing but the heading kept with it (three such pages in the book)."""
    thin = {number: lines[1:-1] for number, lines in enumerate(page_lines(book_outputs / "book.pdf"), start=1)
            if number > 1}  # without the running header and the page number
    assert {number: lines for number, lines in thin.items() if len(lines) < 3} == {}


def test_a_figure_script_runs_only_when_it_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "cache"))
    runs = tmp_path / "runs.txt"
    script = tmp_path / "plot.py"
    body = ("import sys\nopen({runs!r}, 'a').write('run\\n')\n"
            "open(sys.argv[1], 'w').write('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')\n# {tag}\n")
    script.write_text(body.format(runs=str(runs), tag="v1"), encoding="utf-8")
    target = tmp_path / "plot.svg"
    made = figures.materialize(target)
    assert figures.materialize(target) == made and runs.read_text().count("run") == 1
    script.write_text(body.format(runs=str(runs), tag="v2"), encoding="utf-8")
    assert figures.materialize(target) != made and runs.read_text().count("run") == 2


def test_pdf_is_tagged_with_title_and_language(sample_outputs):
    reader = PdfReader(sample_outputs / "book.pdf")
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    book = load(SAMPLE)
    assert str(root["/Lang"]) == book.language
    assert reader.metadata.title == book.title


def styled_characters(html: str, styled: set[str]) -> list[tuple[str, str | None]]:
    """Every character of highlighted code with the class that gives it a look (None: plain text)."""
    result = []
    for match in re.finditer(r'<span class="([^"]+)">([^<]*)</span>|([^<]+)', html):
        classes, text = match.group(1), match.group(2) if match.group(1) else match.group(3)
        look = None if classes is None else next((c for c in classes.split() if c in styled), None)
        result += [(ch, None if ch.isspace() else look) for ch in entities.unescape(text)]
    return result


def test_code_keeps_the_look_of_every_token_without_spans_that_have_none():
    css = markdown.pygments_css()
    styled = set(re.findall(r"\.highlight \.([\w-]+) \{", css))
    assert re.search(r"\.highlight \.w \{ color: #\w+ \}", css)  # whitespace: a colour only
    codes = [b.code for q in load(CONTENT).questions for b in code_blocks(q) if b.language == "python"]
    lexer = get_lexer_by_name("python")
    plain = HtmlFormatter(nowrap=True)
    spans = before = 0
    for code in codes:
        ours = markdown._highlighted(code, lexer, markdown._FORMATTER)
        theirs = highlight(code, lexer, plain)
        assert styled_characters(ours, styled) == styled_characters(theirs, styled)
        assert set(re.findall(r'<span class="([^"]+)"', ours)) <= styled
        spans, before = spans + ours.count("<span"), before + theirs.count("<span")
    assert len(codes) > 100 and spans < 0.5 * before


@pytest.mark.parametrize("before", [False, True])
def test_writing_a_pdf_leaves_weasyprints_logger_as_it_found_it(before, tmp_path):
    import logging

    from mlbook.pdf import write
    from mlbook.render import documents as render

    logger = logging.getLogger("weasyprint")
    logger.propagate = before
    try:
        book = load(SAMPLE)
        html, _ = render.render_print(book, render.Page("sheet", False))
        write.write_pdf(html, book, tmp_path / "sheet.pdf")
        assert logger.propagate is before
    finally:
        logger.propagate = True



_PARAGRAPH = 'font: 10.5pt/1.42 "PT Serif", serif; text-align: justify; hyphens: auto; margin: 0'


def _lines(body: str, width: float) -> list[str]:
    """The lines of a paragraph of the book's type `width` CSS pixels wide, as WeasyPrint breaks them."""
    page = f'<style>@page {{ size: 200mm 100mm; margin: 5mm; }} p {{ {_PARAGRAPH}; width: {width}px }}</style>'
    document = weasyprint.HTML(string=f'<html lang="ru"><head>{page}</head><body><p>{body}</p></body></html>').render()
    lines: list[str] = []

    def walk(box):
        if type(box).__name__ == "LineBox":
            lines.append("".join(getattr(text, "text", "") for text in box.descendants()).strip())
        for child in getattr(box, "children", ()):
            walk(child)

    walk(document.pages[0]._page_box)
    return lines


def _width_of(text: str) -> float:
    """How wide `text` is on one line, in CSS pixels."""
    page = f'<style>@page {{ size: 400mm 100mm; }} p {{ {_PARAGRAPH}; white-space: nowrap }}</style>'
    document = weasyprint.HTML(string=f'<html lang="ru"><head>{page}</head><body><p>{text}</p></body></html>').render()
    [line] = [box for box in document.pages[0]._page_box.descendants() if type(box).__name__ == "LineBox"]
    return max(child.position_x + child.width for child in line.descendants()) - line.position_x


TEXTS = ["Свёрточный слой применяет одно ядро ко всем позициям входа,",
         "одностадийный детектор, 43, 218–219, 222–223, 229;",
         "Вторая стадия (Faster/Mask R-CNN). Каждый RoI берёт признаки",
         "На каждом шаге оптимизатор обновляет веса модели по градиенту"]


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_that_fits_but_for_the_space_before_an_inline_element_stays_on_its_line(text):
    """A line exactly as wide as its words (the space after them does not fit): WeasyPrint 70 broke it
    after its first word when an inline element (`<i>`, `<code>`, a link) followed; with `line_breaks`
    installed the words stay together, as they do before plain text. The last assertion fails once
    WeasyPrint no longer breaks such lines early: then `line_breaks` is no longer needed."""
    width = _width_of(text) + 1  # a space is ≈ 3.6 px here: the words fit, the space after them does not
    rest = " слово и дальше обычный текст абзаца."
    assert _lines(text + rest, width)[0] == text
    with line_breaks.installed():
        assert _lines(f"{text} <span>слово</span>{rest[6:]}", width)[0] == text
    assert _lines(f"{text} <span>слово</span>{rest[6:]}", width)[0] != text, \
        "WeasyPrint keeps these words on their line by itself now: mlbook/pdf/line_breaks.py can go"
