"""The importer reads the seed bank verbatim, in order, with its structure and emoji."""

import re
from pathlib import Path

import pytest

from mlbook.cli import run
from mlbook.content.load import load

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "ml-interview-README.md"
MOJIBAKE = SEED.with_name("ml-interview-README.as-received.md")
pytestmark = pytest.mark.skipif(not SEED.is_file(), reason="../shared/seed is not beside the repo")


def seed_questions() -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^- (.+)$", SEED.read_text(encoding="utf-8"), re.M)]


def test_import_of_the_seed_gives_111_questions_6_sections_13_subsections(tmp_path):
    assert run(["import", str(SEED), "--content", str(tmp_path / "c"), "-q"]) == 0
    book = load(tmp_path / "c")
    assert len(book.sections) == 6
    assert sum(1 for s in book.sections for sub in s.subsections if sub.title) == 13
    assert [q.text for q in book.questions] == seed_questions()
    assert len(book.questions) == 111
    assert [s.emoji for s in book.sections] == ["🧠", "🖥️", "🌐", "🔍", "🐍", "🔬"]
    assert book.sections[0].subsections[0].title == "Модели машинного обучения"
    assert book.questions[0].number == "1.1.1" and book.questions[-1].number == "6.7"


def test_content_folder_holds_the_seed_questions_verbatim_in_order():
    book = load(Path(__file__).resolve().parent.parent / "content")
    assert [q.text for q in book.questions] == seed_questions()


def test_import_repairs_mojibake_and_says_so(tmp_path, capsys):
    assert run(["import", str(MOJIBAKE), "--content", str(tmp_path / "c")]) == 0
    assert "repaired mojibake: the file was UTF-8 decoded as another code page" in capsys.readouterr().out
    assert [q.text for q in load(tmp_path / "c").questions] == seed_questions()


def test_import_rejects_mojibake_it_cannot_repair(tmp_path, capsys):
    broken = tmp_path / "broken.md"
    broken.write_text(MOJIBAKE.read_text(encoding="utf-8") + "\n- Настоящий вопрос по-русски?\n", encoding="utf-8")
    assert run(["import", str(broken), "--content", str(tmp_path / "c")]) == 1
    assert (f"{broken}:1: text looks like mojibake (UTF-8 decoded as another code page) and cannot be"
            " repaired automatically; convert it back to UTF-8 first") in capsys.readouterr().err
    assert not (tmp_path / "c").exists()
