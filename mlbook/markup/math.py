"""LaTeX formulas: SVG for the PDF and the e-ink EPUB (ziamath), MathML for the Kindle EPUB and the
web edition (latex2mathml), both cached."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import latex2mathml.converter
import ziamath
from markupsafe import Markup, escape

from mlbook import workers
from mlbook import cache
from mlbook.files import write_text_atomically

SIZE = 20.0
"""Font size ziamath renders at; the SVG is then scaled to the text size in em."""
_UNKNOWN_COMMAND = re.compile(r">\\([A-Za-z]+)<")
_FORBIDDEN = re.compile(r"\\(?:newcommand|renewcommand|def|input|include|require|href|url|style|class|cssId|"
                        r"attr|data|bbox|mathtip|toggle|tooltip|unicode|mmlToken)\b")
"""Commands that load, define or run something, or write CSS and attributes into the outputs."""
_COLOR = re.compile(r"\\(?:color|textcolor|colorbox|fcolorbox|pagecolor)\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}")
_COLOR_VALUE = re.compile(r"^\s*(?:[A-Za-z]+|#[0-9A-Fa-f]{3,8})\s*$")
_DIMENSION = re.compile(r"(?<![\d.])(-?(?:\d++(?:\.\d*+)?|\.\d++))\s*+(pt|em|ex|cm|mm|in|px|mu|bp|pc|dd|cc|sp)\b")
"""A size: `100000pt`, `-.5em` (each digit read once: a run of digits is not tried at every split)."""
_EM_PER_UNIT = {"pt": 0.1, "em": 1, "ex": 0.5, "cm": 2.85, "mm": 0.285, "in": 7.2, "px": 0.0625, "mu": 1 / 18,
                "bp": 0.1, "pc": 1.2, "dd": 0.107, "cc": 1.28, "sp": 0.1 / 65536}
MAX_DIMENSION_EM = 20
"""The largest rule, space or kern a formula may ask for (a page is about 40 em wide)."""
MAX_GROUP_DEPTH = 8
"""The deepest nesting of {…} groups (the book's formulas use 4; each level multiplies ziamath's work)."""
_BARE_AMPERSAND = re.compile(r"&(?!#?\w+;)")
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')


class MathError(ValueError):
    """A formula that cannot be rendered; the message says why."""


def _refuse_unsafe(latex: str) -> None:
    """Raise MathError for a formula that must not be rendered: a forbidden command, a colour that is
    not a colour, a space or rule beyond MAX_DIMENSION_EM, groups nested beyond MAX_GROUP_DEPTH."""
    forbidden = _FORBIDDEN.search(latex)
    if forbidden:
        raise MathError(f"'{forbidden.group()}' is not allowed in formulas")
    for color in _COLOR.finditer(latex):
        if not _COLOR_VALUE.match(color.group(1)):
            raise MathError(f"'{color.group(1)[:40]}' is not a colour (a name such as red, or #rrggbb)")
    for size in _DIMENSION.finditer(latex):
        if abs(float(size.group(1))) * _EM_PER_UNIT[size.group(2)] > MAX_DIMENSION_EM:
            raise MathError(f"'{size.group()}' is larger than a formula may be ({MAX_DIMENSION_EM} em)")
    depth = deepest = 0
    for char in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_GROUP_DEPTH:
        raise MathError(f"{{…}} groups nested {deepest} deep; at most {MAX_GROUP_DEPTH}")


def check(latex: str, display: bool) -> None:
    """Raise MathError if either renderer rejects the formula."""
    mathml(latex, display)
    svg(latex, display)


@lru_cache(maxsize=None)
def mathml(latex: str, display: bool) -> Markup:
    """MathML for the EPUB, with the LaTeX source as alternative text (checked once, then cached)."""
    _refuse_unsafe(latex)
    cached = cache.entry("math", ".mathml", cache.versions("latex2mathml"), str(display), latex)
    return Markup(cache.cached_text(cached, lambda: _checked_mathml(latex, display)))


def _checked_mathml(latex: str, display: bool) -> Markup:
    try:
        result = latex2mathml.converter.convert(latex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many unrelated types on bad input
        raise MathError(f"formula does not parse: {_describe(exc)}") from None
    unknown = _UNKNOWN_COMMAND.search(result)
    if unknown:
        raise MathError(f"unknown LaTeX command '\\{unknown.group(1)}' in formula")
    # latex2mathml leaves a stray alignment '&' unescaped; the EPUB needs well-formed XML.
    result = _BARE_AMPERSAND.sub("&amp;", result)
    try:
        ElementTree.fromstring(result)
    except ElementTree.ParseError as exc:
        raise MathError(f"formula gives malformed MathML ({exc})") from None
    return Markup(result.replace("<math ", f'<math alttext="{attribute(latex)}" ', 1))


def mathml_in_display_style(latex: str) -> Markup:
    """MathML of one part of a display formula: laid out in display style, but inline, so that the
    parts sit side by side where the line has room and wrap where it has not."""
    return Markup(str(mathml(latex, True)).replace('display="block"', 'display="inline" displaystyle="true"', 1))


def render_missing(formulas: list[tuple[str, bool]]) -> None:
    """Render the formulas not in the disk cache yet on all cores; errors show when they are checked."""
    missing = sorted({(latex.strip(), display) for latex, display in formulas
                      if not _cache_path(latex.strip(), display).is_file()})
    if len(missing) < MIN_PARALLEL:
        return
    tasks = workers.count(len(missing))
    for _ in workers.run_unordered(_render_quietly, missing, tasks, chunksize=16):
        pass


MIN_PARALLEL = 32
"""Fewer formulas than this are rendered in the build's own process (starting workers costs more)."""


def _render_quietly(formula: tuple[str, bool]) -> None:
    try:
        svg(*formula)
    except MathError:
        pass


def _cache_path(latex: str, display: bool) -> Path:
    return cache.entry("math", ".svg", cache.versions("ziamath", "ziafont"), str(SIZE), str(display), latex)


@lru_cache(maxsize=None)
def svg(latex: str, display: bool) -> str:
    """SVG text for the PDF, read from the disk cache when this formula was rendered before."""
    return cache.cached_text(_cache_path(latex, display), lambda: _rendered_svg(latex, display))


def svg_file(latex: str, display: bool) -> Path:
    """The formula's SVG file in the disk cache, for the PDF to embed (written again if it is gone)."""
    path = _cache_path(latex, display)
    if not path.is_file():
        write_text_atomically(path, svg(latex, display))
    return path.resolve()


def _rendered_svg(latex: str, display: bool) -> str:
    _refuse_unsafe(latex)
    try:
        return ziamath.Latex(latex, size=SIZE, inline=not display).svg()
    except Exception as exc:  # ziamath's parser raises many unrelated types on bad input
        raise MathError(f"formula does not parse: {_describe(exc)}") from None


def svg_box(svg_text: str) -> tuple[float, float, float]:
    """(width, height, depth below the baseline) of a ziamath SVG, in em of the text size."""
    match = _VIEWBOX.search(svg_text)
    _, top, width, height = (float(v) for v in match.groups())
    return width / SIZE, height / SIZE, (height + top) / SIZE


def attribute(text: str) -> Markup:
    """`text` escaped for an XML attribute, line breaks kept (a parser turns a bare one into a space)."""
    return Markup(str(escape(text)).replace("\n", "&#10;"))


def inline_svg(latex: str, display: bool, labelled: bool = True) -> Markup:
    """The formula's SVG made to sit inside an XHTML page of a reflowable e-book.

    Every glyph is drawn in place (a path under a transform) instead of ziamath's `<symbol>` + `<use>`:
    symbol ids would repeat across the formulas of one chapter, which XHTML forbids, and older reading
    engines (Adobe RMSDK, old WebKit) draw `<use>` with SVG 2's plain `href` poorly or not at all. Paint
    is `currentColor`, so the formula follows the text's colour in a reader's night mode; the size is in
    em (attributes, not CSS: converters such as calibre's rewrite an SVG's CSS size to `auto`), so it
    follows the reader's font size; the LaTeX is its accessible name (`role="math"` with `aria-label`,
    as the EPUB accessibility guidelines do for math, and a `<title>` for readers that only know SVG's
    own); `labelled=False` leaves the name to an enclosing element and hides the picture from
    assistive technology instead. The baseline shift is left to the caller (see `svg_box`).
    """
    source = svg(latex, display)
    width, height, _ = svg_box(source)
    root = ElementTree.fromstring(source)
    shapes = "".join(_drawn_in_place(root))
    if labelled:
        name, title = f'role="math" aria-label="{attribute(latex)}"', f"<title>{escape(latex)}</title>"
    else:
        name, title = 'aria-hidden="true"', ""
    return Markup(f'<svg xmlns="{_SVG}" {name} width="{width:.3f}em" height="{height:.3f}em"'
                  f' viewBox="{root.get("viewBox")}">{title}{shapes}</svg>')


def display_pieces(latex: str) -> list[tuple[str, str]]:
    """A display formula cut where a narrow screen may break it, as (gap before, piece) pairs: the rows
    of a wide `aligned`/`gathered` block (gap: a line break, the alignment given up), its top-level
    `\\quad` and `\\qquad` (gap: two em spaces); a part still wider than NARROW_LINE em also before
    each top-level relation (=, ≤, ≈, …), and one wider still before each top-level + and − (gap: a
    space), the way TeX breaks inline math. Top level: outside braces, `\\left…\\right` and
    environments. A formula with no such place is one piece; a part that does not render on its own
    raises MathError."""
    pieces = []
    for row_index, row in enumerate(_rows(latex) if _wide(latex) else [latex]):
        for index, part in enumerate(_cut(row, lambda token: token.endswith("quad"), keep=False)):
            gap = LINE_BREAK if row_index and not index else QUAD_GAP if index else ""
            cuts = [part]
            for breaks in (_RELATIONS, _OPERATORS):
                cuts = [piece for cut in cuts for piece in
                        (_cut(cut, breaks.__contains__, keep=True) if _wide(cut) else [cut])]
            pieces += [(gap if i == 0 else " ", cut) for i, cut in enumerate(cuts)]
    return pieces


LINE_BREAK, QUAD_GAP = "<br/>", "\u2003\u2003"
_ROWS = re.compile(r"\s*\\begin\{(aligned|gathered)\}(.*)\\end\{\1\}\s*", re.DOTALL)


def _rows(latex: str) -> list[str]:
    """The rows of a formula that is one `aligned` or `gathered` block, without their `&`; else the
    formula itself."""
    block = _ROWS.fullmatch(latex)
    if not block:
        return [latex]
    rows = _cut(block.group(2), lambda token: token == "\\\\", keep=False)
    return [row.replace("&", " ") if "\\begin" not in row else row for row in rows]


def _wide(latex: str) -> bool:
    return svg_box(svg(latex, True))[0] > NARROW_LINE


NARROW_LINE = 16.0
"""Width in em of a 6-inch e-reader's line at a 14 pt font (≈ 8 cm of text)."""
_RELATIONS = {"=", "<", ">", "\\le", "\\leq", "\\ge", "\\geq", "\\approx", "\\ne", "\\neq",
              "\\equiv", "\\sim", "\\propto", "\\to", "\\leftarrow", "\\Rightarrow"}
_OPERATORS = {"+", "-"}
_GROUPING = re.compile(r"\\\\|\\[{}]|\\(?:q?quad|left|right|begin|end|[lg]eq?|approx|neq?|equiv|sim|propto|to"
                       r"|leftarrow|Rightarrow)(?![A-Za-z])|[{}=<>+-]")


def _cut(latex: str, is_break, keep: bool) -> list[str]:
    """`latex` cut before every top-level token for which `is_break` holds (the token dropped, or kept
    at the start of the next piece); the whole formula where a group is left open."""
    pieces, depth, start = [], 0, 0
    for token in _GROUPING.finditer(latex):
        text = token.group()
        if text in ("{", "\\left", "\\begin"):
            depth += 1
        elif text in ("}", "\\right", "\\end"):
            depth -= 1
        elif depth == 0 and is_break(text) and latex[start:token.start()].strip():
            pieces.append(latex[start:token.start()])
            start = token.start() if keep else token.end()
    pieces.append(latex[start:])
    pieces = [piece.strip() for piece in pieces if piece.strip()]
    return pieces if depth == 0 and pieces else [latex.strip()]


_SVG = "http://www.w3.org/2000/svg"


def _drawn_in_place(root: ElementTree.Element):
    """The shapes of a ziamath SVG with each `<use>` of a `<symbol>` replaced by the symbol's paths
    under the transform `<use>` implies (viewBox → x, y, width, height; preserveAspectRatio's default,
    xMidYMid meet), all painted in currentColor."""
    symbols = {el.get("id"): el for el in root if _tag(el) == "symbol"}
    for element in root:
        tag = _tag(element)
        if tag == "rect":
            yield _empty_tag("rect", element, ("x", "y", "width", "height"))
        elif tag == "path":
            yield _empty_tag("path", element, ("d",))
        elif tag == "use":
            symbol = symbols.get(element.get("href") and element.get("href").lstrip("#"))
            transform = _use_transform(element, symbol) if symbol is not None else None
            if transform is not None:
                paths = "".join(_empty_tag("path", path, ("d",)) for path in symbol.iter()
                                if _tag(path) == "path")
                yield f'<g transform="{transform}">{paths}</g>'
        elif tag != "symbol":
            raise MathError(f"unexpected <{tag}> in ziamath's SVG")


def _use_transform(use: ElementTree.Element, symbol: ElementTree.Element) -> str | None:
    vx, vy, vw, vh = (float(v) for v in symbol.get("viewBox").split())
    x, y, w, h = (float(use.get(name, "0")) for name in ("x", "y", "width", "height"))
    if min(vw, vh, w, h) <= 0:
        return None  # an empty glyph (a space): nothing to draw
    scale = min(w / vw, h / vh)
    dx = x + (w - vw * scale) / 2 - vx * scale
    dy = y + (h - vh * scale) / 2 - vy * scale
    return f"translate({dx:.6g} {dy:.6g}) scale({scale:.6g})"


def _empty_tag(name: str, element: ElementTree.Element, attributes: tuple[str, ...]) -> str:
    values = "".join(f' {a}="{escape(element.get(a))}"' for a in attributes if element.get(a) is not None)
    return f'<{name}{values} fill="currentColor"/>'


def _tag(element: ElementTree.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    if not text:
        return f"{type(exc).__name__} (an unclosed brace, or a command without its argument?)"
    return text.splitlines()[0][:160]
