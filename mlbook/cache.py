"""The build's one disk cache: where it is, how an entry is named, written, and pruned.

Rendered formulas (`math`), highlighted code (`code`), the figures scripts make (`figures`) and the
print engine's laid-out parts, formula drawings and page maps (`layout`) are folders of one root:
`.cache/` in the project, or `$MLBOOK_CACHE`, read when a folder is asked for (not at import). An
entry is named by the hash of every input that shapes it — the versions of the libraries that make
it among them — so that a changed input or an upgraded library gives a new entry, never a stale one.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from urllib.parse import quote, unquote

from mlbook.files import write_text_atomically

PROJECT = Path(__file__).resolve().parent.parent


def root() -> Path:
    """The cache's root folder: `$MLBOOK_CACHE`, else `.cache/` in the project."""
    return Path(os.environ.get("MLBOOK_CACHE") or PROJECT / ".cache")


def folder(kind: str) -> Path:
    """The folder of one kind of entry (`math`, `code`, `figures`, `layout`, `web-fonts`), absolute."""
    return _folder(os.environ.get("MLBOOK_CACHE", ""), kind)


@lru_cache(maxsize=64)
def _folder(setting: str, kind: str) -> Path:
    """A folder of the cache, resolved once per process and `$MLBOOK_CACHE` (a build of the book asks
    for about 10,000 entries)."""
    return (Path(setting) if setting else PROJECT / ".cache").resolve() / kind


def entry(kind: str, suffix: str, *inputs: str) -> Path:
    """Where the result of `inputs` is kept: a file named by their hash, in a sub-folder per two hex digits."""
    key = hashlib.sha256("|".join(inputs).encode()).hexdigest()
    return folder(kind) / key[:2] / f"{key}{suffix}"


@lru_cache(maxsize=None)
def versions(*distributions: str) -> str:
    """`name=version` of each installed distribution (`name=absent` when it is not), and Python's: an
    input of every entry those make. Read once per process (a lookup scans the installed packages: once
    per formula, it cost a no-change build of the book 2 s)."""
    found = []
    for name in distributions:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=absent")
    return " ".join(found + [f"python={sys.version_info.major}.{sys.version_info.minor}"])


SCHEME = "mlbook-cache:"
"""How the print HTML names a file of the cache (`mlbook-cache:math/ab/ab….svg`): by its place in the
cache, not by an absolute path, so that the HTML — a laid-out part's cache key — is the same in every
checkout and for every cache root; the print engine's fetcher reads it (`pdf.fetch.BookFetcher`)."""


def url(path: Path) -> str:
    """The `mlbook-cache:` URL of a file in the cache."""
    try:
        relative = path.relative_to(folder(""))
    except ValueError:  # a path that names the cache another way (a link, `..`)
        relative = path.resolve().relative_to(folder(""))
    return SCHEME + quote(relative.as_posix())


def path_of(address: str) -> Path | None:
    """The file a `mlbook-cache:` URL names (None for another URL); it may lie outside the cache if the
    URL says `..`: the caller checks where it is."""
    if not address.startswith(SCHEME):
        return None
    return (folder("") / unquote(address[len(SCHEME):].split("?")[0])).resolve()


def cached_text(path: Path, make: Callable[[], str]) -> str:
    """The text in `path`, or `make()` written there first (atomically; a failing `make` writes nothing)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        text = make()
        write_text_atomically(path, text)
        return text


def prune(entries: Iterable[tuple[Path, ...]], limit: int) -> None:
    """Remove the least recently used entries (files used together; the first one's time is the
    entry's) until the rest take at most `limit` bytes."""
    sized = []
    for files in entries:
        try:
            sized.append((files[0].stat().st_mtime,
                          sum(path.stat().st_size for path in files if path.exists()), files))
        except OSError:
            continue
    total = sum(size for _, size, _ in sized)
    for _, size, files in sorted(sized, key=lambda item: item[0]):
        if total <= limit:
            break
        for path in files:
            path.unlink(missing_ok=True)
        total -= size
