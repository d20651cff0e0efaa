"""Formulas, figures and the PDF's structure: rendered once, cached, tagged."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from mlbook import figures, math


def test_a_formula_is_rendered_once_then_read_from_the_disk_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(math, "CACHE_DIR", tmp_path)
    math.svg.cache_clear()
    first = math.svg(r"\text{Кэш}\ x^{42}", False)
    assert len(list(tmp_path.rglob("*.svg"))) == 1
    math.svg.cache_clear()
    monkeypatch.setattr(math.ziamath, "Latex", lambda *a, **k: pytest.fail("formula rendered twice"))
    assert math.svg(r"\text{Кэш}\ x^{42}", False) == first
    math.svg.cache_clear()


def test_the_print_html_embeds_a_formula_as_its_cached_file_written_again_when_gone(tmp_path, monkeypatch):
    from mlbook.markdown import AnswerRenderer

    monkeypatch.setattr(math, "CACHE_DIR", tmp_path)
    math.svg.cache_clear()
    renderer = AnswerRenderer("print", tmp_path, "ru", {}, lambda q: "")
    html = renderer.math_html(r"x^{2}", False)
    [path] = tmp_path.rglob("*.svg")
    assert f'src="{path.resolve().as_uri()}"' in html and "data:" not in html
    path.unlink()  # the cache emptied while the formula is still remembered in memory (`make serve`)
    assert renderer.math_html(r"x^{2}", False) == html
    assert path.read_text(encoding="utf-8") == math.svg(r"x^{2}", False)
    math.svg.cache_clear()


def test_cyrillic_text_in_formulas_renders_as_glyphs_not_boxes():
    svg = math.svg(r"\text{где } x", True)
    assert svg.count("<path") == 4  # г, д, е and x are drawn as outlines (the space is not)


def test_a_figure_script_runs_only_when_it_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "CACHE_DIR", tmp_path / "cache")
    runs = tmp_path / "runs.txt"
    script = tmp_path / "plot.py"
    body = ("import sys\nopen({runs!r}, 'a').write('run\\n')\n"
            "open(sys.argv[1], 'w').write('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')\n# {tag}\n")
    script.write_text(body.format(runs=str(runs), tag="v1"), encoding="utf-8")
    target = tmp_path / "plot.svg"
    made = figures.materialize(target)
    assert figures.materialize(target) == made and runs.read_text().count("run") == 1
    script.write_text(body.format(runs=str(runs), tag="v2"), encoding="utf-8")
    assert figures.materialize(target) != made and runs.read_text().count("run") == 2


def test_pdf_is_tagged_with_title_and_language(sample_outputs):
    reader = PdfReader(sample_outputs / "book.pdf")
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
