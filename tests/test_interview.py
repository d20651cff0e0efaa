"""Running an interview: follow-ups read from the answers, the timed plan, the sheet with its debrief."""

from __future__ import annotations

import pytest

from mlbook.cli import run
from mlbook.content.follow_ups import read_follow_ups
from mlbook.errors import Problems
from mlbook.model import Location, Question
from tests.conftest import CONTENT, SAMPLE, LazyBook
from tests.test_errors import check, replace_in

HEADING = "Подводные камни и вопросы на засыпку"
REAL = LazyBook(CONTENT)


def question_with(body: str) -> Question:
    return Question(id="q", text="?", key_points=(), difficulty=1, tags=(), see_also=(), body=body,
                    body_line=10, number="1.1", source=Location(SAMPLE / "q.md", 1))


def follow_ups_of(body: str):
    problems = Problems()
    found = read_follow_ups(question_with(body), HEADING, problems)
    return found, [str(p) for p in problems.items()]


def test_every_answer_of_the_book_has_follow_ups_with_a_probe_and_a_gist():
    answered = [q for q in REAL.questions if q.answered]
    assert len(answered) == 111
    assert all(q.follow_ups for q in answered), [q.id for q in answered if not q.follow_ups]
    assert all(f.probe.strip() and f.gist.strip() for q in answered for f in q.follow_ups)


def test_the_shapes_of_a_follow_up_item():
    body = (f"Ответ.\n\n### {HEADING}\n\n"
            "- **Probe one:** gist one\n  continues.\n"
            "- **Probe `two`** — gist two with **bold** inside.\n"
            "- **$p > \\alpha$ не доказывает $H_0$**, а лишь говорит.\n\n"
            "```python\nx = 1\n```\n\n"
            "- **After code?** Still read.\n\n"
            "### Источники\n\n- **Not a follow-up** here.\n")
    found, problems = follow_ups_of(body)
    assert problems == []
    assert [(f.probe, f.gist) for f in found] == [
        ("Probe one:", "gist one continues."),
        ("Probe `two`", "gist two with **bold** inside."),
        ("$p > \\alpha$ не доказывает $H_0$", "а лишь говорит."),
        ("After code?", "Still read."),
    ]
    assert [f.source.line for f in found] == [10 + 4, 10 + 6, 10 + 7, 10 + 13]


def test_no_section_means_no_follow_ups_and_no_error():
    assert follow_ups_of("Ответ без раздела.\n\n- **Bold** item elsewhere.\n") == ((), [])


@pytest.mark.parametrize("items, line, message", [
    ("- A probe without bold.\n", 14, "a follow-up must start with its probe in bold: '- **the question to"
     " ask** what a strong reply says'"),
    ("- *Italic lead.* Text.\n", 14, "a follow-up must start with its probe in bold: '- **the question to"
     " ask** what a strong reply says'"),
    ("- **A probe alone.**\n", 14, "the follow-up «A probe alone.» has no text after its bold probe: add"
     " what a strong reply says"),
    ("Только абзац, без списка.\n", 12, f"the section «{HEADING}» needs a list of follow-ups: items"
     " '- **the probe to ask** what a strong reply says'"),
])
def test_a_malformed_follow_up_is_reported_at_its_line(items, line, message):
    found, problems = follow_ups_of(f"Ответ.\n\n### {HEADING}\n\n{items}")
    assert found == () and problems == [f"{SAMPLE / 'q.md'}:{line}: {message}"]


def test_check_locates_a_malformed_follow_up_and_lists_an_answer_without_them(sample_copy, capsys):
    status = run(["check", "--content", str(sample_copy)])
    out = capsys.readouterr().out
    path = sample_copy / "alpha/sigmoid-plot.md"
    last_line = len(path.read_text(encoding="utf-8").rstrip("\n").splitlines())
    assert status == 0
    assert (f"{path}:{last_line}: answered but without the section «{HEADING}» (a list of '- **probe** what a"
            " strong reply says'; the interviewer sheet shows them): 1.1.2") in out.splitlines()
    assert "1 without follow-ups; no errors" in out
    softmax = sample_copy / "alpha/softmax.md"
    replace_in(softmax, "- **Зачем log-softmax в функции потерь?**", "- Зачем log-softmax в функции потерь?")
    status, err = check(sample_copy, capsys)
    line = softmax.read_text(encoding="utf-8").splitlines().index("- Зачем log-softmax в функции потерь? `log_softmax`"
                                                                  " считает $z_i - \\log\\sum_j e^{z_j}$ без") + 1
    assert status == 1
    assert err.splitlines()[0] == (f"{softmax}:{line}: a follow-up must start with its probe in bold:"
                                   " '- **the question to ask** what a strong reply says'")


def test_minutes_in_the_front_matter_and_by_difficulty(sample_copy, capsys):
    from mlbook.content.load import load

    book = load(SAMPLE)
    assert book.minutes_of(book.question("row-count")) == 4  # its own minutes:
    assert book.minutes_of(book.question("softmax")) == 3  # difficulty 1's default
    replace_in(sample_copy / "beta/row-count.md", "minutes: 4", "minutes: 0")
    status, err = check(sample_copy, capsys)
    assert status == 1 and (f"{sample_copy / 'beta/row-count.md'}:8: 'minutes' must be a whole number of"
                            " minutes from 1 to 60, not 0") in err.splitlines()
