"""The book is laid out part by part: page numbers from the build's page map, a cache that gives the
same PDF as a build from scratch, and one joined PDF with working links, tags and bookmarks."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pikepdf
import pytest

from mlbook.markup import math
from mlbook.cache import root as cache_root, url as cache_url
from mlbook.pdf import drawings, layout, page_map, write
from mlbook.render import documents as render
from mlbook.cli import run
from mlbook.content.load import load
from tests.conftest import CONTENT, ROOT, SAMPLE, build_after
from tests.pdftext import normalize, page_lines, pdf_text


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty layout cache for this test only."""
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "layout"


@pytest.fixture
def laid_out(monkeypatch) -> list[list[layout.LaidOutPart]]:
    """Records every layout pass of the builds in the test: the parts and whether each was cached."""
    passes: list[list[layout.LaidOutPart]] = []
    original = layout.lay_out_parts

    def recording(jobs, progress=None, workers=None):
        parts = original(jobs, progress, workers)
        passes.append(parts)
        return parts

    monkeypatch.setattr(layout, "lay_out_parts", recording)
    return passes


def build(content: Path, out: Path) -> bytes:
    assert run(["pdf", "--strict", "--content", str(content), "--out", str(out), "-q"]) == 0
    return (out / "book.pdf").read_bytes()


def build_from_scratch(content: Path, out: Path, monkeypatch, tmp_path) -> bytes:
    """A build with an empty layout cache (formulas, code and figures as the cache holds them now)."""
    scratch = tmp_path / f"scratch-cache-{out.name}"
    shutil.copytree(cache_root(), scratch, ignore=lambda folder, names: ["layout"] if Path(folder) == cache_root() else [])
    with monkeypatch.context() as patch:
        patch.setenv("MLBOOK_CACHE", str(scratch))
        return build(content, out)


def relaid(passes) -> set[str]:
    return {part.name for parts in passes for part in parts if not part.cached}


# --- the cache: a cached build equals a build from scratch -------------------------------------------

def test_second_build_lays_out_nothing_and_gives_the_same_file(sample_copy, tmp_path, cache, laid_out,
                                                                monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build(sample_copy, tmp_path / "one")
    assert len(laid_out) == 1, "a first build measures the parts, then lays them out once with those pages"
    laid_out.clear()
    assert build(sample_copy, tmp_path / "two") == first
    assert len(laid_out) == 1 and relaid(laid_out) == set()


def test_an_edited_answer_relays_only_its_part(sample_copy, tmp_path, cache, laid_out, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(sample_copy, tmp_path / "one")
    laid_out.clear()
    path = sample_copy / "beta/row-count.md"
    path.write_text(path.read_text(encoding="utf-8").replace("МАРКЕР-ОТВЕТА-SQL", "МАРКЕР-ОТВЕТА-SQL-2"),
                    encoding="utf-8")
    edited = build(sample_copy, tmp_path / "two")
    assert relaid(laid_out) == {"2"}
    assert "МАРКЕР-ОТВЕТА-SQL-2" in pdf_text(tmp_path / "two" / "book.pdf")
    assert edited == build_from_scratch(sample_copy, tmp_path / "scratch", monkeypatch, tmp_path)


def test_a_glossary_change_relays_only_the_back_matter_and_equals_a_build_from_scratch(sample_copy, tmp_path,
                                                                                      cache, laid_out, monkeypatch):
    """The index's pages come from the parts' text kept in the cache: a new term needs no part laid out
    again but the glossary and the index."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(sample_copy, tmp_path / "one")
    laid_out.clear()
    glossary = sample_copy / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "- ru: максимум\n  en: maximum\n"
                        "  definition: Наибольшее значение.\n", encoding="utf-8")
    changed = build(sample_copy, tmp_path / "two")
    assert relaid(laid_out) == {"glossary", "index"}
    assert "максимум, 4" in pdf_text(tmp_path / "two" / "book.pdf")
    assert changed == build_from_scratch(sample_copy, tmp_path / "scratch", monkeypatch, tmp_path)


def test_an_answer_that_now_uses_a_term_relays_its_part_and_the_index(sample_copy, tmp_path, cache, laid_out,
                                                                     monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(sample_copy, tmp_path / "one")
    laid_out.clear()
    path = sample_copy / "beta/row-count.md"
    path.write_text(path.read_text(encoding="utf-8").replace("МАРКЕР-ОТВЕТА-SQL", "МАРКЕР-ОТВЕТА-SQL и логиты"),
                    encoding="utf-8")
    edited = build(sample_copy, tmp_path / "two")
    assert relaid(laid_out) == {"2", "index"}
    assert re.search(r"логит, 4, 7", pdf_text(tmp_path / "two" / "book.pdf"))
    assert edited == build_from_scratch(sample_copy, tmp_path / "scratch", monkeypatch, tmp_path)


def test_a_css_change_relays_every_part_and_equals_a_build_from_scratch(sample_copy, tmp_path, cache,
                                                                        laid_out, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(sample_copy, tmp_path / "one")
    templates = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES, templates)
    css = templates / "print.css"
    css.write_text(css.read_text(encoding="utf-8").replace("font-size: 10.5pt;", "font-size: 12pt;"),
                   encoding="utf-8")
    monkeypatch.setattr(render, "TEMPLATES", templates)
    laid_out.clear()
    changed = build(sample_copy, tmp_path / "two")
    assert relaid(laid_out) == {"front", "1.1", "1.2", "2", "glossary", "index"}
    assert changed == build_from_scratch(sample_copy, tmp_path / "scratch", monkeypatch, tmp_path)


def test_a_font_change_relays_every_part(sample_copy, tmp_path, cache, laid_out, monkeypatch):
    build(sample_copy, tmp_path / "one")
    laid_out.clear()
    monkeypatch.setattr(layout, "_fonts_fingerprint", "a font was added or updated")
    build(sample_copy, tmp_path / "two")
    assert relaid(laid_out) == {"front", "1.1", "1.2", "2", "glossary", "index"}


def test_a_changed_formula_file_relays_the_parts_that_embed_it(sample_copy, tmp_path, cache, laid_out,
                                                                monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "cache"))
    math.svg.cache_clear()
    try:
        build(sample_copy, tmp_path / "one")
        formula = sorted((tmp_path / "cache" / "math").rglob("*.svg"))[0]
        formula.write_text(formula.read_text(encoding="utf-8").replace(
            "</svg>", '<rect x="0" y="0" width="2" height="2"/></svg>'), encoding="utf-8")
        math.svg.cache_clear()
        embedding = {name for name, html in render.render_book_parts(load(sample_copy), render.Page("book"))
                     if cache_url(formula) in html}
        laid_out.clear()
        changed = build(sample_copy, tmp_path / "two")
        assert embedding and relaid(laid_out) == embedding
        assert changed == build_from_scratch(sample_copy, tmp_path / "scratch", monkeypatch, tmp_path)
    finally:
        math.svg.cache_clear()


def test_the_cache_stays_under_its_limits_dropping_the_least_recently_used(cache, monkeypatch):
    for limit in ("CACHE_LIMIT_BYTES", "DRAWINGS_LIMIT_BYTES", "MAPS_LIMIT_BYTES"):
        monkeypatch.setattr(layout, limit, 250)
    kinds = {"part": lambda n: [cache / "parts" / "ab" / f"{n}.json", cache / "parts" / "ab" / f"{n}.pdf"],
             "drawing": lambda n: [layout.drawings_dir() / "cd" / f"{n}.json"],
             "map": lambda n: [cache / "maps" / f"{n}.json"]}
    for files_of in kinds.values():
        for age, name in ((30, "old"), (20, "middle"), (10, "new")):
            for path in files_of(name):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"x" * (100 // len(files_of(name))))
                os.utime(path, (time.time() - age, time.time() - age))
    layout._prune_cache()
    for kind, files_of in kinds.items():
        assert [path.exists() for name in ("old", "middle", "new") for path in files_of(name)[:1]] == \
            [False, True, True], kind
        assert not any(path.exists() for path in files_of("old")), kind


def test_a_moved_question_updates_every_page_that_shows_its_number(sample_copy, tmp_path, cache, laid_out,
                                                                   monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(sample_copy, tmp_path / "one")
    before = pages_of_questions(tmp_path / "one" / "book.pdf")
    path = sample_copy / "alpha/softmax.md"
    filler = "\n\n" + "\n\n".join(f"Абзац {i}: " + "длинный текст, который занимает место. " * 12
                                  for i in range(12)) + "\n"
    path.write_text(path.read_text(encoding="utf-8") + filler, encoding="utf-8")
    laid_out.clear()
    moved = build(sample_copy, tmp_path / "two")
    after = pages_of_questions(tmp_path / "two" / "book.pdf")
    assert after["1.1.2"] > before["1.1.2"] and after["2.1"] > before["2.1"]
    # the front matter shows the new pages in its contents, section 2 in its see-also list
    assert {"front", "1.1", "2"} <= relaid(laid_out)
    assert moved == build_from_scratch(sample_copy, tmp_path / "scratch", monkeypatch, tmp_path)
    assert_page_references_are_true(tmp_path / "two" / "book.pdf", sample_copy)


def test_a_half_written_cache_entry_is_never_read(sample_copy, tmp_path, cache, laid_out, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build(sample_copy, tmp_path / "one")
    for pdf in cache.glob("parts/*/*.pdf"):
        pdf.write_bytes(pdf.read_bytes()[: len(pdf.read_bytes()) // 2])  # as if killed while writing
    laid_out.clear()
    assert build(sample_copy, tmp_path / "two") == first
    assert relaid(laid_out) == {"front", "1.1", "1.2", "2", "glossary", "index"}


# --- the joined PDF -------------------------------------------------------------------------------------

def test_joined_pdf_has_whole_structure_tree_links_and_bookmarks(sample_outputs):
    with pikepdf.open(sample_outputs / "book.pdf") as pdf:
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        structure = pdf.Root.StructTreeRoot
        elements = list(walk_structure(structure.K[0]))
        assert len(elements) > 100 and all(e.Pg.objgen in pages for e in elements if "/Pg" in e)
        # every page's and annotation's parent-tree key is unique and present in the parent tree
        numbers = structure.ParentTree.Nums
        tree_keys = [int(numbers[i]) for i in range(0, len(numbers), 2)]
        keys = [int(page.obj.StructParents) for page in pdf.pages]
        keys += [int(a.StructParent) for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert sorted(keys) == sorted(tree_keys) == list(range(len(keys)))
        assert int(structure.ParentTreeNextKey) == len(keys)
        # links: internal ones name a destination of the book, none is left pointing to another part
        destinations = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        internal = []
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", []):
                if "/Dest" in annotation:
                    internal.append(str(annotation.Dest))
                else:
                    assert not str(annotation.A.URI).startswith(page_map.FOREIGN_LINK)
        assert internal and all(name in destinations for name in internal)
        assert {"s-1", "s-1.2", "s-2", "q-softmax", "q-row-count", "fig-1-1"} <= set(destinations)
        # the contents (page 3) links to every section and subsection
        assert {str(a.Dest) for a in pdf.pages[2].obj.Annots} == {"s-1", "s-1.1", "s-1.2", "s-2", "glossary",
                                                                   "subject-index"}
        # bookmarks: sections → subsections → questions, each on the page its heading is on
        outline = outline_pages(pdf)
        text = page_texts(sample_outputs / "book.pdf")
        for title, page in outline.items():
            assert title in text[page], (title, page)
        assert ["1 Первый раздел", "1.1 Формулы и код", "1.1.1 Что такое softmax"] == [
            next(t for t in outline if t.startswith(p)) .split(" и почему")[0]
            for p in ("1 Перв", "1.1 Форм", "1.1.1 ")]
        assert pdf.Root.MarkInfo.Marked and str(pdf.Root.Lang) == "ru"
        assert b"pdfuaid" in pdf.Root.Metadata.read_bytes()


def walk_structure(element):
    yield element
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from walk_structure(kid)


def outline_pages(pdf: pikepdf.Pdf) -> dict[str, int]:
    """Every bookmark's title and the index of the page it opens."""
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    found = {}
    with pdf.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop()
            found[item.title] = pages[item.destination[0].objgen]
            stack.extend(item.children)
    return found


def page_texts(path: Path) -> list[str]:
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return [normalize(page) for page in raw.split("\f")]


def pages_of_questions(path: Path) -> dict[str, int]:
    """Question or section number → printed page number, from the bookmarks."""
    with pikepdf.open(path) as pdf:
        return {title.split()[0]: index + 1 for title, index in outline_pages(pdf).items()
                if re.match(r"\d", title)}


def assert_page_references_are_true(path: Path, content: Path) -> None:
    """Every page number the book prints — footers, contents, «с. N» — is where its target is."""
    book = load(content)
    texts = page_texts(path)
    on_page = pages_of_questions(path)
    for index, lines in enumerate(page_lines(path)[1:], start=2):  # the cover has no number
        assert lines[-1] == str(index), f"page {index} shows {lines[-1]!r} at its foot"
    toc = " ".join(text for text in texts if text.lstrip().startswith("Содержание"))
    text = " ".join(texts)
    checked = 0
    headings = [(s.number, s.title) for s in book.sections]
    headings += [(sub.number, sub.title) for s in book.sections for sub in s.subsections if sub.title]
    for number, title in headings:
        shown = re.search(re.escape(f"{number} {title}") + r" ?\.{3,} ?(\d+)", toc)
        assert shown, f"contents: no entry for {number} {title}"
        assert int(shown.group(1)) == on_page[number], f"contents: {number} on p. {shown.group(1)}"
        checked += 1
    for question in book.questions:
        for page in re.findall(re.escape(f"{question.number} {question.text}") + r" — с\. (\d+)", text):
            assert int(page) == on_page[question.number], f"see also: {question.number} shown on p. {page}"
            checked += 1
    for number, page in re.findall(r"(?<![\d.])(\d+\.\d+(?:\.\d+)?) \(с\. (\d+)\)", text):
        assert on_page[number] == int(page), f"reference: {number} shown on p. {page}, is on {on_page[number]}"
        checked += 1
    assert checked >= len(book.questions) // 2


def test_every_page_number_in_the_sample_is_true(sample_outputs):
    assert_page_references_are_true(sample_outputs / "book.pdf", SAMPLE)


def test_the_measuring_pass_finds_the_pages_of_the_real_layout(book_outputs):
    """A first build measures with formulas as empty boxes and code without colours: the same pages."""
    book, page = load(CONTENT), render.Page("book")
    pages = page_map.read(page_map.kept_file(book, page))  # where the build above put everything
    parts = [page_map.BookPart(name, html) for name, html in render.render_book_parts(book, page)]
    jobs = [layout.Job(part.name, part.html(pages), str(book.root.resolve()) + "/", render.print_file_roots(book))
            for part in parts]
    assert pages.anchors and pages.terms and page_map.from_layout(layout.measure_parts(jobs), book.glossary) == pages


def test_every_page_number_in_the_real_book_is_true(book_outputs):
    assert_page_references_are_true(book_outputs / "book.pdf", CONTENT)


# --- interrupted builds ---------------------------------------------------------------------------------

PAUSED_IN_A_WORKER = """
import time
from mlbook.pdf import tags
marked = tags.without_plain_spans
def marked_after_a_pause(pdf):  # in a worker: the part is laid out, its PDF made, not yet in the cache
    print("laying out", flush=True)
    time.sleep(120)
    return marked(pdf)
tags.without_plain_spans = marked_after_a_pause
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_build_killed_while_laying_out_leaves_no_worker_and_a_trustworthy_cache(sig, sample_copy, tmp_path):
    out, cache_root = tmp_path / "out", tmp_path / "cache"
    marker = f"mlbook-test-{os.getpid()}-{sig}"
    # a fatal error (SIGABRT) prints every thread's stack, shown if the test fails
    env = {**os.environ, "MLBOOK_CACHE": str(cache_root), "MLBOOK_TEST_MARKER": marker, "PYTHONFAULTHANDLER": "1"}
    options = ["pdf", "-q", "--content", str(sample_copy), "--out", str(out)]
    command = [sys.executable, str(ROOT / "build.py"), *options]
    assert subprocess.run(command, cwd=ROOT, env=env, capture_output=True).returncode == 0
    before = (out / "book.pdf").read_bytes()
    path = sample_copy / "alpha/softmax.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nАбзац после первой сборки.\n", encoding="utf-8")
    process = subprocess.Popen(build_after(PAUSED_IN_A_WORKER, options), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"laying out\n", process.stderr.read().decode(errors="replace")
    process.send_signal(sig)
    process.wait(timeout=60)
    deadline = time.monotonic() + 10
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker) == []
    assert (out / "book.pdf").read_bytes() == before
    if sig == signal.SIGINT:
        errors = process.stderr.read().decode(errors="replace")
        assert process.returncode == 130 and "Traceback" not in errors, errors
    for record in (cache_root / "layout" / "parts").glob("*/*.json"):
        meta = json.loads(record.read_text(encoding="utf-8"))
        assert meta["sha256"] == hashlib.sha256(record.with_suffix(".pdf").read_bytes()).hexdigest()
    assert subprocess.run(command, cwd=ROOT, env=env, capture_output=True).returncode == 0
    assert "Абзац после первой сборки." in pdf_text(out / "book.pdf")
    assert not list((cache_root / "layout").glob("**/.*.tmp"))


def processes_with(marker: str) -> list[int]:
    """Processes (a build and its workers) started with the marker in their environment."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker.encode() in (proc / "environ").read_bytes():
                    state = (proc / "stat").read_text().split(")")[-1].split()[0]
                    if state != "Z":
                        found.append(int(proc.name))
            except OSError:
                continue
    return found


def test_a_long_subsection_is_laid_out_in_parts_under_its_running_header(sample_copy, tmp_path, cache, laid_out,
                                                                         monkeypatch):
    monkeypatch.setattr(render, "PART_CHARACTERS", 1)  # every subsection is "long": one question a part
    build(sample_copy, tmp_path / "out")
    path = tmp_path / "out" / "book.pdf"
    assert [part.name for part in laid_out[-1]] == ["front", "1.1", "1.1.2", "1.2", "2", "glossary", "index"]
    assert_page_references_are_true(path, sample_copy)
    page = pages_of_questions(path)["1.1.2"]
    header = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                            check=True, capture_output=True, text=True).stdout.strip().splitlines()[0]
    assert "1 Первый раздел" in header and "1.1 Формулы и код" in header
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        section = next(item for item in outline.root if item.title.startswith("1 "))
        subsection = next(item for item in section.children if item.title.startswith("1.1 "))
        assert [item.title.split()[0] for item in subsection.children] == ["1.1.1", "1.1.2"]


def test_page_numbers_that_never_settle_are_an_error_not_a_loop(sample_copy, tmp_path, cache, monkeypatch,
                                                                 capsys):
    """A page break that flips back and forth on every pass: after MAX_PASSES the build stops."""
    shifted = itertools.count(1)
    measured = page_map.from_layout
    monkeypatch.setattr(page_map, "from_layout", lambda parts, glossary=(): page_map.PageMap(
        measured(parts).starts, {name: page + next(shifted) for name, page in measured(parts).anchors.items()}))
    assert run(["pdf", "-q", "--content", str(sample_copy), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == (f"error: {tmp_path / 'out' / 'book.pdf'}: page numbers still changed"
                                       f" after {write.MAX_PASSES} layout passes\n")
    assert not (tmp_path / "out" / "book.pdf").exists()


def test_page_numbers_that_go_round_a_cycle_settle_with_a_blank_page(sample_copy, tmp_path, cache, monkeypatch):
    """Part "a" is 98 pages when the page it names shows as "99" and 97 when it shows "100", and that page
    moves with it: 99 → 100 → 99 … for ever, the build used to fail. Now the part is kept at its longer
    length — a blank page at its end where the number makes it shorter — and the number it shows is true."""
    target = '<html><head></head><body><p><a href="#q-target">x</a></p></body></html>'
    monkeypatch.setattr(render, "render_book_parts", lambda book, page: [
        ("front", "<html><head></head><body></body></html>"), ("a", target),
        ("b", '<html><head></head><body><p id="q-target">t</p></body></html>')])
    jobs = []

    def lay_out(parts, progress=None, workers=None):
        jobs.append({job.name: job.html for job in parts})
        laid_out = []
        for job in parts:
            pages = {"front": 1, "b": 5}.get(job.name, (97 if 'data-page="100"' in job.html else 98)
                                                   + job.html.count('class="blank-page"'))
            anchors = {"q-target": (0, 0.0, 0.0)} if job.name == "b" else {}
            laid_out.append(layout.LaidOutPart(job.name, None, pages, anchors, [], [], [{}] * pages, False))
        return laid_out

    monkeypatch.setattr(layout, "lay_out_parts", lay_out)
    monkeypatch.setattr(layout, "measure_parts", lay_out)
    book = load(sample_copy)
    parts = write._laid_out_book(book, render.Page("book"), tmp_path / "book.pdf", None)
    assert [part.pages for part in parts] == [1, 98, 5]  # b starts on p. 100
    shown = [html["a"] for html in jobs if "a" in html]
    assert 'data-page="99"' in "".join(shown) and 'data-page="100"' in shown[-1]  # it went round, then settled
    assert shown[-1].count('class="blank-page"') == 1
    assert page_map.read(page_map.kept_file(book, render.Page("book"))).anchors["q-target"] == 100
    assert len(jobs) <= write.MAX_PASSES + 1


def test_the_drawings_are_kept_only_while_a_pdf_is_written(sample_copy, tmp_path):
    from weasyprint.images import SVGImage

    before = SVGImage.draw
    assert run(["handout", "-q", "--content", str(sample_copy), "--out", str(tmp_path)]) == 0
    assert SVGImage.draw is before and drawings._folder is None


def test_a_ctrl_c_while_the_workers_are_forked_stops_the_build(tmp_path):
    """The signal comes in an at-fork hook of the parent, where Python used to run its handler and
    drop the KeyboardInterrupt ("Exception ignored in ... _releaseLock"): the tasks then ran to the end."""
    script = tmp_path / "interrupted.py"
    script.write_text(textwrap.dedent("""
        import os, signal, sys, time
        from mlbook.workers import run_unordered

        os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))

        def slow(task):
            time.sleep(0.2)
            return task

        try:
            done = list(run_unordered(slow, range(20), 2))
        except KeyboardInterrupt:
            sys.exit(130)
        print("all", len(done), "tasks done")
    """), encoding="utf-8")
    finished = subprocess.run([sys.executable, str(script)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              capture_output=True, text=True, timeout=60)
    assert (finished.returncode, finished.stdout, finished.stderr) == (130, "", "")
