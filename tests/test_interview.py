"""Running an interview: follow-ups read from the answers, the timed plan, the sheet with its debrief."""

from __future__ import annotations

import itertools
import re
import subprocess
from functools import lru_cache
from pathlib import Path

from pypdf import PdfReader

import pytest

from mlbook.cli import run
from mlbook.content import plan
from mlbook.content.follow_ups import read_follow_ups
from mlbook.content.load import load
from mlbook.content.select import Selection, select
from mlbook.errors import Problems
from mlbook.model import Location, Question
from mlbook.markup.markdown import question_text
from tests.conftest import CONTENT, SAMPLE
from tests.pdftext import normalize, pdf_text
from tests.test_errors import check, replace_in

HEADING = "Подводные камни и вопросы на засыпку"


@lru_cache(maxsize=None)
def book_of(folder):
    """The bank, loaded inside the test that first needs it (a content error fails that test)."""
    return load(folder)


def question_with(body: str) -> Question:
    return Question(id="q", text="?", key_points=(), difficulty=1, tags=(), see_also=(), body=body,
                    body_line=10, number="1.1", source=Location(SAMPLE / "q.md", 1))


def follow_ups_of(body: str):
    problems = Problems()
    found = read_follow_ups(question_with(body), HEADING, problems)
    return found, [str(p) for p in problems.items()]


def test_every_answer_of_the_book_has_follow_ups_with_a_probe_and_a_gist():
    answered = [q for q in book_of(CONTENT).questions if q.answered]
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


def test_minutes_by_difficulty_in_book_yaml(sample_copy, capsys):
    book_yaml = sample_copy / "book.yaml"
    book_yaml.write_text(book_yaml.read_text(encoding="utf-8") + "minutes_by_difficulty: {1: 2, 2: 4, 3: 6}\n",
                         encoding="utf-8")
    assert load(sample_copy).minutes_of(load(sample_copy).question("softmax")) == 2
    replace_in(book_yaml, "minutes_by_difficulty: {1: 2, 2: 4, 3: 6}", "minutes_by_difficulty: {1: 2, 2: 4}")
    status, err = check(sample_copy, capsys)
    line = book_yaml.read_text(encoding="utf-8").splitlines().index("minutes_by_difficulty: {1: 2, 2: 4}") + 1
    assert status == 1 and (f"{book_yaml}:{line}: 'minutes_by_difficulty' must give the minutes (1 to 60) of each"
                            " difficulty, e.g. {1: 3, 2: 5, 3: 8}, not {1: 2, 2: 4}") in err.splitlines()


def test_minutes_in_the_front_matter_and_by_difficulty(sample_copy, capsys):
    book = book_of(SAMPLE)
    assert book.minutes_of(book.question("row-count")) == 4  # its own minutes:
    assert book.minutes_of(book.question("softmax")) == 3  # difficulty 1's default
    replace_in(sample_copy / "beta/row-count.md", "minutes: 4", "minutes: 0")
    status, err = check(sample_copy, capsys)
    assert status == 1 and (f"{sample_copy / 'beta/row-count.md'}:8: 'minutes' must be a whole number of"
                            " minutes from 1 to 60, not 0") in err.splitlines()


# --- the plan ------------------------------------------------------------------------------------

def test_the_plan_fills_the_slot_with_sections_in_proportion():
    made = plan.plan(book_of(CONTENT), 60, "middle", 7)
    assert abs(made.minutes - 60) <= 6
    pool = [q for q in book_of(CONTENT).questions if q.answered]
    for section, minutes in made.section_minutes():
        share = 60 * sum(q.number.split(".")[0] == section.number for q in pool) / len(pool)
        assert abs(minutes - share) <= max(book_of(CONTENT).minutes_by_difficulty), (section.number, minutes, share)
    assert [s.number for s in made.book.sections] == [s.number for s in book_of(CONTENT).sections]  # every section


def test_each_section_of_the_plan_goes_from_easier_to_harder():
    for level in plan.LEVELS:
        for section in plan.plan(book_of(CONTENT), 60, level, 3).book.sections:
            assert [q.difficulty for q in section.questions] == sorted(q.difficulty for q in section.questions)


def test_the_level_sets_the_difficulty_mix():
    def mean_difficulty(level):
        questions = plan.plan(book_of(CONTENT), 90, level, 1).book.questions
        return sum(q.difficulty for q in questions) / len(questions)

    assert mean_difficulty("junior") < mean_difficulty("middle") < mean_difficulty("senior")


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    def ids(seed):
        return [q.id for q in plan.plan(book_of(CONTENT), 45, "middle", seed).book.questions]

    assert ids(7) == ids(7) and ids(7) != ids(8)


def test_sections_and_tags_narrow_the_pool():
    made = plan.plan(select(book_of(CONTENT), Selection(sections=("2",))), 30, "middle", 7)
    assert {q.number.split(".")[0] for q in made.book.questions} == {"2"} and abs(made.minutes - 30) <= 3
    made = plan.plan(select(book_of(CONTENT), Selection(tags=("python",))), 20, "junior", 7)
    assert made.book.questions and all("python" in q.tags for q in made.book.questions)


def heading_at(text: str, question) -> int:
    """Where the question's number and first words are in the text, -1 if nowhere («5.9 Что такое» is
    not inside «2.5.9 Что такое»)."""
    found = re.search(r"(?<![\d.])" + re.escape(f"{question.number} {question_text(question.text)[:10]}"), text)
    return found.start() if found else -1


def planned_order(pdf, book) -> list[str]:
    """The numbers of the book's questions as they appear in the PDF's text."""
    text = pdf_text(pdf)
    found = {q.number: heading_at(text, q) for q in book.questions}
    return sorted((number for number, at in found.items() if at >= 0), key=found.get)


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    """The sheet and the handout of the real bank's 60-minute middle plan, seed 7, built twice (a/, b/)."""
    out = tmp_path_factory.mktemp("planned")
    options = ["--minutes", "60", "--level", "middle", "--seed", "7", "-q", "--strict"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        for folder in ("a", "b"):
            for output in ("sheet", "handout"):
                assert run([output, "--content", str(CONTENT), "--out", str(out / folder)] + options) == 0
    return out


def test_sheet_and_handout_of_one_plan_hold_the_same_questions_in_the_same_order(planned):
    expected = [q.number for q in plan.plan(book_of(CONTENT), 60, "middle", 7).book.questions]
    assert planned_order(planned / "a/sheet.pdf", book_of(CONTENT)) == expected
    assert planned_order(planned / "a/handout.pdf", book_of(CONTENT)) == expected


def test_the_same_seed_gives_byte_identical_pdfs(planned):
    for name in ("sheet.pdf", "handout.pdf"):
        assert (planned / "a" / name).read_bytes() == (planned / "b" / name).read_bytes(), name


def page_texts(pdf: Path) -> list[str]:
    count = len(PdfReader(pdf).pages)
    return [normalize(subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(pdf), "-"],
                                     check=True, capture_output=True, text=True).stdout) for n in range(1, count + 1)]


def split_questions(pages: list[str], book) -> list[int]:
    """Pages where a question starts without its notes line, or a notes line ends a question begun before."""
    return [number for number, page in enumerate(pages, start=1)
            if page.count("Заметки") != sum(heading_at(page, q) >= 0 for q in book.questions)]


def test_split_questions_finds_a_question_split_across_pages():  # the control of the check below
    book = book_of(SAMPLE)
    whole = ["1.1.1 Что такое softmax и почему … Заметки 1.1.2 Как выглядит сигмоида? … Заметки"]
    split = ["1.1.1 Что такое softmax и почему … Заметки 1.1.2 Как выглядит сигмоида? …", "… Заметки"]
    assert split_questions(whole, book) == [] and split_questions(split, book) == [1, 2]


def test_the_sheet_shows_each_question_whole_with_its_follow_ups_and_ends_with_the_debrief(planned):
    book = plan.plan(book_of(CONTENT), 60, "middle", 7).book
    pages = page_texts(planned / "a/sheet.pdf")
    *questions, debrief = pages
    assert debrief.startswith("Итоги интервью") and all("Итоги интервью" not in page for page in questions)
    for section in book.sections:
        assert f"{section.number} {section.title} {len(section.questions)} {3 * len(section.questions)}" in debrief
    assert f"Итого {len(book.questions)} {3 * len(book.questions)}" in debrief
    assert "Время: запланировано 60 мин, фактически" in debrief
    assert all(choice in debrief for choice in ("Не нанимать", "Скорее нет", "Скорее да", "Однозначно нанимать"))
    assert split_questions(questions, book) == []
    text, checked = " ".join(questions), 0
    for q in book.questions:
        for follow_up in q.follow_ups:
            words = list(itertools.takewhile(lambda word: not set(word) & set("$`*\\«»"),
                                             question_text(follow_up.probe).split()))[:3]
            assert " ".join(words) in text, (q.number, follow_up.probe)
            checked += bool(words)
    assert checked > 40  # probes that start with a formula or code are not looked for
    for section in book.sections:
        assert f"Раздел {section.number}: итого (максимум {3 * len(section.questions)})" in text


def test_the_sheet_of_the_sample_shows_follow_ups_subtotals_and_minutes(sample_outputs):
    text = pdf_text(sample_outputs / "sheet.pdf")
    assert "Вопросы на засыпку • А если вычесть не максимум, а минимум? Переполнение остаётся" in text
    assert "ЗАСЫПКА-СОФТМАКС" in text and "Чем COUNT(DISTINCT x) отличается от COUNT(x)?" in text
    assert "Раздел 1: итого (максимум 9)" in text and "Раздел 2: итого (максимум 3)" in text
    assert "Как посчитать количество строк в таблице? 4 мин" in text  # its own minutes:
    assert "Пробная книга · 4 вопроса · 15 мин" in text


@pytest.mark.parametrize("options, message", [
    (["--minutes", "60", "--level", "lead"],
     "argument --level: invalid choice: 'lead' (choose from 'junior', 'middle', 'senior')"),
    (["--minutes", "0"], "argument --minutes: the slot must be a positive number of minutes, not 0"),
    (["--minutes", "-5"], "argument --minutes: the slot must be a positive number of minutes, not -5"),
    (["--level", "senior"], "argument --level: needs --minutes, the length of the interview to plan"),
    (["--minutes", "30", "--tags", "no-such-tag"],
     "the selection (--sections, --tags, --difficulty) keeps no answered question to plan 30 minutes from"),
    (["--minutes", "2"], "argument --minutes: no question fits in 2 minutes (the shortest of the selection"
     " takes 3)"),
])
@pytest.mark.parametrize("output", ["sheet", "handout"])
def test_a_plan_that_cannot_be_made_is_refused_and_nothing_is_overwritten(output, options, message, tmp_path,
                                                                           capsys):
    target = tmp_path / f"{output}.pdf"
    target.write_bytes(b"the previous file")
    status = run([output, "-q", "--content", str(SAMPLE), "--out", str(tmp_path)] + options)
    assert status == 1 and capsys.readouterr().err == f"build.py {output}: error: {message}\n"
    assert target.read_bytes() == b"the previous file" and len(list(tmp_path.iterdir())) == 1


def test_a_pool_too_small_for_the_slot_is_said_and_what_fits_is_built(tmp_path, capsys):
    status = run(["sheet", "-q", "--content", str(SAMPLE), "--out", str(tmp_path), "--minutes", "60"])
    assert status == 0 and capsys.readouterr().err == (
        "warning: the questions to choose from take 10 minutes in all, short of 60: the plan holds all of them;"
        " widen --sections or --tags to fill the slot\n")
    text = pdf_text(tmp_path / "sheet.pdf")
    assert all(f"{q.number} {q.text}" in text for q in book_of(SAMPLE).questions if q.answered)


def test_random_and_minutes_together_are_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        run(["sheet", "--content", str(SAMPLE), "--out", str(tmp_path), "--minutes", "30", "--random", "3"])
    assert exit.value.code == 2 and "argument --random: not allowed with argument --minutes" in capsys.readouterr().err
