"""The web edition's code colours: Pygments styles whose every token colour is ≥ 4.5:1 on the style's
own background (`tests/test_web.py` measures each), one for the light theme and a real dark one."""

from __future__ import annotations

from pygments.style import Style
from pygments.styles import get_style_by_name
from pygments.token import Name

_Xcode = get_style_by_name("xcode")


class WebLight(_Xcode):
    """Xcode's colours (the lowest 4.7:1), names in the page's text colour: names are most of the
    code's tokens, and black ones would each be a span of their own for nothing."""

    styles = {**_Xcode.styles, Name: ""}


WebDark: type[Style] = get_style_by_name("lightbulb")
"""Lightbulb: a dark style made for contrast (the lowest 4.52:1, its comments)."""

WEB = {"light": WebLight, "dark": WebDark}
