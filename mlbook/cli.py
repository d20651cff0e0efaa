"""`python build.py COMMAND`: the command line. `run(argv)` returns the exit status."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import cover, render, write, write_web
from .errors import ContentError
from .sync import import_bank
from .load import load
from .model import Book
from .select import Selection, select, unknown_sections

FORMATS = ("pdf", "epub", "handout", "sheet")
OUTPUT_NAMES = {"pdf": "book.pdf", "epub": "book.epub", "handout": "handout.pdf", "sheet": "sheet.pdf",
                "html": "site", "anki": "ml-interview.apkg"}


class LayoutWarnings(Exception):
    """WeasyPrint warned while laying out a PDF and `--strict` was given."""


class Console:
    """What the build tells the user: stages with times, progress, one summary line per output."""

    def __init__(self, verbosity: int):
        self.verbosity = verbosity
        self._started = time.perf_counter()

    def stage(self, name: str) -> None:
        self._started = time.perf_counter()
        self._name = name

    def done(self, detail: str = "") -> None:
        if self.verbosity >= 1:
            seconds = time.perf_counter() - self._started
            print(f"  {self._name:<28} {seconds:6.2f} s  {detail}".rstrip(), file=sys.stderr)

    def progress(self, page: int) -> None:
        if self.verbosity >= 1 and sys.stderr.isatty():
            bar = "█" * min(30, page // 5) + "·" * max(0, 30 - page // 5)
            print(f"\r  {self._name:<28} {bar} page {page}", end="", file=sys.stderr, flush=True)

    def part_progress(self, done: int, total: int) -> None:
        if self.verbosity >= 1 and sys.stderr.isatty():
            bar = "█" * (30 * done // max(total, 1))
            print(f"\r  {self._name:<28} {bar:·<30} part {done}/{total}", end="", file=sys.stderr, flush=True)

    def clear_progress(self) -> None:
        if self.verbosity >= 1 and sys.stderr.isatty():
            print("\r" + " " * 60 + "\r", end="", file=sys.stderr)

    def info(self, message: str) -> None:
        if self.verbosity >= 1:
            print(message, file=sys.stderr)

    def detail(self, message: str) -> None:
        if self.verbosity >= 2:
            print(message, file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="build.py", description=(
        "Build the ML interview book from content/: PDF book, EPUB, question-only handout, "
        "interviewer sheet."))
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, summary in [("pdf", "the PDF book with answers → OUT/book.pdf"),
                          ("epub", "the EPUB3 e-book → OUT/book.epub"),
                          ("handout", "questions only, with room to write → OUT/handout.pdf"),
                          ("sheet", "interviewer sheet: key points and 0–3 score boxes → OUT/sheet.pdf"),
                          ("html", "web edition, answers open on demand → OUT/site/"),
                          ("anki", "Anki deck, a card per question → OUT/ml-interview.apkg"),
                          ("all", "the four print and e-book outputs (pdf, epub, handout, sheet)")]:
        _add_build_options(commands.add_parser(name, help=summary, description=summary))
    check = commands.add_parser("check", help="check the content; list unanswered questions")
    _add_common_options(check)
    importer = commands.add_parser(
        "import", help="create content/ from a Markdown question list, or merge a newer list into it",
        description="Read a Markdown question list ('#'/'##'/'###' headings, '-', '*' or '1.' items, or a"
        " plain list) and create content/ from it, or merge it into existing content: matched questions"
        " keep their answers and ids, reworded ones get the new text, new ones are added unanswered.")
    importer.add_argument("file", type=Path, help="the Markdown file")
    importer.add_argument("--dry-run", action="store_true", help="report what would change; change nothing")
    importer.add_argument("--prune", action="store_true",
                          help="delete questions that are no longer in the list (default: keep them)")
    importer.add_argument("--flat-title", default="Вопросы", metavar="TITLE",
                          help="section title for a list without headings (default: Вопросы)")
    _add_common_options(importer)
    return main


def _add_common_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                         help="folder with book.yaml and the question files (default: content)")
    command.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    command.add_argument("-v", "--verbose", action="store_true", help="print more detail")


def _add_build_options(command: argparse.ArgumentParser) -> None:
    _add_common_options(command)
    command.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                         help="folder for the outputs (default: output)")
    command.add_argument("--no-answers", action="store_true",
                         help="leave the answers out of the file (questions only)")
    command.add_argument("--sections", nargs="+", default=(), metavar="S",
                         help="keep these sections or subsections: numbers (2, 2.4) or section ids")
    command.add_argument("--tags", nargs="+", default=(), metavar="TAG",
                         help="keep questions that have any of these tags")
    command.add_argument("--difficulty", nargs="+", type=int, choices=(1, 2, 3), default=(),
                         help="keep questions of these difficulties (1 базовый, 2 средний, 3 продвинутый)")
    command.add_argument("--random", type=int, metavar="N", dest="random_count",
                         help="keep N questions drawn at random (after the filters above)")
    command.add_argument("--seed", type=int, default=0, metavar="S",
                         help="seed for --random: the same seed gives the same questions (default 0)")
    command.add_argument("--paper", choices=sorted(render.PAPER_SIZES), default="A4",
                         help="paper size of the PDFs (default A4)")
    command.add_argument("--strict", action="store_true",
                         help="fail (exit 1) on layout warnings: missing glyphs, refused resources")


def run(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(0 if args.quiet else 2 if args.verbose else 1)
    try:
        if args.command == "import":
            report = import_bank(args.file, args.content, args.dry_run, args.prune, args.flat_title)
            for line in report.lines():
                if console.verbosity >= 1 or line.startswith(("summary", "ambiguous")):
                    print(line)
            if args.dry_run:
                print("dry run: nothing was changed")
            return 0
        console.stage("load and check content")
        book = load(args.content)
        console.done(f"{len(book.questions)} questions")
        if args.command == "check":
            return _report_check(book, console)
        return _build(book, args, console)
    except KeyboardInterrupt:
        print("\ninterrupted: outputs already written are complete; the one in progress was not"
              " replaced", file=sys.stderr)
        return 130
    except (LayoutWarnings, write.LayoutNotSettled) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ContentError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(f"error: {count} problem{'s' if count != 1 else ''} in the content; nothing was written",
              file=sys.stderr)
        return 1


def _report_check(book: Book, console: Console) -> int:
    unanswered = [q for q in book.questions if not q.answered]
    incomplete = [q for q in book.questions if q.answered and (not q.key_points or q.difficulty is None
                                                                or not q.tags)]
    for q in unanswered:
        print(f"{q.source}: unanswered: {q.number} {q.text[:70]}")
    for q in incomplete:
        print(f"{q.source}: answered but missing key_points, difficulty or tags: {q.number}")
    answered = len(book.questions) - len(unanswered)
    print(f"{len(book.questions)} questions: {answered} answered, {len(unanswered)} unanswered,"
          f" {len(incomplete)} incomplete; no errors")
    return 0


def _build(book: Book, args, console: Console) -> int:
    selection = Selection(tuple(args.sections), tuple(args.tags), tuple(args.difficulty),
                          args.random_count, args.seed)
    missing = unknown_sections(book, selection)
    if missing:
        raise ContentError([f"{args.content / 'book.yaml'}:1: no section or subsection"
                            f" '{name}' (use a number like 2 or 2.4, or a section id)" for name in missing])
    chosen = select(book, selection)
    if not chosen.questions:
        raise ContentError([f"{args.content / 'book.yaml'}:1: the selection keeps no questions"])
    unanswered = sum(not q.answered for q in chosen.questions)
    if unanswered:
        console.info(f"  note: {unanswered} of {len(chosen.questions)} questions have no answer yet"
                     " (python build.py check lists them)")
    targets = FORMATS if args.command == "all" else (args.command,)
    for target in targets:
        _build_one(target, chosen, args, console)
    return 0


def _summarize_warnings(warnings: list[str], console: Console) -> None:
    """Group WeasyPrint's warnings by kind: one line each, details with -v."""
    kinds: dict[str, list[str]] = {}
    for message in warnings:
        kinds.setdefault(message.split(":")[0][:80], []).append(message)
    for kind, messages in kinds.items():
        print(f"  warning: {kind} ({len(messages)}×)", file=sys.stderr)
        for message in messages:
            console.detail(f"    {message[:200]}")


def _build_one(target: str, book: Book, args, console: Console) -> None:
    path = args.out / OUTPUT_NAMES[target]
    answers = not args.no_answers and target in ("pdf", "epub", "html")
    if target == "html":
        console.stage("html: render and write site")
        pages = write_web.write_site(book, answers, path)
        console.done(f"{pages} pages")
        console.info(f"html: {path}/index.html")
        return
    if target == "anki":
        console.stage("anki: render and write deck")
        notes = write_web.write_anki(book, path)
        console.done(f"{notes} notes")
    elif target == "epub":
        console.stage("epub: render and write")
        css = (render.TEMPLATES / "epub.css").read_text(encoding="utf-8") + render.pygments_css()
        write.write_epub(book, answers, path, css, cover.cover_png(book))
        console.done()
    else:
        kind = {"pdf": "book", "handout": "handout", "sheet": "sheet"}[target]
        page = render.Page(kind, answers, args.paper)
        if target == "pdf":
            console.stage("pdf: lay out parts and join")
            pages, warnings = write.write_book_pdf(book, page, path, console.part_progress)
        else:
            console.stage(f"{target}: render HTML")
            html, _ = render.render_print(book, page)
            console.done()
            console.stage(f"{target}: lay out and write PDF")
            pages, warnings = write.write_pdf(html, book, path, console.progress)
        console.clear_progress()
        console.done(f"{pages} pages")
        _summarize_warnings(warnings, console)
        if warnings and args.strict:
            raise LayoutWarnings(f"{path}: {len(warnings)} layout warning(s) with --strict; see above")
    size = path.stat().st_size
    console.info(f"{target}: {path} ({size / 1024:,.0f} KiB)")
