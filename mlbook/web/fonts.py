"""The web edition's fonts: the print edition's PT Serif, PT Sans and PT Mono, cut down to the
characters the site uses and shipped with it, so that every reader sees the book's type.

A cut-down font is a modified one: ParaType's licence (in each font, and written beside them) forbids
its original name for it, so the faces are renamed MLBook Serif, MLBook Sans and MLBook Mono."""

from __future__ import annotations

import hashlib
import io
import string
from dataclasses import dataclass
from pathlib import Path

from mlbook import cache
from mlbook.files import atomic_output

PARATYPE = Path("/usr/share/fonts/truetype/paratype")
"""Where Debian's fonts-paratype (installed by scripts/setup-system.sh) puts the PT fonts."""
FORMAT = "1"
"""Bump when the way a font is cut or renamed changes: the cached fonts are made again."""


@dataclass(frozen=True)
class Face:
    family: str
    """The name the pages use (not ParaType's: see the module's docstring)."""
    weight: int
    italic: bool
    source: str
    """ParaType's file in PARATYPE."""

    @property
    def file_name(self) -> str:
        style = {(400, False): "regular", (700, False): "bold", (400, True): "italic", (700, True): "bold-italic"}
        return f"fonts/{self.family.lower().replace(' ', '-')}-{style[self.weight, self.italic]}.woff2"


FACES = (
    Face("MLBook Serif", 400, False, "PTF55F.ttf"), Face("MLBook Serif", 400, True, "PTF56F.ttf"),
    Face("MLBook Serif", 700, False, "PTF75F.ttf"), Face("MLBook Serif", 700, True, "PTF76F.ttf"),
    Face("MLBook Sans", 400, False, "PTS55F.ttf"), Face("MLBook Sans", 700, False, "PTS75F.ttf"),
    Face("MLBook Mono", 400, False, "PTM55F.ttf"),
)


ALWAYS = string.printable + "".join(map(chr, range(0x410, 0x450))) + "ёЁ «»„“”‘’–—…№°×−·•→←↑↓≈≤≥±"
"""Characters every cut keeps besides those of the pages: an edit in plain Russian or English (the author's
live preview rebuilds on every save) then changes no font file."""


def site_fonts(text: str) -> dict[str, bytes]:
    """The fonts' files by their path in the site, cut to the characters of `text` (and ALWAYS), and their
    licence; nothing where the PT fonts are not installed (the pages then use the reader's fonts)."""
    characters = "".join(sorted(set(text) | set(ALWAYS)))
    files = {face.file_name: _subset(face, characters) for face in FACES if (PARATYPE / face.source).is_file()}
    if files:
        files["fonts/LICENSE.txt"] = _licence().encode("utf-8")
    return files


def font_css(files: dict[str, bytes]) -> str:
    """The @font-face rules of the faces in `files`."""
    rules = []
    for face in FACES:
        if face.file_name in files:
            rules.append(f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
                         f'font-style: {"italic" if face.italic else "normal"}; font-display: swap; '
                         f'src: url("{face.file_name}") format("woff2"); }}')
    return "\n".join(rules) + "\n" if rules else ""


def _subset(face: Face, characters: str) -> bytes:
    source = (PARATYPE / face.source).read_bytes()
    path = cache.entry("fonts", ".woff2", FORMAT, cache.versions("fonttools", "brotli"), face.family,
                       str(face.weight), str(face.italic), hashlib.sha256(source).hexdigest(), characters)
    try:
        return path.read_bytes()
    except OSError:
        data = _cut(source, face, characters)
        with atomic_output(path) as temporary:
            temporary.write_bytes(data)
        return data


def _cut(source: bytes, face: Face, characters: str) -> bytes:
    """The font with only `characters` (and what they need: kerning, ligatures), renamed, as WOFF2."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(source))
    options = subset.Options()
    options.flavor = "woff2"
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence and its address
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    _rename(font, face)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def _rename(font, face: Face) -> None:
    style = {(400, False): "Regular", (700, False): "Bold", (400, True): "Italic", (700, True): "Bold Italic"}[
        face.weight, face.italic]
    full = f"{face.family} {style}" if style != "Regular" else face.family
    names = {1: face.family, 3: f"{face.family} {style}: cut down for the web edition", 4: full,
             6: f"{face.family}-{style}".replace(" ", "")}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names:
            table.setName(names[record.nameID], record.nameID, record.platformID, record.platEncID, record.langID)


LICENCE = Path(__file__).resolve().parents[2] / "templates" / "site" / "fonts" / "PARATYPE-LICENSE.txt"
"""ParaType's licence, as Debian's fonts-paratype states it: shipped with the fonts, as it asks."""


def _licence() -> str:
    return ("MLBook Serif, MLBook Sans and MLBook Mono are PT Serif, PT Sans and PT Mono by ParaType Ltd, cut\n"
            "down to the characters of this site, and so renamed, as the licence below asks.\n\n"
            + LICENCE.read_text(encoding="utf-8"))
