"""Untrusted content stays inside the book; interrupted and concurrent builds lose nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from mlbook.cli import run
from mlbook.pdf.write import BookFetcher
from tests.conftest import ROOT, SAMPLE, build_after
from tests.pdftext import pdf_text

HOSTILE = """
Текст с HTML: <script>alert('x')</script> <iframe src="https://example.org"></iframe>
<img src=x onerror="alert(1)"> <link rel="stylesheet" href="file:///etc/passwd">
<style>body { display: none }</style> шаблон {{ 7*7 }} и {% raw %} и <b>жирный</b>.

[ссылка на файл](file:///etc/passwd) и [javascript](javascript:alert(1)).
"""


def add_to_answer(content: Path, text: str) -> None:
    path = content / "beta/row-count.md"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_raw_html_and_template_syntax_appear_as_text(sample_copy, tmp_path):
    add_to_answer(sample_copy, HOSTILE)
    assert run(["all", "--strict", "--content", str(sample_copy), "--out", str(tmp_path), "-q"]) == 0
    text = pdf_text(tmp_path / "book.pdf")
    assert "<script>alert('x')</script>" in text
    assert '<iframe src=«https://example.org»></iframe>' in text  # prose quotes become «ёлочки»
    assert "{{ 7*7 }}" in text and "49" not in text and "<b>жирный</b>" in text
    with zipfile.ZipFile(tmp_path / "book.epub") as epub:
        chapter = epub.read("EPUB/section-2.xhtml").decode()
        opf = epub.read("EPUB/content.opf").decode()
    for element in ("<script", "<iframe", "<img src=\"x\"", "<link rel=\"stylesheet\" href=\"file",
                    "<style>", "onerror=\"", 'href="file:', 'href="javascript:'):
        assert element not in chapter
    assert "&lt;script&gt;" in chapter and "scripted" not in opf


def test_pdf_renderer_reads_only_the_books_own_files(tmp_path):
    inside = tmp_path / "content"
    inside.mkdir()
    (inside / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (inside / "link.svg").symlink_to("/etc/passwd")
    fetcher = BookFetcher([inside])
    assert fetcher.fetch((inside / "a.svg").as_uri()).read().startswith(b"<svg")
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    for url in ["file:///etc/passwd", (inside / "link.svg").as_uri(), (inside / ".." / "x").as_uri(),
                "http://127.0.0.1:9/x.svg", "https://example.org/x.svg", "ftp://example.org/x"]:
        with pytest.raises(ValueError, match="refused to load"):
            fetcher.fetch(url)


def test_two_builds_give_byte_identical_files(sample_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for out in ("one", "two"):
        for command in ("all", "anki"):
            assert run([command, "--content", str(sample_copy), "--out", str(tmp_path / out), "-q"]) == 0
    for name in ("book.pdf", "book.epub", "book-kindle.epub", "handout.pdf", "sheet.pdf", "ml-interview.apkg"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    with zipfile.ZipFile(tmp_path / "one" / "book.epub") as epub:
        assert {info.date_time for info in epub.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def build_process(content: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "pdf", "-q", "--content", str(content),
                             "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


WRITING_THEN_WAITING = """
import sys, time
from mlbook.pdf import join
from mlbook.cli import run
written = join._join
def join_then_wait(parts, stream):  # the whole book is in the temporary file, not yet renamed
    count = written(parts, stream)
    stream.flush()
    print("writing", flush=True)
    time.sleep(120)
    return count
join._join = join_then_wait
sys.exit(run(sys.argv[1:]))
"""


def build_stopped_while_writing(content: Path, out: Path) -> subprocess.Popen:
    """A build that has written the whole PDF into its temporary file and waits there to be signalled."""
    process = subprocess.Popen([sys.executable, "-c", WRITING_THEN_WAITING, "pdf", "-q", "--content",
                                str(content), "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"writing\n", process.stderr.read().decode()
    assert list(out.glob(".book.pdf.*.tmp"))
    return process


INTERRUPTED_WHILE_LOADING = """
import atexit, os, signal, sys

class CtrlCAtPikepdf:  # Ctrl-C comes as pikepdf's extension is about to start
    def find_spec(self, name, path, target=None):
        if name == "pikepdf._core":
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlCAtPikepdf())
atexit.register(lambda: print("extension started:", "pikepdf._core" in sys.modules, flush=True))
"""


def test_a_ctrl_c_while_the_libraries_load_waits_for_them_then_stops_the_build(tmp_path):
    """A KeyboardInterrupt inside the start of pikepdf's extension aborted the build (SIGABRT, "Critical
    nanobind error: nanobind::detail::enum_create"): the signal waits until the imports are done."""
    process = subprocess.run(build_after(INTERRUPTED_WHILE_LOADING, ["pdf", "-q", "--content", str(SAMPLE), "--out",
                                                                      str(tmp_path)]),
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (process.returncode, process.stdout, process.stderr) == (130, "extension started: True\n", "")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_killed_build_keeps_previous_output_and_the_next_build_is_correct(sig, sample_copy, tmp_path):
    out = tmp_path / "out"
    assert run(["pdf", "--content", str(sample_copy), "--out", str(out), "-q"]) == 0
    before = (out / "book.pdf").read_bytes()
    add_to_answer(sample_copy, "\nНовый абзац после первой сборки.\n")
    process = build_stopped_while_writing(sample_copy, out)
    process.send_signal(sig)
    process.wait(timeout=60)
    assert (out / "book.pdf").read_bytes() == before
    if sig == signal.SIGINT:
        assert process.returncode == 130 and b"Traceback" not in process.stderr.read()
        assert not list(out.glob(".book.pdf.*.tmp"))
    else:
        assert process.returncode == -signal.SIGKILL and list(out.glob(".book.pdf.*.tmp"))
    assert run(["pdf", "--content", str(sample_copy), "--out", str(out), "-q"]) == 0
    assert "Новый абзац после первой сборки." in pdf_text(out / "book.pdf")
    assert sorted(p.name for p in out.iterdir()) == ["book.pdf"]  # the killed build's temporary is gone


def test_two_builds_at_once_into_one_folder_do_not_corrupt_each_other(sample_copy, tmp_path):
    out = tmp_path / "out"
    first, second = build_process(sample_copy, out), build_process(sample_copy, out)
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0
    assert len(PdfReader(out / "book.pdf").pages) > 3
    assert sorted(p.name for p in out.iterdir()) == ["book.pdf"]
    assert os.access(out / "book.pdf", os.R_OK)
