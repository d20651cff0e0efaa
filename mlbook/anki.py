"""The Anki deck (.apkg): a note per question, a sub-deck per section, written by genanki."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import genanki
from markupsafe import escape

from mlbook.files import atomic_output, reproducible_zip
from mlbook.labels import labels
from mlbook.model import Book
from mlbook.render import documents


def stable_id(*parts: str) -> int:
    """An Anki model or deck id that never changes for the same names (Anki wants 31-bit-ish ints)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


CARD = documents.TEMPLATES / "anki"
"""The card's style and its two sides, as Anki reads them (`{{Field}}` is Anki's own syntax)."""


def _card_file(name: str) -> str:
    text = (CARD / name).read_text(encoding="utf-8")
    return "\n" + text if name.endswith(".css") else text.removesuffix("\n")


def anki_model(book: Book) -> genanki.Model:
    words = labels(book.language)
    back = _card_file("back.html").replace("KEY_POINTS", str(escape(words.key_points)))
    return genanki.Model(
        stable_id(book.identifier, "model"), f"{book.title} (mlbook)",
        fields=[{"name": "Number"}, {"name": "Question"}, {"name": "KeyPoints"}, {"name": "Answer"}],
        templates=[{"name": words.anki_card, "qfmt": _card_file("front.html"), "afmt": back}],
        css=_card_file("card.css"))


def write_anki(book: Book, target: Path) -> int:
    """Write the deck: one note per question, a sub-deck per section; return the note count."""
    notes, renderer = documents.render_anki_notes(book)
    model = anki_model(book)
    decks = {s.number: genanki.Deck(stable_id(book.identifier, "deck", s.id),
                                    f"{book.title}::{s.number}. {s.title}") for s in book.sections}
    for question, fields in notes:
        tags = [tag.replace(" ", "_") for tag in question.tags]
        if question.difficulty:
            tags.append(f"{labels(book.language).anki_difficulty_tag}::{question.difficulty}")
        note = genanki.Note(model=model, fields=[fields[f["name"]] for f in model.fields],
                            guid=genanki.guid_for(book.identifier, question.id), tags=tags)
        decks[question.number.split(".")[0]].add_note(note)
    with tempfile.TemporaryDirectory() as media_dir:
        media = []
        for figure in renderer.figures:
            shutil.copyfile(figure.path, Path(media_dir) / figure.name)
            media.append(str(Path(media_dir) / figure.name))
        package = genanki.Package(list(decks.values()), media_files=media)
        with atomic_output(target) as temporary:
            package.write_to_file(str(temporary), timestamp=float(os.environ.get("SOURCE_DATE_EPOCH", "0")))
            temporary.write_bytes(reproducible_zip(temporary.read_bytes()))  # genanki dates entries now
    return len(notes)


def write_deck(book: Book, target: Path, options, report) -> None:
    """The `anki` output (`build.OUTPUTS`): answers are always on the cards' backs."""
    report.stage("anki: render and write deck")
    notes = write_anki(book, target)
    report.done(f"{notes} notes")
