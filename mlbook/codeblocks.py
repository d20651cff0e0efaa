"""Code blocks of the answers: found here, run by the test suite (`tests/test_answer_code.py`)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass

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
    payload = [{"code": b.code, "path": str(b.source.path), "line": b.source.line} for b in blocks]
    return subprocess.run([sys.executable, "-c", _PYTHON_RUNNER], input=json.dumps(payload),
                          capture_output=True, text=True, timeout=timeout)


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
