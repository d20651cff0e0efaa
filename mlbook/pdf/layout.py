"""Stage 3a: WeasyPrint lays the book out part by part, in worker processes, and keeps each part.

A part (front matter, or one subsection) is laid out once for a given input: its PDF and where its
anchors and bookmarks landed are cached under a key of everything that can change them — its HTML
(which holds the CSS, its first page number and every page number it shows), the files it embeds,
the fonts on the system and the engine's version. A cache entry is a PDF and, written after it, a
JSON record with the PDF's hash: a half-written entry is never read.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pydyf
import weasyprint

from mlbook.pdf import drawings, line_breaks, page_text, tags
from mlbook.pdf.fetch import BookFetcher, embedded_path
from mlbook import cache
from mlbook.files import atomic_output
from mlbook.workers import count, run_unordered

FORMAT = 7
"""Bumped when what a cache entry holds changes (2: formulas drawn by `svg_drawings`; 3: no plain
spans in the structure tree; 4: compressed by QPDF; 5: the cache's files named `mlbook-cache:`; 6: each
page's prose per question, for the subject index; 7: lines broken by `line_breaks`)."""
PT_PER_PX = 0.75
CACHE_LIMIT_BYTES = 1 << 30
"""Least recently used entries beyond this size are removed after a build."""
DRAWINGS_LIMIT_BYTES = 256 << 20
"""The same for the formulas' drawings (`svg_drawings`; the real book's take about 25 MB)."""
MAPS_LIMIT_BYTES = 4 << 20
"""The same for the page maps, one per book folder and kind of document (the real book's is 4 KB)."""
_SOURCES = re.compile(r'\ssrc="([^"]+)"')
_FONT_FOLDERS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts",
                 Path.home() / ".local/share/fonts"]


@dataclass(frozen=True)
class LaidOutPart:
    """A part's PDF in the cache and where its anchors and bookmarks are (PDF points, y from the bottom)."""

    name: str
    pdf: Path | None
    """None when only measured (see `measure_parts`)."""
    pages: int
    anchors: dict[str, tuple[int, float, float]]
    """Anchor id → (page index within the part, x, y)."""
    bookmarks: list[tuple[int, str, int, float, float]]
    """(level, label, page index within the part, x, y), in document order."""
    warnings: list[str]
    """What WeasyPrint warned about while laying it out (kept, so a cached part warns again)."""
    texts: list[dict[str, str]]
    """Per page of the part: question id → the prose of that question on the page (`page_text`)."""
    cached: bool
    """True when it came from the cache, False when it was laid out by this build."""


@dataclass(frozen=True)
class Job:
    """One part to lay out."""

    name: str
    html: str
    base_url: str
    roots: tuple[Path, ...]
    """Folders WeasyPrint may read files from."""


def lay_out_parts(jobs: list[Job], progress=None, workers: int | None = None) -> list[LaidOutPart]:
    """Every part, from the cache where its key is there, laid out in worker processes otherwise."""
    keys = [part_key(job) for job in jobs]
    results: dict[int, LaidOutPart] = {}
    for index, (job, key) in enumerate(zip(jobs, keys)):
        cached = _read_entry(job.name, key)
        if cached is not None:
            results[index] = cached
    _lay_out_missing(jobs, keys, results, progress, workers)
    _prune_cache()
    return [results[i] for i in range(len(jobs))]


def first_pages(parts: list[LaidOutPart]) -> list[int]:
    """Index of every part's first page in the book (0 for the first part), parts in book order."""
    starts, page = [], 0
    for part in parts:
        starts.append(page)
        page += part.pages
    return starts


def measure_parts(jobs: list[Job], progress=None, workers: int | None = None) -> list[LaidOutPart]:
    """Where every part's pages and anchors fall, without writing a PDF (`pdf` is None).

    For a first build, which has no page map: formulas are laid out as empty boxes of their size
    and code without its colours (the same layout, with less to do), and nothing is cached.
    """
    light = [Job(job.name, _measured_html(job.html), job.base_url, job.roots) for job in jobs]
    results: dict[int, LaidOutPart] = {}
    _lay_out_missing(light, [None] * len(light), results, progress, workers)
    return [results[i] for i in range(len(jobs))]


def _measured_html(html: str) -> str:
    """The part as the measuring pass lays it out. The highlighted tokens' spans are dropped: each
    is a box of its own for WeasyPrint (a third of a part's layout time), and the code font's
    regular, bold and slanted letters are equally wide, so the lines are the same. Where they are
    not (another code font in `print.css`), the page map is off and the build lays the parts whose
    numbers it got wrong out once more: slower, never wrong."""
    html = _FORMULA_IMAGE.sub(_BLANK_IMAGE, html)
    return _CODE.sub(lambda code: _CODE_TOKEN.sub(r"\1", code.group()), html)


_CODE = re.compile(r'<pre class="highlight"><code>.*?</code></pre>', re.DOTALL)
_CODE_TOKEN = re.compile(r'<span class="[^"]*">([^<]*)</span>')
_FORMULA_IMAGE = re.compile(r'(<img class="math") src="[^"]*"')
_BLANK_IMAGE = "\\1 src=\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E\""


def _lay_out_missing(jobs: list[Job], keys: list[str | None], results: dict[int, LaidOutPart], progress,
                     workers: int | None) -> None:
    """Lay out the jobs not in `results` on all cores, the largest first; `None` keys: measure only."""
    missing = sorted((i for i in range(len(jobs)) if i not in results), key=lambda i: -len(jobs[i].html))
    report = progress or (lambda done, total: None)
    report(len(results), len(jobs))
    if missing:
        tasks = [(jobs[i], keys[i], i) for i in missing]
        for index, part in run_unordered(_lay_out, tasks, workers or count(len(tasks))):
            results[index] = part
            report(len(results), len(jobs))


def part_key(job: Job) -> str:
    digest = hashlib.sha256()
    for piece in (str(FORMAT), weasyprint.__version__, pydyf.__version__, fonts_fingerprint(), job.html):
        digest.update(piece.encode())
        digest.update(b"\0")
    for url in sorted(set(_SOURCES.findall(job.html))):
        path = embedded_path(url.replace("&amp;", "&"), job.base_url)
        if path is not None and path.is_file():
            digest.update(url.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


_fonts_fingerprint: str | None = None


def fonts_fingerprint() -> str:
    """Every font file this machine has (path, size, time): a new or updated font changes it."""
    global _fonts_fingerprint
    if _fonts_fingerprint is None:
        digest = hashlib.sha256()
        for folder in _FONT_FOLDERS:
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        stat = path.stat()
                        digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        _fonts_fingerprint = digest.hexdigest()
    return _fonts_fingerprint


def drawings_dir() -> Path:
    """Where `svg_drawings` keeps the formulas' drawings (beside the parts they end up in)."""
    return cache.folder("layout") / "drawings"


@contextmanager
def book_weasyprint():
    """WeasyPrint as the book lays out with it, while the block runs: formulas drawn from `drawings`,
    lines broken by `line_breaks`. For every PDF the build writes (the parts here, the handout and the
    sheet in `write`), so that none is laid out without one of them."""
    with drawings.installed(drawings_dir()), line_breaks.installed():
        yield


def _entry_paths(key: str) -> tuple[Path, Path]:
    folder = cache.folder("layout") / "parts" / key[:2]
    return folder / f"{key}.pdf", folder / f"{key}.json"


def _read_entry(name: str, key: str) -> LaidOutPart | None:
    pdf, record = _entry_paths(key)
    try:
        meta = json.loads(record.read_text(encoding="utf-8"))
        if hashlib.sha256(pdf.read_bytes()).hexdigest() != meta["sha256"]:
            return None
        now = time.time()
        os.utime(record, (now, now))
        os.utime(pdf, (now, now))
    except (OSError, ValueError, KeyError):
        return None
    return _part(name, pdf, meta, cached=True)


def _part(name: str, pdf: Path, meta: dict, cached: bool) -> LaidOutPart:
    return LaidOutPart(name, pdf, meta["pages"], {k: tuple(v) for k, v in meta["anchors"].items()},
                       [tuple(b) for b in meta["bookmarks"]], meta["warnings"], meta["texts"], cached)


class WarningCollector(logging.Handler):
    """Collects WeasyPrint's warnings (missing glyphs, refused URLs) instead of printing them."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _lay_out(task) -> tuple[int, LaidOutPart]:
    job, key, index = task
    logger = logging.getLogger("weasyprint")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    warnings = WarningCollector()
    logger.addHandler(warnings)
    logger.propagate = False
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    # WeasyPrint makes millions of objects and few reference cycles: the collector's passes over
    # them were 10–14 % of a part's time; it runs once, after the part
    gc.disable()
    try:
        with book_weasyprint():
            data, meta = _laid_out_part(job, key is not None, warnings.messages)
    finally:
        gc.enable()
        gc.collect()
    if key is None:
        return index, _part(job.name, None, meta, cached=False)
    pdf, record = _entry_paths(key)
    with atomic_output(pdf) as temporary:
        temporary.write_bytes(data)
    with atomic_output(record) as temporary:
        temporary.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return index, _part(job.name, pdf, meta, cached=False)


def _laid_out_part(job: Job, write: bool, warnings: list[str]) -> tuple[bytes | None, dict]:
    """The part's PDF (None when only measured) and its cache record."""
    document = weasyprint.HTML(string=job.html, base_url=job.base_url,
                               url_fetcher=BookFetcher(list(job.roots))).render()
    data = tags.without_plain_spans(
        document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=True, custom_metadata=False)) if write else None
    meta = {"pages": len(document.pages), "anchors": {}, "bookmarks": [], "warnings": warnings,
            "texts": [page_text.question_texts(page) for page in document.pages],
            "sha256": data and hashlib.sha256(data).hexdigest()}
    for number, page in enumerate(document.pages):
        height = page.height * PT_PER_PX
        for name, (x, y, _, _) in page.anchors.items():
            meta["anchors"].setdefault(name, (number, x * PT_PER_PX, height - y * PT_PER_PX))
        for level, label, (x, y), _ in page.bookmarks:
            meta["bookmarks"].append((level, label, number, x * PT_PER_PX, height - y * PT_PER_PX))
    return data, meta


def _prune_cache() -> None:
    """Keep the parts, the drawings and the page maps under their limits, the least recently used
    dropped first (a book's map is written again at the end of its build)."""
    layout = cache.folder("layout")
    cache.prune([(record, record.with_suffix(".pdf")) for record in layout.glob("parts/*/*.json")],
                CACHE_LIMIT_BYTES)
    cache.prune([(entry,) for entry in drawings_dir().glob("*/*.json")], DRAWINGS_LIMIT_BYTES)
    cache.prune([(entry,) for entry in layout.glob("maps/*.json")], MAPS_LIMIT_BYTES)
