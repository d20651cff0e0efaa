"""Figure scripts run in processes forked from one interpreter per core, as they would run alone."""

from __future__ import annotations

import pytest

from mlbook.markup import figures
from mlbook.zygote import Zygote
from tests.conftest import CONTENT

SVG = "<svg xmlns=\\\"http://www.w3.org/2000/svg\\\" id=\\\"{}\\\"/>"


def made(target):
    """The file the target's script made in the cache (None if it made none)."""
    path = figures._made_path(target.with_suffix(".py"))
    return path.read_bytes() if path.is_file() else None


def test_forked_figure_scripts_make_the_same_files_as_fresh_interpreters(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    targets = [script.with_suffix(".svg") for script in sorted(CONTENT.rglob("figures/*.py"))[:3]]
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "fresh"))
    fresh = [figures.materialize(target).read_bytes() for target in targets]
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "forked"))
    monkeypatch.setattr(figures.subprocess, "run", lambda *a, **k: pytest.fail("a fresh interpreter ran"))
    figures.materialize_all(targets)
    assert [made(target) for target in targets] == fresh


def write_script(folder, name: str, body: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text("import sys\n" + body, encoding="utf-8")
    return folder / f"{name}.svg"


@pytest.mark.parametrize("neighbour, body, expected", [
    ("numpy.py", "import numpy\nopen(sys.argv[1], 'w').write(SVG.format(numpy.WHERE))\n", "neighbour"),
    ("matplotlibrc", "import matplotlib\nopen(sys.argv[1], 'w').write(SVG.format(matplotlib.rcParams['lines.linewidth']))\n",
     "7.0"),
])
def test_a_script_beside_a_module_or_settings_of_its_own_runs_as_python_would(neighbour, body, expected, tmp_path,
                                                                               monkeypatch):
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "figures"
    folder.mkdir()
    (folder / neighbour).write_text("WHERE = 'neighbour'\n" if neighbour.endswith(".py") else "lines.linewidth: 7\n",
                                    encoding="utf-8")
    targets = [write_script(folder, name, f"SVG = {SVG!r}\n{body}# {name}\n") for name in ("one", "two")]
    figures.materialize_all(targets)
    assert [made(t) for t in targets] == [SVG.format(expected).encode()] * 2


def test_a_forked_script_ends_as_an_interpreter_ends(tmp_path, monkeypatch):
    """Files it left open are closed, its exit functions and threads run to the end."""
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "cache"))
    body = ("import atexit, threading, time\nout = open(sys.argv[1], 'w')\nout.write('<svg xmlns=\"http://www.w3.org/2000/svg\">')\n"
            "def late():\n    time.sleep(0.2)\n    out.write('<g/>')\n"
            "threading.Thread(target=late).start()\natexit.register(lambda: out.write('</svg>'))\n")
    target = write_script(tmp_path / "figures", "unclosed", body)
    with Zygote(figures.PRELOADED, tmp_path / "jobs") as interpreter:
        assert figures.materialize(target, interpreter).read_text() == \
            '<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>'


def test_a_forked_script_that_fails_dies_or_runs_too_long_gives_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("MLBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(figures, "SCRIPT_TIMEOUT", 2)
    folder = tmp_path / "figures"
    failing = write_script(folder, "failing", "raise RuntimeError('boom')\n")
    slow = write_script(folder, "slow", "import time\ntime.sleep(30)\n")
    killer = write_script(folder, "killer", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n")
    good = write_script(folder, "good", "open(sys.argv[1], 'w').write('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')\n")
    with Zygote(figures.PRELOADED, tmp_path / "jobs") as interpreter:
        for target, message in ((failing, "figure script failing.py failed: RuntimeError: boom"),
                                (slow, "figure script slow.py ran longer than 2 s")):
            for run in (lambda: figures.materialize(target), lambda: figures.materialize(target, interpreter)):
                with pytest.raises(figures.FigureError) as error:
                    run()
                assert str(error.value) == message
        assert figures.materialize(good, interpreter).read_text().startswith("<svg")  # started again
        with pytest.raises(figures.FigureError) as error:
            figures.materialize(killer, interpreter)
        assert str(error.value) == ("figure script killer.py failed: the interpreter running the job stopped"
                                    " (exit code -9)")
        good.with_suffix(".py").write_text(good.with_suffix(".py").read_text() + "# again\n")
        assert figures.materialize(good, interpreter).read_text().startswith("<svg")  # started again
    assert not list((tmp_path / "cache").glob("*.tmp.svg"))
