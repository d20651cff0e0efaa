"""Every runnable code block of every answer runs (Python in a process of its own, SQL in SQLite)."""

from pathlib import Path

import pytest

from tests.codeblocks import (CodeBlock, ForkingPythonRunner, code_blocks, imported_modules, run_python,
                               run_sql, runnable)
from mlbook.content.load import load
from mlbook.model import Location
from tests.conftest import CONTENT, LazyBook, questions_if_loaded

BOOK = LazyBook(CONTENT)
WITH_CODE = [q for q in questions_if_loaded(CONTENT) if any(b.language in ("python", "sql") for b in code_blocks(q))]


def test_the_bank_loads():
    load(CONTENT)  # a content error fails here, with every problem, instead of breaking the collection


@pytest.fixture(scope="module")
def python_runner(tmp_path_factory):
    """One interpreter per test worker that has imported what the answers import, forked per question."""
    blocks = [b for q in WITH_CODE for b in runnable(code_blocks(q), "python")]
    with ForkingPythonRunner(imported_modules(blocks), tmp_path_factory.mktemp("answer-code")) as runner:
        yield runner


@pytest.mark.parametrize("question", WITH_CODE, ids=[q.id for q in WITH_CODE])
def test_python_blocks_run(question, python_runner):
    blocks = runnable(code_blocks(question), "python")
    if not blocks:
        return
    result = python_runner.run(blocks)
    assert result.returncode == 0, f"{question.source}: code failed\n{result.stderr[-3000:]}"


def block(code: str, line: int) -> CodeBlock:
    return CodeBlock("python", code, None, Location(Path("/answers/example.md"), line))


@pytest.mark.parametrize("blocks, code, output, error", [
    ([block("x = 1\nprint('one')\n", 10), block("assert x == 2\n", 20)], 1, "one\n",
     'File "/answers/example.md", line 21'),
    ([block("import sys\nsys.exit(3)\n", 5)], 3, "", ""),
    ([block("raise SystemExit('stopped')\n", 5)], 1, "", "stopped"),
    ([block("y\n", 5)], 1, "", "NameError: name 'y' is not defined"),  # nothing left from other calls
])
def test_the_forking_runner_reports_as_a_fresh_interpreter_does(blocks, code, output, error, tmp_path):
    with ForkingPythonRunner(["math"], tmp_path) as runner:
        runner.run([block("y = 1\n", 1)])
        forked = runner.run(blocks)
    fresh = run_python(blocks)
    for result in (forked, fresh):
        assert (result.returncode, result.stdout) == (code, output)
        assert error in result.stderr
    assert forked.stderr.splitlines()[-1:] == fresh.stderr.splitlines()[-1:]


def test_imported_modules_are_found():
    assert imported_modules([block("import numpy as np\nfrom sklearn.linear_model import Ridge\n"
                                   "  import torch.nn as nn\nx = 'import no'\n", 1)]) == [
        "numpy", "sklearn.linear_model", "torch.nn"]


WITH_SQL = [q for q in WITH_CODE if runnable(code_blocks(q), "sql")]


@pytest.mark.parametrize("question", WITH_SQL, ids=[q.id for q in WITH_SQL])
def test_sql_blocks_run(question):
    run_sql(runnable(code_blocks(question), "sql"))


def test_not_run_blocks_give_a_reason():
    for question in BOOK.questions:
        for block in code_blocks(question):
            if block.norun_reason is not None:
                assert block.norun_reason, f"{block.source}: 'norun:' needs a reason after it"
