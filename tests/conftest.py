"""Shared fixtures: the sample bank, its built outputs, and the real book."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from mlbook.cli import run
from mlbook.errors import ContentError
from mlbook.content.load import load

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "sample" / "content"
CONTENT = ROOT / "content"


def build_after(prelude: str, arguments: list[str]) -> list[str]:
    """The command that runs `prelude` (Python: patches, hooks) in a fresh interpreter, then build.py with
    `arguments` as `python build.py` would, in the same process."""
    build = str(ROOT / "build.py")
    return [sys.executable, "-c", f"{prelude}\nimport runpy, sys\nsys.argv[0] = {build!r}\n"
            f"runpy.run_path({build!r}, run_name='__main__')\n", *arguments]


class LazyBook:
    """A bank loaded on first use, inside a test: a content error fails the tests that use it with
    its `path:line` problems, instead of breaking the collection of the whole module."""

    def __init__(self, folder: Path):
        self._folder, self._book = folder, None

    def __getattr__(self, name: str):
        if self._book is None:
            self._book = load(self._folder)
        return getattr(self._book, name)


def questions_if_loaded(folder: Path) -> tuple:
    """The bank's questions for parametrizing a module (none if it does not load: the module's
    `test_the_bank_loads` then fails with the problems)."""
    try:
        return load(folder).questions
    except ContentError:
        return ()


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the sample bank, for tests that break it on purpose."""
    target = tmp_path / "content"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture(scope="session")
def sample_outputs(tmp_path_factory) -> Path:
    """The sample bank built once into all four outputs."""
    out = tmp_path_factory.mktemp("sample-out")
    assert run(["all", "--strict", "--content", str(SAMPLE), "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real book's web edition, built once per test worker for every browser test (pages, search,
    mock interview); tests read it and may leave screenshots beside it, never change it."""
    out = tmp_path_factory.mktemp("site-out")
    assert run(["html", "--content", str(CONTENT), "--out", str(out), "-q"]) == 0
    return out / "site"


@pytest.fixture(scope="session")
def book_outputs(tmp_path_factory, worker_id) -> Path:
    """The real book built once (PDF, both EPUBs, handout) for the whole run, shared by the test workers."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # pytest-xdist: one folder above every worker's own
        shared = shared.parent
    out = shared / "book-out"
    with FileLock(str(shared / "book-out.lock")):
        if not (out / ".built").exists():
            for target in ("pdf", "epub", "epub-kindle", "handout"):
                assert run([target, "--strict", "--content", str(CONTENT), "--out", str(out), "-q"]) == 0
            (out / ".built").touch()
    return out


def pytest_terminal_summary(terminalreporter):
    """How many answer code blocks ran and how many are marked not to run (with their reasons)."""
    from tests.codeblocks import code_blocks

    blocks = [b for q in questions_if_loaded(CONTENT) for b in code_blocks(q) if b.language in ("python", "sql")]
    ran = [b for b in blocks if b.norun_reason is None]
    not_run = [b for b in blocks if b.norun_reason is not None]
    terminalreporter.write_line(f"answer code blocks: {len(ran)} run, {len(not_run)} marked not to run")
    for block in not_run:
        terminalreporter.write_line(f"  not run: {block.source}: {block.norun_reason}")
