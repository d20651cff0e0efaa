"""WeasyPrint's line breaking, with a text that fits but for its trailing space kept on its line.

WeasyPrint 70 lays out the text between two inline elements ("…, 229; " before `<i>см. также</i>`, or
"…, где " before `<code>`) as one text box. When the box's words fit on the line and only its final
space does not, `split_first_line` takes the line for one that cannot be broken and starts again from
its first word: the line ends after that word (or a hyphenated half of it), and the rest goes to the
next line — «одностадийный» alone on a line of the index, a short line stretched by justification in an
answer. Trailing spaces collapse at the end of a line (CSS Text 3, "hang"): such a text fits. Here it is
laid out whole, as WeasyPrint does when the space fits too; every other line is broken as before.
Installed in the processes that lay out the book (`installed`).
"""

from __future__ import annotations

from contextlib import contextmanager
from math import inf

import weasyprint.layout.inline
from weasyprint.text.line_break import create_layout, line_size, split_first_line

NARROWEST_CHARACTER_EM = 0.2
"""No character of the book's fonts is narrower (a space is ≈ 0.25 em): a text longer than the width
over this cannot fit in it, and is not measured again."""
_COLLAPSING = ("normal", "nowrap", "pre-line")


def split_first_line_keeping_trailing_space(text, style, context, max_width, justification_spacing,
                                            is_line_start=True, minimum=False):
    """`split_first_line`, except that a text whose words fit in `max_width` is one line."""
    result = split_first_line(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    resume_index = result[2]
    if resume_index is not None and not minimum and _fits_but_for_trailing_space(
            text, style, context, max_width, justification_spacing):
        return split_first_line(text, style, context, inf, justification_spacing, is_line_start, minimum)
    return result


def _fits_but_for_trailing_space(text, style, context, max_width, justification_spacing) -> bool:
    words = text.rstrip(" ")
    if (words == text or not words or "\n" in words or max_width is None or max_width == inf
            or style["white_space"] not in _COLLAPSING
            or len(words) * NARROWEST_CHARACTER_EM * style["font_size"] > max_width):
        return False
    layout = create_layout(words, style, context, inf, justification_spacing)
    try:
        first_line, resume_index = layout.get_first_line()
        return resume_index is None and line_size(first_line, style)[0] <= max_width
    finally:
        layout.deactivate()


@contextmanager
def installed():
    """Lines broken by `split_first_line_keeping_trailing_space` while the block runs."""
    before = weasyprint.layout.inline.split_first_line
    weasyprint.layout.inline.split_first_line = split_first_line_keeping_trailing_space
    try:
        yield
    finally:
        weasyprint.layout.inline.split_first_line = before
