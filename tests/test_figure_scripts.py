"""Figure scripts run in processes forked from one interpreter per core, as they would run alone."""

from __future__ import annotations

import pytest

from mlbook import figures
from mlbook.zygote import Zygote
from tests.conftest import CONTENT


def test_forked_figure_scripts_make_the_same_files_as_fresh_interpreters(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    targets = [script.with_suffix(".svg") for script in sorted(CONTENT.rglob("figures/*.py"))[:3]]
    monkeypatch.setattr(figures, "CACHE_DIR", tmp_path / "fresh")
    fresh = [figures.materialize(target).read_bytes() for target in targets]
    monkeypatch.setattr(figures, "CACHE_DIR", tmp_path / "forked")
    figures.materialize_all(targets)
    forked = [figures.materialize(target).read_bytes() for target in targets]
    assert len(list((tmp_path / "forked").glob("*.svg"))) == 3
    assert forked == fresh


def write_script(folder, name: str, body: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text("import sys\n" + body, encoding="utf-8")
    return folder / f"{name}.svg"


def test_a_script_imports_its_neighbour_before_an_installed_module_of_that_name(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "CACHE_DIR", tmp_path / "cache")
    folder = tmp_path / "figures"
    (folder / "yaml.py").parent.mkdir(parents=True)
    (folder / "yaml.py").write_text("WHERE = 'neighbour'\n", encoding="utf-8")
    body = "import yaml\nopen(sys.argv[1], 'w').write(f'<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{yaml.WHERE}\"/>')\n"
    targets = [write_script(folder, name, body) for name in ("one", "two")]
    assert figures._preloadable_modules([t.with_suffix(".py") for t in targets]) == ["sys"]
    figures.materialize_all(targets)
    assert all('id="neighbour"' in figures.materialize(t).read_text() for t in targets)


def test_a_forked_script_that_fails_or_runs_too_long_gives_the_message_of_a_fresh_one(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(figures, "SCRIPT_TIMEOUT", 2)
    folder = tmp_path / "figures"
    failing = write_script(folder, "failing", "raise RuntimeError('boom')\n")
    slow = write_script(folder, "slow", "import time\ntime.sleep(30)\n")
    good = write_script(folder, "good", "open(sys.argv[1], 'w').write('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')\n")
    with Zygote(["matplotlib.pyplot"], tmp_path / "jobs") as interpreter:
        for target, message in ((failing, "figure script failing.py failed: RuntimeError: boom"),
                                (slow, "figure script slow.py ran longer than 2 s")):
            for run in (lambda: figures.materialize(target), lambda: figures.materialize(target, interpreter)):
                with pytest.raises(figures.FigureError) as error:
                    run()
                assert str(error.value) == message
        assert figures.materialize(good, interpreter).read_text().startswith("<svg")  # started again
    assert not list((tmp_path / "cache").glob("*.tmp.svg"))
