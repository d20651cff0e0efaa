"""What the build makes: the table of outputs, and `build()`, which writes the chosen ones.

An output is a row of `OUTPUTS`: its command name, its file, whether answers are in it, and the
function that writes it (each in the module of its stage: `pdf.write`, `ebook.epub`, `web.site`,
`anki`). A writer takes the book, the target path, the `Options` and a `Report`; a new output is a
new row and its writer's module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mlbook import anki
from mlbook.ebook import epub
from mlbook.model import Book
from mlbook.pdf import write
from mlbook.web import site


@dataclass(frozen=True)
class Options:
    """How to build, the same for every output."""

    answers: bool = True
    """Whether answer text is in the outputs that hold answers (False: `--no-answers`)."""
    paper: str = "A4"
    """Paper size of the PDFs (`render.documents.PAPER_SIZES`)."""
    strict: bool = False
    """Fail on the print engine's warnings (missing glyphs, refused resources)."""


class Report(Protocol):
    """What a writer tells the user: stages with times, progress, warnings, a summary line."""

    def stage(self, name: str) -> None: ...
    def done(self, detail: str = "") -> None: ...
    def progress(self, page: int) -> None: ...
    def part_progress(self, done: int, total: int) -> None: ...
    def clear_progress(self) -> None: ...
    def info(self, message: str) -> None: ...
    def detail(self, message: str) -> None: ...
    def warn(self, message: str) -> None: ...


Writer = Callable[[Book, Path, Options, Report], None]


@dataclass(frozen=True)
class Output:
    """One thing the build can make."""

    name: str
    """The command that makes it (`python build.py NAME`)."""
    file: str
    """Its file (or folder) in the output folder."""
    summary: str
    """What it is, for `--help`."""
    answers: bool
    """Whether answers are in it (unless `--no-answers`)."""
    write: Writer
    """Writes it to the path it is given."""
    in_all: bool = False
    """Made by `build.py all` (the print and e-book outputs)."""


OUTPUTS = (
    Output("pdf", "book.pdf", "the PDF book with answers", True, write.book_pdf, in_all=True),
    Output("epub", "book.epub", "the EPUB3 e-book, formulas as SVG (e-ink readers, phones)", True,
           epub.svg_edition, in_all=True),
    Output("epub-kindle", "book-kindle.epub", "the EPUB3 e-book, formulas as MathML (Send to Kindle,"
           " Apple Books)", True, epub.kindle_edition, in_all=True),
    Output("handout", "handout.pdf", "questions only, with room to write", False, write.handout_pdf,
           in_all=True),
    Output("sheet", "sheet.pdf", "interviewer sheet: key points and 0–3 score boxes", False, write.sheet_pdf,
           in_all=True),
    Output("html", "site", "web edition, answers open on demand", True, site.write_edition),
    Output("anki", "ml-interview.apkg", "Anki deck, a card per question", True, anki.write_deck),
)
BY_NAME = {output.name: output for output in OUTPUTS}
ALL = tuple(output for output in OUTPUTS if output.in_all)


def build(book: Book, outputs: Sequence[Output], out: Path, options: Options, report: Report) -> None:
    """Write each of `outputs` of `book` into the folder `out`."""
    unanswered = sum(not q.answered for q in book.questions)
    if unanswered:
        report.info(f"  note: {unanswered} of {len(book.questions)} questions have no answer yet"
                    " (python build.py check lists them)")
    for output in outputs:
        target = out / output.file
        output.write(book, target, dataclasses.replace(options, answers=options.answers and output.answers),
                     report)
        if target.is_dir():
            report.info(f"{output.name}: {target}/index.html")
        else:
            report.info(f"{output.name}: {target} ({target.stat().st_size / 1024:,.0f} KiB)")
