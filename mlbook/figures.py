"""Figures: SVG files from `content/`, or made by a figure script only when the script changed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

from .text import cache_root

CACHE_DIR = cache_root() / "figures"
IMAGE_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg"}
SCRIPT_TIMEOUT = 120


class FigureError(ValueError):
    """A figure that cannot be found or made; the message says why."""


def resolve(src: str, question_file: Path, content_root: Path) -> Path:
    """The file a figure reference points at, checked to stay inside the content folder."""
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
    if not path.is_file() and not (path.suffix == ".svg" and script.is_file()):
        raise FigureError(f"figure '{src}' not found (and no script {script.name} to make it)")
    return path


def _made_path(script: Path) -> Path:
    return CACHE_DIR.resolve() / f"{hashlib.sha256(script.read_bytes()).hexdigest()}.svg"


def materialize(path: Path) -> Path:
    """The image file to embed: `path` itself, or the SVG its script makes (cached by script hash)."""
    script = path.with_suffix(".py")
    if path.is_file() or not script.is_file():
        return path
    made = _made_path(script)
    if made.is_file():
        return made
    made.parent.mkdir(parents=True, exist_ok=True)
    temporary = made.with_suffix(f".{os.getpid()}.tmp.svg")
    env = {**os.environ, "MPLBACKEND": "Agg", "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
    try:
        result = subprocess.run([sys.executable, str(script), str(temporary)], cwd=script.parent,
                                capture_output=True, text=True, timeout=SCRIPT_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise FigureError(f"figure script {script.name} ran longer than {SCRIPT_TIMEOUT} s") from None
    if result.returncode != 0 or not temporary.is_file():
        temporary.unlink(missing_ok=True)
        last = (result.stderr.strip().splitlines() or ["it wrote no file"])[-1]
        raise FigureError(f"figure script {script.name} failed: {last}")
    temporary.replace(made)
    return made


def resolve_quietly(src: str, question_file: Path, content_root: Path) -> Path | None:
    """`resolve`, or None where it would raise (the error is reported when the figure is checked)."""
    try:
        return resolve(src, question_file, content_root)
    except FigureError:
        return None


def materialize_all(paths: list[Path | None]) -> None:
    """Run the figure scripts whose SVG is not cached yet, on all cores (errors are reported later)."""
    scripts = {path for path in paths if path is not None and _needs_script(path)}
    if len(scripts) < 2:
        return
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for _ in pool.map(_materialize_quietly, sorted(scripts)):
            pass


def _needs_script(path: Path) -> bool:
    script = path.with_suffix(".py")
    return not path.is_file() and script.is_file() and not _made_path(script).is_file()


def _materialize_quietly(path: Path) -> None:
    try:
        materialize(path)
    except FigureError:
        pass
