"""Small text helpers shared by the importer and the loader."""

from __future__ import annotations

import re
import unicodedata

_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split(),
))
_TRANSLIT.update({"ъ": "", "ь": ""})

# Words that carry no meaning in an identifier ("Что такое X?" → "x").
_STOPWORDS = set(
    "что такое как какие какой какая какую каких каким чем в во на и а или "
    "ли у с со по про для из от к до при над же это есть знаешь рассказать "
    "можно почему зачем где там бы мы если то the a of".split()
)

_MOJIBAKE_MARKERS = re.compile("[\u2013\u2014][\u00a0-\u00ff\u0192\u2020-\u2122\u02c6-\u02dd\u03a9\u03c0\u221a\u2248\u2260\u2264\u2265\u25ca\ufb01\ufb02]")


STEM = 5
"""Letters of a Russian word kept to compare it across inflections (работает / работают → работ)."""


def content_words(text: str) -> set[str]:
    """The words of a question that carry its meaning, cut to their stems: no stopwords, no
    punctuation, case and ё folded."""
    words = re.findall(r"\w+", text.lower().replace("ё", "е"))
    return {_stem(word) for word in words if word not in _STOPWORDS and len(word) > 1}


def _stem(word: str) -> str:
    """Russian words lose their endings; Latin ones (terms: BatchNorm, batch) are kept whole."""
    return word[:STEM] if re.search("[а-я]", word) else word


MAX_ID_LENGTH = 60
"""The longest identifier slugify makes (a file name has room for it and its suffixes)."""


def slugify(text: str, max_words: int = 4) -> str:
    """A readable ASCII identifier from Russian or English text, at most MAX_ID_LENGTH characters."""
    words = re.findall(r"[\w]+", text.lower())
    kept = [w for w in words if w not in _STOPWORDS] or words
    ascii_words = []
    for word in kept[:max_words]:
        latin = "".join(_TRANSLIT.get(ch, ch) for ch in word)
        latin = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
        if latin:
            ascii_words.append(latin)
    slug = "-".join(ascii_words)
    while len(slug) > MAX_ID_LENGTH and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:MAX_ID_LENGTH].rstrip("-_") or "q"


def looks_like_mojibake(text: str) -> bool:
    """True for UTF-8 Cyrillic that was once decoded as Mac Roman or a similar code page."""
    return len(_MOJIBAKE_MARKERS.findall(text)) >= 3


def repair_mojibake(text: str) -> str | None:
    """The text as it was before a wrong decode, or None if it cannot be recovered."""
    for codepage in ("mac_roman", "cp1252", "latin-1"):
        try:
            repaired = text.encode(codepage).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if not looks_like_mojibake(repaired):
            return repaired
    return None


# --- characters a bank may hold: one rule for `check` and `import` --------------------------------

_UNWANTED = re.compile(
    "(?P<flag>\U0001F3F4[\U000E0030-\U000E0039\U000E0061-\U000E007A]{2,6}\U000E007F)"  # 🏴 + gbsct + end: text
    "|[\u0000-\u0008\u000b-\u001f\u007f-\u009f"  # control characters (tab and newline are text)
    "\u2028\u2029\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\ufffe\uffff\u115f\u1160\u3164\uffa0\u17b4\u17b5"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
    "|(?:^|(?<=\\s))[\u200c\u200d]|[\u200c\u200d](?=\\s|$)"  # ZWNJ/ZWJ joining nothing
    "|(?:^|(?<=[\\s\ufe00-\ufe0f\U000e0100-\U000e01ef]))[\ufe00-\ufe0f\U000e0100-\U000e01ef]"  # a selector
    # that selects nothing (after a space or another selector: a run of them can hide bytes)
)
"""Characters that hide text, reorder it (bidi controls: "Trojan Source"), break lines where the
Markdown parser does not see one, or are not allowed in XML (an ESC from pasted terminal output makes
the EPUB's XHTML ill-formed): the control characters, and Unicode's invisible format characters
(category Cf) with the invisible fillers — but not those that are text: the soft hyphen, the Arabic,
Syriac, Kaithi and Egyptian format marks, zero-width joiners and non-joiners where they join two
characters (Persian words, emoji sequences), a variation selector after the character it selects for,
and the tag characters of a subdivision flag (🏴 + 2–6 lowercase letters or digits + the end tag)."""


def unwanted_character(text: str) -> re.Match | None:
    """The first character of `text` that a bank may not hold, or None."""
    return next((m for m in _UNWANTED.finditer(text) if m.group("flag") is None), None)


def character_name(char: str) -> str:
    """`ESCAPE, U+001B`: how messages name a character."""
    return f"{unicodedata.name(char, 'control character')}, U+{ord(char):04X}"


def without_unwanted_characters(text: str) -> tuple[str, list[tuple[int, str]]]:
    """`text` with every unwanted character removed (a line or paragraph separator, a form feed or a
    vertical tab becoming a line break), and what was removed: (line number from 1, character name)."""
    removed: list[tuple[int, str]] = []

    def replace(match: re.Match) -> str:
        char = match.group()
        if match.group("flag") is not None:
            return char
        line = text.count("\n", 0, match.start()) + 1
        if not removed or removed[-1] != (line, character_name(char)):
            removed.append((line, character_name(char)))
        return "\n" if char in "\u2028\u2029\u000b\u000c\u000d\u0085" else ""

    return _UNWANTED.sub(replace, text), removed


def printable(line: str) -> str:
    """A message line as the terminal should show it: a character a bank may not hold (an ESC that
    would colour the terminal, a bidi override, a line break in a file name that would forge another
    line) written as its escape, `\\x1b`."""
    def escaped(match: re.Match) -> str:
        return match.group() if match.group("flag") else match.group().encode("unicode_escape").decode()

    return _UNWANTED.sub(escaped, line).replace("\n", "\\n")
