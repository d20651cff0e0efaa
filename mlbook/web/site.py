"""The web edition: a folder of static pages, answers open on demand."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from pygments.formatters import HtmlFormatter
from pygments.token import Text

from mlbook.files import atomic_output
from mlbook.markup import code_styles
from mlbook.model import Book
from mlbook.render import documents, mock
from mlbook.web import fonts

SITE_ASSETS = {"style.css": "site/site.css", "site.js": "site/site.js"} | {
    f"vendor/{name}": f"site/vendor/{name}" for name in (
        "lunr.min.js", "lunr.stemmer.support.min.js", "lunr.ru.min.js", "lunr.LICENSE.txt", "lunr-languages.LICENSE.txt")}
"""Files copied into the site; vendor/: lunr (MIT) and lunr-languages (MPL), as npm has them, licences beside."""


def site_files(book: Book, answers: bool, open_answers: bool = False) -> dict[str, bytes]:
    """Every file of the web edition by its path in the site folder: pages, assets, figures."""
    pages, renderer = documents.render_site(book, answers, open_answers)
    files = {name: text.encode("utf-8") for name, text in pages.items()}
    font_files = fonts.site_fonts("".join(pages.values()))
    for name, template in SITE_ASSETS.items():
        text = (documents.TEMPLATES / template).read_text(encoding="utf-8")
        if name == "style.css":
            text = fonts.font_css(font_files) + text + code_css()
        files[name] = text.encode("utf-8")
    files.update(font_files)
    for figure in renderer.figures:
        files[figure.name] = figure.path.read_bytes()
    if "mock.html" in files:  # the mock interview's script and styles
        for name in mock.ASSETS:
            files[name] = (documents.TEMPLATES / "site" / name).read_bytes()
    return files


def code_css() -> str:
    """The code's colours in each theme: forced by the reader's choice (`data-theme` on <html>), or
    the system's when there is none. The code's background is the page's `--code`, which site.css
    sets to each style's own background (the colours are measured against it)."""
    light, dark = code_styles.WEB["light"], code_styles.WEB["dark"]
    return (_theme_rules(light, ':root[data-theme="light"]')
            + _theme_rules(dark, ':root[data-theme="dark"]')
            + "@media (prefers-color-scheme: light) {\n" + _theme_rules(light, ':root:not([data-theme="dark"])') + "}\n"
            + "@media (prefers-color-scheme: dark) {\n" + _theme_rules(dark, ':root:not([data-theme="light"])') + "}\n")


def _theme_rules(style, root: str) -> str:
    prefix = f"{root} .highlight"
    plain = style.style_for_token(Text)["color"]
    rules = [f"{prefix} {{ color: #{plain} }}" if plain else f"{prefix} {{ color: var(--fg) }}"]
    return "\n".join(rules + HtmlFormatter(style=style).get_token_style_defs(prefix)) + "\n"


def write_site(book: Book, answers: bool, target: Path) -> int:
    """Write the web edition into `target` (replaced whole, never half-written); return its page count."""
    files = site_files(book, answers)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", dir=target.parent))
    try:
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        _replace_folder(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sum(name.endswith(".html") for name in files)


def update_site(files: dict[str, bytes], target: Path) -> list[str]:
    """Bring the folder `target` to exactly `files`, rewriting only what changed; return what changed.

    Each file is replaced atomically, so a reader (or a browser) sees the old page or the new one.
    """
    changed = []
    for name, data in sorted(files.items()):
        path = target / name
        if not path.is_file() or path.read_bytes() != data:
            with atomic_output(path) as temporary:
                temporary.write_bytes(data)
            changed.append(name)
    if target.is_dir():
        for path in sorted(target.rglob("*")):
            name = path.relative_to(target).as_posix()
            if path.is_file() and name not in files and not path.name.startswith("."):
                path.unlink()
                changed.append(name)
    return changed


def _replace_folder(new: Path, target: Path) -> None:
    """Swap `new` in for `target`: the old folder stays whole until the new one is in place."""
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def write_edition(book: Book, target: Path, options, report) -> None:
    """The `html` output (`build.OUTPUTS`)."""
    report.stage("html: render and write site")
    pages = write_site(book, options.answers, target)
    report.done(f"{pages} pages")
