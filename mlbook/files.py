"""Writing files all-or-nothing: a temporary file beside the target, renamed over it at the end."""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_output(target: Path):
    """Yield a temporary path beside `target`; rename it over `target` only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                    dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def _remove_stale_temporaries(target: Path) -> None:
    """Delete temporaries left by builds that were killed (their process no longer exists)."""
    for temporary in target.parent.glob(f".{target.name}.*.tmp"):
        pid = temporary.name[len(target.name) + 2:].split(".")[0]
        if pid.isdigit() and not process_exists(int(pid)):
            temporary.unlink(missing_ok=True)


def process_exists(pid: int) -> bool:
    """Whether process `pid` runs (a number too large to be a process id: no)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return True


def read_no_follow(path: Path, limit: int = -1) -> bytes:
    """The file's bytes (at most `limit`); OSError when `path` itself is a symbolic link, even one that
    replaced the file after it was checked."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as file:
        return file.read(limit)


def first_link(path: Path, root: Path) -> Path | None:
    """The first symbolic link on the way from `root` (not included) down to `path`, or None."""
    step = root
    for part in path.relative_to(root).parts:
        step = step / part
        try:
            if step.is_symlink():
                return step
        except OSError:  # a name too long to exist: nothing there, so no link either
            return None
    return None


def write_text_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step: readers see the old file or the new one, never half."""
    with atomic_output(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def mime(path: Path) -> str:
    """The media type of a file the outputs embed, by its name."""
    return {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
            ".jpeg": "image/jpeg", ".css": "text/css"}.get(path.suffix.lower(), "application/octet-stream")


def source_date_epoch() -> int:
    """The time written into outputs: `$SOURCE_DATE_EPOCH` (reproducible builds), else 1980-01-01."""
    return int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))


def reproducible_zip(data: bytes, stored_first: str | None = None) -> bytes:
    """The same zip with its entries in name order, dated `source_date_epoch()`, deflated — but
    `stored_first`, which comes first and uncompressed (an EPUB's `mimetype`): byte-identical rebuilds."""
    stamp = time.gmtime(max(source_date_epoch(), 315532800))[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in sorted(source.namelist(), key=lambda n: (n != stored_first, n)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()
