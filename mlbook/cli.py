"""`python build.py COMMAND`: the command line. `run(argv)` returns the exit status."""

from __future__ import annotations

import argparse
import errno
import sys
import threading
import time
import webbrowser
from pathlib import Path

from mlbook import build
from mlbook.pdf import write
from mlbook.render import documents
from mlbook.web import serve
from mlbook.errors import ContentError
from mlbook.upstream.merge import NewBook, SyncError, import_bank
from mlbook.content.load import load
from mlbook.markup.markdown import figure_scripts
from mlbook.labels import labels
from mlbook.model import Book, Location
from mlbook.content import plan
from mlbook.content.select import Selection, select, unknown_sections
from mlbook.web.serve import Preview
from mlbook.upstream.staging import StagingError, finish_interrupted
from mlbook.text import printable



class UsageError(Exception):
    """An option names what the book does not have: exit status 2, as argparse's own usage errors."""


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

    def warn(self, message: str) -> None:
        print(message, file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="build.py", description=(
        "Build the ML interview book from content/: PDF book, EPUB, question-only handout, "
        "interviewer sheet."))
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for output in build.OUTPUTS:
        summary = f"{output.summary} → OUT/{output.file}{'/' if '.' not in output.file else ''}"
        _add_build_options(commands.add_parser(output.name, help=summary, description=summary))
    summary = f"the print and e-book outputs ({', '.join(output.name for output in build.ALL)})"
    _add_build_options(commands.add_parser("all", help=summary, description=summary))
    serve = commands.add_parser(
        "serve", help="preview the web edition on 127.0.0.1, rebuilt and reloaded on every save",
        description="Serve the web edition from 127.0.0.1 with answers open, rebuild it whenever a file in"
        " the content folder or templates/ is saved, and reload the open page (keeping its scroll"
        " position). Content errors show on the page and here; the last good pages stay.")
    _add_common_options(serve)
    serve.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                       help="folder for the outputs; the preview is written to DIR/preview (default: output)")
    serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0: any free port)")
    serve.add_argument("--open", action="store_true", help="open the preview in the web browser")
    watch = commands.add_parser(
        "watch", help="rebuild one output on every save of the content or templates",
        description="Build FORMAT, then build it again whenever a file in the content folder or templates/"
        " is saved. Errors are printed as path:line; the previous file stays until a build succeeds.")
    watch.add_argument("format", choices=[output.name for output in build.ALL],
                       help="the output to keep up to date")
    _add_build_options(watch)
    check = commands.add_parser("check", help="check the content; list unanswered questions")
    _add_common_options(check)
    importer = commands.add_parser(
        "import", help="create content/ from a Markdown bank (a question list or questions with answers),"
        " or merge a newer version into it",
        description="Read a Markdown question list ('#'/'##'/'###' headings, '-', '*' or '1.' items, or a"
        " plain list) or a question-and-answer file (questions as bold paragraphs, headings or list items,"
        " each followed by its answer) — or a folder of such files — and create content/ from it, or merge"
        " it into existing content: matched questions keep their ids and answers (a Q&A source's answers"
        " are synced: local edits kept, upstream edits taken, conflicts reported), reworded ones get the"
        " new text, new ones are added.")
    importer.add_argument("file", type=Path, help="the Markdown file, or a folder of .md files")
    importer.add_argument("--dry-run", action="store_true", help="report what would change; change nothing")
    importer.add_argument("--force", action="store_true",
                          help="with --prune: delete questions gone upstream even if their answer was written here")
    importer.add_argument("--prune", action="store_true",
                          help="delete questions that are no longer in the list (default: keep them)")
    importer.add_argument("--flat-title", metavar="TITLE",
                          help="section title for a file without section headings (default: the language's"
                          " word for questions)")
    importer.add_argument("--language", default="ru", help="a new bank's language: its labels file in"
                          " templates/languages/ (default: ru)")
    importer.add_argument("--title", default="", help="a new bank's title (default: the file's own title)")
    importer.add_argument("--source-url", default="", metavar="URL", help="where the bank comes from")
    importer.add_argument("--source-author", default="", metavar="NAME", help="who wrote the bank")
    importer.add_argument("--license", default="", metavar="ID", help="the bank's license, e.g. MIT")
    importer.add_argument("--mark", action="append", default=[], metavar="MARK=LEVEL",
                          help="a difficulty mark beside questions and its level 1–3, besides the built-in"
                          " 👶 ⭐️ 🚀, [E] [M] [H], (easy) (medium) (hard) (repeatable)")
    importer.add_argument("--same", action="append", default=[], metavar="NEW_ID=OLD_ID",
                          help="the new question NEW_ID (as an 'added:' line names it) rewords the existing"
                          " question OLD_ID: keep OLD_ID's file, answer and id (repeatable)")
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
                         help="keep questions of these difficulties (1 basic, 2 intermediate, 3 advanced)")
    draw = command.add_mutually_exclusive_group()
    draw.add_argument("--random", type=int, metavar="N", dest="random_count",
                      help="keep N questions drawn at random (after the filters above)")
    draw.add_argument("--minutes", type=int, metavar="M",
                      help="plan an interview of M minutes from the questions the filters above keep:"
                      " sections in proportion to their size, each from easier to harder (a question's"
                      " 'minutes:', else book.yaml's minutes_by_difficulty, default 3/5/8)")
    command.add_argument("--level", metavar="{" + ",".join(plan.LEVELS) + "}",
                         help="with --minutes: the difficulty mix, as shares of the minutes for difficulty"
                         " 1/2/3 — " + ", ".join(f"{name} {'/'.join(f'{share * 100:.0f}' for share in mix)} %%"
                                                 for name, mix in plan.LEVELS.items()) + " (default middle)")
    command.add_argument("--seed", type=int, default=0, metavar="S",
                         help="seed for --random and --minutes: the same seed gives the same questions"
                         " (default 0)")
    command.add_argument("--paper", choices=sorted(documents.PAPER_SIZES), default="A4",
                         help="paper size of the PDFs (default A4)")
    command.add_argument("--strict", action="store_true",
                         help="fail (exit 1) on layout warnings: missing glyphs, refused resources")


def _same_pairs(options: list[str]) -> dict[str, str]:
    pairs = {}
    for option in options:
        new_id, sep, old_id = option.partition("=")
        if not sep or not new_id.strip() or not old_id.strip():
            raise UsageError(f"argument --same: {option!r}: expected NEW_ID=OLD_ID")
        pairs[new_id.strip()] = old_id.strip()
    return pairs


def _marks(options: list[str]) -> dict[str, int]:
    marks = {}
    for option in options:
        mark, sep, level = option.rpartition("=")
        if not sep or not mark or level not in ("1", "2", "3"):
            raise UsageError(f"argument --mark: {option!r}: expected MARK=LEVEL with LEVEL 1, 2 or 3")
        marks[mark] = int(level)
    return marks


def run(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(0 if args.quiet else 2 if args.verbose else 1)
    try:
        if args.command == "import":
            new_book = NewBook(args.language, args.title, args.source_url, args.source_author, args.license)
            report = import_bank(args.file, args.content, args.dry_run, args.prune, args.flat_title,
                                 _same_pairs(args.same), new_book, _marks(args.mark), args.force)
            for line in report.lines():
                if console.verbosity >= 1 or line.startswith(("summary", "ambiguous", "likely")) \
                        or line in report.notes:
                    print(printable(line))
            if args.dry_run:
                print("dry run: nothing was changed")
            return 0
        if args.command == "serve":
            return _serve(args, console)
        if args.command == "watch":
            return _watch(args, console)
        if finish_interrupted(args.content):
            print(f"{args.content}: finished an import that was interrupted while writing", file=sys.stderr)
        console.stage("load and check content")
        book = load(args.content)
        console.done(f"{len(book.questions)} questions")
        if args.command == "check":
            return _report_check(book, console)
        return _build(book, args, console)
    except KeyboardInterrupt:
        if args.command == "import":
            print("\ninterrupted: the import wrote nothing (or all of it); the bank is as it was, or"
                  " imported whole", file=sys.stderr)
        else:
            print("\ninterrupted: outputs already written are complete; the one in progress was not"
                  " replaced", file=sys.stderr)
        return 130
    except (UsageError, SyncError) as error:  # an option's value the book or the machine does not fit
        print(f"{parser().prog} {args.command}: error: {error}", file=sys.stderr)
        return 2
    except plan.PlanError as error:  # issue #25: a plan that cannot be made is exit 1, nothing written
        print(f"{parser().prog} {args.command}: error: {error}", file=sys.stderr)
        return 1
    except (write.LayoutWarnings, write.LayoutNotSettled, StagingError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ContentError as error:
        for problem in error.problems:  # a message may span lines (YAML's); a path may not forge one
            print("\n".join(printable(part) for part in str(problem).split("\n")), file=sys.stderr)
        count = len(error.problems)
        print(f"error: {count} problem{'s' if count != 1 else ''} in the content; nothing was written",
              file=sys.stderr)
        return 1


def _serve(args, console: Console) -> int:
    """`build.py serve`: the preview server and the rebuild loop, until Ctrl-C."""
    preview = Preview(args.content, args.out / "preview")
    _report_rebuild(preview, console, first=True)
    try:
        httpd = serve.server(preview, args.port)
    except OSError as error:
        print(f"error: cannot serve on 127.0.0.1:{args.port}: {error.strerror or error}"
              f"{' (is another serve running? use --port N)' if error.errno == errno.EADDRINUSE else ''}",
              file=sys.stderr)
        return 1
    address = f"http://127.0.0.1:{httpd.server_address[1]}/"
    print(f"serving {address} — rebuilt on every save of {args.content}/ or templates/ (Ctrl-C stops)",
          flush=True)
    stop = threading.Event()
    rebuilding = threading.Thread(target=_rebuild_on_changes, args=(preview, console, stop), daemon=True)
    rebuilding.start()
    if args.open:
        webbrowser.open(address)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        httpd.server_close()
        rebuilding.join(timeout=5)
    print("\nstopped", file=sys.stderr)
    return 0


def _rebuild_on_changes(preview: Preview, console: Console, stop: threading.Event) -> None:
    for _ in serve.changes([preview.content, documents.TEMPLATES], stop):
        _report_rebuild(preview, console)


def _report_rebuild(preview: Preview, console: Console, first: bool = False) -> None:
    started = time.perf_counter()
    changed = preview.rebuild()
    seconds = time.perf_counter() - started
    stamp = time.strftime("%H:%M:%S")
    if preview.problems:
        for problem in preview.problems:
            print(problem, file=sys.stderr)
        print(f"{stamp} error: {len(preview.problems)} problem(s) in the content; the last good pages"
              " stay served", file=sys.stderr, flush=True)
    elif not first:
        names = ", ".join(changed[:4]) + (" …" if len(changed) > 4 else "") if changed else "nothing changed"
        console.info(f"{stamp} rebuilt in {seconds:.2f} s: {names}")


def _watch(args, console: Console) -> int:
    """`build.py watch FORMAT`: build, then build again on every save, until Ctrl-C."""
    quiet = Console(0)
    print(f"watching {args.content}/ and templates/: {args.format} is rebuilt on every save (Ctrl-C stops)",
          flush=True)
    stop = threading.Event()
    _build_and_report(args, quiet)
    for _ in serve.changes([args.content, documents.TEMPLATES], stop):
        _build_and_report(args, quiet)
    print("\nstopped", file=sys.stderr)
    return 0


def _build_and_report(args, quiet: Console) -> None:
    started = time.perf_counter()
    stamp = time.strftime("%H:%M:%S")
    try:
        _build(load(args.content), args, quiet, [build.BY_NAME[args.format]])
    except ContentError as error:
        for problem in error.problems:  # a message may span lines (YAML's); a path may not forge one
            print("\n".join(printable(part) for part in str(problem).split("\n")), file=sys.stderr)
        print(f"{stamp} error: {len(error.problems)} problem(s) in the content; {args.format} was not"
              " rebuilt (the previous file stays)", file=sys.stderr, flush=True)
        return
    except (UsageError, plan.PlanError) as error:
        print(f"{stamp} error: {error}", file=sys.stderr, flush=True)
        return
    except (write.LayoutWarnings, write.LayoutNotSettled) as error:
        print(f"{stamp} error: {error}", file=sys.stderr, flush=True)
        return
    path = args.out / build.BY_NAME[args.format].file
    print(f"{stamp} {path}: rebuilt in {time.perf_counter() - started:.1f} s", flush=True)


def _report_check(book: Book, console: Console) -> int:
    unanswered = [q for q in book.questions if not q.answered]
    incomplete = [q for q in book.questions if q.answered and (not q.key_points or q.difficulty is None
                                                                or not q.tags)]
    for q in unanswered:
        print(f"{q.source}: unanswered: {q.number} {q.text[:70]}")
    for q in incomplete:
        print(f"{q.source}: answered but missing key_points, difficulty or tags: {q.number}")
    heading = labels(book.language).follow_ups_heading
    without_follow_ups = [q for q in book.questions if q.answered and not q.follow_ups]
    for q in without_follow_ups:
        print(f"{_body_end(q)}: answered but without the section «{heading}» (a list of '- **probe** what a"
              f" strong reply says'; the interviewer sheet shows them): {q.number}")
    _report_figure_scripts(book)
    answered = len(book.questions) - len(unanswered)
    print(f"{len(book.questions)} questions: {answered} answered, {len(unanswered)} unanswered,"
          f" {len(incomplete)} incomplete, {len(without_follow_ups)} without follow-ups; no errors")
    return 0


def _body_end(question) -> Location:
    """The answer's last line: where its follow-up section belongs."""
    return Location(question.source.path, question.body_line + question.body.rstrip("\n").count("\n"))


def _report_figure_scripts(book: Book) -> None:
    """Which figure scripts a build of this bank runs: code from the bank, run on this machine."""
    scripts = figure_scripts(book)
    if scripts:  # a bank that does not allow them has failed the check already
        print(f"figure scripts: a build runs these {len(scripts)} (book.yaml has figure_scripts: true):")
        for script in scripts:
            print(f"  {script}")


def _build(book: Book, args, console: Console, outputs=None) -> int:
    """Build the outputs the command names (`all`: the print and e-book ones) of the selected questions."""
    if outputs is None:
        outputs = build.ALL if args.command == "all" else [build.BY_NAME[args.command]]
    options = build.Options(answers=not args.no_answers, paper=args.paper, strict=args.strict)
    build.build(_selected(book, args, console), outputs, args.out, options, console)
    return 0


def _selected(book: Book, args, console: Console) -> Book:
    """The questions `--sections`, `--tags`, `--difficulty` and `--random` keep, or `--minutes` plans."""
    selection = Selection(tuple(args.sections), tuple(args.tags), tuple(args.difficulty),
                          args.random_count, args.seed)
    missing = unknown_sections(book, selection)
    if missing:
        raise UsageError(f"argument --sections: {args.content / 'book.yaml'} has no section or subsection"
                         f" {', '.join(repr(name) for name in missing)} (use a number like 2 or 2.4, or a"
                         " section id)")
    chosen = select(book, selection)
    if args.minutes is not None or args.level is not None:
        return _planned(chosen, args, console)
    if not chosen.questions:
        raise UsageError("the selection (--sections, --tags, --difficulty) keeps no questions")
    return chosen


def _planned(pool: Book, args, console: Console) -> Book:
    """The `--minutes` plan of the pool; a pool that cannot fill the slot is said, and what fits is built."""
    if args.minutes is None:
        raise plan.PlanError("argument --level: needs --minutes, the length of the interview to plan")
    made = plan.plan(pool, args.minutes, args.level or "middle", args.seed)
    sections = ", ".join(f"{section.number}: {minutes}" for section, minutes in made.section_minutes())
    console.info(f"  plan: {len(made.book.questions)} questions, {made.minutes} of {made.slot} minutes"
                 f" ({made.level}, seed {args.seed}); minutes by section {sections}")
    if made.short and made.pool_minutes < made.slot:
        console.warn(f"warning: the questions to choose from take {made.pool_minutes} minutes in all, short of"
                     f" {made.slot}: the plan holds all of them; widen --sections or --tags to fill the slot")
    elif made.short:
        console.warn(f"warning: the plan takes {made.minutes} of {made.slot} minutes: no other question of the"
                     f" selection fits within {plan.TOLERANCE:.0%} over the slot")
    return made.book
