"""The author's loop: `build.py serve` (a live preview in a real browser) and `build.py watch`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlbook.web.serve import Preview
from tests.conftest import ROOT
from tests.pdftext import pdf_text
from tests.test_web import NEEDS_CHROMIUM, chromium


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_one_edited_answer_rewrites_only_its_section_page(sample_copy, tmp_path):
    preview = Preview(sample_copy, tmp_path / "preview")
    first = preview.rebuild()
    assert {"index.html", "section-1.html", "section-2.html", "search.js", "style.css"} <= set(first)
    times = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "preview").glob("*.*")}
    edit(sample_copy / "alpha/softmax.md", "МАРКЕР-ОТВЕТА-СОФТМАКС", "МАРКЕР-ИСПРАВЛЕН")
    changed = ["mock-data.js", "search.js", "section-1.html"]  # the mock interview's data and the search hold the answers too
    assert preview.rebuild() == changed
    assert "МАРКЕР-ИСПРАВЛЕН" in (tmp_path / "preview/section-1.html").read_text(encoding="utf-8")
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "preview").glob("*.*")
            if p.name not in changed} == {k: v for k, v in times.items() if k not in changed}
    # a question's wording shows in the contents, the search index, every see-also list naming it and
    # the subject index (its questions' titles)
    edit(sample_copy / "alpha/softmax.md", "question: Что такое softmax", "question: Что такое функция softmax")
    assert set(preview.rebuild()) == {"index.html", "search.js", "section-1.html", "section-2.html", "mock-data.js",
                                      "subject-index.html"}


def test_a_content_error_keeps_the_last_good_pages(sample_copy, tmp_path):
    preview = Preview(sample_copy, tmp_path / "preview")
    preview.rebuild()
    before = (tmp_path / "preview/section-1.html").read_bytes()
    edit(sample_copy / "alpha/softmax.md", "difficulty: 1", "difficulty: [1")
    assert preview.rebuild() == []
    assert f"{sample_copy / 'alpha/softmax.md'}:8: invalid YAML: expected ',' or ']', but got ':'" in preview.problems
    assert (tmp_path / "preview/section-1.html").read_bytes() == before
    banner = preview.page(before).decode()
    assert 'id="mlbook-problems"' in banner and "softmax.md:8: invalid YAML" in banner
    edit(sample_copy / "alpha/softmax.md", "difficulty: [1", "difficulty: 1")
    preview.rebuild()
    assert preview.problems == [] and 'id="mlbook-problems"' not in preview.page(before).decode()


def start(command: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), *command], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})


def stop(process: subprocess.Popen) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0 and "Traceback" not in err, err
    return out, err


def wait_for(condition, seconds: float) -> float:
    """Seconds until `condition()` held; fails after `seconds`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - started


@NEEDS_CHROMIUM
def test_the_open_page_follows_the_files_and_shows_content_errors(sample_copy, tmp_path):
    from selenium.webdriver.common.by import By

    server = start(["serve", "--content", str(sample_copy), "--out", str(tmp_path / "out"), "--port", "0"])
    try:
        address = server.stdout.readline().split()[1]
        assert address.startswith("http://127.0.0.1:")
        with chromium(tmp_path / "profile") as driver:
            driver.set_window_size(800, 500)
            driver.get(address + "section-1.html")
            assert all(d.get_attribute("open") is not None
                       for d in driver.find_elements(By.CSS_SELECTOR, "details.question"))
            driver.execute_script("window.scrollTo(0, 400)")
            time.sleep(0.3)
            scrolled = driver.execute_script("return window.scrollY")
            assert scrolled > 300
            edit(sample_copy / "alpha/softmax.md", "МАРКЕР-ОТВЕТА-СОФТМАКС", "МАРКЕР-ИСПРАВЛЕН")
            wait_for(lambda: "МАРКЕР-ИСПРАВЛЕН" in driver.page_source, 2.0)
            wait_for(lambda: abs(driver.execute_script("return window.scrollY") - scrolled) <= 2, 2.0)
            edit(sample_copy / "alpha/softmax.md", "difficulty: 1", "difficulty: [1")
            wait_for(lambda: driver.find_elements(By.ID, "mlbook-problems"), 2.0)
            banner = driver.find_element(By.ID, "mlbook-problems").text
            assert f"{sample_copy / 'alpha/softmax.md'}:8: invalid YAML" in banner
            edit(sample_copy / "alpha/softmax.md", "difficulty: [1", "difficulty: 1")
            edit(sample_copy / "alpha/softmax.md", "МАРКЕР-ИСПРАВЛЕН", "МАРКЕР-ИСПРАВЛЕН-СНОВА")
            wait_for(lambda: not driver.find_elements(By.ID, "mlbook-problems")
                     and "МАРКЕР-ИСПРАВЛЕН-СНОВА" in driver.page_source, 2.0)
    finally:
        _, err = stop(server)
    assert "softmax.md:8: invalid YAML" in err
    assert not [p for p in (tmp_path / "out").rglob("*") if p.name.endswith(".tmp")]


def test_a_port_in_use_gives_a_clear_message(sample_copy, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--content", str(sample_copy),
                                 "--out", str(tmp_path), "--port", str(port)], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: cannot serve on 127.0.0.1:{port}: Address already in use (is another serve running?" \
        " use --port N)" in result.stderr


def test_watch_pdf_rebuilds_on_save_and_keeps_the_last_good_file(sample_copy, tmp_path):
    out = tmp_path / "out"
    watcher = start(["watch", "pdf", "--content", str(sample_copy), "--out", str(out)],
                    {"MLBOOK_CACHE": str(tmp_path / "cache")})
    try:
        wait_for(lambda: (out / "book.pdf").exists(), 120)
        first = (out / "book.pdf").stat().st_mtime_ns
        time.sleep(0.5)  # the watcher is looking before the first edit
        edit(sample_copy / "beta/row-count.md", "МАРКЕР-ОТВЕТА-SQL", "МАРКЕР-ПОСЛЕ-ПРАВКИ")
        wait_for(lambda: (out / "book.pdf").stat().st_mtime_ns != first, 60)
        time.sleep(0.2)
        assert "МАРКЕР-ПОСЛЕ-ПРАВКИ" in pdf_text(out / "book.pdf")
        good = (out / "book.pdf").read_bytes()
        edit(sample_copy / "beta/row-count.md", "tags: [sql]", "tags: [sql")
        time.sleep(3)
        assert (out / "book.pdf").read_bytes() == good
    finally:
        out_text, err = stop(watcher)
    assert "rebuilt in" in out_text and "row-count.md:" in err and "invalid YAML" in err
    assert sorted(p.name for p in out.iterdir()) == ["book.pdf"]
