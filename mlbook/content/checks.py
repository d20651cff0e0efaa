"""The checks of answers that need their Markdown read: links, formulas, figures, code blocks, key points.

`load` runs them for every question; formulas and figures are collected first and checked together
(`DeferredChecks`), so that rendering what the cache does not hold yet runs on all cores."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it.token import Token

from mlbook.errors import Problems
from mlbook.markup import figures, math
from mlbook.markup.markdown import fence_info, parse_for_reading, parse_inline
from mlbook.model import Location, Question


class DeferredChecks:
    """Formulas and figures of the whole book, checked together so that the slow part — rendering
    what is not in the cache yet — runs on all cores."""

    def __init__(self, scripts: bool = False) -> None:
        self.scripts = scripts
        """Whether figure scripts may run (the bank's `figure_scripts: true`)."""
        self.formulas: list[tuple[str, bool, Location]] = []
        self.figures: list[tuple[Token, Question, Path, Location]] = []

    def run(self, problems: Problems) -> None:
        math.render_missing([(latex, display) for latex, display, _ in self.formulas])
        figures.materialize_all([figures.resolve_quietly(str(image.attrs.get("src", "")),
                                                         question.source.path, root, self.scripts)
                                 for image, question, root, _ in self.figures])
        for latex, display, where in self.formulas:
            _check_math(latex, display, where, problems)
        for image, question, root, where in self.figures:
            _check_figure(image, question, root, where, problems, self.scripts)


def check_body(question: Question, content_root: Path, known_ids: set[str], problems: Problems,
               deferred: DeferredChecks) -> None:
    """Report every link to a question or figure in the answer that would not resolve; collect its
    formulas and figures in `deferred`, whose `run` checks them for the whole book at once."""
    for point in question.key_points:
        for token in parse_inline(point):
            for child in token.children or []:
                if child.type.startswith("math_inline"):
                    deferred.formulas.append((child.content, False, question.source))
    for token in parse_for_reading(question.body):
        line = question.body_line + (token.map[0] if token.map else 0)
        where = Location(question.source.path, line)
        if token.type == "math_block":
            deferred.formulas.append((token.content, True, where))
        elif token.type == "fence" and fence_info(token.info)[1] == "":
            problems.add(where, "a code block marked 'norun:' needs the reason it is not run after it,"
                         " e.g. ```python norun: needs a GPU")
        for child in token.children or []:
            if child.type == "math_inline" or child.type == "math_inline_double":
                deferred.formulas.append((child.content, child.type == "math_inline_double", where))
            elif child.type == "image":
                deferred.figures.append((child, question, content_root, where))
            elif child.type == "text" and "](" in child.content:
                _check_refused_images(child.content, question, content_root, where, problems)
            elif child.type == "link_open" and str(child.attrs.get("href", "")).startswith("#"):
                target = str(child.attrs["href"])[1:]
                if target not in known_ids:
                    kind = "figure" if target.startswith("fig:") else "question"
                    hint = "a figure's file name without .svg" if kind == "figure" else "a question id"
                    problems.add(where, f"link to unknown {kind} '#{target}' (use {hint})")


_LATEX_IN_TEXT = re.compile(r"\\[a-zA-Z]+|\w_\{|\^")
"""What only LaTeX writes: a command, a braced subscript, a superscript."""


def stray_markup(point: str) -> str | None:
    """What in a key point would print as source rather than as meant: LaTeX outside `$…$`, or
    emphasis made by underscores (a name like `__init__` outside backticks); None when there is none."""
    for child in (child for token in parse_inline(point) for child in token.children or []):
        found = _LATEX_IN_TEXT.search(child.content) if child.type == "text" else None
        if found:
            return f"LaTeX outside $…$ («{found.group()}»): put the formula between $ and $"
        if child.type in ("em_open", "strong_open") and child.markup.startswith("_"):
            return "emphasis made by '_': write names with underscores in `backticks`"
    return None


def _check_math(latex: str, display: bool, where: Location, problems: Problems) -> None:
    try:
        math.check(latex.strip(), display)
    except math.MathError as exc:
        problems.add(where, f"{exc}: ${latex.strip()[:80]}$")


def _check_figure(image: Token, question: Question, root: Path, where: Location,
                  problems: Problems, scripts: bool) -> None:
    if not image.content.strip():
        problems.add(where, f"figure '{image.attrs.get('src')}' has no alt text: write what it"
                     " shows inside ![...]")
    try:
        figures.materialize(figures.resolve(str(image.attrs.get("src", "")), question.source.path, root,
                                            scripts))
    except figures.FigureError as exc:
        problems.add(where, str(exc))


_IMAGE_SYNTAX = re.compile(r"!\[[^\[\]]*+\]\(\s*+<?([^()\s<>]++)>?(?:\s++\"[^\"]*+\")?\s*+\)")
"""`![alt](src)` left as text by the parser; linear (no part of it spans a bracket or parenthesis)."""


def _check_refused_images(text: str, question: Question, root: Path, where: Location,
                          problems: Problems) -> None:
    """Images the Markdown parser refused (`file:`, `data:` URLs) are errors, not silent text."""
    for src in _IMAGE_SYNTAX.findall(text):
        try:
            figures.resolve(src, question.source.path, root)
        except figures.FigureError as exc:
            problems.add(where, str(exc))
