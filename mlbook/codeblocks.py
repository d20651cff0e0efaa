"""Code blocks of the answers: found here, run by the test suite (`tests/test_answer_code.py`)."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from .model import Location, Question

RUNNABLE = {"python", "sql"}
_parser = MarkdownIt("commonmark")


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced code block of an answer."""

    language: str
    """First word of the info string, lowercased (`python`, `sql`, `text`, ...)."""
    code: str
    """The block's text."""
    norun_reason: str | None
    """Why the block is not run (from `norun: reason` in the info string), else None."""
    source: Location
    """Line of the opening fence in the question file."""


def code_blocks(question: Question) -> list[CodeBlock]:
    """Fenced code blocks of the answer, in order."""
    blocks = []
    for token in _parser.parse(question.body):
        if token.type != "fence":
            continue
        language, _, rest = token.info.strip().partition(" ")
        rest = rest.strip()
        reason = rest.removeprefix("norun:").strip() if rest.startswith("norun:") else None
        line = question.body_line + token.map[0]
        blocks.append(CodeBlock(language.lower(), token.content, reason,
                                Location(question.source.path, line)))
    return blocks


def runnable(blocks: list[CodeBlock], language: str) -> list[CodeBlock]:
    return [b for b in blocks if b.language == language and b.norun_reason is None]


_PYTHON_RUNNER = r"""
import json, sys
import matplotlib
matplotlib.use("Agg")
namespace = {"__name__": "__answer__"}
for block in json.load(sys.stdin):
    code = "\n" * block["line"] + block["code"]
    exec(compile(code, block["path"], "exec"), namespace)
"""


def run_python(blocks: list[CodeBlock], timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the blocks in order in one fresh interpreter; line numbers in tracebacks match the file."""
    return subprocess.run([sys.executable, "-c", _PYTHON_RUNNER], input=json.dumps(_payload(blocks)),
                          capture_output=True, text=True, timeout=timeout)


def _payload(blocks: list[CodeBlock]) -> list[dict]:
    return [{"code": b.code, "path": str(b.source.path), "line": b.source.line} for b in blocks]


_IMPORT = re.compile(r"^[ \t]*(?:import|from)[ \t]+([A-Za-z_][\w.]*)", re.MULTILINE)


def imported_modules(blocks: list[CodeBlock]) -> list[str]:
    """The modules the blocks import (`import a.b`, `from a.b import c` → `a.b`), sorted."""
    return sorted({name for block in blocks for name in _IMPORT.findall(block.code)})


_FORKING_RUNNER = r"""
import json, os, sys, traceback
answers = os.fdopen(os.dup(1), "w")  # exit codes to the caller; nothing else may write there
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
import matplotlib
matplotlib.use("Agg")
for name in sys.argv[1:]:
    try:
        __import__(name)
    except Exception:
        pass
for request in sys.stdin:
    request = json.loads(request)
    pid = os.fork()
    if pid == 0:
        for fd, path, mode in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY),
                               (2, request["stderr"], os.O_WRONLY)):
            os.dup2(os.open(path, mode), fd)
        code = 0
        try:
            namespace = {"__name__": "__answer__"}
            for block in request["blocks"]:
                exec(compile("\n" * block["line"] + block["code"], block["path"], "exec"), namespace)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            if not isinstance(exc.code, (int, type(None))):
                print(exc.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    answers.write(json.dumps(os.waitstatus_to_exitcode(status)) + "\n")
    answers.flush()
"""


class ForkingPythonRunner:
    """Runs code blocks like `run_python`, each call in a new process forked from one interpreter
    that has imported the given modules already (numpy, torch, scikit-learn… cost 1–3 s to import
    in every fresh interpreter). Each call still gets its own process and namespace."""

    def __init__(self, modules: list[str], folder: Path):
        self.folder = folder
        self.process = subprocess.Popen([sys.executable, "-c", _FORKING_RUNNER, *modules],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        start_new_session=True)
        self.calls = 0

    def run(self, blocks: list[CodeBlock], timeout: float = 600) -> subprocess.CompletedProcess:
        self.calls += 1
        stdout, stderr = self.folder / f"{self.calls}.out", self.folder / f"{self.calls}.err"
        stdout.touch()
        stderr.touch()
        request = {"blocks": _payload(blocks), "stdout": str(stdout), "stderr": str(stderr)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise subprocess.TimeoutExpired("code blocks", timeout)
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the forking runner stopped (exit code {self.process.wait()})")
        return subprocess.CompletedProcess("code blocks", json.loads(answer),
                                           stdout.read_text(errors="replace"), stderr.read_text(errors="replace"))

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_sql(blocks: list[CodeBlock]) -> None:
    """Run the blocks in order against one in-memory SQLite database; raise on the first error."""
    connection = sqlite3.connect(":memory:")
    try:
        for block in blocks:
            try:
                connection.executescript(block.code)
            except sqlite3.Error as exc:
                raise AssertionError(f"{block.source}: SQL failed: {exc}") from None
    finally:
        connection.close()
