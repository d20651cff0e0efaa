"""Importing Markdown lists in their common layouts, and merging a newer list into a bank."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlbook.cli import run
from mlbook.content.load import load
from tests.conftest import CONTENT, SAMPLE


def import_text(tmp_path: Path, markdown: str, content: Path, *options: str) -> int:
    source = tmp_path / "upstream.md"
    source.write_text(markdown, encoding="utf-8")
    return run(["import", str(source), "--content", str(content), *options])


def structure(content: Path) -> list[tuple[str, str, list[str]]]:
    book = load(content)
    return [(s.emoji + s.title, sub.title, [q.text for q in sub.questions])
            for s in book.sections for sub in s.subsections]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_hash_headings_as_sections_and_subsections(tmp_path):
    markdown = "# 🧠 Основы\n## Модели\n- Что такое бустинг?\n* Что такое бэггинг?\n# Зрение\n1. Что такое свёртка?\n"
    assert import_text(tmp_path, markdown, tmp_path / "c", "-q") == 0
    assert structure(tmp_path / "c") == [("🧠Основы", "Модели", ["Что такое бустинг?", "Что такое бэггинг?"]),
                                         ("Зрение", "", ["Что такое свёртка?"])]


def test_title_heading_then_sections_with_continued_items(tmp_path):
    markdown = ("# Банк вопросов\nВступление.\n\n## Раздел\n- Длинный вопрос,\n  продолженный на следующей"
                " строке?\n- Второй?\n### Подраздел\n2) Третий?\n")
    assert import_text(tmp_path, markdown, tmp_path / "c", "-q") == 0
    assert structure(tmp_path / "c") == [
        ("Раздел", "Общие вопросы", ["Длинный вопрос, продолженный на следующей строке?", "Второй?"]),
        ("Раздел", "Подраздел", ["Третий?"])]


def test_flat_list_goes_into_one_named_section(tmp_path):
    markdown = "1. Первый вопрос?\n2. Второй вопрос?\n   с продолжением\n3. Третий?\n"
    assert import_text(tmp_path, markdown, tmp_path / "c", "--flat-title", "Разное", "-q") == 0
    assert structure(tmp_path / "c") == [("Разное", "", ["Первый вопрос?", "Второй вопрос? с продолжением",
                                                         "Третий?"])]


UPSTREAM = """# Банк
## 🧠 Первый раздел
### Формулы и код
- Что такое softmax и зачем из логитов вычитают максимум?
### Новая тема
- Как выглядит сигмоида?
- Что такое tanh?
## 🐍 Второй раздел
- Как посчитать количество строк в таблице?
"""


def merged_bank(tmp_path, *options) -> tuple[Path, int, str]:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    status = import_text(tmp_path, UPSTREAM, content, *options)
    return content, status


def test_merge_keeps_answers_of_reworded_and_moved_questions(tmp_path, capsys):
    content, status = merged_bank(tmp_path)
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert ("reworded: softmax: «Что такое softmax и почему из логитов вычитают максимум?» → «Что такое softmax"
            " и зачем из логитов вычитают максимум?»") in out
    assert "moved: sigmoid-plot: Первый раздел / Формулы и код → Первый раздел / Новая тема" in out
    assert "added: tanh: Что такое tanh?" in out
    assert "missing: open-question: Вопрос, на который ещё нет ответа? (kept; --prune removes it)" in out
    assert out[-1] == ("summary: 1 added, 1 reworded, 1 moved, 1 missing, 0 removed, 0 ambiguous,"
                       " 1 unchanged")
    book = load(content)
    softmax = book.question("softmax")
    assert softmax.text == "Что такое softmax и зачем из логитов вычитают максимум?"
    assert "МАРКЕР-ОТВЕТА-СОФТМАКС" in softmax.body and len(softmax.key_points) == 3
    assert [q.id for q in book.sections[0].subsections[1].questions][0] == "sigmoid-plot"
    assert "МАРКЕР-ОТВЕТА-СИГМОИДА" in book.question("sigmoid-plot").body
    assert "open-question" in [q.id for q in book.questions]


def test_second_import_changes_nothing(tmp_path, capsys):
    content, _ = merged_bank(tmp_path)
    before = snapshot(content)
    assert import_text(tmp_path, UPSTREAM, content) == 0
    assert snapshot(content) == before
    assert capsys.readouterr().out.splitlines()[-1] == (
        "summary: 0 added, 0 reworded, 0 moved, 1 missing, 0 removed, 0 ambiguous, 4 unchanged")


def test_dry_run_reports_and_changes_nothing(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    before = snapshot(content)
    assert import_text(tmp_path, UPSTREAM, content, "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2].startswith("summary: 1 added, 1 reworded, 1 moved, 1 missing") and out[-1] == (
        "dry run: nothing was changed")
    assert snapshot(content) == before


def test_prune_removes_questions_gone_upstream(tmp_path, capsys):
    content, status = merged_bank(tmp_path, "--prune")
    assert status == 0
    assert "removed: open-question: Вопрос, на который ещё нет ответа?" in capsys.readouterr().out
    assert "open-question" not in [q.id for q in load(content).questions]
    assert not (content / "alpha/open-question.md").exists()


def test_ambiguous_match_is_listed_not_guessed(tmp_path, capsys):
    content = tmp_path / "c"
    assert import_text(tmp_path, "## Нормализация\n- Что такое BatchNorm в CNN?\n- Что такое BatchNorm в RNN?\n",
                       content, "-q") == 0
    before = snapshot(content)
    capsys.readouterr()
    assert import_text(tmp_path, "## Нормализация\n- Что такое BatchNorm в DNN?\n", content) == 0
    out = capsys.readouterr().out.splitlines()
    assert ("ambiguous: «Что такое BatchNorm в DNN?» could be 1.1 «Что такое BatchNorm в CNN?» or 1.2 «Что такое"
            " BatchNorm в RNN?»; not imported: make the texts differ") in out
    assert out[-1] == "summary: 0 added, 0 reworded, 0 moved, 0 missing, 0 removed, 1 ambiguous, 0 unchanged"
    assert snapshot(content) == before


def test_similar_but_different_short_questions_are_not_merged(tmp_path, capsys):
    content = tmp_path / "c"
    assert import_text(tmp_path, "## Н\n- Как работает LayerNorm?\n", content, "-q") == 0
    assert import_text(tmp_path, "## Н\n- Как работает LayerNorm?\n- Как работает GroupNorm?\n",
                       content, "-q") == 0
    assert [q.text for q in load(content).questions] == ["Как работает LayerNorm?", "Как работает GroupNorm?"]
    assert import_text(tmp_path, "## Н\n- Как работает LayerNorm?\n- Как работает GrupNorm?\n", content) == 0
    assert "reworded: rabotaet-groupnorm: «Как работает GroupNorm?» → «Как работает GrupNorm?»" in (
        capsys.readouterr().out.splitlines())  # a typo upstream is a rewording, not a new question


SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "ml-interview-README.md"
REWORDINGS = {  # the seed's text → a rewording a bank commonly gets
    "Что такое bagging?": "Что такое бэггинг (bagging)?",  # a term translated
    "Что такое receptive field?": "Что такое рецептивное поле (receptive field)?",
    "Что такое GIL в Python?": "Что такое GIL в Python и зачем он нужен?",  # a clause added
    "Почему L1 регуляризация зануляет часть весов?": "Почему часть весов зануляет L1 регуляризация?",  # reordered
    "Что такое градиент?": "Что такое градиент функции потерь и куда он указывает?",
}


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/seed is not beside the repo")
def test_rewordings_of_the_seed_keep_their_answers_and_ids(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    before = {q.id: (q.text, q.body) for q in load(content).questions}
    upstream = SEED.read_text(encoding="utf-8")
    for old, new in REWORDINGS.items():
        assert f"- {old}\n" in upstream
        upstream = upstream.replace(f"- {old}\n", f"- {new}\n")
    assert import_text(tmp_path, upstream, content) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "summary: 0 added, 5 reworded, 0 moved, 0 missing, 0 removed, 0 ambiguous, 106 unchanged"
    after = {q.id: (q.text, q.body) for q in load(content).questions}
    assert after.keys() == before.keys()
    renamed = {before[qid][0]: after[qid][0] for qid in after if after[qid][0] != before[qid][0]}
    assert renamed == REWORDINGS
    assert all(after[qid][1] == before[qid][1] and before[qid][1].strip() for qid in after)
    assert "reworded: bagging: «Что такое bagging?» → «Что такое бэггинг (bagging)?»" in out


def test_a_rewording_that_could_pair_two_ways_is_listed_then_confirmed(tmp_path, capsys):
    content = tmp_path / "c"
    assert import_text(tmp_path, "## Нормализация\n- Что такое BatchNorm?\n- Что такое LayerNorm?\n",
                       content, "-q") == 0
    capsys.readouterr()
    upstream = "## Нормализация\n- Чем BatchNorm отличается от LayerNorm?\n- Что такое GroupNorm?\n"
    assert import_text(tmp_path, upstream, content, "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert ("likely: «Чем BatchNorm отличается от LayerNorm?» may reword batchnorm «Что такое BatchNorm?»: if so,"
            " import again with --same batchnorm-otlichaetsya-layernorm=batchnorm") in out
    assert ("likely: «Чем BatchNorm отличается от LayerNorm?» may reword layernorm «Что такое LayerNorm?»: if so,"
            " import again with --same batchnorm-otlichaetsya-layernorm=layernorm") in out
    assert out[-2] == "summary: 2 added, 0 reworded, 0 moved, 2 missing, 0 removed, 0 ambiguous, 0 unchanged"
    assert import_text(tmp_path, upstream, content, "--same", "batchnorm-otlichaetsya-layernorm=batchnorm") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "summary: 1 added, 1 reworded, 0 moved, 1 missing, 0 removed, 0 ambiguous, 0 unchanged"
    assert [q.id for q in load(content).questions] == ["batchnorm", "groupnorm", "layernorm"]


def test_same_option_errors_name_the_problem(tmp_path, capsys):
    content = tmp_path / "c"
    assert import_text(tmp_path, "## Н\n- Что такое BatchNorm?\n", content, "-q") == 0
    assert import_text(tmp_path, "## Н\n- Что такое BatchNorm?\n", content, "--same", "x") == 2
    assert import_text(tmp_path, "## Н\n- Что такое GroupNorm?\n", content, "--same", "nope=batchnorm") == 2
    assert import_text(tmp_path, "## Н\n- Что такое GroupNorm?\n", content, "--same", "groupnorm=nope") == 2
    assert import_text(tmp_path, "## Н\n- Что такое GroupNorm?\n", content, "--mark", "[X]=4") == 2
    assert capsys.readouterr().err.splitlines() == [
        "build.py import: error: argument --same: 'x': expected NEW_ID=OLD_ID",
        "build.py import: error: --same nope=batchnorm: no new question gets the id 'nope' (the ids are in the"
        " 'added:' lines of a --dry-run)",
        "build.py import: error: --same groupnorm=nope: 'nope' is not an existing question left without a match",
        "build.py import: error: argument --mark: '[X]=4': expected MARK=LEVEL with LEVEL 1, 2 or 3"]
