"""The author's loop: the web edition served from 127.0.0.1 and rebuilt on every save, the open page
reloading itself (`build.py serve`); and the file changes that `build.py watch` rebuilds an output on.

The site is rebuilt whole in memory but written file by file, only where a file changed, so a saved
answer rewrites its section page (and the search index or other pages only if what they show
changed). A content error keeps the last good pages and shows its `path:line` messages on them.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from functools import partial
from html import escape
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import jinja2
import watchfiles

from mlbook.render import documents
from mlbook.web import site
from mlbook.errors import ContentError
from mlbook.content.load import load

LIVE_SCRIPT = documents.TEMPLATES / "site" / "live.js"
PING_SECONDS = 10.0
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
          ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def changes(paths: list[Path], stop: threading.Event) -> Iterator[set]:
    """Sets of changed files under `paths`, one per save (editors' temporary files ignored)."""
    yield from watchfiles.watch(*paths, stop_event=stop, debounce=50, step=20, raise_interrupt=False)


class Preview:
    """The site folder, the problems of the last build, and a version that every build changes."""

    def __init__(self, content: Path, site: Path):
        self.content = content
        self.site = site
        self.version = 0
        self.problems: list[str] = []
        self._built = threading.Condition()

    def rebuild(self) -> list[str]:
        """Load and render the book again; return the site files that changed.

        On a content error the last good pages stay and the problems are kept for the banner.
        """
        try:
            files = site.site_files(load(self.content), answers=True, open_answers=True)
            changed, problems = site.update_site(files, self.site), []
        except ContentError as error:
            changed, problems = [], [str(problem) for problem in error.problems]
        except jinja2.TemplateSyntaxError as error:  # a template being edited
            changed, problems = [], [f"{error.filename or error.name}:{error.lineno}: {error.message}"]
        except jinja2.TemplateError as error:
            changed, problems = [], [f"{documents.TEMPLATES}: {error}"]
        with self._built:
            self.problems = problems
            self.version += 1
            self._built.notify_all()
        return changed

    def wait(self, version: int, timeout: float) -> int:
        """The version once it differs from `version`, or after `timeout` seconds."""
        with self._built:
            self._built.wait_for(lambda: self.version != version, timeout)
            return self.version

    def page(self, data: bytes) -> bytes:
        """An HTML page with the problems banner (if any) and the live-reload script."""
        with self._built:
            version, problems = self.version, list(self.problems)
        banner = ""
        if problems:
            count = len(problems)
            banner = ('<div id="mlbook-problems" role="alert" style="position:sticky;top:0;z-index:9;'
                      'background:#fff3f0;color:#8a1c0b;border-bottom:2px solid #c0392b;padding:0.6em 1em;'
                      'font:14px/1.4 sans-serif"><strong>' + f"{count} problem{'s' if count != 1 else ''}"
                      " in the content; the last good pages are shown</strong>"
                      '<pre style="white-space:pre-wrap;margin:0.4em 0 0">'
                      + escape("\n".join(problems)) + "</pre></div>")
        script = (f"<script>window.MLBOOK_PREVIEW_VERSION = {version};</script>"
                  '<script src="/__live.js"></script>')
        text = data.decode("utf-8")
        if "<body>" not in text:
            text = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>mlbook</title></head><body></body></html>'
        text = text.replace("<body>", "<body>" + banner, 1).replace("</body>", script + "</body>", 1)
        return text.encode("utf-8")


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Serves the site folder, the live-reload script and the build events."""

    def __init__(self, *args, preview: Preview, **kwargs):
        self.preview = preview
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        path = unquote(url.path)
        if path == "/__events":
            return self._events(int(parse_qs(url.query).get("since", ["0"])[0] or 0))
        if path == "/__live.js":
            return self._send(LIVE_SCRIPT.read_bytes(), _TYPES[".js"])
        name = "index.html" if path in ("", "/") else path.lstrip("/")
        root = self.preview.site.resolve()
        file = (root / name).resolve()
        if file.is_relative_to(root) and file.is_file():
            data = file.read_bytes()
            if file.suffix == ".html":
                data = self.preview.page(data)
            return self._send(data, _TYPES.get(file.suffix.lower(), "application/octet-stream"))
        if name.endswith(".html") and self.preview.problems:  # no page yet: show the problems
            return self._send(self.preview.page(b""), _TYPES[".html"])
        self.send_error(404)

    def _send(self, data: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _events(self, since: int) -> None:
        """Server-sent events: one message as soon as the book was rebuilt after version `since`."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            while True:
                version = self.preview.wait(since, PING_SECONDS)
                if version != since:
                    self.wfile.write(f"data: {json.dumps({'version': version})}\n\n".encode())
                    self.wfile.flush()
                    return
                self.wfile.write(b": ping\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def server(preview: Preview, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 only (OSError if the port is taken); its threads die with it."""
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(PreviewHandler, preview=preview))
