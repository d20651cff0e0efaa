"""Where ink lands on the pages of a PDF: words (poppler's pdftotext -bbox) and painted vector paths
(pikepdf, with the transformation matrix tracked), to tell whether anything runs off a page's text area."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf

PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"}
_GEOMETRY = " ".join(["q", "Q", "cm", "m", "l", "c", "v", "y", "re", "n", *PAINT])
"""The operators that place and paint paths: parsing only these skips the text (twice as fast)."""
_WORD = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>')


@dataclass(frozen=True)
class Overflow:
    page: int
    """1-based page number."""
    what: str
    left: float
    right: float


@dataclass(frozen=True)
class Word:
    page: int
    left: float
    top: float
    right: float
    bottom: float
    text: str


def words(pdf: Path) -> list[Word]:
    """Every word of the PDF with its box in points (poppler's pdftotext -bbox)."""
    listing = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                             text=True).stdout
    return [Word(number, float(x0), float(y0), float(x1), float(y1), text)
            for number, page in enumerate(listing.split("<page ")[1:], start=1)
            for x0, y0, x1, y1, text in _WORD.findall(page)]


def words_outside(found: list[Word], left: float, right: float, tolerance: float = 1.0) -> list[Overflow]:
    """Words whose box starts left of `left` or ends right of `right` (points from the page's left edge)."""
    return [Overflow(word.page, word.text, word.left, word.right) for word in found
            if word.left < left - tolerance or word.right > right + tolerance]


def median_word_height(found: list[Word]) -> float:
    """The median height of the words' boxes, in points: about 1.1 × the body text's font size."""
    import statistics

    return statistics.median(word.bottom - word.top for word in found)


def paths_outside(pdf: Path, left: float, right: float, tolerance: float = 1.0) -> list[Overflow]:
    """Painted vector paths (formulas drawn as SVG, rules, borders) reaching past `left` or `right`."""
    found = []
    with pikepdf.open(pdf) as document:
        for number, page in enumerate(document.pages, start=1):
            for x_min, x_max in _painted_extents(page):
                if x_min < left - tolerance or x_max > right + tolerance:
                    found.append(Overflow(number, "path", x_min, x_max))
    return found


def _painted_extents(page: pikepdf.Page):
    """(x_min, x_max) in page space of every painted path on the page, form XObjects not followed."""
    matrix, stack, points = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], []
    for operands, operator in pikepdf.parse_content_stream(page, _GEOMETRY):
        op = str(operator)
        if op == "q":
            stack.append(matrix)
        elif op == "Q":
            matrix = stack.pop() if stack else matrix
        elif op == "cm":
            matrix = _multiply(tuple(float(v) for v in operands), matrix)
        elif op in ("m", "l", "c", "v", "y"):
            values = [float(v) for v in operands]
            points += [_apply(matrix, values[i], values[i + 1]) for i in range(0, len(values), 2)]
        elif op == "re":
            x, y, w, h = (float(v) for v in operands)
            points += [_apply(matrix, x, y), _apply(matrix, x + w, y + h),
                       _apply(matrix, x + w, y), _apply(matrix, x, y + h)]
        elif op in PAINT or op == "n":
            if op in PAINT and points:
                xs = [p[0] for p in points]
                yield min(xs), max(xs)
            points = []


def _multiply(a, b):
    """The matrix of `a` applied before `b` (PDF's [a b c d e f] convention)."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (a0 * b0 + a1 * b2, a0 * b1 + a1 * b3, a2 * b0 + a3 * b2, a2 * b1 + a3 * b3,
            a4 * b0 + a5 * b2 + b4, a4 * b1 + a5 * b3 + b5)


def _apply(m, x, y):
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def painted_path_count(page: pikepdf.Page) -> int:
    """How many vector paths the page paints, in its content and in the form XObjects it draws."""
    return _painted_in(page.obj, set())


def _painted_in(holder: pikepdf.Object, seen: set) -> int:
    count = 0
    forms = holder.get("/Resources", {}).get("/XObject", {})
    for operands, operator in pikepdf.parse_content_stream(holder):
        op = str(operator)
        if op in PAINT:
            count += 1
        elif op == "Do":
            form = forms.get(str(operands[0]))
            if form is not None and form.get("/Subtype") == "/Form" and form.objgen not in seen:
                seen.add(form.objgen)
                count += _painted_in(form, seen)
    return count
