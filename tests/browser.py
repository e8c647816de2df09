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
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.serve import serve

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


def launch_profile(playwright, profile: Path, **options):
    """Chromium with a profile folder kept on disk: closing and launching it again is a
    browser restart (session cookies are gone, IndexedDB and service workers stay).
    `options` go to Playwright (`service_workers="block"`)."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, **options
    )


@contextlib.contextmanager
def serve_folder(
    root: Path,
    *,
    prefix: str = "/",
    ranges: bool = False,
    port: int = 0,
    sent: Callable[[str, int], None] | None = None,
) -> Iterator[str]:
    """Serve `root` at http://127.0.0.1:<port><prefix> with `recap serve`'s server; yield
    that address. The default port 0 takes a free one; `ranges=False` answers Range
    requests with the whole file, like Python's own server (the worker must cope); `sent`
    hears of each file answered (its path and the bytes of body written)."""
    with serve(root, port, prefix=prefix, ranges=ranges, sent=sent) as address:
        yield address


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
