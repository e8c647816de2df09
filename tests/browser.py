"""A real browser for tests: Debian's chromium driven by Playwright, and a static file server.

`browser` is a pytest fixture (import it into a test module or a conftest) that launches
`/usr/bin/chromium` once per session; Playwright never downloads a browser of its own. Without
chromium the tests that use it are skipped, with the reason, except under CI=true, where a
missing browser fails them (CI installs it: a skip there would hide lost coverage).

`serve_folder` serves a folder on 127.0.0.1 like GitHub Pages does: under an optional base path
(`/repo/`), with the folder's `404.html` for any missing path, and with or without support
for Range requests (Python's own server ignores them; GitHub Pages honours them).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.serve import StaticHandler

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip the calling test when chromium is missing (fail instead under CI=true)."""
    if CHROMIUM.is_file():
        return
    reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_session():
    """Playwright for the session, for tests that launch chromium their own way."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright_session):
    """One headless chromium for the session (a Playwright `Browser`)."""
    launched = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    try:
        yield launched
    finally:
        launched.close()


def launch_profile(playwright, profile: Path):
    """Chromium with a profile folder kept on disk: closing and launching it again is a
    browser restart (session cookies are gone, IndexedDB and service workers stay)."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


class _Handler(StaticHandler):
    """`recap serve`'s handler under a base path, with optional byte ranges (GitHub Pages
    answers Range requests; Python's own server does not)."""

    prefix = "/"
    ranges = False

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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A browser that has read enough of a file (audio, a cancelled range) hangs up: normal.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_folder(
    root: Path, *, prefix: str = "/", ranges: bool = False, port: int = 0
) -> Iterator[str]:
    """Serve `root` at http://127.0.0.1:<port><prefix> in a thread; yield that address.

    The default port 0 takes a free one.
    """
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise ValueError(f"prefix must start and end with '/': {prefix!r}")
    handler = type("Handler", (_Handler,), {"prefix": prefix, "ranges": ranges})
    server = _Server(("127.0.0.1", port), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


AUDIO_DURATION_JS = """() => new Promise((resolve, reject) => {
    const audio = document.querySelector("audio");
    const done = () => resolve(audio.duration);
    if (isFinite(audio.duration) && audio.duration > 0) done();
    audio.addEventListener("durationchange", done);
    audio.addEventListener("error", () => reject(audio.error.message));
})"""


def audio_duration(page) -> float:
    """Wait until the page's <audio> element knows its duration (metadata decrypted and
    read by the browser) and return it; an audio error fails the test."""
    return page.evaluate(AUDIO_DURATION_JS)
