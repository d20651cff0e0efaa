"""WeasyPrint's drawing of an SVG image (a formula, a figure), kept once and written again as it was.

WeasyPrint draws an SVG image by walking its tree and parsing every path of it each time the image
is painted; for the book's 2,659 formulas that is about 40 % of the layout's time. What it writes
for an image depends only on the image, the size it is drawn at and the graphics state the page is
in when it starts (colour and alpha already set): so the operators it wrote are kept on disk under
a key of those and of the engine's versions, and appended to the page again the next time.

WeasyPrint 70 draws an image correctly only the first time: drawing a `<use>` turns the `<symbol>`
it points to into an `<svg>` for good, so every later drawing of the same image (a formula that
occurs twice in a part) paints each glyph again at the symbol's own place. Here every drawing is
made from a freshly parsed image, so the PDF equals one where every image is parsed anew, byte for
byte (tests/test_svg_drawings.py).

An image is known by its content (a `data:` URL's, or the file's). Only drawings that are plain
operators are kept — no resources of their own (fonts, images, patterns, groups, marked content)
beyond the alpha states the page already has, and the graphics state restored at the end; anything
else is drawn by WeasyPrint every time, as before. Installed in the processes that lay out the book
(`install`); an entry is written atomically and checked against its hash when read.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import pydyf
import weasyprint
import weasyprint.svg
from weasyprint.images import SVGImage
from weasyprint.urls import fetch

from mlbook import cache
from mlbook.files import atomic_output

FORMAT = "mlbook-svg-drawing 1"
_RESOURCE_OPERATORS = (b"Tf", b"sh", b"scn", b"SCN", b"cs", b"CS", b"BDC", b"BMC", b"EMC", b"BI", b"ri",
                       b"d0", b"d1")
"""Operators that name other resources or mark content: a drawing with any of them is not kept."""
_original_draw = SVGImage.draw
_original_path = weasyprint.svg.TAGS["path"]
_folder: Path | None = None
_paths: dict[tuple[str, float], tuple[list, list]] = {}
PATHS_KEPT = 20_000
"""Path strings whose operators are kept in memory in a process (the book's formulas have ≈ 700)."""
PATH_LENGTH_KEPT = 2_000
"""Longer path strings (a figure's curves, which rarely recur) are not kept: at most ≈ 100 MB."""


def install(folder: Path) -> None:
    """Keep and replay SVG drawings in `folder` in this process (again: only the folder changes)."""
    global _folder
    _folder = folder
    SVGImage.draw = _draw
    weasyprint.svg.TAGS["path"] = _path


@contextmanager
def installed(folder: Path):
    """Keep and replay SVG drawings in `folder` while the block runs; WeasyPrint draws as it did before
    once it ends (the parsed path strings stay remembered for the next block in this process)."""
    global _folder
    before = _folder, SVGImage.draw, weasyprint.svg.TAGS["path"]
    install(folder)
    try:
        yield
    finally:
        _folder, SVGImage.draw, weasyprint.svg.TAGS["path"] = before


def uninstall() -> None:
    """WeasyPrint draws every SVG image itself again."""
    global _folder
    _folder = None
    SVGImage.draw = _original_draw
    weasyprint.svg.TAGS["path"] = _original_path
    _paths.clear()


def _path(svg, node, font_size) -> None:
    """WeasyPrint's drawing of a `<path>`, parsed once per path string in this process.

    For an image drawn for the first time: a formula's glyphs are paths that recur in many formulas
    (x, =, digits), and WeasyPrint parses the string each time. The operators depend only on the
    string and the font size (a path's numbers have no units); a percentage is of the image's size,
    so such a path is drawn anew every time.
    """
    string = node.get("d", "")
    kept = _paths.get((string, font_size))
    if kept is None:
        operators, vertices = len(svg.stream.stream), len(node.vertices)
        _original_path(svg, node, font_size)
        if "%" not in string and len(string) <= PATH_LENGTH_KEPT and len(_paths) < PATHS_KEPT:
            _paths[string, font_size] = (svg.stream.stream[operators:], list(node.vertices)[vertices:])
        return
    svg.stream.stream.extend(kept[0])
    node.vertices.extend(kept[1])


def _draw(image: SVGImage, stream, width: float, height: float, style) -> None:
    content = _content(image) if _folder is not None else None
    if content is None:
        _original_draw(image, stream, width, height, style)
        return
    path = _entry_path(_folder, content, width, height, _state(stream))
    kept = _read(path)
    if kept is not None:
        _replay(stream, kept)
        return
    start, resources = len(stream.stream), _resource_sizes(stream)
    _original_draw(_unused(image, content), stream, width, height, style)
    if _resource_sizes(stream) == resources and _state(stream) == _NO_STATE:
        drawing = _recorded(stream, stream.stream[start:])
        if drawing is not None:
            _write(path, drawing)


def _content(image: SVGImage) -> bytes | None:
    """The SVG file the image was made from (None if it cannot be had again)."""
    if not hasattr(image, "_mlbook_content"):
        url = image._base_url
        image._mlbook_content = None
        # an <svg> written inside the HTML carries the document's URL, not its own: never kept
        if not isinstance(url, str) or not (url.startswith("data:image/svg+xml")
                                            or url.startswith(("file:", cache.SCHEME))
                                            and url.lower().endswith(".svg")):
            return None
        try:  # the fetcher WeasyPrint read the image with (it decodes `data:` URLs too)
            with fetch(image._url_fetcher, url) as response:
                image._mlbook_content = response.read()
        except Exception:  # noqa: BLE001 (whatever failed, WeasyPrint draws the image itself)
            image._mlbook_content = None
    return image._mlbook_content


def _unused(image: SVGImage, content: bytes) -> SVGImage:
    """The image if it was never drawn, else the same image parsed again."""
    if not getattr(image, "_mlbook_drawn", False):
        image._mlbook_drawn = True
        return image
    return SVGImage(ElementTree.fromstring(content), image._base_url, image._url_fetcher, image._context)


def _state(stream) -> str:
    """What the drawing depends on besides the image: the colours and alphas already set."""
    return repr((stream._current_color, stream._current_color_stroke, stream._current_alpha,
                 stream._current_alpha_stroke))


_NO_STATE = repr((None, None, None, None))
"""The state after any drawing (WeasyPrint restores the graphics state it started from)."""


def _entry_path(folder: Path, content: bytes, width: float, height: float, state: str) -> Path:
    digest = hashlib.sha256()
    for piece in (FORMAT, weasyprint.__version__, pydyf.__version__, repr(width), repr(height),
                  state):
        digest.update(piece.encode())
        digest.update(b"\0")
    digest.update(content)
    key = digest.hexdigest()
    return folder / key[:2] / f"{key}.json"


def _resource_sizes(stream) -> tuple[int, ...]:
    """How many patterns, shadings, fonts… the stream has (alpha states and groups are recorded)."""
    return tuple(len(value) for name, value in stream._resources.items()
                 if isinstance(value, dict) and name not in ("ExtGState", "XObject"))


def _recorded(stream, operators: list) -> dict | None:
    """The drawing as data (operators, the alpha states and groups they use), or None if it uses
    anything else."""
    states, groups = {}, []
    for operator in operators:
        if not isinstance(operator, bytes) or b"\n" in operator:
            return None
        name, _, verb = operator.rpartition(b" ")
        if verb == b"gs":
            state = stream._resources["ExtGState"].get(name.decode()[1:])
            if not _is_alpha(state):
                return None
            states.setdefault(name.decode()[1:], dict(state))
        elif verb == b"Do":
            group = stream._resources["XObject"].get(name.decode()[1:])
            drawing = _recorded_group(group)
            if drawing is None:
                return None
            groups.append([name.decode()[1:], list(group.extra["BBox"]), drawing])
        elif verb in _RESOURCE_OPERATORS:
            return None
    return {"operators": [operator.decode("latin-1") for operator in operators],
            "states": list(states.items()), "groups": groups}


def _is_alpha(state) -> bool:
    return (isinstance(state, dict) and set(state) <= {"ca", "CA"}
            and all(isinstance(value, (int, float)) for value in state.values()))


def _recorded_group(group) -> dict | None:
    """A transparency group made by the drawing (WeasyPrint's `add_group`) as data, or None."""
    if not isinstance(group, pydyf.Stream) or not isinstance(getattr(group, "extra", None), dict):
        return None
    resources = group.extra.get("Resources")
    if "Group" not in group.extra or not isinstance(resources, dict) or resources.get("Pattern") or \
            resources.get("Shading") or resources.get("Font"):
        return None
    if not all(isinstance(value, (int, float)) for value in group.extra.get("BBox", [None])):
        return None
    return _recorded(group, group.stream)


def _replay(stream, drawing: dict) -> None:
    """Write a recorded drawing into the stream as WeasyPrint would have: same operators, alpha
    states added where missing, groups made anew (their names may differ here)."""
    known = stream._resources["ExtGState"]
    for name, entries in drawing["states"]:
        if name not in known:
            known[name] = pydyf.Dictionary(entries)
    renamed = {}
    for name, box, content in drawing["groups"]:
        group = stream.add_group(0, 0, 0, 0)
        group.extra["BBox"][:] = box
        _replay(group, content)
        renamed[f"/{name} Do"] = f"/{group.id} Do"
    stream.stream.extend(renamed.get(operator, operator).encode("latin-1")
                         for operator in drawing["operators"])
    stream._current_color = stream._current_color_stroke = None
    stream._current_alpha = stream._current_alpha_stroke = None


def _read(path: Path) -> dict | None:
    try:
        entry = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or not _well_formed(entry.get("drawing")):
        return None
    now = time.time()
    try:
        os.utime(path, (now, now))
    except OSError:
        pass
    return entry["drawing"]


def _well_formed(drawing) -> bool:
    """Whether a drawing read from disk has the shape `_recorded` gives (else it is drawn again)."""
    try:
        return (all(isinstance(operator, str) for operator in drawing["operators"])
                and all(isinstance(name, str) and _is_alpha(entries) for name, entries in drawing["states"])
                and all(isinstance(name, str) and len(box) == 4
                        and all(isinstance(value, (int, float)) for value in box) and _well_formed(content)
                        for name, box, content in drawing["groups"]))
    except (TypeError, KeyError, ValueError):
        return False


def _write(path: Path, drawing: dict) -> None:
    try:
        with atomic_output(path) as temporary:
            temporary.write_text(json.dumps({"format": FORMAT, "drawing": drawing}), encoding="utf-8")
    except OSError:
        pass  # a cache that cannot be written only costs time
