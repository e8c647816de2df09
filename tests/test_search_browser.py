"""Search on demand, in chromium: a journal's page does not download the search index until
the client starts to search (themes/default/overrides/partials/search-on-demand.html).

The journal is built and encrypted for real and served like GitHub Pages; the server tells
which encrypted files it sent, so "not downloaded" means the host sent no byte of the index.
Screenshots of the search while it initializes and with its results, on a phone and a laptop,
light and dark, go to `test-artifacts/screenshots/`; axe-core checks the open search.
"""

from __future__ import annotations

from functools import partial

import pytest

from generator.build import build, client_output
from generator.config import load_config
from generator.protection import keys
from generator.protection.blobs import SiteKeys
from tests.axe import axe_source, serious, violations
from tests.browser import serve_folder
from tests.conftest import PASSWORDS, SITE_CONFIG, Project, write_fixture_content
from tests.test_journal_browser import ARTIFACTS, LAPTOP, PHONES, overflow

pytestmark = pytest.mark.browser

PASSWORD = PASSWORDS["ada-quill"]
HOME = "h1:has-text('Ada Quillfeather')"
WORD = "quokkaberry"  # in the body of one session only
FOUND = f".md-search-result__item:has(mark:has-text('{WORD}'))"
META = ".md-search-result__meta"
SEARCH_BUTTON = "label.md-header__button[for=__search]"  # on a phone: the field is behind it
# Runs before the page's own scripts (a slow network, at the test's word): while
# `rjTestHold` is set, every XMLHttpRequest sent waits until `rjTestRelease()`.
HOLD_JS = """(() => {
    const send = XMLHttpRequest.prototype.send;
    const held = [];
    window.rjTestHold = false;
    window.rjTestHeld = () => held.length;
    window.rjTestRelease = () => {
        window.rjTestHold = false;
        held.splice(0).forEach((go) => go());
    };
    XMLHttpRequest.prototype.send = function () {
        if (!window.rjTestHold) return send.apply(this, arguments);
        held.push(() => send.apply(this, arguments));
    };
})()"""


class Host:
    """What the server sent: each answered address's path, in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def hear(self, path: str, written: int) -> None:
        self.sent.append(path)

    def mark(self) -> int:
        return len(self.sent)

    def since(self, mark: int) -> list[str]:
        return self.sent[mark:]


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    """The fixture project built and protected: (site folder, Ada's site id, blob addresses
    of her home page and search index under the base path)."""
    root = tmp_path_factory.mktemp("search") / "coach"
    project = Project(root)
    project.write("site_config.yml", SITE_CONFIG)
    write_fixture_content(project)
    config = load_config(root / "site_config.yml")
    keys.set_password(config.state, "ada-quill", PASSWORD)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RECAP_PASSWORD_BEN_MARSH", PASSWORDS["ben-marsh"])
        result = build(config, jobs=1)
        secrets = keys.load_secrets(config.state, "ada-quill", {})
    assert "ada-quill" in result.built, result
    site_id = client_output(config, "ada-quill").name
    names = SiteKeys.derive(secrets.content_key, secrets.site_id)
    blob = {p: f"/journals/{site_id}/b/{names.blob_name(p)}"
            for p in ("index.html", "search/search_index.json")}  # fmt: skip
    return root / "site", site_id, blob


@pytest.fixture(scope="module")
def host():
    return Host()


@pytest.fixture(scope="module")
def base(journal, host):
    with serve_folder(journal[0], prefix="/journals/", ranges=True, sent=host.hear) as url:
        yield url


def open_journal(browser, base: str, site_id: str, *, size=PHONES["phone390"], **options):
    """A new browser context (`options` for it) at `size`, unlocked to the home page."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, **options)
    context.add_init_script(HOLD_JS)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    page.goto(f"{base}{site_id}/")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(HOME)
    settle(page)
    return context, page


def settle(page) -> None:
    """Let the page finish what it loads by itself."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


def look(page, axe: str, name: str) -> list[str]:
    """Screenshot the open search (it covers the screen: the viewport, not the whole page);
    return its serious axe findings and any sideways scrolling."""
    page.wait_for_timeout(500)  # Material's opening animation
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    problems = [f"{name}: {v}" for v in serious(violations(page, axe))]
    if overflow(page) > 0:
        problems.append(f"{name}: scrolls sideways by {overflow(page)} px")
    return problems


def search_slowly(page, open_search) -> None:
    """Search while the index is slow to come: `open_search()` opens the search, the word is
    typed, the index is asked for and held back; Material says it is initializing."""
    page.evaluate("() => { window.rjTestHold = true; }")
    open_search()
    page.wait_for_function("() => document.activeElement.matches('.md-search__input')")
    page.keyboard.type(WORD)
    page.wait_for_function("() => window.rjTestHeld() === 1")  # asked for, not yet here
    assert page.inner_text(META) == "Initializing search"


def let_the_index_come(page) -> None:
    """Let the held index through; the query typed before it came is answered."""
    page.evaluate("() => window.rjTestRelease()")
    page.wait_for_selector(FOUND)


def open_the_result(page) -> None:
    """Open the search's result: its session, with the searched word highlighted."""
    page.locator(FOUND).first.click()
    page.wait_for_selector("h1:has-text('Kickoff Zephyrine')")
    page.wait_for_selector(f"article mark:has-text('{WORD}')")


def index_requests(page) -> list[str]:
    """The page's requests for the search index, from now on (a list that fills itself)."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "search_index" in r.url else None)
    return asked


def test_a_page_downloads_no_search_index_until_the_search_button_is_tapped(
    browser, base, journal, host
):
    _, site_id, blob = journal
    mark = host.mark()
    context, page = open_journal(browser, base, site_id, has_touch=True)
    try:
        sent = host.since(mark)
        assert blob["index.html"] in sent  # the host's log sees the worker's downloads
        assert blob["search/search_index.json"] not in sent
        # Another page, loaded afresh: still nothing asked for.
        asked = index_requests(page)
        page.goto(f"{base}{site_id}/commitments/")
        page.wait_for_selector("article h1")
        settle(page)
        assert asked == [] and blob["search/search_index.json"] not in host.since(mark)
        # The search button: the index is downloaded, once, and a query finds the session.
        page.tap(SEARCH_BUTTON)
        page.keyboard.type(WORD)
        page.wait_for_selector(FOUND)
        assert "Kickoff Zephyrine" in page.inner_text(FOUND)
        assert len(asked) == 1
        assert host.since(mark).count(blob["search/search_index.json"]) == 1
        open_the_result(page)
        assert page.problems == []
    finally:
        context.close()


def test_a_page_opened_from_a_search_result_downloads_the_index_to_highlight(
    browser, base, journal, host
):
    _, site_id, blob = journal
    context, page = open_journal(browser, base, site_id)
    try:
        page.click(".rj-title:has-text('Kickoff Zephyrine')")
        page.wait_for_selector("h1:has-text('Kickoff Zephyrine')")
        session = page.url
        mark = host.mark()
        page.goto(f"{session}?h={WORD}")
        page.wait_for_selector(f"article mark:has-text('{WORD}')")
        assert blob["search/search_index.json"] in host.since(mark)
    finally:
        context.close()


@pytest.mark.parametrize("key", ["/", "s", "f"])
def test_material_s_search_shortcut_downloads_the_index_and_an_early_query_is_answered(
    browser, base, journal, host, key
):
    _, site_id, blob = journal
    context, page = open_journal(browser, base, site_id, size=LAPTOP)
    try:
        mark = host.mark()
        page.locator("body").click(position={"x": 5, "y": 300})
        search_slowly(page, lambda: page.keyboard.press(key))
        let_the_index_come(page)
        assert host.since(mark).count(blob["search/search_index.json"]) == 1
        assert page.problems == []
    finally:
        context.close()


def test_without_service_workers_the_index_also_waits_for_the_search(browser, base, journal, host):
    _, site_id, blob = journal
    mark = host.mark()
    context, page = open_journal(browser, base, site_id, service_workers="block")
    try:
        assert page.evaluate("() => !navigator.serviceWorker.controller")
        sent = host.since(mark)
        assert blob["index.html"] in sent and blob["search/search_index.json"] not in sent
        # Another page, by Material's instant navigation.
        page.click(".rj-title:has-text('Progress Marmalade')")
        page.wait_for_selector("h1:has-text('Progress Marmalade')")
        settle(page)
        assert blob["search/search_index.json"] not in host.since(mark)
        search_slowly(page, lambda: page.click(SEARCH_BUTTON))
        let_the_index_come(page)
        assert host.since(mark).count(blob["search/search_index.json"]) == 1
        open_the_result(page)
        assert page.problems == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_initializing_and_with_results_passes_axe(browser, base, journal, scheme):
    """Screenshots at 390 px and on a laptop, while the index comes and with its results."""
    axe = axe_source()
    site_id = journal[1]
    problems: list[str] = []
    for name, size in {"phone390": PHONES["phone390"], "laptop": LAPTOP}.items():
        context, page = open_journal(browser, base, site_id, size=size, color_scheme=scheme)
        try:
            field = "input.md-search__input" if name == "laptop" else SEARCH_BUTTON
            search_slowly(page, partial(page.click, field))
            problems += look(page, axe, f"search-initializing-{name}-{scheme}")
            let_the_index_come(page)
            problems += look(page, axe, f"search-results-{name}-{scheme}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_a_page_seen_again_is_not_downloaded_again(browser, base, journal, host):
    """The browser keeps the encrypted files the worker fetched: a page seen again is
    answered from its cache, or with a 304 from the host, not downloaded again (a phone's
    data). (The worker stops reading a file at its padding; the file is kept all the same.)"""
    _, site_id, blob = journal
    context, page = open_journal(browser, base, site_id)
    try:
        mark = host.mark()
        page.goto(f"{base}{site_id}/commitments/")
        page.wait_for_selector("article h1")
        settle(page)
        page.goto(f"{base}{site_id}/")  # the home page again, loaded afresh
        page.wait_for_selector(HOME)
        settle(page)
        assert blob["index.html"] not in host.since(mark)
        assert page.problems == []
    finally:
        context.close()
