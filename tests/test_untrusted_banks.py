"""A bank from a stranger, imported: it can never run its code, read files outside its folder, have its
text rewritten silently, or lose the user's work (issue 29: one test per failure found by probing)."""

from __future__ import annotations

import json
import re
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlbook.upstream import merge as sync, staging
from mlbook.upstream.bank_files import sanitized_svg
from mlbook.cli import run
from mlbook.content.load import load
from tests.conftest import ROOT, SAMPLE

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63"
                    "f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082")
"""A 1 × 1 PNG."""
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
SECRET = "TOP-SECRET-4242"


def bank(folder: Path, markdown: str, files: dict[str, bytes | str] | None = None) -> Path:
    """A bank folder with `README.md` = markdown and the given files; returns the Markdown file."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)
    source = folder / "README.md"
    source.write_text(markdown, encoding="utf-8")
    return source


def imported(tmp_path: Path, markdown: str, files=None, *options: str) -> tuple[int, Path, str, str]:
    """Import a Q&A bank in English into a new folder: (exit code, content, stdout, stderr)."""
    source = bank(tmp_path / "bank", markdown, files)
    content = tmp_path / "imported"
    code, out, err = cli(["import", str(source), "--content", str(content), "--language", "en", *options])
    return code, content, out, err


def cli(argv: list[str]) -> tuple[int, str, str]:
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *argv], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def answers(content: Path) -> dict[str, str]:
    return {q.text: q.body.strip() for q in load(content).questions if q.text != FILLER[0]}


FILLER = ("What else is there?", "Nothing.")
"""A second question for a bank of one (a single bold line reads as a heading, not as a question)."""


def qa(*pairs: tuple[str, str]) -> str:
    pairs = pairs if len(pairs) > 1 else (*pairs, FILLER)
    return "# Bank\n\n## Basics\n\n" + "".join(f"**{q}**\n\n{a}\n\n" for q, a in pairs)


# --- 1. a bank runs its own code ------------------------------------------------------------------

def test_import_copies_no_script_even_named_from_code_and_check_runs_none(tmp_path):
    marker = tmp_path / "ran"
    payload = f"open({str(marker)!r}, 'w').write('x')\n"
    markdown = qa(("What is a learning rate?", "The step size. `![lr](payload.py)` and ![lr](payload.py)\n\n"
                   "![fig][fig]\n\n[fig]: what-is-learning-rate-payload.svg"),
                  ("What is a batch?", "```\n![b](payload.py)\n```"))
    code, content, out, _ = imported(tmp_path, markdown, {"payload.py": payload})
    assert code == 0
    assert not list(content.rglob("*.py"))
    assert "figure_scripts" not in (content / "book.yaml").read_text()
    body = answers(content)["What is a learning rate?"]
    assert "`![lr](payload.py)`" in body  # the code span as it was
    assert "payload.py is not a PNG, JPEG, GIF, WebP or SVG image" in out
    cli(["check", "--content", str(content)])
    assert not marker.exists()


def test_a_bank_without_figure_scripts_true_never_runs_its_scripts(sample_copy, tmp_path):
    marker = tmp_path / "ran"
    yaml_file = sample_copy / "book.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("figure_scripts: true", "figure_scripts: false"))
    script = next(sample_copy.rglob("figures/*.py"))
    script.write_text(f"open({str(marker)!r}, 'w').write('x')\n" + script.read_text())
    code, _, err = cli(["check", "--content", str(sample_copy)])
    assert code == 1 and not marker.exists()
    assert f"figure '{script.relative_to(sample_copy / 'alpha').with_suffix('.svg')}' is made by the script" \
           f" {script.name}, and this bank does not run scripts: add `figure_scripts: true` to book.yaml if you" \
           " trust its code" in err


def test_check_names_the_scripts_a_build_would_run(capsys):
    assert run(["check", "--content", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "figure scripts: a build runs these 1 (book.yaml has figure_scripts: true):" in out
    assert f"  {SAMPLE / 'alpha' / 'figures' / 'sigmoid.py'}" in out.splitlines()


# --- 2. files outside the bank --------------------------------------------------------------------

def test_no_file_outside_the_bank_is_copied(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_text(SECRET)
    (outside / "real.png").write_bytes(PNG)
    folder = tmp_path / "bank"
    folder.mkdir()
    os.symlink(outside / "real.png", folder / "linked.png")
    os.symlink(outside, folder / "pictures")
    markdown = qa(("What leaks?", "![p](../../../../../../../etc/passwd)\n\n![e](/proc/self/environ)\n\n"
                   "![s](../outside/secret.png)\n\n![enc](..%2Foutside%2Freal.png)\n\n![l](linked.png)\n\n"
                   f"![d](pictures/real.png)\n\n![t](notes.png)\n\n![abs]({outside / 'real.png'})"))
    code, content, out, _ = imported(tmp_path, markdown, {"notes.png": "just text " + SECRET})
    assert code == 0
    copied = files_under(content)
    assert not [name for name in copied if name.endswith((".png", ".jpg", ".svg"))]
    assert not [name for name, data in copied.items() if SECRET.encode() in data or b"root:" in data]
    for reason in ("../../../../../../../etc/passwd is outside the bank's folder",
                   "/proc/self/environ is an absolute path", "../outside/secret.png is outside the bank's folder",
                   "..%2Foutside%2Freal.png is outside the bank's folder", "linked.png is a symbolic link",
                   "pictures/real.png is reached through a symbolic link", "notes.png is not a PNG, JPEG"):
        assert reason in out, reason


def test_symlinked_markdown_files_and_devices_are_not_read(tmp_path):
    folder = tmp_path / "bank"
    bank(folder, qa(("What is real?", "A regular file.")))
    (tmp_path / "secret.md").write_text(qa(("What is secret?", SECRET)))
    os.symlink(tmp_path / "secret.md", folder / "b-secret.md")
    os.symlink("/dev/zero", folder / "c-zero.md")
    content = tmp_path / "content"
    code, out, _ = cli(["import", str(folder), "--content", str(content), "--language", "en"])
    assert code == 0
    assert f"{folder / 'b-secret.md'}:1: a symbolic link; not followed" in out
    assert f"{folder / 'c-zero.md'}:1: a symbolic link; not followed" in out
    assert list(answers(content)) == ["What is real?"]
    code, _, err = cli(["import", "/dev/zero", "--content", str(tmp_path / "other"), "--language", "en"])
    assert code == 1 and "/dev/zero:1: not a regular file" in err


def test_a_text_file_named_as_an_image_fails_the_check(sample_copy):
    figure = next(sample_copy.rglob("*.svg"))
    figure.write_text("not an image at all")
    code, _, err = cli(["check", "--content", str(sample_copy)])
    assert code == 1 and "is named as SVG but its content is not an image" in err


def test_images_are_taken_by_content_and_svg_is_sanitised(tmp_path):
    hostile = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">'
               b'<script>alert(1)</script><a xlink:href="javascript:alert(2)"><rect width="1" height="1"/></a>'
               b'<image href="file:///etc/passwd"/><foreignObject><p>html</p></foreignObject>'
               b'<rect style="fill:url(https://evil.example/x)" width="2" height="2"/></svg>')
    markdown = qa(("What is drawn?", "![svg](drawing.svg)\n\n![gif](anim.gif)\n\n![bomb](bomb.svg)"))
    gif = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
    bomb = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    code, content, out, _ = imported(tmp_path, markdown, {"drawing.svg": hostile, "anim.gif": gif, "bomb.svg": bomb})
    assert code == 0
    drawing = (content / "basics" / "what-is-drawn-drawing.svg").read_bytes()
    for unsafe in (b"script", b"onload", b"javascript", b"file:", b"foreignObject", b"evil.example"):
        assert unsafe not in drawing
    assert (content / "basics" / "what-is-drawn-anim.png").read_bytes().startswith(b"\x89PNG")
    assert "an SVG with a DOCTYPE or entities is not copied" in out
    assert sanitized_svg(SVG) == sanitized_svg(sanitized_svg(SVG))


# --- 3. javascript: in the source URL -------------------------------------------------------------

def test_a_source_url_that_is_not_http_is_refused_everywhere(tmp_path, sample_copy):
    code, content, _, err = imported(tmp_path, qa(("Q?", "A.")), None, "--source-url", "javascript:alert(1)")
    assert code == 2 and "build.py import: error: --source-url javascript:alert(1): must be an http(s) address" in err
    assert not content.exists()
    yaml_file = sample_copy / "book.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("url: https://example.org/sample-bank\n",
                                                       "url: javascript:alert(1)\n"))
    code, _, err = cli(["check", "--content", str(sample_copy)])
    assert code == 1 and "source 'url' must be an http(s) address" in err


def test_no_output_link_is_other_than_http_or_a_fragment(tmp_path):
    from mlbook.markup.markdown import AnswerRenderer
    from mlbook.model import Location, Question

    question = Question("q", "Q?", (), None, (), (), "[a](mailto:x@y.z) [b](file:///etc/passwd) [c](other.md)"
                        " [d](https://example.org) [e](javascript:alert(1))", 1, "1.1", Location(tmp_path / "q.md", 1))
    html = AnswerRenderer("web", tmp_path, "en", {"q": question}, lambda q: "#q").render(question)
    assert html.count("<a ") == 1 and 'href="https://example.org"' in html


# --- 4. text in = text out ------------------------------------------------------------------------

def test_question_text_survives_import(tmp_path):
    markdown = ("# Bank\n\n## .NET basics\n\n**What does `__init__` do?**\n\nIt initialises.\n\n"
                "**Why is `2**10` 1024?**\n\nPowers.\n\n**How does a[m] in numpy index?**\n\nBy m.\n\n"
                "**¿Qué es un tensor?** [m]\n\nUn arreglo.\n\n")
    code, content, _, _ = imported(tmp_path, markdown)
    assert code == 0
    book = load(content)
    assert [(q.text, q.difficulty) for q in book.questions] == [
        ("What does `__init__` do?", None), ("Why is `2**10` 1024?", None), ("How does a[m] in numpy index?", None),
        ("¿Qué es un tensor?", 2)]
    assert book.sections[0].title == ".NET basics" and book.sections[0].emoji == ""


def test_answer_text_survives_import(tmp_path):
    markdown = qa(("What is a generic?", "A List<String> or `Map<String, Integer>`; see <https://example.org/g>"
                   " and [the docs][docs].\n\n[docs]: https://example.org/docs"),
                  ("Which plot?", "![first](a/plot.png) and ![second](b/plot.png)"))
    code, content, _, _ = imported(tmp_path, markdown, {"a/plot.png": PNG, "b/plot.png": PNG + b"\x00"})
    assert code == 0
    bodies = answers(content)
    assert bodies["What is a generic?"] == ("A List<String> or `Map<String, Integer>`; see <https://example.org/g>"
                                             " and [the docs][docs].\n\n[docs]: https://example.org/docs")
    assert bodies["Which plot?"] == "![first](which-plot-plot.png) and ![second](which-plot-plot-2.png)"
    folder = content / "basics"
    assert (folder / "which-plot-plot.png").read_bytes() != (folder / "which-plot-plot-2.png").read_bytes()


# --- 5. duplicates, odd separators, deep nesting --------------------------------------------------

def test_repeated_questions_keep_their_own_answers_and_are_reported(tmp_path):
    code, content, out, _ = imported(tmp_path, qa(("What is X?", "First."), ("What is X?", "Second.")))
    assert code == 0
    assert sorted(q.body.strip() for q in load(content).questions) == ["First.", "Second."]
    assert "the question «What is X?» is asked again (first at" in out


def test_line_separators_and_form_feeds_neither_hide_nor_merge_questions(tmp_path):
    code, content, out, _ = imported(tmp_path, qa(("What is A?", "One\u2028two\x0cthree."), ("What is B?", "Four.")))
    assert code == 0
    assert answers(content) == {"What is A?": "One\ntwo\nthree.", "What is B?": "Four."}
    assert "LINE SEPARATOR, U+2028 removed (a line break)" in out


def test_lists_nested_too_deep_are_refused_with_their_line(tmp_path):
    nested = "".join("  " * i + "- level\n" for i in range(500))
    code, content, _, err = imported(tmp_path, qa(("What is deep?", nested), ("What follows?", "This.")))
    assert code == 1 and "README.md:15: lists or quotes nested more than 18 levels deep" in err
    assert not content.exists()
    code, content, _, err = imported(tmp_path / "q", qa(("What is deep?", ">" * 30 + " quote"), ("Next?", "A.")))
    assert code == 1 and "levels deep" in err


# --- 6. the user's work -----------------------------------------------------------------------------

def test_a_copied_image_never_overwrites_a_file_it_did_not_write(tmp_path):
    content = tmp_path / "content"
    assert cli(["import", str(bank(tmp_path / "v1", qa(("What is gradient?", "A vector."),
                                                        ("What is gradient clipping?", "A limit.")))),
                "--content", str(content), "--language", "en"])[0] == 0
    mine = content / "basics" / "what-is-gradient-clipping.md"
    mine.write_text(mine.read_text() + "\nMy own answer.\n")
    (content / "basics" / "what-is-gradient-clipping.png").write_bytes(b"mine")
    before = files_under(content)
    upstream = bank(tmp_path / "v2", qa(("What is gradient?", "A vector. ![c](clipping.md) ![d](clipping.png)"),
                                        ("What is gradient clipping?", "A limit.")),
                    {"clipping.md": SECRET, "clipping.png": PNG})
    assert cli(["import", str(upstream), "--content", str(content)])[0] == 0
    after = files_under(content)
    assert after["basics/what-is-gradient-clipping.md"] == before["basics/what-is-gradient-clipping.md"]
    assert after["basics/what-is-gradient-clipping.png"] == b"mine"
    assert after["basics/what-is-gradient-clipping-2.png"] == PNG


def test_a_non_empty_folder_that_is_not_a_bank_is_refused(tmp_path):
    content = tmp_path / "notes"
    content.mkdir()
    (content / "todo.md").write_text("mine")
    code, _, err = cli(["import", str(bank(tmp_path / "b", qa(("Q?", "A.")))), "--content", str(content)])
    assert code == 2 and "the folder is not empty and holds no book.yaml" in err
    assert files_under(content) == {"todo.md": b"mine"}


def test_prune_keeps_answers_written_here_unless_forced(tmp_path):
    content = tmp_path / "content"
    first = bank(tmp_path / "v1", "## Basics\n\n- What is A?\n- What is B?\n- What is C?\n")
    assert cli(["import", str(first), "--content", str(content), "--language", "en"])[0] == 0
    answered = content / "basics" / "what-is-b.md"
    answered.write_text(answered.read_text() + "\nWritten here.\n")
    second = bank(tmp_path / "v2", "## Basics\n\n- What is A?\n")
    code, out, _ = cli(["import", str(second), "--content", str(content), "--prune", "-v"])
    assert code == 0 and "missing: what-is-b: What is B? (kept: its answer was written or edited here;" \
                         " --prune --force deletes it)" in out
    assert "removed: what-is-c: What is C?" in out
    assert answered.exists() and not (content / "basics" / "what-is-c.md").exists()
    assert cli(["import", str(second), "--content", str(content), "--prune", "--force"])[0] == 0
    assert not answered.exists()


def stopping_at(count: int, original, stop: BaseException):
    """`original` that raises `stop` on its `count`-th call instead; `.calls` holds the calls made."""
    def wrapper(*args):
        wrapper.calls.append(args)
        if len(wrapper.calls) == count:
            raise stop
        return original(*args)

    wrapper.calls = []
    return wrapper


def test_an_import_stopped_before_its_journal_changes_nothing(tmp_path, monkeypatch):
    content = tmp_path / "content"
    source = bank(tmp_path / "b", qa(*[(f"What is item {n}?", f"Answer {n}.") for n in range(30)]))
    write = stopping_at(10, staging._write_new, KeyboardInterrupt())
    monkeypatch.setattr(staging, "_write_new", write)
    with pytest.raises(KeyboardInterrupt):
        sync.import_bank(source, content, new_book=sync.NewBook("en"))
    assert len(write.calls) == 10
    assert not content.exists() or files_under(content) == {}  # the temporaries written before are gone too


def test_an_import_stopped_while_applying_is_finished_by_the_next_command(tmp_path, monkeypatch):
    content = tmp_path / "content"
    source = bank(tmp_path / "b", qa(*[(f"What is item {n}?", f"Answer {n}.") for n in range(30)]))
    replace = os.replace
    monkeypatch.setattr(staging.os, "replace", stopping_at(5, replace, SystemExit("killed")))
    with pytest.raises(SystemExit):
        sync.import_bank(source, content, new_book=sync.NewBook("en"))
    monkeypatch.setattr(staging.os, "replace", replace)
    assert (content / staging.JOURNAL).is_file()
    code, _, err = cli(["check", "--content", str(content)])
    assert code == 0 and "finished an import that was interrupted while writing" in err
    assert len(load(content).questions) == 30 and not list(content.rglob(".*.tmp"))


def test_ctrl_c_during_an_import_leaves_the_old_bank_or_the_new_one(tmp_path):
    content = tmp_path / "content"
    assert cli(["import", str(bank(tmp_path / "v1", qa(("What is A?", "Old.")))), "--content", str(content),
                "--language", "en"])[0] == 0
    old = files_under(content)
    merged = 400 + len(load(content).questions)  # the old questions are kept as missing
    upstream = bank(tmp_path / "v2", qa(*[(f"What is item {n}?", f"Answer {n}. " * 50) for n in range(400)]))
    outcomes = set()
    for delay in (0.0, 0.3, 0.6, 0.9, 1.2, 1.5, 2.0):
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "import", str(upstream), "--content",
                                    str(content), "-q"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not (content / staging.LOCK).exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # the import has begun (its lock is taken): the interpreter is past start-up
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
        assert "Traceback" not in err, err
        staging.finish_interrupted(content)
        now = files_under(content)
        count = len(load(content).questions)
        assert now == old or count == merged, (delay, count)
        outcomes.add("new" if count == merged else "old")
        if count == merged:
            break
    assert outcomes


# --- 7. crashes and blow-ups ------------------------------------------------------------------------

def test_bad_targets_and_options_give_messages_not_tracebacks(tmp_path):
    source = bank(tmp_path / "b", qa(("What is A?", "A.")))
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert cli(["import", str(source), "--content", str(a_file)])[2].endswith(
        f"build.py import: error: --content {a_file}: not a folder\n")
    code, _, err = cli(["import", str(source), "--content", str(tmp_path / "c"), "--language", "xx"])
    assert code == 2 and err.startswith("build.py import: error: --language xx: ")


def test_long_words_make_short_ids(tmp_path):
    words = " ".join(chr(ord("a") + n) * 64 for n in range(4))
    code, content, _, _ = imported(tmp_path, qa((f"{words}?", "An answer.")))
    assert code == 0
    question = next(q for q in load(content).questions if q.text.startswith("a" * 64))
    assert len(question.id) <= 60 and question.text == f"{words}?"


def test_a_deeply_nested_seen_file_is_ignored(tmp_path):
    content = tmp_path / "content"
    source = bank(tmp_path / "b", qa(("What is A?", "A.")))
    assert cli(["import", str(source), "--content", str(content), "--language", "en"])[0] == 0
    (content / sync.SEEN_FILE).write_text("[" * 100_000 + "]" * 100_000)
    assert cli(["import", str(source), "--content", str(content)])[0] == 0
    assert json.loads((content / sync.SEEN_FILE).read_text())


def test_matching_rewordings_compares_a_bounded_number_of_pairs(monkeypatch):
    from mlbook.model import Location, Question

    def word(n: int) -> str:  # a made-up term: "kovira", "tabule", …
        return "".join("bdfgklmnprstvz"[n // 70 ** k % 70 // 5] + "aeiou"[n // 70 ** k % 5] for k in range(3))

    count = 2_000
    existing = [Question(f"q{n}", f"What does the {word(n)} module compute in {word(n * 7 + 3)} networks?", (),
                         None, (), (), "", 1, "1.1", Location(Path("x.md"), 1)) for n in range(count)]
    upstream = [f"What exactly does the {word(n)} module compute in {word(n * 7 + 3)} networks?"
                for n in range(count)]
    calls = []
    similarity = sync._similarity
    monkeypatch.setattr(sync, "_similarity", lambda a, b: calls.append(1) or similarity(a, b))
    matches = sync._match_all(upstream, existing)
    assert [m.question.id for m in matches] == [q.id for q in existing]
    assert len(calls) <= sync._WordIndex.MOST * count


def test_many_unclosed_images_parse_in_one_pass(tmp_path):
    code, content, _, _ = imported(tmp_path, qa(("What is broken?", "![x](" * 20_000)))
    assert code == 0 and "![x](" in answers(content)["What is broken?"]


def test_an_answer_over_the_file_limit_is_refused_at_import(tmp_path):
    code, content, _, err = imported(tmp_path, qa(("What is big?", "word " * 420_000)))
    assert code == 1 and "the answer to «What is big?» is 2,100," in err and "nothing was written" in err
    assert not content.exists()


# --- 8. one rule set for characters ------------------------------------------------------------------

def test_characters_check_refuses_are_removed_by_import_with_a_note(tmp_path):
    markdown = qa(("What is\u202e evil?", "Terminal \x1b[31mred\x1b[0m and a bell\x07. NUL\x00 here."),
                  ("Что такое ‍⭐️ знак?", "Persian می\u200cخواهم and 👨\u200d💻 stay."))
    code, content, out, _ = imported(tmp_path, markdown)
    assert code == 0
    for name in ("RIGHT-TO-LEFT OVERRIDE, U+202E removed", "U+001B removed", "U+0007 removed", "U+0000 removed"):
        assert name in out
    assert cli(["check", "--content", str(content)])[0] == 0
    bodies = "".join(answers(content).values())
    assert "می\u200cخواهم" in bodies and "👨\u200d💻" in bodies  # joiners that join are text


def test_control_characters_in_an_answer_fail_the_check(sample_copy):
    answer = next(p for p in sample_copy.rglob("*.md") if p.name != "README.md")
    lines = answer.read_text().splitlines()
    answer.write_text("\n".join(lines) + "\n\nPasted \x1b[0m output.\n")
    code, _, err = cli(["check", "--content", str(sample_copy)])
    assert code == 1
    assert f"{answer}:{len(lines) + 2}: answer contains an invisible or control character (control character," \
           " U+001B); delete it" in err


# --- found by probing with banks not in the repository ---------------------------------------------

def test_svg_sanitiser_decodes_css_escapes_and_drops_foreign_elements():
    hostile = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
               b'<style>@\\69mport "http://evil.example/a.css"; rect{fill:u\\72l(http://evil.example/b#p)}</style>'
               b'<style>a{}<x/>@import url(http://evil.example/1.css);</style><h:img src="file:///etc/passwd"/>'
               b'<rect style="fill:u\\72l(http://evil.example/c)" xml:base="javascript:alert(1)//" width="1"/>'
               b'<rect style="background:image-set(&quot;http://evil.example/d&quot; 1x)"/><SCRIPT>x()</SCRIPT>'
               b'<rect clip-path="url(#keep)" width="2"/></svg>')
    clean = sanitized_svg(hostile)
    for unsafe in (b"evil", b"file:", b"javascript", b"SCRIPT", b"h:img", b"xml:base", b"xhtml"):
        assert unsafe not in clean
    assert b'clip-path="url(#keep)"' in clean


def test_a_deeply_nested_svg_is_refused_not_a_crash():
    from mlbook.upstream.bank_files import RefusedImage

    with pytest.raises(RefusedImage, match="nested more than 100 deep"):
        sanitized_svg(b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 1000 + b"</g>" * 1000 + b"</svg>")


def test_invisible_format_characters_are_one_rule_for_import_and_check(tmp_path, sample_copy):
    code, content, out, _ = imported(tmp_path, qa(("Question about\u061c admin?", "Answer \U000e0069\U000e0067two."),
                                                  ("Flag?", "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063"
                                                            "\U000E0074\U000E007F stays.")))
    assert code == 0 and "ARABIC LETTER MARK, U+061C removed" in out and "TAG LATIN SMALL LETTER I" in out
    assert cli(["check", "--content", str(content)])[0] == 0
    yaml_file = sample_copy / "book.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("title: Пробная книга", "title: Пробная\u202e книга"))
    code, _, err = cli(["check", "--content", str(sample_copy)])
    assert code == 1 and "'title' contains an invisible or control character (RIGHT-TO-LEFT OVERRIDE, U+202E)" in err


def test_a_file_name_cannot_put_control_characters_in_titles_or_forge_report_lines(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "x\x1by.md").write_text(qa(("What is one?", "One."), ("What is two?", "Two.")).split("## Basics\n\n")[1])
    (folder / "a\nsummary: 99 added (forged).md").write_text("intro\n")
    content = tmp_path / "content"
    code, out, _ = cli(["import", str(folder), "--content", str(content), "--language", "en"])
    assert code == 0 and "\x1b" not in out
    assert not [line for line in out.splitlines() if line.startswith("summary: 99")]
    assert load(content).sections[0].title == "Xy"
    assert cli(["epub", "--content", str(content), "--out", str(tmp_path / "out")])[0] == 0


def test_characters_brought_back_by_a_mojibake_repair_are_removed(tmp_path):
    text = "# Раздел\n\n**1. Вопрос про обучение нейросети?**\n\nОтвет \u202eтекст и данные.\n\n" \
           "**2. Второй вопрос про модели?**\n\nВторой ответ.\n"
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "01.md").write_text(text.encode().decode("mac_roman"))
    code, out, _ = cli(["import", str(folder), "--content", str(tmp_path / "content")])
    assert code == 0 and "repaired mojibake" in out and "RIGHT-TO-LEFT OVERRIDE, U+202E removed" in out
    assert cli(["check", "--content", str(tmp_path / "content")])[0] == 0


def test_a_planted_journal_moves_and_deletes_nothing_outside_the_bank(tmp_path, sample_copy):
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    (sample_copy / staging.JOURNAL).write_text(json.dumps(
        {"rename": {str(victim): str(sample_copy / "alpha" / "stolen.png")}, "delete": [str(victim)]}))
    assert cli(["check", "--content", str(sample_copy)])[0] == 0
    assert victim.read_text() == "mine" and not (sample_copy / "alpha" / "stolen.png").exists()
    assert not (sample_copy / staging.JOURNAL).exists()


def test_a_new_section_whose_folder_name_is_a_file_goes_elsewhere(tmp_path):
    content = tmp_path / "content"
    base = "# Bank\n\n## Base\n\n**What is alpha?**\n\nAlpha.\n\n**What is beta?**\n\nBeta.\n\n"
    assert cli(["import", str(bank(tmp_path / "v1", base)), "--content", str(content), "--language", "en"])[0] == 0
    (content / "extra").write_text("notes")
    v2 = base + "## Extra\n\n**What is delta?**\n\nDelta.\n\n"
    assert cli(["import", str(bank(tmp_path / "v2", v2)), "--content", str(content)])[0] == 0
    assert (content / "extra").read_text() == "notes"
    assert "What is delta?" in answers(content)


def test_a_second_import_into_the_same_folder_waits_its_turn(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    with staging.import_lock(content):
        code, _, err = cli(["import", str(bank(tmp_path / "b", qa(("Q?", "A.")))), "--content", str(content)])
    assert code == 1 and f"error: another import into {content} is running" in err
    assert list(content.iterdir()) == []


def test_an_answer_with_images_is_not_taken_for_a_local_edit(tmp_path):
    content = tmp_path / "content"
    v1 = qa(("What is plotted?", "Answer one.\n\n![a](a.png)"), ("What else?", "Two."))
    assert cli(["import", str(bank(tmp_path / "v1", v1, {"a.png": PNG})), "--content", str(content),
                "--language", "en"])[0] == 0
    v2 = qa(("What is plotted?", "Answer one, improved.\n\n![a](a.png)"), ("What else?", "Two."))
    code, out, _ = cli(["import", str(bank(tmp_path / "v2", v2, {"a.png": PNG})), "--content", str(content), "-v"])
    assert code == 0 and "updated: what-is-plotted: the answer changed upstream; taken" in out
    assert "conflict:" not in out
    assert answers(content)["What is plotted?"].startswith("Answer one, improved.")


def test_an_imported_image_never_shadows_a_figure_script(tmp_path):
    content = tmp_path / "content"
    v1 = qa(("What is beta?", "Beta."), ("What else?", "Two."))
    assert cli(["import", str(bank(tmp_path / "v1", v1)), "--content", str(content), "--language", "en"])[0] == 0
    (content / "basics" / "what-is-beta-plot.py").write_text("# the user's own figure script\n")
    v2 = qa(("What is beta?", "Beta.\n\n![plot](plot.svg)"), ("What else?", "Two."))
    assert cli(["import", str(bank(tmp_path / "v2", v2, {"plot.svg": SVG})), "--content", str(content)])[0] == 0
    assert not (content / "basics" / "what-is-beta-plot.svg").exists()
    assert (content / "basics" / "what-is-beta-plot-2.svg").exists()


def test_escaped_backticks_labels_and_quoted_attributes_keep_images(tmp_path):
    answer = ("and \\`![esc](ok.png)\\` escaped; ![b][ x  Y ] and <img src=\"ok.png\" alt=\"a>b\"> and"
              " ![two](<ok.png> 'single')\n\n[X y]: <ok.png>")
    code, content, _, _ = imported(tmp_path, qa(("What shows?", answer), ("What else?", "Two.")), {"ok.png": PNG})
    assert code == 0
    body = answers(content)["What shows?"]
    assert "![esc](what-shows-ok.png)" in body and "![b](what-shows-ok.png)" in body
    assert '![a>b](what-shows-ok.png)' in body and '![two](what-shows-ok.png "single")' in body
    assert cli(["check", "--content", str(content)])[0] == 0


# --- found by a second round of probing -------------------------------------------------------------

def svg_import(tmp_path: Path, svg: bytes) -> tuple[int, Path, str]:
    code, content, out, _ = imported(tmp_path, qa(("What is drawn?", "![d](d.svg)"), ("What else?", "Two.")),
                                     {"d.svg": svg})
    return code, content, out


def test_css_escaped_twice_does_not_come_out_decoded_once(tmp_path):
    code, content, _ = svg_import(tmp_path, rb'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:u\5c 72l'
                                            rb'(http://evil.example/p#p)} @\5c 69mport "x";</style><rect/></svg>')
    assert code == 0
    assert b"evil" not in (content / "basics" / "what-is-drawn-d.svg").read_bytes()


def test_svg_tricks_that_fool_a_byte_count_or_multiply_a_drawing_are_refused(tmp_path):
    deep = b'<svg xmlns="http://www.w3.org/2000/svg">' + b'<g class="/>">' * 1200 + b"</g>" * 1200 + b"</svg>"
    code, _, out = svg_import(tmp_path / "deep", deep)
    assert code == 0 and "nested more than 100 deep" in out
    uses = (b'<svg xmlns="http://www.w3.org/2000/svg"><defs><rect id="g0" width="1" height="1"/>'
            + b"".join(b'<g id="g%d"><use href="#g%d"/><use href="#g%d"/></g>' % (n, n - 1, n - 1) for n in range(1, 26))
            + b'</defs><use href="#g25"/></svg>')
    code, _, out = svg_import(tmp_path / "uses", uses)
    assert code == 0 and "a <use> refers to something that holds another <use>" in out


def test_data_urls_in_an_svg_only_as_raster_pictures_that_are_what_they_say(tmp_path):
    import base64

    inner = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><text>MARK</text></svg>')
    real = base64.b64encode(PNG)
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,' + inner + b'"/>'
           b'<image href="data:image/png;base64,' + real + b'"/><a href="data:image/png;base64,' + real + b'">'
           b'<rect/></a></svg>')
    clean = sanitized_svg(svg)
    assert inner not in clean and clean.count(real) == 1 and b"<a>" in clean


def test_a_truncated_png_is_refused_even_after_weasyprint_is_imported(tmp_path):
    import weasyprint  # noqa: F401 (it sets Pillow to load truncated images)

    code, _, out, _ = imported(tmp_path, qa(("What is cut?", "![c](c.png)"), ("What else?", "Two.")),
                               {"c.png": PNG[:len(PNG) // 2]})
    assert code == 0 and "c.png is not a readable PNG image" in out


def test_hidden_text_in_tag_characters_or_variation_selectors_is_removed(tmp_path):
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "IGNORE ALL") + "\U000E007F"
    selectors = "A" + "".join(chr(0xFE00 + n) for n in (1, 2, 3, 4))
    code, content, out, _ = imported(tmp_path, qa((f"What is a flag🏴{hidden}?", f"Answer {selectors}."),
                                                  ("What else?", "Two.")))
    assert code == 0 and "TAG LATIN CAPITAL LETTER I" in out and "VARIATION SELECTOR-3" in out
    assert cli(["check", "--content", str(content)])[0] == 0


def test_markdown_files_with_other_spellings_are_read(tmp_path):
    folder = tmp_path / "bank"
    for name, token in (("a.md", "alpha"), ("B.MD", "beta"), ("c.markdown", "gamma")):
        bank(folder, "")
        (folder / name).write_text(qa((f"What is {token}?", "A."), (f"Why {token}?", "B.")).split("## Basics\n\n")[1])
    (folder / "README.md").unlink()
    code, out, _ = cli(["import", str(folder), "--content", str(tmp_path / "content"), "--language", "en"])
    assert code == 0
    assert {"What is alpha?", "What is beta?", "What is gamma?"} <= set(answers(tmp_path / "content"))


def test_planted_links_and_folders_in_the_content_folder_are_never_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("USER DATA")
    os.chmod(victim, 0o600)
    (outside / "secret.json").write_text('{"api_token": "OUTSIDE-SECRET-JSON"}')
    content = tmp_path / "content"
    v1 = bank(tmp_path / "v1", qa(("What is A?", "A."), ("What is B?", "B.")))
    assert cli(["import", str(v1), "--content", str(content), "--language", "en"])[0] == 0
    (content / sync.SEEN_FILE).unlink()
    os.symlink(outside / "secret.json", content / sync.SEEN_FILE)
    os.symlink(outside / "made-by-lock", content / staging.LOCK)
    code, _, err = cli(["import", str(v1), "--content", str(content)])
    assert code == 1 and "cannot use the lock file" in err and not (outside / "made-by-lock").exists()
    (content / staging.LOCK).unlink()
    code, _, err = cli(["import", str(v1), "--content", str(content)])
    assert code == 1 and f"{content / sync.SEEN_FILE} is a symbolic link; import does not write over it" in err
    assert not [p for p in content.rglob("*") if b"OUTSIDE-SECRET" in (p.read_bytes() if p.is_file() else b"")
                and not p.is_symlink()]
    (content / sync.SEEN_FILE).unlink()
    planted = content / "basics" / f".what-is-a.md.{os.getpid() + 1}.import.tmp"
    os.symlink(victim, planted)
    (content / staging.LOCK).mkdir()
    code, _, err = cli(["import", str(v1), "--content", str(content)])
    assert code == 1 and "cannot use the lock file" in err
    (content / staging.LOCK).rmdir()
    assert victim.read_text() == "USER DATA" and (victim.stat().st_mode & 0o777) == 0o600


def test_odd_journals_and_temporaries_give_no_traceback(tmp_path, sample_copy):
    (sample_copy / "alpha" / ".softmax.md.99999999999999999999.import.tmp").write_text("x")
    (sample_copy / "dir.md").mkdir()
    (sample_copy / staging.JOURNAL).write_text(json.dumps({"rename": {}, "delete": [str(sample_copy / "dir.md")]}))
    _, _, err = cli(["check", "--content", str(sample_copy)])  # no traceback (cli asserts it)
    assert not (sample_copy / staging.JOURNAL).exists() and (sample_copy / "dir.md").is_dir()
    assert f"{sample_copy / 'dir.md'}:1: file not found" in err


def test_an_image_re_pointed_here_is_a_local_edit(tmp_path):
    content = tmp_path / "content"
    v1 = qa(("What is drawn?", "Text.\n\n![a](a.png)"), ("What else?", "Two."))
    assert cli(["import", str(bank(tmp_path / "v1", v1, {"a.png": PNG})), "--content", str(content),
                "--language", "en"])[0] == 0
    mine = content / "basics" / "what-is-drawn.md"
    mine.write_text(mine.read_text().replace("what-is-drawn-a.png", "my-figure.png"))
    shutil.copy(content / "basics" / "what-is-drawn-a.png", content / "basics" / "my-figure.png")
    v2 = qa(("What is drawn?", "Text, improved.\n\n![a](a.png)"), ("What else?", "Two."))
    code, out, _ = cli(["import", str(bank(tmp_path / "v2", v2, {"a.png": PNG})), "--content", str(content), "-v"])
    assert code == 0 and "conflict: what-is-drawn:" in out
    assert "my-figure.png" in mine.read_text()


def test_a_check_during_an_import_waits_for_it(sample_copy):
    with staging.import_lock(sample_copy):
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "check", "--content", str(sample_copy)],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert process.poll() is None  # waiting for the import's lock
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0 and "Traceback" not in err


def test_a_question_file_that_is_a_link_is_never_read_into_the_book(sample_copy, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nquestion: " + SECRET + "\n---\n" + SECRET)
    os.symlink(secret, sample_copy / "alpha" / "linked.md")
    code, _, err = cli(["check", "--content", str(sample_copy)])
    assert code == 1 and SECRET not in err
    assert f"{sample_copy / 'alpha' / 'linked.md'}:1: a symbolic link (or inside a linked folder)" in err


# --- found by a third round of probing: formulas -------------------------------------------------------

@pytest.mark.parametrize("latex, message", [
    (r"\style{background-image:url(//evil.example/p.png)}{x}", r"'\style' is not allowed in formulas"),
    (r"\class{PWNMARK}{x}", r"'\class' is not allowed in formulas"),
    (r"\color{red;background:url(javascript:X)}{x}", "is not a colour (a name such as red, or #rrggbb)"),
    (r"\rule{100000pt}{100000pt}", "'100000pt' is larger than a formula may be (20 em)"),
    (r"\hspace{100000cm}x", "'100000cm' is larger than a formula may be (20 em)"),
    ("x" + "^{x" * 20 + "}" * 20, "{…} groups nested 20 deep; at most 8"),
])
def test_formulas_that_write_css_blow_up_the_layout_or_the_renderer_are_refused(latex, message):
    from mlbook.markup import math

    with pytest.raises(math.MathError, match=re.escape(message)):
        math.check(latex, False)


def test_import_keeps_a_formula_it_cannot_render_as_code_with_a_note(tmp_path):
    answer = "A $\\style{background:url(//evil.example/x)}{x}$ and $\\frac{a}{b}$.\n\n$$\n\\rule{100000pt}{1pt}\n$$"
    code, content, out, _ = imported(tmp_path, qa(("What is styled?", answer), ("What else?", "Two.")))
    assert code == 0 and "formula not rendered ('\\style' is not allowed in formulas); kept as code" in out
    body = answers(content)["What is styled?"]
    assert "`$\\style{background:url(//evil.example/x)}{x}$`" in body and "$\\frac{a}{b}$" in body
    assert "```latex\n\\rule{100000pt}{1pt}\n```" in body
    assert cli(["html", "--content", str(content), "--out", str(tmp_path / "out"), "-q"])[0] == 0
    site = "".join(page.read_text() for page in (tmp_path / "out" / "site").glob("*.html"))
    assert "<code>$\\style{background:url(//evil.example/x)}{x}$</code>" in site  # shown as its source
    assert 'style="background' not in site and "<mrow style" not in site


def test_links_to_places_in_the_banks_own_file_are_kept_as_text(tmp_path):
    code, content, out, _ = imported(tmp_path, qa(("What is A?", "See [below](#what-is-b) and [back to top](#top)."),
                                                  ("What is B?", "B.")))
    assert code == 0 and "link to #top in the bank's own file kept as its text" in out
    assert answers(content)["What is A?"] == "See below and back to top."


# --- found by reviewing the code ------------------------------------------------------------------------

def test_hostile_lines_are_read_in_one_pass(tmp_path):
    """Each of these took from 4 s to minutes on 30–100 KB (patterns tried at every start, or a run of
    digits tried at every split); each is now one pass over the text."""
    answer = ("<img " * 20_000 + "\n\n" + "![" * 20_000 + "\n\n" + "<" * 50_000 + "\n\n" + "![a](x" + " " * 50_000
              + "y)\n\n$" + "1" * 30_000 + "$")
    code, content, _, _ = imported(tmp_path, qa((f"What is {'[[' * 5_000}long?", answer), ("What else?", "Two.")))
    assert code in (0, 1)


def test_a_journal_written_with_a_relative_folder_is_finished_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = bank(tmp_path / "b", qa(*[(f"What is item {n}?", f"Answer {n}.") for n in range(5)]))
    replace = os.replace
    monkeypatch.setattr(staging.os, "replace", stopping_at(2, replace, SystemExit("killed")))
    with pytest.raises(SystemExit):
        sync.import_bank(source, Path("content"), new_book=sync.NewBook("en"))
    monkeypatch.setattr(staging.os, "replace", replace)
    monkeypatch.chdir(ROOT)
    assert staging.finish_interrupted(tmp_path / "content")
    assert len(load(tmp_path / "content").questions) == 5


def test_an_image_named_like_another_ones_copy_keeps_its_own_file(tmp_path):
    answer = "![one](a.png) and ![two](what-is-shown-a.png)"
    code, content, _, _ = imported(tmp_path, qa(("What is shown?", answer), ("What else?", "Two.")),
                                   {"a.png": PNG, "what-is-shown-a.png": PNG[:-12] + PNG[-12:] + b"x"})
    assert code == 0
    body = answers(content)["What is shown?"]
    first, second = re.findall(r"\]\(([^)]+)\)", body)
    assert first != second
    folder = content / "basics"
    assert (folder / first).read_bytes() == PNG and (folder / second).read_bytes() != PNG
