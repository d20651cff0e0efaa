"""Addresses written into the outputs: one rule for every field that becomes an `href`.

A bank is untrusted input. Whatever it names — `source.url`, `issues_url`, a link in an answer — ends
up as a link a reader may click in the PDF, the EPUB, the web edition or the Anki deck, so every one
is either a web address (http or https, with a host) or a fragment inside the document. Anything
else (`javascript:`, `data:`, `file:`, `vbscript:`, a path on the reader's disk) is refused.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from mlbook.text import unwanted_character

_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f-\x9f\\]")
"""Whitespace, control characters and backslashes: browsers strip or reinterpret them in a scheme."""


def is_web_address(url: str) -> bool:
    """True for an absolute http(s) address with a host: `https://example.org/page`."""
    if _UNSAFE_CHARACTERS.search(url) or unwanted_character(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # an invalid IPv6 literal, say
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def is_safe_href(url: str) -> bool:
    """True for what may be written as a link's target: a web address or a `#fragment`."""
    return (url.startswith("#") and not _UNSAFE_CHARACTERS.search(url) and not unwanted_character(url)) \
        or is_web_address(url)
