"""An import's writes, applied all at once: Ctrl-C or a kill leaves the old bank or the new one.

Every file is first written to a hidden temporary beside its target. Then a journal naming each
temporary, its target and the files to delete is written to the content folder in one rename: from
that moment the import has happened. The renames and deletions follow with Ctrl-C held back; if the
process dies among them anyway, the next command on the bank (`check`, a build, `import`) finishes
them from the journal before it reads anything (`finish_interrupted`).
"""

from __future__ import annotations

import json
import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from .files import write_text_atomically

JOURNAL = ".import-journal.json"
_TEMPORARY = ".import.tmp"


class Staging:
    """The files an import will write and delete in `content`; nothing touches the disk before `commit`."""

    def __init__(self, content: Path):
        self.content = content
        self.writes: dict[Path, bytes] = {}
        self.deletes: list[Path] = []

    def write(self, path: Path, data: bytes | str) -> None:
        self.writes[path] = data.encode("utf-8") if isinstance(data, str) else data
        if path in self.deletes:
            self.deletes.remove(path)

    def delete(self, path: Path) -> None:
        self.writes.pop(path, None)
        self.deletes.append(path)

    def exists(self, path: Path) -> bool:
        """Whether `path` will be a file after the commit."""
        return path in self.writes or (path not in self.deletes and (path.exists() or path.is_symlink()))

    def read(self, path: Path) -> bytes:
        return self.writes[path] if path in self.writes else path.read_bytes()

    def commit(self) -> None:
        if not self.writes and not self.deletes:
            return
        temporaries = {}
        try:
            for target, data in self.writes.items():
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.parent / f".{target.name}.{os.getpid()}{_TEMPORARY}"
                temporary.write_bytes(data)
                os.chmod(temporary, 0o644)
                temporaries[str(temporary)] = str(target)
            write_text_atomically(self.content / JOURNAL, json.dumps(
                {"rename": temporaries, "delete": [str(path) for path in self.deletes]}, indent=1))
        except BaseException:
            for temporary in temporaries:
                Path(temporary).unlink(missing_ok=True)
            raise
        with _interrupts_held():
            _replay(self.content)


def finish_interrupted(content: Path) -> bool:
    """Finish an import that was stopped while it applied its journal; remove the temporaries of one
    stopped before. True if there was an import to finish."""
    if not content.is_dir():
        return False
    if (content / JOURNAL).is_file():
        with _interrupts_held():
            _replay(content)
        return True
    for temporary in content.rglob(f".*{_TEMPORARY}"):
        if temporary.is_file() and not temporary.is_symlink():
            temporary.unlink(missing_ok=True)
    return False


def _replay(content: Path) -> None:
    journal = json.loads((content / JOURNAL).read_text(encoding="utf-8"))
    root = content.resolve()
    for temporary, target in journal["rename"].items():
        if Path(temporary).exists() and _inside(Path(target), root):
            os.replace(temporary, target)
    for path in journal["delete"]:
        if _inside(Path(path), root):
            Path(path).unlink(missing_ok=True)
    (content / JOURNAL).unlink()


def _inside(path: Path, root: Path) -> bool:
    return path.parent.resolve().is_relative_to(root)


@contextmanager
def _interrupts_held():
    """Ctrl-C (SIGINT) and SIGTERM wait until the block is done, then take effect."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = [signal.SIGINT, signal.SIGTERM]
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
