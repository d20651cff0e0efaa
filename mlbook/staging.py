"""An import's writes, applied all at once: Ctrl-C or a kill leaves the old bank or the new one.

Every file is first written to a hidden temporary beside its target. Then a journal naming each
temporary, its target and the files to delete is written to the content folder in one rename: from
that moment the import has happened. The renames and deletions follow with Ctrl-C held back; if the
process dies among them anyway, the next command on the bank (`check`, a build, `import`) finishes
them from the journal before it reads anything (`finish_interrupted`).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from .files import write_text_atomically

JOURNAL = ".import-journal.json"
LOCK = ".import.lock"
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
                _make_folder(target.parent)
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


class StagingError(ValueError):
    """A file the import cannot write (a folder's name taken by a file, no permission); nothing was."""


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StagingError(f"cannot create the folder {folder}: {error.strerror}; nothing was written") from None


@contextmanager
def import_lock(content: Path):
    """One import at a time into a content folder: a second one is refused while the first runs."""
    created = not content.exists()
    _make_folder(content)
    lock = content / LOCK
    handle = open(lock, "a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise StagingError(f"another import into {content} is running; wait for it to end") from None
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)  # before unlocking: a later import makes a lock of its own
            handle.close()
    finally:
        if created and content.is_dir() and not any(content.iterdir()):
            content.rmdir()


def finish_interrupted(content: Path) -> bool:
    """Finish an import that was stopped while it applied its journal; remove the temporaries of one
    stopped before. True if there was an import to finish."""
    if not content.is_dir():
        return False
    if (content / JOURNAL).is_file():
        with _interrupts_held():
            _replay(content)
        return True
    _remove_temporaries(content)
    return False


def _replay(content: Path) -> None:
    """Carry out the journal: only renames of an import's own temporaries to the file beside them,
    and deletions of files, all inside the content folder (a journal found in a folder from elsewhere
    is content too: it cannot move or delete anything outside)."""
    try:
        journal = json.loads((content / JOURNAL).read_text(encoding="utf-8"))
        renames, deletes = dict(journal["rename"]), list(journal["delete"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        renames, deletes = {}, []
    root = content.resolve()
    for temporary, target in renames.items():
        if isinstance(temporary, str) and isinstance(target, str) and _own_temporary(Path(temporary), Path(target), root):
            os.replace(temporary, target)
    for path in deletes:
        if isinstance(path, str) and _inside(Path(path), root) and Path(path).suffix == ".md":
            Path(path).unlink(missing_ok=True)
    (content / JOURNAL).unlink()
    _remove_temporaries(content)


def _own_temporary(temporary: Path, target: Path, root: Path) -> bool:
    """Whether `temporary` is what `commit` writes for `target`: beside it, named after it, a file."""
    return (temporary.parent == target.parent and _inside(target, root) and not temporary.is_symlink()
            and temporary.is_file() and _TEMPORARY_NAME.match(temporary.name) is not None
            and temporary.name.startswith(f".{target.name}."))


_TEMPORARY_NAME = re.compile(r"^\..+\.\d+\.import\.tmp$")


def _inside(path: Path, root: Path) -> bool:
    return path.parent.resolve().is_relative_to(root) and not path.is_symlink()


def _remove_temporaries(content: Path) -> None:
    """The temporaries of imports stopped before their journal (their process is gone)."""
    for temporary in content.rglob(f".*{_TEMPORARY}"):
        pid = temporary.name.rsplit(".", 3)[-3]
        if _TEMPORARY_NAME.match(temporary.name) and temporary.is_file() and not temporary.is_symlink() \
                and pid.isdigit() and not _alive(int(pid)):
            temporary.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
