"""Figures: SVG files from `content/`, or made by a figure script only when the script changed."""

from __future__ import annotations

import hashlib
import os
import queue
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlparse

from mlbook import cache
from mlbook.zygote import Stopped, Zygote

IMAGE_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg"}
SCRIPT_TIMEOUT = 120


class FigureError(ValueError):
    """A figure that cannot be found or made; the message says why."""


def resolve(src: str, question_file: Path, content_root: Path, scripts: bool = False) -> Path:
    """The file a figure reference points at, checked to stay inside the content folder and to be
    the image its name says. A missing SVG with a script beside it is made by the script, which
    runs only when `scripts` (the bank's `figure_scripts: true`) allows it."""
    if urlparse(src).scheme or src.startswith(("/", "\\", "//")):
        raise FigureError(f"figure '{src}' must be a path relative to the question file,"
                          " not an absolute path or URL")
    path = (question_file.parent / src).resolve()
    root = content_root.resolve()
    if not path.is_relative_to(root):
        raise FigureError(f"figure '{src}' points outside the content folder")
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise FigureError(f"figure '{src}' must be .svg, .png or .jpg")
    script = path.with_suffix(".py")
    if path.is_file():
        _check_image(src, path)
    elif path.suffix == ".svg" and script.is_file():
        if not scripts:
            raise FigureError(f"figure '{src}' is made by the script {script.name}, and this bank does not"
                              " run scripts: add `figure_scripts: true` to book.yaml if you trust its code")
    else:
        raise FigureError(f"figure '{src}' not found (and no script {script.name} to make it)")
    return path


def _check_image(src: str, path: Path) -> None:
    """A figure file is what its suffix says: a PNG, a JPEG or an SVG document."""
    kind = image_kind(path.read_bytes()[:4096])
    expected = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".svg": "svg"}[path.suffix.lower()]
    if kind != expected:
        found = f"a {kind.upper()} image" if kind else "not an image"
        raise FigureError(f"figure '{src}' is named as {expected.upper()} but its content is {found}")


def image_kind(head: bytes) -> str | None:
    """The image format that the first bytes of a file show: png, jpeg, gif, webp, svg, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    while text.startswith((b"<?", b"<!--", b"<!DOCTYPE", b"<!doctype")):  # prolog, comments, doctype
        closing = b"-->" if text.startswith(b"<!--") else b"]>" if re.match(rb"<!doctype[^>]*\[", text, re.I) else b">"
        end = text.find(closing)
        if end < 0:
            return None
        text = text[end + len(closing):].lstrip()
    return "svg" if re.match(rb"<(?:\w+:)?svg[\s>/]", text) else None


_CSS_PIXELS = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "": 1.0}
_SVG_ROOT = re.compile(rb"<(?:\w+:)?svg\b([^>]*)>")


def pixel_size(path: Path) -> tuple[int, int] | None:
    """An image's size in CSS pixels (an SVG's width and height, else its viewBox; a bitmap's pixels),
    for the width and height that let a page keep its place before the image loads; None if unknown."""
    head = path.read_bytes()[:8192]
    if image_kind(head) != "svg":
        from PIL import Image  # only bitmaps need it
        with Image.open(path) as image:
            return image.size
    root = _SVG_ROOT.search(head)
    attributes = dict(re.findall(rb'([\w:-]+)\s*=\s*"([^"]*)"', root.group(1))) if root else {}
    sizes = [re.fullmatch(rb"\s*([0-9.]+)\s*([a-z]*)\s*", attributes.get(name, b"")) for name in (b"width", b"height")]
    if all(sizes) and all(m.group(2).decode() in _CSS_PIXELS for m in sizes):
        return tuple(round(float(m.group(1)) * _CSS_PIXELS[m.group(2).decode()]) for m in sizes)
    box = attributes.get(b"viewBox", b"").replace(b",", b" ").split()
    return (round(float(box[2])), round(float(box[3]))) if len(box) == 4 else None


MAKERS = ("matplotlib", "numpy")
"""The libraries figure scripts draw with: their versions are part of a made figure's cache key."""


def _made_path(script: Path) -> Path:
    """Where the figure `script` makes is kept: named by the script's bytes and the drawing libraries'
    versions (an upgraded matplotlib draws anew)."""
    return cache.entry("figures", ".svg", hashlib.sha256(script.read_bytes()).hexdigest(),
                       cache.versions(*MAKERS))


def materialize(path: Path, interpreter: Zygote | None = None) -> Path:
    """The image file to embed: `path` itself, or the SVG its script makes (cached by script hash).

    The script runs in a fresh interpreter, or in a process forked from `interpreter`, which has
    imported matplotlib and numpy already (`materialize_all`)."""
    script = path.with_suffix(".py")
    if path.is_file() or not script.is_file():
        return path
    made = _made_path(script)
    if made.is_file():
        return made
    made.parent.mkdir(parents=True, exist_ok=True)
    temporary = made.with_suffix(f".{os.getpid()}.tmp.svg")
    env = {"MPLBACKEND": "Agg", "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
    try:
        if interpreter is None or not _runs_as_python_would(script, interpreter):
            result = subprocess.run([sys.executable, str(script), str(temporary)], cwd=script.parent,
                                    capture_output=True, text=True, timeout=SCRIPT_TIMEOUT,
                                    env={**os.environ, **env})
        else:
            result = interpreter.run_script(script, [str(temporary)], env, SCRIPT_TIMEOUT)
    except subprocess.TimeoutExpired:
        temporary.unlink(missing_ok=True)
        raise FigureError(f"figure script {script.name} ran longer than {SCRIPT_TIMEOUT} s") from None
    except Stopped as exc:
        temporary.unlink(missing_ok=True)
        raise FigureError(f"figure script {script.name} failed: {exc}") from None
    if result.returncode != 0 or not temporary.is_file():
        temporary.unlink(missing_ok=True)
        last = (result.stderr.strip().splitlines() or ["it wrote no file"])[-1]
        raise FigureError(f"figure script {script.name} failed: {last}")
    temporary.replace(made)
    return made


def resolve_quietly(src: str, question_file: Path, content_root: Path, scripts: bool = False) -> Path | None:
    """`resolve`, or None where it would raise (the error is reported when the figure is checked)."""
    try:
        return resolve(src, question_file, content_root, scripts)
    except FigureError:
        return None


def materialize_all(paths: list[Path | None]) -> None:
    """Run the figure scripts whose SVG is not cached yet, on all cores (errors are reported later).

    Each core has an interpreter that has imported matplotlib and numpy (0.5 s of the 0.6–1.4 s of
    every script in a fresh one), and every script runs in a fork of one."""
    by_result = {_made_path(path.with_suffix(".py")): path for path in sorted(
        {path for path in paths if path is not None and _needs_script(path)})}
    scripts = list(by_result.values())  # one of the scripts with the same text (the same result file)
    if len(scripts) < 2:
        return
    with tempfile.TemporaryDirectory(prefix="mlbook-figures-") as folder, ExitStack() as stack:
        idle: queue.SimpleQueue[Zygote] = queue.SimpleQueue()
        for index in range(min(os.cpu_count() or 1, len(scripts))):
            idle.put(stack.enter_context(Zygote(PRELOADED, Path(folder) / str(index))))

        def run(path: Path) -> None:
            interpreter = idle.get()
            try:
                _materialize_quietly(path, interpreter)
            finally:
                idle.put(interpreter)

        pool = ThreadPoolExecutor(max_workers=idle.qsize())
        try:
            for _ in pool.map(run, scripts):
                pass
        finally:  # on Ctrl-C: no script started any more; the interpreters are killed on leaving
            pool.shutdown(wait=False, cancel_futures=True)


PRELOADED = ["matplotlib.pyplot", "numpy"]
"""What the interpreters import before running figure scripts: what they all use, and nothing that
changes another module's settings when imported."""


def _runs_as_python_would(script: Path, interpreter: Zygote) -> bool:
    """False where a forked interpreter would run the script otherwise than `python script.py`:
    beside a `matplotlibrc` (matplotlib reads it from the folder it is imported in) or a module named
    like one the interpreter has imported (the script would import its neighbour)."""
    folder = script.parent
    neighbours = {path.stem if path.suffix == ".py" else path.name for path in folder.iterdir()
                  if path.suffix == ".py" or path.is_dir()}
    return not (folder / "matplotlibrc").exists() and not neighbours & interpreter.imported


def _needs_script(path: Path) -> bool:
    script = path.with_suffix(".py")
    return not path.is_file() and script.is_file() and not _made_path(script).is_file()


def _materialize_quietly(path: Path, interpreter: Zygote) -> None:
    try:
        materialize(path, interpreter)
    except FigureError:
        pass
