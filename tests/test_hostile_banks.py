"""Generated hostile banks (paths out of the bank, symbolic links, URL schemes, control characters,
nesting, HTML, code that names files): import never crashes, reads or writes nothing outside its two
folders, copies no script, runs none, writes only a bank that `check` accepts (or refuses with located
messages and writes nothing), and every question it was given is in the bank or reported.

`make test` runs a bounded number of banks; a longer run: `MLBOOK_FUZZ_EXAMPLES=2000 .venv/bin/python -m
pytest tests/test_hostile_banks.py -n0` (README, "Security")."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlbook.errors import ContentError
from mlbook.content.load import load
from mlbook.upstream.merge import NewBook, SyncError, import_bank

SECRET = "FUZZ-SECRET-7731"
EXAMPLES = int(os.environ.get("MLBOOK_FUZZ_EXAMPLES", "25"))
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63"
                    "f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082")

paths = st.sampled_from([
    "real.png", "sub/real.png", "../outside/secret.png", "../outside/real.png", "/etc/passwd", "/proc/self/environ",
    "..%2Foutside%2Fsecret.png", "%2Fetc%2Fpasswd", "link.png", "linkdir/real.png", "payload.py", "notes.png",
    "file:///etc/passwd", "javascript:alert(1)", "data:image/png;base64,AAAA", "//evil.example/x.png",
    "sub/../../outside/real.png", "sub\\..\\..\\outside\\real.png", "real.png\x00.py", "README.md", "",
])
images = st.builds(lambda alt, src, style: [f"![{alt}]({src})", f"`![{alt}]({src})`", f"<img src=\"{src}\">",
                                            f"![{alt}][r]\n\n[r]: {src}\n"][style],
                   st.sampled_from(["", "a", "plot"]), paths, st.integers(0, 3))
odd = st.sampled_from([
    "\u2028", "\u2029", "\x0c", "\x0b", "\x00", "\x1b[31m", "\x07", "\u202e", "\u200d", "\u200c", "\ufeff", "\r",
    "`__init__`", "`2**10`", "a[m]", "List<String>", "<https://example.org>", "<script>alert(1)</script>",
    "<a href=\"javascript:x\">j</a>", "**", "__", "[m]", "⭐️", "‍⭐️", "¿", ".NET", "\n\n", "\n", "  - ", "> ",
    "```\n", "    code\n", "<details>", "</details>", "<br/>", "---", "[src](javascript:alert(1))", "{{ 7*7 }}",
])
nesting = st.builds(lambda depth, quote: "".join(("> " * k if quote else "  " * k + "- ") + "x\n"
                                                 for k in range(depth)), st.integers(0, 30), st.booleans())
pieces = st.lists(st.one_of(images, odd, nesting, st.text(max_size=12)), max_size=12).map("".join)
question_noise = st.lists(st.sampled_from(["", "`__init__`", "a[m]", "\u200d⭐️", "[m]", "**", "\u202e", "\x00",
                                           "List<String>", "¿", "\u2028"]), max_size=3).map(" ".join)
banks = st.lists(st.tuples(question_noise, pieces, st.booleans()), min_size=1, max_size=8)


def layout(folder: Path) -> tuple[Path, Path]:
    """The bank's folder with an image, a script, a text file named like an image, and links out of it."""
    outside = folder / "outside"
    bank = folder / "bank"
    (bank / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.png").write_text(SECRET)
    (outside / "real.png").write_bytes(PNG + SECRET.encode())
    (bank / "real.png").write_bytes(PNG)
    (bank / "sub" / "real.png").write_bytes(PNG)
    (bank / "notes.png").write_text("text " + SECRET)
    (bank / "payload.py").write_text(f"open({str(folder / 'ran')!r}, 'w').write('ran')\n")
    os.symlink(outside / "real.png", bank / "link.png")
    os.symlink(outside, bank / "linkdir")
    os.symlink(outside / "secret.png", bank / "z-linked.md")
    return bank, outside


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
@given(questions=banks, heading_style=st.booleans())
def test_a_hostile_bank_imports_safely_or_is_refused(questions, heading_style, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    bank, outside = layout(folder)
    tokens = [f"qtoken{n}" for n in range(len(questions))]
    markdown = "# Hostile\n\n## Section\n\n" + "".join(
        (f"### What is {token} {noise}?\n\n" if heading_style else f"**What is {token} {noise}?**\n\n")
        + (f"{answer}\n\n" if answered else "") for token, (noise, answer, answered) in zip(tokens, questions))
    (bank / "README.md").write_text(markdown, encoding="utf-8")
    before = snapshot(bank) | snapshot(outside)
    content = folder / "content"
    try:
        report = import_bank(bank, content, new_book=NewBook("en"))
    except (ContentError, SyncError) as refusal:
        assert not content.exists() or not any(p.is_file() for p in content.rglob("*"))
        assert str(refusal)
        return
    finally:
        assert snapshot(bank) | snapshot(outside) == before  # nothing outside the content folder written
    written = snapshot(content)
    assert not [name for name, data in written.items() if SECRET.encode() in data]
    assert not [name for name in written if name.endswith((".py", ".sh"))]
    assert all(Path(name).resolve().is_relative_to(content.resolve()) for name in written)
    load(content)  # import never writes a bank that `check` refuses
    kept = " ".join(data.decode("utf-8", "replace") for data in written.values())
    said = kept + " ".join(report.lines())  # a question is in the bank (as one, a title, an answer) or reported
    assert [token for token in tokens if token not in said] == []
    assert not (folder / "ran").exists()  # no script ran, in the import or in the check
    shutil.rmtree(folder)
