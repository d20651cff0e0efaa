"""The web edition in a real browser, and the Anki deck opened as the SQLite file it is."""

from __future__ import annotations

import json
import shutil
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
import sqlite3
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from mlbook.cli import run
from mlbook.content.load import load
from tests.conftest import CONTENT, SAMPLE

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def test_site_pages_hold_every_question_with_collapsed_answers(site):
    book = load(CONTENT)
    index = (site / "index.html").read_text(encoding="utf-8")
    pages = "".join((site / f"section-{s.number}.html").read_text(encoding="utf-8") for s in book.sections)
    for question in book.questions:
        assert f'<details class="question" id="q-{question.id}">' in pages
        assert f'href="section-{question.number.split(".")[0]}.html#q-{question.id}"' in index
    assert "<details open" not in pages and "<math" in pages and "http://" not in index.split("<footer>")[0]
    script = (site / "search.js").read_text(encoding="utf-8")
    documents = json.loads(script.split("window.SEARCH_DOCS = ", 1)[1].split(";\n", 1)[0])
    assert [d["n"] for d in documents] == [q.number for q in book.questions] and "window.SEARCH_INDEX = {" in script
    for figure in (site / "figures").iterdir():
        assert f'src="figures/{figure.name}"' in pages


def test_no_answers_site_has_questions_only(tmp_path):
    assert run(["html", "--no-answers", "--content", str(SAMPLE), "--out", str(tmp_path), "-q"]) == 0
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").glob("*.html"))
    assert "Что такое softmax" in text and "МАРКЕР-ОТВЕТА" not in text and "<details" not in text


NEEDS_CHROMIUM = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Chromium and chromedriver are not installed (Debian: chromium chromium-driver)")


@contextmanager
def chromium(profile: Path):
    """Headless Chromium driven by Selenium, with a fresh profile; quits at the end."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--user-data-dir={profile}", "--window-size=1200,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@NEEDS_CHROMIUM
def test_site_in_a_real_browser(site, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium(tmp_path / "profile") as driver:
        driver.get((site / "section-2.html").as_uri())
        details = driver.find_elements(By.CSS_SELECTOR, "details.question")
        assert details and not any(d.get_attribute("open") for d in details)
        driver.find_element(By.ID, "open-all").click()
        assert all(d.get_attribute("open") is not None for d in details)
        driver.find_element(By.ID, "close-all").click()
        assert not any(d.get_attribute("open") for d in details)
        book = load(CONTENT)
        question = book.questions[40]
        driver.get((site / "index.html").as_uri())
        driver.find_element(By.CSS_SELECTOR, f'a[href$="#q-{question.id}"]').click()
        target = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, f"q-{question.id}"))
        assert target.get_attribute("open") is not None
        # the question's heading lands below the sticky top bar, not under it
        bar_bottom = driver.execute_script("return document.querySelector('header.top').getBoundingClientRect().bottom")
        heading_top = driver.execute_script("return arguments[0].getBoundingClientRect().top", target)
        assert driver.execute_script("return window.scrollY") > 0 and heading_top >= bar_bottom
        driver.get((site / "index.html").as_uri())
        # the contents show the book's numbers only: the lists draw no markers of their own
        markers = driver.execute_script(
            "return [...document.querySelectorAll('.toc li')].map(li => getComputedStyle(li).listStyleType)")
        assert markers and set(markers) == {"none"}
        driver.find_element(By.ID, "search").send_keys("BatchNorm")
        results = WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li a"))
        assert results and any("batchnorm" in r.text.lower() for r in results)
        driver.save_screenshot(str(site.parent / "site.png"))
        assert (site.parent / "site.png").stat().st_size > 10_000
        with served(site) as base:  # the same site over HTTP, as `python -m http.server` serves it
            driver.get(f"{base}/index.html")
            driver.execute_async_script("const done = arguments[0]; window.mlbookSearch.load().then(() => done())")
            assert driver.execute_script("return window.SEARCH_DOCS.length") == len(book.questions)
            driver.get(f"{base}/section-{question.number.split('.')[0]}.html")
            assert driver.find_elements(By.CSS_SELECTOR, "details.question")


@NEEDS_CHROMIUM
def test_report_an_error_link_opens_an_issue_about_its_question(tmp_path):
    from selenium.webdriver.common.by import By

    assert run(["html", "--content", str(SAMPLE), "--out", str(tmp_path), "-q"]) == 0
    book = load(SAMPLE)
    question = book.questions[0]
    with chromium(tmp_path / "profile") as driver:
        driver.get((tmp_path / "site" / "section-1.html").as_uri())
        driver.find_element(By.ID, "open-all").click()
        link = driver.find_element(By.CSS_SELECTOR, f"#q-{question.id} .report-error a")
        assert link.is_displayed() and link.text == "Сообщить об ошибке"
        url = urlsplit(link.get_attribute("href"))
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://example.org/sample-bank/issues/new"
    fields = parse_qs(url.query)
    assert fields["title"] == [f"Ошибка в ответе {question.number}: {question.text}"]
    assert f"`{question.id}`" in fields["body"][0] and question.text in fields["body"][0]


def test_without_an_issue_tracker_no_report_links(sample_copy, tmp_path):
    book_yaml = sample_copy / "book.yaml"
    book_yaml.write_text("".join(line for line in book_yaml.read_text(encoding="utf-8").splitlines(True)
                                 if not line.startswith("issues_url:")), encoding="utf-8")
    for target in ("html", "epub"):
        assert run([target, "--content", str(sample_copy), "--out", str(tmp_path), "-q"]) == 0
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").glob("*.html"))
    with zipfile.ZipFile(tmp_path / "book.epub") as epub:
        chapters = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    assert "Сообщить об ошибке" not in pages + chapters and "issues/new" not in pages + chapters


@contextmanager
def served(folder: Path):
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def decks(tmp_path):
    """Build the sample deck, change one answer, build again: (first, second) note tables."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    tables = []
    for round_ in range(2):
        if round_:
            path = content / "beta/row-count.md"
            path.write_text(path.read_text(encoding="utf-8") + "\nДобавленная строка.\n", encoding="utf-8")
        out = tmp_path / f"out{round_}"
        assert run(["anki", "--content", str(content), "--out", str(out), "-q"]) == 0
        tables.append(read_deck(out / "ml-interview.apkg", tmp_path / f"deck{round_}"))
    return tables


def read_deck(apkg: Path, folder: Path) -> dict:
    with zipfile.ZipFile(apkg) as archive:
        archive.extractall(folder)
        media = json.loads(archive.read("media"))
    with sqlite3.connect(folder / "collection.anki2") as db:
        notes = {guid: (mid, flds, tags) for guid, mid, flds, tags in
                 db.execute("SELECT guid, mid, flds, tags FROM notes")}
        cards = list(db.execute("SELECT did FROM cards"))
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    return {"notes": notes, "cards": cards, "decks": decks, "media": media}


def test_anki_deck_has_a_note_per_question_sub_decks_and_media(decks):
    first, _ = decks
    assert len(first["notes"]) == 4 and len(first["cards"]) == 4
    names = {d["name"] for d in first["decks"].values()}
    assert {"Пробная книга::1. Первый раздел", "Пробная книга::2. Второй раздел"} <= names
    fields = [flds.split("\x1f") for _, flds, _ in first["notes"].values()]
    softmax = next(f for f in fields if f[0] == "1.1.1")
    assert softmax[1].startswith("Что такое softmax")
    assert "<li>Softmax превращает вектор логитов" in softmax[2]
    assert "\\(\\sigma(z)_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}\\)" in softmax[3]
    assert 'style="color' in softmax[3]  # code highlighted with inline styles
    assert sorted(first["media"].values()) == ["mlbook-fig-1-1.svg", "mlbook-fig-1-2.svg"]
    tags = {tags.strip() for _, _, tags in first["notes"].values()}
    assert "sql сложность::1" in tags


def test_anki_ids_are_stable_and_only_the_changed_note_changes(decks):
    first, second = decks
    assert first["notes"].keys() == second["notes"].keys()
    assert {n[0] for n in first["notes"].values()} == {n[0] for n in second["notes"].values()}
    assert first["decks"].keys() == second["decks"].keys()
    changed = [guid for guid in first["notes"] if first["notes"][guid] != second["notes"][guid]]
    assert len(changed) == 1
    assert "Добавленная строка." in second["notes"][changed[0]][1]
