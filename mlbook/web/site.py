"""Stage 3 for self-study: the static web edition (a folder) and the Anki deck (.apkg)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import genanki
from markupsafe import escape

from mlbook.render import documents
from mlbook.labels import labels
from mlbook.markup.markdown import pygments_css
from mlbook.model import Book
from mlbook.files import atomic_output

SITE_ASSETS = {"style.css": "site/site.css", "site.js": "site/site.js"}


def site_files(book: Book, answers: bool, open_answers: bool = False) -> dict[str, bytes]:
    """Every file of the web edition by its path in the site folder: pages, assets, figures."""
    pages, renderer = documents.render_site(book, answers, open_answers)
    files = {name: text.encode("utf-8") for name, text in pages.items()}
    for name, template in SITE_ASSETS.items():
        text = (documents.TEMPLATES / template).read_text(encoding="utf-8")
        files[name] = (text + (pygments_css() if name == "style.css" else "")).encode("utf-8")
    for figure in renderer.figures:
        files[figure.name] = figure.path.read_bytes()
    return files


def write_site(book: Book, answers: bool, target: Path) -> int:
    """Write the web edition into `target` (replaced whole, never half-written); return its page count."""
    files = site_files(book, answers)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", dir=target.parent))
    try:
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        _replace_folder(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sum(name.endswith(".html") for name in files)


def update_site(files: dict[str, bytes], target: Path) -> list[str]:
    """Bring the folder `target` to exactly `files`, rewriting only what changed; return what changed.

    Each file is replaced atomically, so a reader (or a browser) sees the old page or the new one.
    """
    changed = []
    for name, data in sorted(files.items()):
        path = target / name
        if not path.is_file() or path.read_bytes() != data:
            with atomic_output(path) as temporary:
                temporary.write_bytes(data)
            changed.append(name)
    if target.is_dir():
        for path in sorted(target.rglob("*")):
            name = path.relative_to(target).as_posix()
            if path.is_file() and name not in files and not path.name.startswith("."):
                path.unlink()
                changed.append(name)
    return changed


def _replace_folder(new: Path, target: Path) -> None:
    """Swap `new` in for `target`: the old folder stays whole until the new one is in place."""
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def stable_id(*parts: str) -> int:
    """An Anki model or deck id that never changes for the same names (Anki wants 31-bit-ish ints)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


CARD_CSS = """
.card { font-family: "PT Serif", Georgia, serif; font-size: 18px; text-align: left; color: #1a1a1a;
        background: #fff; max-width: 40em; margin: 0 auto; }
.num { color: #1b4f8a; font-family: sans-serif; }
.key-points { border-left: 3px solid #1b4f8a; background: #f2f5f9; padding: 0.3em 0.8em; }
pre { background: #f7f7f5; border: 1px solid #dedbd2; padding: 0.5em; overflow-x: auto; font-size: 0.8em; }
figure { text-align: center; } figure img { max-width: 100%; }
figcaption { font-size: 0.85em; color: #555; }
.code-lang, .code-note { font-size: 0.7em; color: #777; margin-right: 1em; }
"""
FRONT = '<div class="question"><span class="num">{{Number}}</span> {{Question}}</div>'
BACK = ('{{FrontSide}}<hr id="answer"><div class="key-points"><b>KEY_POINTS</b>{{KeyPoints}}</div>'
        '<div class="answer">{{Answer}}</div>')


def anki_model(book: Book) -> genanki.Model:
    words = labels(book.language)
    return genanki.Model(
        stable_id(book.identifier, "model"), f"{book.title} (mlbook)",
        fields=[{"name": "Number"}, {"name": "Question"}, {"name": "KeyPoints"}, {"name": "Answer"}],
        templates=[{"name": words.anki_card, "qfmt": FRONT,
                    "afmt": BACK.replace("KEY_POINTS", str(escape(words.key_points)))}], css=CARD_CSS)


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
    return len(notes)
