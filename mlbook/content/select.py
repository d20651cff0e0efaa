"""Choosing a subset of questions: by section, tag, difficulty, or at random with a seed."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

from mlbook.model import Book, Question


@dataclass(frozen=True)
class Selection:
    """Which questions to keep; empty criteria keep everything."""

    sections: tuple[str, ...] = ()
    """Section or subsection numbers (`2`, `2.4`) or section ids."""
    tags: tuple[str, ...] = ()
    """Keep questions that have any of these tags."""
    difficulty: tuple[int, ...] = ()
    """Keep questions of these difficulties."""
    random_count: int | None = None
    """Keep this many questions, drawn at random from those the other criteria keep."""
    seed: int = 0
    """Seed of the random draw: the same seed gives the same questions."""


def unknown_sections(book: Book, selection: Selection) -> list[str]:
    """Section names in the selection that match nothing in the book."""
    known = {s.id for s in book.sections} | {s.number for s in book.sections}
    known |= {sub.number for s in book.sections for sub in s.subsections}
    return [name for name in selection.sections if name not in known]


def select(book: Book, selection: Selection) -> Book:
    """The book with only the selected questions, in book order, keeping their numbers."""
    kept = [q for q in book.questions if _matches(q, book, selection)]
    if selection.random_count is not None and selection.random_count < len(kept):
        kept = random.Random(selection.seed).sample(kept, selection.random_count)
    keep_ids = {q.id for q in kept}
    sections = []
    for section in book.sections:
        subsections = tuple(
            dataclasses.replace(sub, questions=tuple(q for q in sub.questions if q.id in keep_ids))
            for sub in section.subsections
        )
        subsections = tuple(sub for sub in subsections if sub.questions)
        if subsections:
            sections.append(dataclasses.replace(section, subsections=subsections))
    return dataclasses.replace(book, sections=tuple(sections))


def _matches(question: Question, book: Book, selection: Selection) -> bool:
    if selection.sections:
        section_number = question.number.split(".")[0]
        section = next(s for s in book.sections if s.number == section_number)
        names = {section.id, section.number, question.number.rsplit(".", 1)[0]}
        if not names & set(selection.sections):
            return False
    if selection.tags and not set(question.tags) & set(selection.tags):
        return False
    if selection.difficulty and question.difficulty not in selection.difficulty:
        return False
    return True
