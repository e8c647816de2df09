"""What a phone downloads of a protected journal, counted in Debian's chromium.

The site is served the way GitHub Pages serves it (`tests.browser.serve_folder`: under a base
path, with Range requests) and opened at phone width in a fresh browser: the unlock page, the
password typed, until the journal's home page is shown and nothing has been downloaded for a
while; then a first search, typed into Material's search field, until its results are shown
and nothing has been downloaded for a while again. The server counts the bytes of body it
writes for each of the client's encrypted files (its `b/` blobs, fetched by the service worker,
and `keyring.json`), named by the plain file each holds (the blob names come from the build's
inventory). A blob is counted whole even where the worker stops reading it once its padding
starts: on a real network those bytes are on their way. The public files every client shares
(Material's and the unlock page's scripts, styles and fonts) are not counted: a browser keeps
them from one journal to the next.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from generator.config import load_config
from generator.protection.blobs import SiteKeys
from generator.protection.inventory import PATH as INVENTORY
from generator.protection.inventory import read_inventory
from generator.protection.keys import load_secrets
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve_folder

PHONE = {"width": 390, "height": 844}
QUIET_SECONDS = 1.0
"""How long nothing may be downloaded before a step counts as finished."""


@dataclass
class Downloads:
    """The encrypted files downloaded at each step: plain path → bytes (and times fetched)."""

    home: dict[str, int] = field(default_factory=dict)
    home_fetches: dict[str, int] = field(default_factory=dict)
    first_search: dict[str, int] = field(default_factory=dict)
    first_search_fetches: dict[str, int] = field(default_factory=dict)
    search_seconds: float = 0.0
    """From the search field's focus to the first result shown (the index downloaded,
    decrypted and indexed by Material's search worker)."""


class _Counter:
    """The server's count of one client's encrypted files sent, by plain path."""

    def __init__(self, folder: str, names: dict[str, str]) -> None:
        self.folder = folder
        self.names = names
        self.bytes: Counter[str] = Counter()
        self.fetches: Counter[str] = Counter()
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def sent(self, address: str, written: int) -> None:
        """Called by the server (in its threads) for each file it answered."""
        rel = unquote(address).removeprefix(self.folder)
        path = rel if rel == "keyring.json" else self.names.get(rel.removeprefix("b/"))
        with self.lock:
            self.last = time.monotonic()
            if path is not None and rel != address:
                self.bytes[path] += written
                self.fetches[path] += 1

    def quiet(self, page) -> None:
        """Wait until the server has answered nothing for QUIET_SECONDS."""
        page.wait_for_load_state("networkidle")
        while time.monotonic() - self.last < QUIET_SECONDS:
            page.wait_for_timeout(100)

    def take(self) -> tuple[dict[str, int], dict[str, int]]:
        """What was counted since the last call, largest first."""
        with self.lock:
            found = dict(self.bytes.most_common()), dict(self.fetches)
            self.bytes.clear()
            self.fetches.clear()
        return found


def blob_paths(project: Path, slug: str) -> tuple[str, dict[str, str]]:
    """The client's site id and its blob names → the plain paths they hold."""
    config = load_config(project / "site_config.yml")
    secrets = load_secrets(config.state, slug, os.environ)
    keys = SiteKeys.derive(secrets.content_key, secrets.site_id)
    inventory = read_inventory(project / "site" / secrets.site_id, keys)
    if inventory is None:
        raise SystemExit(f"{project / 'site' / secrets.site_id}: no inventory (not built?)")
    paths = [*inventory.files, INVENTORY]
    return secrets.site_id, {keys.blob_name(path): path for path in paths}


def measure(project: Path, slug: str, password: str, query: str) -> Downloads:
    """Open `slug`'s journal of the built `project` with `password` at phone width, then
    search for `query`; count the encrypted bytes each step downloads."""
    if not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} not found: install Debian's chromium")
    from playwright.sync_api import sync_playwright

    site_id, names = blob_paths(project, slug)
    prefix = "/journals/"
    counter = _Counter(f"{prefix}{site_id}/", names)
    site = serve_folder(project / "site", prefix=prefix, ranges=True, sent=counter.sent)
    with site as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_context(viewport=PHONE, has_touch=True).new_page()
            return _unlock_and_search(page, f"{base}{site_id}/", password, query, counter)
        finally:
            browser.close()


def _unlock_and_search(page, journal: str, password: str, query: str, counter) -> Downloads:
    found = Downloads()
    page.set_default_timeout(30_000)
    page.goto(journal)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("article h1")
    counter.quiet(page)
    found.home, found.home_fetches = counter.take()
    page.click("label.md-header__button[for=__search]")
    began = time.perf_counter()
    page.keyboard.type(query)
    page.wait_for_selector(".md-search-result__item")
    found.search_seconds = time.perf_counter() - began
    counter.quiet(page)
    found.first_search, found.first_search_fetches = counter.take()
    return found
