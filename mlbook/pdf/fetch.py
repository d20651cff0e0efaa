"""What WeasyPrint may load while laying out a page: the book's own files and `data:` URLs, nothing else."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import weasyprint.urls

from mlbook.files import mime


class BookFetcher(weasyprint.urls.URLFetcher):
    """Serves `data:` URLs and files under the book's own folders; refuses everything else."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = local_path(url)
        if path is not None and any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return weasyprint.urls.URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime(path)})
        raise ValueError(f"refused to load {url[:80]}: only files of the book may be embedded")


def local_path(url: str) -> Path | None:
    """The file a `file://` URL names, resolved; None for any other URL."""
    if not url.startswith("file://"):
        return None
    return Path(unquote(url[len("file://"):].split("?")[0])).resolve()
