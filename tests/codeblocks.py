"""Code blocks of the answers: found here, run by the test suite (`tests/test_answer_code.py`)."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass

from markdown_it import MarkdownIt

from mlbook import zygote
from mlbook.markup.markdown import fence_info
from mlbook.model import Location, Question

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
        language, reason = fence_info(token.info)
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


class ForkingPythonRunner(zygote.Zygote):
    """Runs code blocks like `run_python`, each call in a new process forked from one interpreter
    that has imported the given modules already (numpy, torch, scikit-learn… cost 1–3 s to import
    in every fresh interpreter). Each call still gets its own process and namespace."""

    def run(self, blocks: list[CodeBlock], timeout: float = 600) -> subprocess.CompletedProcess:
        return self.run_blocks(_payload(blocks), timeout)


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
