"""Every word the outputs print comes from the book's language file (templates/languages/)."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile

import pytest
import yaml

from mlbook.cli import run
from mlbook.labels import LANGUAGES, LabelsError, labels
from tests.conftest import SAMPLE
from tests.pdftext import pdf_text


def label_texts(language: str) -> list[str]:
    """The language file's texts with their {placeholders} cut out: the pieces an output shows."""
    data = yaml.safe_load((LANGUAGES / f"{language}.yaml").read_text(encoding="utf-8"))
    values = [v for k, v in data.items() if k not in ("language_name", "typography")]
    flat = [str(v) for value in values for v in (value.values() if isinstance(value, dict) else [value])]
    pieces = [piece.strip(" .:«»“”()—") for text in flat for piece in re.split(r"\{[^}]*\}|\n", text)]
    return [piece for piece in pieces if len(piece) >= 4]


def test_every_language_file_has_the_keys_of_the_reference_one():
    reference = set(yaml.safe_load((LANGUAGES / "ru.yaml").read_text(encoding="utf-8")))
    for path in LANGUAGES.glob("*.yaml"):
        assert set(yaml.safe_load(path.read_text(encoding="utf-8"))) == reference, path.name


@pytest.mark.parametrize("language, n, text", [
    ("ru", 1, "1 вопрос"), ("ru", 3, "3 вопроса"), ("ru", 5, "5 вопросов"), ("ru", 11, "11 вопросов"),
    ("ru", 21, "21 вопрос"), ("ru", 111, "111 вопросов"), ("en", 1, "1 question"), ("en", 111, "111 questions"),
])
def test_counts_take_the_plural_form_of_the_language(language, n, text):
    assert labels(language).count("questions_count", n) == text


def test_a_language_without_a_labels_file_is_a_content_error(sample_copy, tmp_path, capsys):
    book_yaml = sample_copy / "book.yaml"
    text = book_yaml.read_text(encoding="utf-8")
    line = text.splitlines().index("language: ru") + 1
    book_yaml.write_text(text.replace("language: ru", "language: xx"), encoding="utf-8")
    assert run(["check", "--content", str(sample_copy)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{book_yaml}:{line}: no labels for language 'xx' (templates/languages/ has: en, ru);"
        " add templates/languages/xx.yaml")
    with pytest.raises(LabelsError):
        labels("xx")


@pytest.fixture(scope="module")
def english_outputs(tmp_path_factory):
    """The sample bank with `language: en`: every output built."""
    import shutil

    content = tmp_path_factory.mktemp("english") / "content"
    shutil.copytree(SAMPLE, content)
    book_yaml = content / "book.yaml"
    book_yaml.write_text(book_yaml.read_text(encoding="utf-8").replace("language: ru", "language: en"),
                         encoding="utf-8")
    out = content.parent / "out"
    for target in ("all", "html", "anki"):
        assert run([target, "--strict", "--content", str(content), "--out", str(out), "-q"]) == 0
    return out


def output_texts(out) -> str:
    texts = [pdf_text(out / name) for name in ("book.pdf", "handout.pdf", "sheet.pdf")]
    for name in ("book.epub", "book-kindle.epub"):
        with zipfile.ZipFile(out / name) as epub:
            texts += [epub.read(n).decode() for n in epub.namelist() if n.endswith((".xhtml", ".opf", ".ncx"))]
    texts += [p.read_text(encoding="utf-8") for p in (out / "site").iterdir() if p.suffix in (".html", ".js")]
    with zipfile.ZipFile(out / "ml-interview.apkg") as deck:
        database = out / "collection.anki2"
        database.write_bytes(deck.read("collection.anki2"))
    with sqlite3.connect(database) as connection:
        texts += [json.dumps(json.loads(models), ensure_ascii=False) + tags
                  for models, tags in connection.execute("SELECT models, tags FROM col")]
        texts += [str(row) for row in connection.execute("SELECT flds, tags FROM notes")]
    return "\n".join(texts)


def test_an_english_book_shows_english_labels_and_no_russian_one(english_outputs):
    text = output_texts(english_outputs)
    for label in ("Contents", "About this book", "Key points", "No answer yet", "See also", "Report an error",
                  "Interviewer sheet", "Questions for the candidate", "Open all answers", "Nothing found",
                  "Question → answer", "4 questions · 2 sections", "Fig. 1.1"):
        assert label in text, label
    book = pdf_text(english_outputs / "book.pdf")
    assert re.search(r"\(p\. \d+\)", book) and re.search(r"— p\. \d+", book) and "(с." not in book
    sample_text = "".join(p.read_text(encoding="utf-8") for p in SAMPLE.rglob("*") if p.is_file())
    # the search index holds the bank's own words in lower case
    russian = [label for label in label_texts("ru") if label.lower() not in sample_text.lower()]
    assert len(russian) > 40
    assert [label for label in russian if label in text] == []
