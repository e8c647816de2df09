"""A small static file server on 127.0.0.1 for previews (never on a public address)."""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import threading
from collections.abc import Callable, Iterator
from http import HTTPStatus
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


class _Handler(StaticHandler):
    """StaticHandler under a base path, with byte ranges (GitHub Pages answers Range requests;
    Python's own server does not)."""

    prefix = "/"
    ranges = False
    sent: Callable[[str, int], None] | None = None

    def do_GET(self) -> None:
        if self._host_allowed():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._host_allowed():
            super().do_HEAD()

    def _host_allowed(self) -> bool:
        """Answer only requests addressed to this server by its own name (127.0.0.1,
        localhost or [::1] with its port): a page of another site that rebinds its DNS name to
        127.0.0.1 sends its own Host and must not read the journal (or a `--preview`)."""
        port = self.server.server_address[1]
        allowed = {f"{host}:{port}" for host in ("127.0.0.1", "localhost", "[::1]")}
        if (self.headers.get("Host") or "").strip().lower() in allowed:
            return True
        body = b"Misdirected request: this preview server answers only its own address.\n"
        self.send_response(HTTPStatus.MISDIRECTED_REQUEST)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return False

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(self.prefix) and clean != self.prefix.rstrip("/"):
            return str(Path(self.directory) / "no-such-file" / "outside-the-prefix")
        return super().translate_path("/" + clean[len(self.prefix) :])

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if self.ranges and path.is_file() and "Range" in self.headers:
            return self._send_range(path)
        return super().send_head()

    def _send_range(self, path: Path):
        size = path.stat().st_size
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers["Range"].strip())
        if not match or match.groups() == ("", ""):
            return super().send_head()
        first, last = match.groups()
        if first == "":
            start, end = max(size - int(last), 0), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        if start > end or start >= size:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        handle = path.open("rb")
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return _Limited(handle, end - start + 1)

    def copyfile(self, source, outputfile) -> None:
        if self.sent is None:
            return super().copyfile(source, outputfile)
        counted = _Counted(outputfile)
        try:
            super().copyfile(source, counted)
        finally:
            self.sent(self.path.split("?", 1)[0], counted.written)


class _Limited:
    """A file object that reads at most `left` bytes (for copyfile in `do_GET`)."""

    def __init__(self, handle, left: int) -> None:
        self.handle, self.left = handle, left

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size < 0 else min(size, self.left)
        data = self.handle.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


class _Counted:
    """A writable that counts what it passes on (for `serve`'s `sent`)."""

    def __init__(self, out) -> None:
        self.out, self.written = out, 0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.written += len(data)
        return len(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A browser that has read enough of a file (audio, a cancelled range) hangs up: normal.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(
    root: Path,
    port: int = 8000,
    *,
    prefix: str = "/",
    ranges: bool = True,
    sent: Callable[[str, int], None] | None = None,
) -> Iterator[str]:
    """Serve `root` at http://127.0.0.1:<port><prefix> in a thread; yield the address.

    Only ever on the loopback address. `ranges` answers Range requests (audio seeking fetches
    only the chunks it needs), like GitHub Pages; port 0 takes a free port. `sent`, when
    given, is called after each file answered with its address's path and the bytes of body
    written (for measuring what a browser downloads; a browser that hangs up early cuts it).
    """
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise ValueError(f"prefix must start and end with '/': {prefix!r}")
    hears = staticmethod(sent) if sent else None
    handler = type("Handler", (_Handler,), {"prefix": prefix, "ranges": ranges, "sent": hears})
    try:
        server = _Server(("127.0.0.1", port), functools.partial(handler, directory=str(root)))
    except OSError as exc:
        raise RecapError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; try --port") from exc
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
