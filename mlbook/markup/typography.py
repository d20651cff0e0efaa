"""Russian typography for prose: «ёлочки», dashes with no-break spaces, bound one-letter words."""

from __future__ import annotations

import re

from markdown_it.token import Token

NBSP = "\u00a0"
_DASH = re.compile(r"(\S) +(—|--) +")
_SHORT_WORD = re.compile(r"(?<![\w\-])([А-Яа-яЁёA-Za-z]) +(?=\S)")
_NUMBER_UNIT = re.compile(r"(\d) +(?=%|(?:руб|млн|млрд|тыс|кБ|МБ|ГБ|ТБ|КБ|GB|MB|KB|TB|мс|мин|с|ч|px|pt|см|мм|м|км|раз|бит|байт)\b)")
_OPEN_QUOTE = re.compile(r'(^|[^\w.,!?;:)\]»%…])"(?=\S)')
_CLOSE_QUOTE = re.compile(r'"')


def typeset(text: str) -> str:
    """The text with Russian typographic rules applied (for prose only)."""
    text = _OPEN_QUOTE.sub(r"\1«", text)
    text = _CLOSE_QUOTE.sub("»", text)
    text = _DASH.sub(lambda m: f"{m.group(1)}{NBSP}— ", text)
    text = _SHORT_WORD.sub(lambda m: f"{m.group(1)}{NBSP}", text)
    return _NUMBER_UNIT.sub(lambda m: f"{m.group(1)}{NBSP}", text)


def apply(tokens: list[Token]) -> None:
    """Typeset every prose text token in place; code and math tokens are left alone."""
    for token in tokens:
        for child in token.children or []:
            if child.type == "text":
                child.content = typeset(child.content)
