"""The subject index and the glossary: every page the index lists shows its term, the entries follow the
collation rules, the glossary is checked like the questions, and every edition has both."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from mlbook.cli import run
from mlbook.content.load import load
from mlbook.markup import terms
from mlbook.model import Location, Term
from mlbook.pdf import page_map
from mlbook.render import subject_index
from tests.conftest import CONTENT, ROOT, SAMPLE

ENGLISH_BANK = ROOT / "tests" / "sample" / "qa-en"
ENGLISH_GLOSSARY = ROOT / "tests" / "sample" / "qa-en-glossary.yaml"


def raw_pages(pdf: Path) -> list[str]:
    """Each page's text (index 0 is page 1), its lines in the order they are drawn (pdftotext's own order
    puts a line with a formula picture elsewhere)."""
    raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return raw.split("\f")[:-1]  # the text ends with a form feed


def page_texts(pdf: Path) -> list[str]:
    """Each page's text as one line, hyphenated words joined."""
    return [_joined(page) for page in raw_pages(pdf)]


def _joined(text: str) -> str:
    text = text.replace("\u00ad", "").replace("\u00a0", " ")
    text = re.sub(r"(\w)\u2010[ \n]*\n[ \n]*(\w)", r"\1\2", text)  # hyphenated by the layout: one word
    text = re.sub(r"([-–])[ \n]*\n", r"\1", text)  # a line broken after a hyphen or dash of the text
    return re.sub(r"\s+", " ", text)


def index_text(raw: list[str], heading: str) -> str:
    """The index's body (`raw`: `raw_pages`) in the order it is drawn, running headers and page numbers
    left out."""
    first = min(i for i, page in enumerate(raw) if _joined(page).strip().startswith(heading))
    lines = []
    for page in raw[first:]:
        kept = [line for line in page.strip("\n").split("\n") if line.strip() != heading]
        if kept and kept[-1].strip().isdigit():
            kept.pop()  # the page number
        lines += kept
    return _joined("\n".join(lines))


def listed_entries(book, text: str) -> list[tuple[subject_index.Entry, list[int]]]:
    """Each entry of the book's index, in the order expected, with the pages the PDF lists for it; an
    entry found out of that order fails."""
    expected = [entry for group in subject_index.groups(book) for letter in group.letters
                for top in letter.entries for entry in [top] + top.subentries]
    starts = []
    position = 0
    for entry in expected:
        match = re.compile(rf"(?<![\w-]){re.escape(entry.heading)}, (?=\d)").search(text, position)
        assert match, f"index entry «{entry.heading}» not found where the collation puts it"
        starts.append((match.start(), match.end()))
        position = match.end()
    found = []
    for (start, end), following, entry in zip(starts, starts[1:] + [(len(text), len(text))], expected):
        numbers = text[end:following[0]].split(";")[0]
        pages = []
        for first, last in re.findall(r"(\d+)(?:–(\d+))?", numbers):
            pages += list(range(int(first), int(last or first) + 1))
        found.append((entry, pages))
    return found


def assert_every_listed_page_shows_its_term(pdf: Path, content: Path, heading: str) -> int:
    book = load(content)
    finder = terms.TermFinder(book.glossary)
    raw = raw_pages(pdf)
    pages = [_joined(page) for page in raw]
    bodies = page_bodies(raw, book)
    checked = 0
    for entry, listed in listed_entries(book, index_text(raw, heading)):
        assert listed, f"«{entry.heading}» lists no page"
        for number in listed:
            on_page = {occurrence.term for occurrence in finder.find(pages[number - 1])}
            assert entry.term in on_page or ends_on_page(finder, entry.term, bodies, number), (
                f"«{entry.heading}»: p. {number} is listed, but does not show it")
            checked += 1
    return checked


def page_bodies(raw: list[str], book) -> list[str]:
    """Each page's text (`raw`: `raw_pages`) without its running header and page number (the text a
    reader reads on)."""
    headers = {f"{s.number} {s.title}" for s in book.sections} | {
        f"{sub.number} {sub.title}" for s in book.sections for sub in s.subsections if sub.title}
    bodies = []
    for page in raw:
        lines = [line for line in page.split("\n") if line.strip() and line.strip() not in headers]
        if lines and lines[-1].strip().isdigit():
            lines.pop()
        bodies.append("\n".join(lines))
    return bodies


def ends_on_page(finder: terms.TermFinder, term: Term, bodies: list[str], number: int) -> bool:
    """Whether the term starts at the foot of the page before and ends on this one (its anchor follows
    it: a term a page break cuts is listed on the page where it ends)."""
    if number < 2:
        return False
    before, after = _joined(bodies[number - 2]), _joined(bodies[number - 1])
    text = f"{before} {after}"
    return any(o.term == term and o.start < len(before) < o.end for o in finder.find(text))


def test_every_page_the_real_index_lists_shows_its_term(book_outputs):
    """Every page of every entry — each page inside a run 45–47 too — shows the term (a listed form or
    lemma), in the order the collation gives."""
    book = load(CONTENT)
    assert len(book.glossary) >= 250
    checked = assert_every_listed_page_shows_its_term(book_outputs / "book.pdf", CONTENT, "Предметный указатель")
    assert checked > 2 * len(book.glossary)


def test_every_page_the_sample_index_lists_shows_its_term(sample_outputs):
    assert assert_every_listed_page_shows_its_term(sample_outputs / "book.pdf", SAMPLE, "Предметный указатель") >= 6


def test_the_reverse_list_gives_the_page_of_each_glossary_entry(book_outputs):
    """Every line of the English → Russian list, in its order, names the page where the Russian term's
    glossary entry is (its page number is written into the HTML from the page map, not generated)."""
    book = load(CONTENT)
    pages = page_texts(book_outputs / "book.pdf")
    first = min(i for i, page in enumerate(pages) if "English → русский" in page)
    text = " ".join(pages[first:]).split("English → русский", 1)[1]
    found = subject_index.entries(book)
    position = 0
    for name, entry in subject_index.reverse_order(book, found):
        match = re.compile(rf"{re.escape(name)} — {re.escape(entry.heading)}, с\. (\d+)").search(text, position)
        assert match, f"«{name} — {entry.heading}» not in the list where its order puts it"
        position = match.end()
        shown = f"{entry.heading} {entry.other_name} — " if entry.other_name else f"{entry.heading} — "
        assert shown in pages[int(match.group(1)) - 1], f"{entry.heading}: p. {match.group(1)}"


def test_the_glossary_and_the_index_are_in_the_contents_and_bookmarks(sample_outputs):
    from pypdf import PdfReader

    reader = PdfReader(sample_outputs / "book.pdf")
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[-2:] == ["Глоссарий", "Предметный указатель"]
    contents = page_texts(sample_outputs / "book.pdf")[2]
    assert re.search(r"Глоссарий[ .]+\d+ Предметный указатель[ .]+\d+", contents)


# --- the pages of an entry -----------------------------------------------------------------------

def test_an_entry_shows_runs_as_ranges_and_its_main_pages_in_bold_on_their_own():
    pages = page_map.PageMap(anchors={"q-x": 52, "q-y": 46}, terms={"k": [45, 46, 47, 50, 51, 53]})
    html = page_map.index_pages("k", ["q-x"], pages)
    assert re.sub(r"<[^>]+>", "", html) == ", 45–47, 50–51, 52, 53"
    assert "<b>52</b>" in html
    assert re.sub(r"<[^>]+>", "", page_map.index_pages("k", ["q-y"], pages)) == ", 45, 46, 47, 50–51, 53"
    assert page_map.index_pages("unknown", [], pages) == ""  # a first build: no pages known yet


def test_a_page_is_read_as_a_reader_reads_it_code_and_sources_aside():
    import weasyprint
    from mlbook.pdf import page_text

    html = ('<html lang="ru"><body style="width:45mm; hyphens: auto; text-align: justify"><h1>Раздел про всё</h1>'
            '<article class="question" id="q-a"><h3>Что такое батч-нормализация?</h3><div class="answer">'
            '<p>Батч-нормализация нормализует активации по статистикам мини-батча, это <code>BatchNorm</code>.</p>'
            '<div class="code"><pre>переобучение = 1</pre></div><h4>Источники</h4><ul><li>Overfitting</li></ul>'
            '</div><div class="see-also">переобучение</div></article></body></html>')
    texts = page_text.question_texts(weasyprint.HTML(string=html).render().pages[0])
    assert list(texts) == ["a"]
    words = texts["a"].replace(page_text.BLOCK_SEPARATOR, " ").split()
    assert "батч-нормализация?" in words and "нормализует" in words and "мини-батча," in words
    assert "переобучение" not in texts["a"] and "Overfitting" not in texts["a"] and "BatchNorm" not in texts["a"]


# --- collation ---------------------------------------------------------------------------------------

def _term(ru: str, en: str = "x") -> Term:
    return Term(ru, en, (), "определение", (), "", Location(Path("glossary.yaml"), 1))


def test_russian_order_letter_by_letter_with_yo_as_ye_then_latin_as_a_group_of_its_own():
    names = ["ёмкость", "Еда", "ежевика", "батч-нормализация", "батчинг", "1×1-свёртка", "Adam", "ROC-AUC",
             "adaboost", "ёлка", "L1-регуляризация", "функция потерь", "функция активации"]
    ordered = sorted(names, key=lambda name: subject_index.sort_key(name, "ru"))
    assert ordered == ["1×1-свёртка", "батчинг", "батч-нормализация", "Еда", "ежевика", "ёлка", "ёмкость",
                       "функция активации", "функция потерь", "adaboost", "Adam", "L1-регуляризация", "ROC-AUC"]
    assert [subject_index.letter_of(name) for name in ordered[:4]] == [subject_index.DIGITS, "Б", "Б", "Е"]
    assert subject_index.letter_of("ёлка") == "Е"  # ё files under е


def test_an_english_book_puts_latin_first():
    names = ["сигмоида", "batch normalization", "Adam", "ÿ"]
    assert sorted(names, key=lambda name: subject_index.sort_key(name, "en"))[:3] == [
        "Adam", "batch normalization", "сигмоида"]


# --- finding terms -------------------------------------------------------------------------------------

def test_terms_are_found_by_lemma_and_form_never_in_code_formulas_or_addresses():
    term = Term("батч-нормализация", "batch normalization", ("BatchNorm", "BN"), "…", (), "",
                Location(Path("g"), 1))
    finder = terms.TermFinder([term])
    text = "Батч-нормализацией и батч-нормализации; batch normalizations, BN, но не bn и не BN-слой."
    assert [text[o.start:o.end] for o in finder.find(text)] == [
        "Батч-нормализацией", "батч-нормализации", "batch normalizations", "BN"]
    assert finder.find("https://example.org/BatchNorm и www.bn.org/BN") == []
    tokens = list(terms.parse_for_reading("`BatchNorm` и $BN$ и [https://x.org/BN](https://x.org/BN)\n\n"
                                          "```python\nBatchNorm\n```\n"))
    assert list(terms.prose_runs(tokens)) == [" и ", " и "]
    lines = list(terms.parse_for_reading("Обучаем батч-\nнормализацию и BN\nслои.\n"))
    assert list(terms.prose_runs(lines)) == ["Обучаем батч-\nнормализацию и BN\nслои."]


def test_a_term_of_several_words_matches_them_in_a_row_and_the_longer_wins():
    short, long = _term("нормализация", "normalization"), _term("нормализация слоя", "layer normalization")
    finder = terms.TermFinder([short, long])
    found = finder.find("Нормализации слоя и нормализация, слоя; тест Манна–Уитни")
    assert [(o.term.ru, o.end - o.start) for o in found] == [("нормализация слоя", 17), ("нормализация", 12)]
    mann = terms.TermFinder([_term("тест Манна–Уитни", "Mann–Whitney U test")])
    assert len(mann.find("тестом Манна – Уитни и тест Манна-Уитни")) == 2


def test_a_term_is_not_looked_for_in_the_answers_it_names_in_not_in():
    term = Term("переобучение", "overfitting", (), "…", (), "", Location(Path("g"), 1), ("nms",))
    finder = terms.TermFinder([term])
    assert finder.find("без переобучения", "nms") == [] and finder.find("без переобучения", "other")


# --- glossary.yaml is checked like the questions --------------------------------------------------------

GOOD = """- ru: сигмоида
  en: sigmoid
  definition: Функция 1 / (1 + e^(−x)).
"""


@pytest.fixture
def sample_copy_with_glossary(tmp_path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    return content


@pytest.mark.parametrize("text, message", [
    ("ru: x\n", "1: glossary.yaml must be a list of terms (`- ru: …`, `  en: …`, `  definition: …`)"),
    (GOOD + "- just text\n", "4: a term must be a mapping with ru, en and definition"),
    (GOOD + "- ru: логит\n  en: logit\n", "4: 'definition' is required and must be text"),
    (GOOD + "- en: logit\n  definition: d\n", "4: 'ru' is required and must be text"),
    (GOOD + "- ru: логит\n  en: logit\n  definition: d\n  colour: red\n",
     "7: unknown field 'colour' (a term has: ru, en, forms, definition, see_also, parent, not_in)"),
    (GOOD + "- ru: Сигмоида\n  en: sigmoid function\n  definition: d\n",
     "4: the term 'Сигмоида' appears twice (also line 1)"),
    (GOOD + "- ru: логит\n  en: logit\n  forms: [sigmoid]\n  definition: d\n",
     "4: 'sigmoid' names two terms: 'сигмоида' (line 1) and 'логит'; keep it in one"),
    (GOOD + "- ru: логит\n  en: logit\n  definition: d\n  see_also: [сигма]\n",
     "4: see_also: no term 'сигма' in the glossary"),
    (GOOD + "- ru: логит\n  en: logit\n  definition: d\n  parent: логит\n", "4: a term cannot be its own parent"),
    (GOOD + "- ru: логит\n  en: logit\n  definition: d\n  not_in: [no-such-question]\n",
     "4: not_in: no question 'no-such-question' in the book"),
    (GOOD + "- ru: квазимодо\n  en: quasimodo\n  definition: d\n",
     "4: the term 'квазимодо' is found nowhere in the book's questions or answers (code and formulas aside):"
     " add the form the text uses to 'forms', or remove the term"),
    (GOOD + "- ru: логит\n  en: logit\n  definition: \"a\\u200bb\"\n",
     "6: 'definition' contains an invisible or control character (ZERO WIDTH SPACE, U+200B); delete it"),
])
def test_a_bad_glossary_entry_is_reported_with_its_line(sample_copy_with_glossary, capsys, text, message):
    (sample_copy_with_glossary / "glossary.yaml").write_text(text, encoding="utf-8")
    assert run(["check", "--content", str(sample_copy_with_glossary)]) == 1
    err = capsys.readouterr().err
    assert f"{sample_copy_with_glossary / 'glossary.yaml'}:{message}" in err
    assert "Traceback" not in err


def test_a_glossary_that_is_a_link_is_refused(sample_copy_with_glossary, tmp_path, capsys):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(GOOD, encoding="utf-8")
    (sample_copy_with_glossary / "glossary.yaml").unlink()
    (sample_copy_with_glossary / "glossary.yaml").symlink_to(outside)
    assert run(["check", "--content", str(sample_copy_with_glossary)]) == 1
    assert "glossary.yaml:1: glossary.yaml must be a regular file in the content folder" in capsys.readouterr().err


def test_the_real_glossary_passes_the_check_with_every_term_found():
    book = load(CONTENT)
    found = subject_index.entries(book)
    assert len(book.glossary) >= 250
    assert all(entry.questions for entry in found.values())
    assert all(term.ru and term.en and term.definition for term in book.glossary)


# --- the EPUB, the web edition, the search ------------------------------------------------------------

def test_both_epubs_hold_the_glossary_and_the_index_linking_to_the_answers(book_outputs):
    for name in ("book.epub", "book-kindle.epub"):
        with zipfile.ZipFile(book_outputs / name) as epub:
            index = epub.read("EPUB/index.xhtml").decode()
            glossary = epub.read("EPUB/glossary.xhtml").decode()
            nav = epub.read("EPUB/nav.xhtml").decode()
        assert 'epub:type="index"' in index and 'epub:type="glossary"' in glossary
        assert re.search(r'<a href="section-2\.xhtml#q-[a-z0-9-]+"[^>]*><b>2\.\d+\.\d+</b></a>', index)
        assert 'href="index.xhtml#ixe-' in glossary
        assert "Предметный указатель" in nav and "Глоссарий" in nav


def test_the_web_edition_has_the_index_and_the_glossary_pages(site):
    index = (site / "subject-index.html").read_text(encoding="utf-8")
    glossary = (site / "glossary.html").read_text(encoding="utf-8")
    start = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="subject-index.html"' in start and 'href="glossary.html"' in start
    assert re.search(r'<a href="section-\d\.html#q-[a-z0-9-]+"', index)
    assert '<span class="other-name" lang="en" xml:lang="en">batch normalization</span>' in glossary


def test_the_glossary_gives_another_name_only_where_it_differs(site):
    """Adam is Adam in both languages: its entry does not repeat the name, and the English → Russian
    list does not pair it with itself; every term with a distinct English name is in that list once."""
    book = load(CONTENT)
    glossary = (site / "glossary.html").read_text(encoding="utf-8")
    adam = re.search(r'<dt id="gl-[^"]+"><a class="to-index" [^>]*>Adam</a>(.*?)</dt>', glossary)
    assert adam and "other-name" not in adam.group(1)
    reverse = re.findall(r'<li><span lang="en" xml:lang="en">(.*?)</span> — <a href="#gl-[^"]+"[^>]*>(.*?)</a></li>',
                         glossary)
    assert ("batch normalization", "батч-нормализация") in reverse
    assert all(english.casefold() != russian.casefold() for english, russian in reverse)
    distinct = [term for term in book.glossary if term.en.casefold() != term.ru.casefold()]
    assert sorted(html.unescape(english) for english, _ in reverse) == sorted(term.en for term in distinct)


# --- a bank in English -----------------------------------------------------------------------------------

def test_an_english_bank_builds_an_english_index_and_glossary(tmp_path):
    content, out = tmp_path / "bank", tmp_path / "out"
    assert run(["import", str(ENGLISH_BANK), "--content", str(content), "--language", "en", "-q"]) == 0
    shutil.copy(ENGLISH_GLOSSARY, content / "glossary.yaml")
    assert run(["pdf", "--strict", "--content", str(content), "--out", str(out), "-q"]) == 0
    assert run(["epub", "--content", str(content), "--out", str(out), "-q"]) == 0
    pages = page_texts(out / "book.pdf")
    text = " ".join(pages)
    assert "Glossary" in text and "Index" in text and "see also" in text
    assert "Предметный" not in text and "Глоссарий" not in text and "см. также" not in text
    assert assert_every_listed_page_shows_its_term(out / "book.pdf", content, "Index") >= 5
    with zipfile.ZipFile(out / "book.epub") as epub:
        assert ">Index</h1>" in epub.read("EPUB/index.xhtml").decode()


def test_the_terms_kept_in_the_cache_equal_a_search_from_scratch(tmp_path, monkeypatch):
    """Each question's terms are kept in the cache under the glossary, the question and the code: read
    back, they are what a search from scratch finds; another glossary is another entry."""
    book = load(SAMPLE)

    def search(glossary):
        return ({q.id: terms.terms_in_question(glossary, q) for q in book.questions},
                {q.id: terms.terms_in_title(glossary, q) for q in book.questions})

    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "cache"))
    for memo in (terms.terms_in_question, terms.terms_in_title):
        memo.cache_clear()
    first = search(book.glossary)  # written to the empty cache
    for memo in (terms.terms_in_question, terms.terms_in_title):
        memo.cache_clear()
    assert search(book.glossary) == first and any(first[0].values())  # read back from it
    larger = book.glossary + (_term("максимум", "maximum"),)
    _, titles = search(larger)
    assert any(term.ru == "максимум" for found in titles.values() for term in found)  # not the old entry
