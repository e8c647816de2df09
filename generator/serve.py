"""A small static file server on 127.0.0.1 for previews (never on a public address)."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from generator.errors import RecapError


class StaticHandler(SimpleHTTPRequestHandler):
    """Serves files like a static host: quiet, with audio/JS types and the root's 404.html."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".json": "application/json",
        ".mp3": "audio/mpeg",
        ".vtt": "text/vtt",
        ".webmanifest": "application/manifest+json",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        # Like GitHub Pages: a missing path gets the site root's 404.html when there is one.
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@contextlib.contextmanager
def serve(root: Path, port: int = 8000) -> Iterator[str]:
    """Serve `root` on http://127.0.0.1:<port>/ in a thread; yield the address."""
    handler = functools.partial(StaticHandler, directory=str(root))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise RecapError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; try --port") from exc
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
