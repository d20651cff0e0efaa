"""Every runnable code block of every answer runs (Python in a fresh process, SQL in SQLite)."""

from pathlib import Path

import pytest

from mlbook.codeblocks import code_blocks, run_python, run_sql, runnable
from mlbook.load import load

CONTENT = Path(__file__).resolve().parent.parent / "content"
BOOK = load(CONTENT)
WITH_CODE = [q for q in BOOK.questions if any(b.language in ("python", "sql") for b in code_blocks(q))]


@pytest.mark.parametrize("question", WITH_CODE, ids=[q.id for q in WITH_CODE])
def test_python_blocks_run(question):
    blocks = runnable(code_blocks(question), "python")
    if not blocks:
        return
    result = run_python(blocks)
    assert result.returncode == 0, f"{question.source}: code failed\n{result.stderr[-3000:]}"


@pytest.mark.parametrize("question", WITH_CODE, ids=[q.id for q in WITH_CODE])
def test_sql_blocks_run(question):
    run_sql(runnable(code_blocks(question), "sql"))


def test_not_run_blocks_give_a_reason():
    for question in BOOK.questions:
        for block in code_blocks(question):
            if block.norun_reason is not None:
                assert block.norun_reason, f"{block.source}: 'norun:' needs a reason after it"
