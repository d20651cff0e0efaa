"""An interview plan: questions that fill a time slot, sections in proportion, a difficulty mix per level.

The pool is the questions the selection keeps (`--sections`, `--tags`, `--difficulty`) that have an
answer. Each section gets a share of the minutes in proportion to its number of questions in the
pool; inside a section each difficulty gets the level's share of that (`LEVELS`). Questions are
drawn at random with the seed, always for the section and then the difficulty that lag furthest
behind their share, until the slot is full (never more than `TOLERANCE` over it). The plan lists
the sections in book order, each from easier to harder questions.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

from mlbook.model import Book, Question, Section, Subsection

LEVELS = {
    "junior": (0.5, 0.4, 0.1),
    "middle": (0.25, 0.5, 0.25),
    "senior": (0.1, 0.4, 0.5),
}
"""A level's share of the minutes for difficulty 1, 2 and 3."""
TOLERANCE = 0.10
"""How far the planned minutes may be from the slot: a plan never runs over by more; a pool that
leaves it shorter than this is reported."""


class PlanError(ValueError):
    """A plan that cannot be made from these options (an unknown level, no minutes, no questions)."""


@dataclass(frozen=True)
class Plan:
    """The questions chosen for a slot."""

    book: Book
    """The planned questions: each section once, in book order, as one group from easier to harder."""
    minutes: int
    """Minutes the planned questions take (`Book.minutes_of` of each)."""
    slot: int
    """Minutes asked for (`--minutes`)."""
    level: str
    """The level whose difficulty mix was followed."""
    pool_minutes: int
    """Minutes of every question the plan could draw from."""

    @property
    def short(self) -> bool:
        """The pool could not fill the slot."""
        return self.minutes < self.slot * (1 - TOLERANCE)

    def section_minutes(self) -> list[tuple[Section, int]]:
        return [(section, sum(self.book.minutes_of(q) for q in section.questions)) for section in self.book.sections]


def check_request(minutes: int, level: str) -> None:
    """Refuse a slot of no minutes and a level without a mix, with the option's name."""
    if minutes <= 0:
        raise PlanError(f"argument --minutes: the slot must be a positive number of minutes, not {minutes}")
    if level not in LEVELS:
        choices = ", ".join(repr(name) for name in LEVELS)
        raise PlanError(f"argument --level: invalid choice: {level!r} (choose from {choices})")


def plan(pool: Book, minutes: int, level: str = "middle", seed: int = 0) -> Plan:
    """The questions of `pool` that fill `minutes` for `level`, drawn with `seed` (see the module)."""
    check_request(minutes, level)
    sections = [(section, [q for q in section.questions if q.answered and q.difficulty])
                for section in pool.sections]
    sections = [(section, questions) for section, questions in sections if questions]
    if not sections:
        raise PlanError("the selection (--sections, --tags, --difficulty) keeps no answered question"
                        f" to plan {minutes} minutes from")
    chosen = _draw(pool, sections, minutes, LEVELS[level], random.Random(seed))
    if not chosen:
        shortest = min(pool.minutes_of(q) for _, questions in sections for q in questions)
        raise PlanError(f"argument --minutes: no question fits in {minutes} minutes (the shortest of the"
                        f" selection takes {shortest})")
    planned = tuple(_planned_section(section, chosen) for section, _ in sections)
    book = dataclasses.replace(pool, sections=tuple(section for section in planned if section.questions))
    return Plan(book, sum(pool.minutes_of(q) for q in book.questions), minutes, level,
                sum(pool.minutes_of(q) for _, questions in sections for q in questions))


def _draw(pool: Book, sections, minutes: int, mix, rng: random.Random) -> set[str]:
    """Ids of the drawn questions: the section, then the difficulty furthest behind its share first."""
    size = sum(len(questions) for _, questions in sections)
    shares = [minutes * len(questions) / size for _, questions in sections]
    buckets = [[_shuffled([q for q in questions if q.difficulty == d], rng) for d in (1, 2, 3)]
               for _, questions in sections]
    used = [[0, 0, 0] for _ in sections]
    total, limit, chosen = 0, minutes * (1 + TOLERANCE), set()
    while total < minutes:
        def fits(s, d):
            return buckets[s][d] and total + pool.minutes_of(buckets[s][d][0]) <= limit
        open_sections = [s for s in range(len(sections)) if any(fits(s, d) for d in range(3))]
        if not open_sections:
            break
        s = max(open_sections, key=lambda s: shares[s] - sum(used[s]))
        d = max((d for d in range(3) if fits(s, d)), key=lambda d: shares[s] * mix[d] - used[s][d])
        question = buckets[s][d].pop(0)
        used[s][d] += pool.minutes_of(question)
        total += pool.minutes_of(question)
        chosen.add(question.id)
    return chosen


def _shuffled(questions: list[Question], rng: random.Random) -> list[Question]:
    rng.shuffle(questions)
    return questions


def _planned_section(section: Section, chosen: set[str]) -> Section:
    """The section as one group of its chosen questions, easier to harder (book order among equals)."""
    questions = sorted((q for q in section.questions if q.id in chosen), key=lambda q: q.difficulty)
    group = Subsection("", section.number, tuple(questions), section.source)
    return dataclasses.replace(section, subsections=(group,))
