"""The EPUB cover image, drawn from the book's title (e-readers show it in the library)."""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from mlbook.labels import labels
from mlbook.model import Book

WIDTH, HEIGHT = 1200, 1800
BLUE = (27, 79, 138)


def _font(names: list[str], size: int):
    for name in names:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def cover_png(book: Book) -> bytes:
    """A plain typographic cover: title, subtitle and question count on white with a blue rule."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([90, 300, 110, 1300], fill=BLUE)
    sans_bold = _font(["/usr/share/fonts/truetype/paratype/PTS75F.ttf", "DejaVuSans-Bold.ttf"], 86)
    sans = _font(["/usr/share/fonts/truetype/paratype/PTS55F.ttf", "DejaVuSans.ttf"], 52)
    small = _font(["/usr/share/fonts/truetype/paratype/PTS55F.ttf", "DejaVuSans.ttf"], 40)
    draw.text((170, 330), book.kicker.upper(), font=small, fill=BLUE)
    y = 460
    for line in textwrap.wrap(book.title, width=20):
        draw.text((170, y), line, font=sans_bold, fill=(20, 20, 20))
        y += 110
    draw.text((170, y + 50), book.subtitle, font=sans, fill=(70, 70, 70))
    draw.text((170, 1220), labels(book.language).count("questions_count", len(book.questions)), font=small,
              fill=(100, 100, 100))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
