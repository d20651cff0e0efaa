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
from contextlib import contextmanager
from pathlib import Path

from mlbook import interrupts
from mlbook.files import process_exists, read_no_follow, write_text_atomically

JOURNAL = ".import-journal.json"
LOCK = ".import.lock"
_TEMPORARY = ".import.tmp"
_TEMPORARY_NAME = re.compile(r"^\..+\.\d+\.import\.tmp$")
"""What `commit` names a temporary: `.<file name>.<process id>.import.tmp`, beside the file."""


class StagingError(ValueError):
    """A file the import cannot write (a folder's name taken by a file, no permission); nothing was."""


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

    def read(self, path: Path) -> bytes | None:
        """What `path` will hold; None for a symbolic link (never read through)."""
        if path in self.writes:
            return self.writes[path]
        try:
            return read_no_follow(path)
        except OSError:
            return None

    def commit(self) -> None:
        if not self.writes and not self.deletes:
            return
        temporaries = {}
        try:
            for target, data in self.writes.items():
                if target.is_symlink() or target.is_dir():
                    raise StagingError(f"{target} is a {'symbolic link' if target.is_symlink() else 'folder'};"
                                       " import does not write over it; nothing was written")
                _make_folder(target.parent)
                temporary = target.parent / f".{target.name}.{os.getpid()}{_TEMPORARY}"
                _write_new(temporary, data)
                temporaries[str(temporary.absolute())] = str(target.absolute())  # any folder may replay it
            write_text_atomically(self.content / JOURNAL, json.dumps(
                {"rename": temporaries, "delete": [str(path.absolute()) for path in self.deletes]}, indent=1))
        except OSError as error:
            _remove(temporaries)
            raise StagingError(f"cannot write {error.filename or self.content}: {error.strerror};"
                               " nothing was written") from None
        except BaseException:
            _remove(temporaries)
            raise
        with interrupts.held():
            _replay(self.content)


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` with `data`, never through a symbolic link or over a file planted there."""
    if path.is_symlink() or path.exists():
        path.unlink()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), 0o644)
        file.write(data)


def _remove(temporaries: dict[str, str]) -> None:
    for temporary in temporaries:
        Path(temporary).unlink(missing_ok=True)


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
    try:
        handle = _acquire(lock, blocking=False)
        if handle is None:
            raise StagingError(f"another import into {content} is running; wait for it to end")
        try:
            yield
        finally:
            _release(lock, handle)
    finally:
        if created and content.is_dir() and not any(content.iterdir()):
            content.rmdir()


def _open_lock(lock: Path) -> int:
    try:
        return os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as error:
        raise StagingError(f"cannot use the lock file {lock}: {error.strerror} (is it a link or a folder?);"
                           " remove it") from None


def finish_interrupted(content: Path) -> bool:
    """Finish an import that was stopped while it applied its journal; remove the temporaries of one
    stopped before. True if there was an import to finish. Waits for an import that is running (its
    lock), so that a `check` or a build never reads a bank half renamed."""
    if not content.is_dir():
        return False
    try:
        handle = _acquire(content / LOCK, blocking=True)
    except StagingError:
        return finish_interrupted_locked(content)
    try:
        return finish_interrupted_locked(content)
    finally:
        _release(content / LOCK, handle)


def _acquire(lock: Path, blocking: bool) -> int | None:
    """A descriptor holding the lock on the file now at `lock` (None if it is held and not `blocking`).
    Whoever releases the lock deletes the file; one that was locked after it was deleted (or replaced)
    is not the lock any more, so the locking is tried again on the file that is there now."""
    while True:
        handle = _open_lock(lock)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except OSError:
            os.close(handle)
            return None
        try:
            current = os.stat(lock, follow_symlinks=False).st_ino
        except OSError:
            current = None
        if current == os.fstat(handle).st_ino:
            return handle
        os.close(handle)


def _release(lock: Path, handle: int) -> None:
    _quietly(os.unlink, lock)  # while still locked: a process waiting on this file will see it gone
    os.close(handle)


def finish_interrupted_locked(content: Path) -> bool:
    """`finish_interrupted` for a caller that holds the lock (an import)."""
    if (content / JOURNAL).is_file():
        with interrupts.held():
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
            _quietly(os.replace, temporary, target)
    for path in deletes:
        if isinstance(path, str) and _inside(Path(path), root) and Path(path).suffix == ".md":
            _quietly(os.unlink, path)
    _quietly(os.unlink, content / JOURNAL)
    _remove_temporaries(content)


def _quietly(operation, *paths) -> None:
    """A step of a journal that cannot be done (a folder where a file was, a file gone) is skipped:
    the journal is carried out as far as it can be, once."""
    try:
        operation(*paths)
    except OSError:
        pass


def _own_temporary(temporary: Path, target: Path, root: Path) -> bool:
    """Whether `temporary` is what `commit` writes for `target`: beside it, named after it, a file."""
    return (temporary.parent == target.parent and _inside(target, root) and not temporary.is_symlink()
            and temporary.is_file() and not target.is_dir() and _TEMPORARY_NAME.match(temporary.name) is not None
            and temporary.name.startswith(f".{target.name}."))


def _inside(path: Path, root: Path) -> bool:
    return path.parent.resolve().is_relative_to(root) and not path.is_symlink()


def _remove_temporaries(content: Path) -> None:
    """The temporaries of imports stopped before their journal (their process is gone)."""
    for temporary in content.rglob(f".*{_TEMPORARY}"):
        pid = temporary.name.rsplit(".", 3)[-3]
        if _TEMPORARY_NAME.match(temporary.name) and temporary.is_file() and not temporary.is_symlink() \
                and not _alive(pid):
            _quietly(os.unlink, temporary)


def _alive(pid: str) -> bool:
    """Whether the process that wrote a temporary still runs (a number no process can have: no)."""
    return pid.isdigit() and len(pid) <= 9 and process_exists(int(pid))
