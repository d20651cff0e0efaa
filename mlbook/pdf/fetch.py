"""What WeasyPrint may load while laying out a page: the book's own files and `data:` URLs, nothing else."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import weasyprint.urls

from mlbook import cache
from mlbook.files import mime


class BookFetcher(weasyprint.urls.URLFetcher):
    """Serves `data:` URLs and files under the book's own folders; refuses everything else."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = local_path(url) or cache.path_of(url)
        if path is not None and any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return weasyprint.urls.URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime(path)})
        raise ValueError(f"refused to load {url[:80]}: only files of the book may be embedded")


def embedded_path(url: str, base: str) -> Path | None:
    """The file an `src` of the print HTML names: a `file://` URL, a `mlbook-cache:` one, or a path
    relative to `base` (the book's folder); None for any other URL (`data:`, a web address)."""
    path = local_path(url) or cache.path_of(url)
    if path is None and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url):
        path = (Path(base) / unquote(url.split("?")[0])).resolve()
    return path


def local_path(url: str) -> Path | None:
    """The file a `file://` URL names, resolved; None for any other URL."""
    if not url.startswith("file://"):
        return None
    return Path(unquote(url[len("file://"):].split("?")[0])).resolve()
