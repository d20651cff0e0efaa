"""Reading back what the PDFs say, the way a reader (or a search) would see it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def pdf_text(path: Path, in_drawing_order: bool = False) -> str:
    """The PDF's text with line breaks, hyphenation and spacing folded away; `in_drawing_order`: as the
    page draws it (pdftotext -raw), not as pdftotext guesses columns (which splits a row of boxes)."""
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8"] + (["-raw"] if in_drawing_order else []) + [str(path), "-"],
                         check=True, capture_output=True, text=True).stdout
    return normalize(raw)


def page_lines(path: Path) -> list[list[str]]:
    """Each page's non-empty lines as laid out (pdftotext -layout), stripped: the running header first,
    the page number last."""
    raw = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in raw.split("\f")[:-1]]


def normalize(text: str) -> str:
    text = text.replace("\u00ad", "").replace("\u00a0", " ")
    text = re.sub(r"(\w)[-\u2010]\n(\w)", r"\1\2", text)  # words hyphenated at a line end
    return re.sub(r"\s+", " ", text)


def missing_in_order(text: str, needles: list[str]) -> list[str]:
    """The needles that do not appear in `text` in the given order (each after the previous one)."""
    position, missing = 0, []
    for needle in needles:
        found = text.find(needle, position)
        if found < 0:
            missing.append(needle)
        else:
            position = found + len(needle)
    return missing
