"""What an imported bank may bring besides its text: images, and nothing else.

A bank from the web is untrusted. Its answers may name any path (`../../etc/passwd`, `/proc/self/environ`,
a symlink, a script named like an image); the importer copies a file only when it is an image inside
the bank's folder, reached without a symbolic link, and only by what its bytes are: PNG and JPEG as
they are after Pillow has read them, GIF and WebP converted to PNG, SVG parsed and stripped of
everything that can run, load or link (scripts, event handlers, external references).
"""

from __future__ import annotations

import base64
import io
import os
import re
import stat
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from PIL import Image, ImageFile, UnidentifiedImageError

from mlbook.markup.figures import image_kind
from mlbook.files import first_link, read_no_follow
from mlbook.urls import is_safe_href

MAX_IMAGE_BYTES = 10_000_000
"""The largest image an import copies."""
MAX_IMAGE_PIXELS = 50_000_000
"""The most pixels an imported raster image may have (a decompression bomb has billions)."""


class RefusedImage(ValueError):
    """An image reference the import does not copy; the message says why."""


@dataclass(frozen=True)
class BankImage:
    """An image taken from a bank: its checked bytes and the name it is known by."""

    data: bytes
    name: str
    """A safe file name: ASCII letters, digits, `.`, `_`, `-`, and the suffix of what the bytes are."""


def read_image(root: Path, markdown_file: Path, src: str) -> BankImage:
    """The image `src` names, relative to `markdown_file`, if it is one the import may copy.

    `root` is the bank's folder (resolved); `markdown_file` is inside it. Raises RefusedImage."""
    path = _inside_bank(root, markdown_file, src)
    try:
        info = path.lstat()
    except OSError:
        raise RefusedImage(f"image {src} not found") from None
    if not stat.S_ISREG(info.st_mode):
        raise RefusedImage(f"image {src} is not a regular file")
    if info.st_size > MAX_IMAGE_BYTES:
        raise RefusedImage(f"image {src} is {info.st_size:,} bytes; the limit is {MAX_IMAGE_BYTES:,}")
    data = read_no_follow(path, MAX_IMAGE_BYTES)
    kind = image_kind(data[:4096])
    if kind is None:
        raise RefusedImage(f"{src} is not a PNG, JPEG, GIF, WebP or SVG image")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", PurePosixPath(path.name).stem).strip("-")[:60] or "image"
    if kind == "svg":
        return BankImage(sanitized_svg(data, src), f"{stem}.svg")
    return BankImage(*_checked_raster(data, kind, src, stem))


def _inside_bank(root: Path, markdown_file: Path, src: str) -> Path:
    """The path `src` names, if it stays inside the bank without passing through a symbolic link."""
    decoded = unquote(src)
    if "\x00" in decoded or "\\" in decoded:
        raise RefusedImage(f"image {src} has a NUL or a backslash in its path; not copied")
    if urlsplit(decoded).scheme or decoded.startswith("/"):
        raise RefusedImage(f"image {src} is an absolute path or a URL of another kind; not copied")
    lexical = Path(os.path.normpath(markdown_file.parent / decoded))
    if not lexical.is_relative_to(root):
        raise RefusedImage(f"image {src} is outside the bank's folder; not copied")
    link = first_link(lexical, root)
    if link == lexical:
        raise RefusedImage(f"image {src} is a symbolic link; not followed")
    if link is not None:
        raise RefusedImage(f"image {src} is reached through a symbolic link ({link.name}); not followed")
    return lexical


def _checked_raster(data: bytes, kind: str, src: str, stem: str) -> tuple[bytes, str]:
    """PNG and JPEG bytes that Pillow reads whole; GIF and WebP as PNG (the book embeds PNG and JPEG)."""
    truncated, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False  # WeasyPrint sets it
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise RefusedImage(f"image {src} has {image.width}×{image.height} pixels; the limit is"
                                   f" {MAX_IMAGE_PIXELS:,}")
            image.load()
            if kind in ("png", "jpeg"):
                return data, f"{stem}.{'jpg' if kind == 'jpeg' else 'png'}"
            converted = io.BytesIO()
            image.convert("RGBA").save(converted, "PNG")
            return converted.getvalue(), f"{stem}.png"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        if isinstance(error, RefusedImage):
            raise
        raise RefusedImage(f"image {src} is not a readable {kind.upper()} image ({error})") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated


_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_XML = "http://www.w3.org/XML/1998/namespace"
_REMOVED_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed", "audio", "video", "canvas",
                     "handler", "listener", "set", "animate", "animatemotion", "animatetransform",
                     "animatecolor", "discard"}
"""SVG elements that run code, hold HTML, load other documents or change attributes over time
(compared without case: `<SCRIPT>` goes too)."""
MAX_SVG_DEPTH = 100
"""The deepest nesting of elements an imported SVG may have."""
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_EXTERNAL_CSS = re.compile(r"@import|url\(\s*+(?!['\"]?\s*+#)|image-set|image\(|expression|javascript:|"
                           r"behavior|-moz-binding|src\(|\\", re.IGNORECASE)
"""What makes CSS load or run something: matched on the CSS as decoded once, as a browser decodes it
(a backslash left after decoding is an escape meant for a second decoding: refused too)."""
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]*)$", re.IGNORECASE)


def sanitized_svg(data: bytes, src: str = "SVG") -> bytes:
    """The SVG document with nothing that can run, load or link: no scripts, event handlers, HTML or
    other foreign elements, animation, external references (in attributes, `xml:base` or CSS, however
    escaped); refused when it is not well-formed XML with an <svg> root, declares a DOCTYPE (entities)
    or nests deeper than MAX_SVG_DEPTH."""
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        raise RefusedImage(f"{src}: an SVG with a DOCTYPE or entities is not copied")
    try:
        root = ElementTree.fromstring(data)  # expat: no recursion, however deep the document
    except ElementTree.ParseError as error:
        raise RefusedImage(f"{src}: not a well-formed SVG document ({error})") from None
    if root.tag != f"{{{_SVG}}}svg":
        raise RefusedImage(f"{src}: the document's root is <{_local(root.tag)}>, not an SVG <svg>")
    if _depth(root) > MAX_SVG_DEPTH:
        raise RefusedImage(f"{src}: elements nested more than {MAX_SVG_DEPTH} deep; not copied")
    _clean(root)
    if _nested_use(root):
        raise RefusedImage(f"{src}: a <use> refers to something that holds another <use> (it can multiply"
                           " the drawing past any size); not copied")
    ElementTree.register_namespace("", _SVG)
    ElementTree.register_namespace("xlink", _XLINK)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _depth(root: ElementTree.Element) -> int:
    """How deep the elements nest (counted without recursion)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack += [(child, depth + 1) for child in element]
    return deepest


def _nested_use(root: ElementTree.Element) -> bool:
    """True when a <use> refers to an element that holds a <use> (or is one): nested references are
    how a 1 KB SVG asks a renderer to draw 2²⁵ shapes."""
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    for use in root.iter(f"{{{_SVG}}}use"):
        target = by_id.get((use.get("href") or use.get(f"{{{_XLINK}}}href") or "").lstrip("#"))
        if target is not None and any(_local(inner.tag) == "use" for inner in target.iter()):
            return True
    return False


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean(root: ElementTree.Element) -> None:
    """Remove, element by element (no recursion), what sanitized_svg promises to remove."""
    stack = [root]
    while stack:
        element = stack.pop()
        for child in list(element):
            if not _kept(child):
                _remove(element, child)
            else:
                stack.append(child)
        if _local(element.tag) == "style":
            css = "".join(element.itertext())
            for child in list(element):
                element.remove(child)
            element.text = "" if _EXTERNAL_CSS.search(_css_text(css)) else css  # as written, not decoded
        _clean_attributes(element)


def _kept(element: ElementTree.Element) -> bool:
    """An element in the SVG namespace that is not one of the removed kinds (comments go too)."""
    return isinstance(element.tag, str) and element.tag.startswith(f"{{{_SVG}}}") \
        and _local(element.tag).lower() not in _REMOVED_ELEMENTS


def _remove(parent: ElementTree.Element, child: ElementTree.Element) -> None:
    tail = child.tail
    parent.remove(child)
    if tail and tail.strip():
        parent.text = (parent.text or "") + tail


def _clean_attributes(element: ElementTree.Element) -> None:
    for name in list(element.attrib):
        value = element.attrib[name]
        namespace = name[1:].split("}", 1)[0] if name.startswith("{") else ""
        local = _local(name).lower()
        if namespace not in ("", _XLINK, _XML) or local.startswith("on") or local == "base":
            del element.attrib[name]
        elif local in ("href", "src") and not (value.startswith("#") or _embedded_image(element, value)
                                               or (_local(element.tag) == "a" and is_safe_href(value))):
            del element.attrib[name]
        elif _EXTERNAL_CSS.search(_css_text(value)):
            del element.attrib[name]


def _embedded_image(element: ElementTree.Element, value: str) -> bool:
    """An <image> (or <feImage>) holding a raster picture in a `data:` URL whose bytes are what its label
    says (matplotlib embeds `imshow` pictures so); an SVG inside one would skip this cleaning."""
    match = _DATA_IMAGE.match(value)
    if match is None or _local(element.tag) not in ("image", "feImage"):
        return False
    try:
        head = base64.b64decode(re.sub(r"\s", "", match.group(2))[:64] + "==", validate=False)[:16]
    except ValueError:
        return False
    return image_kind(head) == match.group(1).lower()


def _css_text(css: str) -> str:
    """CSS as a browser reads it: escapes (`u\\72l(` is `url(`) decoded, comments removed."""
    def decoded(match: re.Match) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            return chr(code) if 0 < code < 0x110000 else "\ufffd"
        return match.group(2)

    return _CSS_COMMENT.sub("", _CSS_ESCAPE.sub(decoded, css))
