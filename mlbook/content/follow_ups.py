"""An answer's follow-up section as data: the items `- **probe** gist` under the language's heading
(`follow_ups_heading` in templates/languages/, «Подводные камни и вопросы на засыпку» in Russian).

The book, the EPUB and the web edition show the section as the answer's Markdown; the interviewer
sheet shows the probes read here."""

from __future__ import annotations

import re

from markdown_it.token import Token

from mlbook.errors import Problems
from mlbook.markup.markdown import parse_for_reading, parse_inline
from mlbook.model import FollowUp, Location, Question

_LEAD_SEPARATORS = re.compile(r"^[\s:;,—–-]+")
"""What joins the bold probe to its gist (`**Probe:** gist`, `**Probe** — gist`), left off the gist."""


def read_follow_ups(question: Question, heading: str, problems: Problems) -> tuple[FollowUp, ...]:
    """The probes under `heading` in the answer, in order; a section without a list, an item without
    a bold probe or without a gist is reported with its line. No section: no probes."""
    tokens = parse_for_reading(question.body)
    start = _heading_index(tokens, heading)
    if start is None:
        return ()
    items = list(_top_level_items(tokens, start))
    if not items:
        problems.add(Location(question.source.path, question.body_line + tokens[start].map[0]),
                     f"the section «{heading}» needs a list of follow-ups: items '- **the probe to ask**"
                     " what a strong reply says'")
    follow_ups = []
    for index in items:
        where = Location(question.source.path, question.body_line + tokens[index].map[0])
        follow_up = _follow_up(_first_paragraph(tokens, index), where, problems)
        if follow_up is not None:
            follow_ups.append(follow_up)
    return tuple(follow_ups)


def has_section(question: Question, heading: str) -> bool:
    return _heading_index(parse_for_reading(question.body), heading) is not None


def _heading_index(tokens: tuple[Token, ...], heading: str) -> int | None:
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and tokens[index + 1].content.strip() == heading:
            return index
    return None


def _top_level_items(tokens: tuple[Token, ...], start: int):
    """Indices of the section's list items (not of lists nested in them), up to the next heading of
    the same or a higher level."""
    level = int(tokens[start].tag[1])
    for index in range(start + 3, len(tokens)):
        token = tokens[index]
        if token.type == "heading_open" and int(token.tag[1]) <= level:
            return
        if token.type == "list_item_open" and token.level == 1:
            yield index


def _first_paragraph(tokens: tuple[Token, ...], item: int) -> Token | None:
    """The inline token of the item's first paragraph (None for an item that starts otherwise)."""
    following = tokens[item + 1:item + 3]
    if len(following) == 2 and following[0].type == "paragraph_open" and following[1].type == "inline":
        return following[1]
    return None


def _follow_up(inline: Token | None, where: Location, problems: Problems) -> FollowUp | None:
    split = _split_probe(inline.content) if inline is not None else None
    if split is None:
        problems.add(where, "a follow-up must start with its probe in bold: '- **the question to ask**"
                     " what a strong reply says'")
        return None
    probe, gist = split
    if not gist:
        problems.add(where, f"the follow-up «{probe[:60]}» has no text after its bold probe: add what"
                     " a strong reply says")
        return None
    return FollowUp(probe, gist, where)


def _split_probe(text: str) -> tuple[str, str] | None:
    """(probe, gist) of `**probe** gist`: the bold run the text starts with, as Markdown; None when
    the text does not start with one."""
    if not text.startswith("**"):
        return None
    for end in (match.start() for match in re.finditer(r"\*\*", text[2:])):
        probe = text[2:2 + end]
        children = [child for child in parse_inline(f"**{probe}**")[0].children or []
                    if child.type != "text" or child.content]
        if probe.strip() and children and children[0].type == "strong_open" and children[-1].type == "strong_close":
            gist = _LEAD_SEPARATORS.sub("", text[2 + end + 2:]).replace("\n", " ").strip()
            return probe.strip(), gist
    return None
