"""LaTeX formulas: SVG for the PDF (ziamath), MathML for the EPUB (latex2mathml), both cached."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import latex2mathml.converter
import ziamath
from markupsafe import Markup, escape

from . import workers
from .files import cache_file, cached_text
from .text import cache_root

SIZE = 20.0
"""Font size ziamath renders at; the SVG is then scaled to the text size in em."""
CACHE_DIR = cache_root() / "math"
_UNKNOWN_COMMAND = re.compile(r">\\([A-Za-z]+)<")
_FORBIDDEN = re.compile(r"\\(?:newcommand|renewcommand|def|input|include|require|href|url)\b")
_BARE_AMPERSAND = re.compile(r"&(?!#?\w+;)")
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')


class MathError(ValueError):
    """A formula that cannot be rendered; the message says why."""


def check(latex: str, display: bool) -> None:
    """Raise MathError if either renderer rejects the formula."""
    mathml(latex, display)
    svg(latex, display)


@lru_cache(maxsize=None)
def mathml(latex: str, display: bool) -> Markup:
    """MathML for the EPUB, with the LaTeX source as alternative text (checked once, then cached)."""
    forbidden = _FORBIDDEN.search(latex)
    if forbidden:
        raise MathError(f"'{forbidden.group()}' is not allowed in formulas")
    cached = cache_file(CACHE_DIR, ".mathml", latex2mathml.__version__, str(display), latex)
    return Markup(cached_text(cached, lambda: _checked_mathml(latex, display)))


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
    return Markup(result.replace("<math ", f'<math alttext="{escape(latex)}" ', 1))


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
    return cache_file(CACHE_DIR, ".svg", ziamath.__version__, str(SIZE), str(display), latex)


@lru_cache(maxsize=None)
def svg(latex: str, display: bool) -> str:
    """SVG text for the PDF, read from the disk cache when this formula was rendered before."""
    return cached_text(_cache_path(latex, display), lambda: _rendered_svg(latex, display))


def _rendered_svg(latex: str, display: bool) -> str:
    try:
        return ziamath.Latex(latex, size=SIZE, inline=not display).svg()
    except Exception as exc:  # ziamath's parser raises many unrelated types on bad input
        raise MathError(f"formula does not parse: {_describe(exc)}") from None


def svg_box(svg_text: str) -> tuple[float, float, float]:
    """(width, height, depth below the baseline) of a ziamath SVG, in em of the text size."""
    match = _VIEWBOX.search(svg_text)
    _, top, width, height = (float(v) for v in match.groups())
    return width / SIZE, height / SIZE, (height + top) / SIZE


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    if not text:
        return f"{type(exc).__name__} (an unclosed brace, or a command without its argument?)"
    return text.splitlines()[0][:160]
