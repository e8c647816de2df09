"""Protection in a real browser: Python encrypts, Debian's chromium decrypts through sw.js.

The protected site is served under a project-site base path (`/repo/`) like GitHub Pages
serves it: with Range support, and (for the audio test) also without, like Python's own
server. Each test opens its own browser context, so service workers and storage start empty.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.config import Branding, builtin_themes_dir
from generator.protection import keys
from generator.protection.blobs import SiteKeys, blob_nonces
from generator.protection.inventory import Inventory, nonces_text, read_inventory, write_inventory
from generator.protection.protect import protect_site, write_site_root
from generator.state import State
from tests.browser import audio_duration, launch_profile, serve_folder
from tests.leakscan import assert_no_leaks
from tests.sample_site import (
    BODY_WORD,
    CLIENT_NAME,
    COACH,
    NEEDLES,
    OTHER_TITLE,
    PRACTICE,
    SESSION_TITLE,
    build_plain,
)
from tests.test_keys import write_legacy_keyring
from tests.test_protect import old_format_blob

pytestmark = pytest.mark.browser

PASSWORD = "velvet tundra orchard pivot"
SLUG = "zephyrine-quill"
THEME = builtin_themes_dir() / "default"
BRANDING = Branding(coach_name=COACH, practice_name=PRACTICE)
HOME_HEADING = f"h1:has-text('Journal of {CLIENT_NAME}')"
SESSION_PAGE = "sessions/marmalade-horizon/"
RECORDING_PATH = "media/recording-one.mp3"
PLAY_FROM_30_JS = """() => new Promise((resolve, reject) => {
    const audio = document.querySelector("audio");
    audio.muted = true;
    audio.addEventListener("error", () => reject(audio.error.message));
    audio.addEventListener("playing", () => resolve(audio.currentTime), {once: true});
    audio.currentTime = 30;
    audio.play().catch(reject);
})"""
LENGTHS_JS = """async (address) => {
    const answer = async (range) => {
        const response = await fetch(address, range ? {headers: {Range: range}} : {});
        const body = new Uint8Array(await response.arrayBuffer());
        return [response.status, response.headers.get("Content-Length"),
                response.headers.get("Content-Range"), body.length, Array.from(body)];
    };
    const whole = await answer(null), tail = await answer("bytes=-100");
    const past = await answer("bytes=99999999-");
    return {whole: whole.slice(0, 4), tail: tail.slice(0, 4), past: past.slice(0, 4),
            bytes: tail[4]};
}"""


@dataclass(frozen=True)
class Published:
    """A protected site root with one client's journal in it."""

    root: Path
    secrets: keys.ClientSecrets
    state: State

    @property
    def site_id(self) -> str:
        return self.secrets.site_id

    def blob(self, path: str) -> Path:
        sk = SiteKeys.derive(self.secrets.content_key, self.site_id)
        return self.root / self.site_id / "b" / sk.blob_name(path)


def publish(plain: Path, root: Path, state: State) -> Published:
    secrets = keys.load_secrets(state, SLUG, {})
    protect_site(plain, root / secrets.site_id, secrets=secrets, branding=BRANDING, theme_dir=THEME)
    write_site_root(root, BRANDING, THEME)
    return Published(root, secrets, state)


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory) -> Path:
    return build_plain(tmp_path_factory.mktemp("journal"))


@pytest.fixture(scope="module")
def published(tmp_path_factory, plain_site) -> Published:
    state = State(tmp_path_factory.mktemp("state") / ".recap")
    keys.set_password(state, SLUG, PASSWORD)
    return publish(plain_site, tmp_path_factory.mktemp("site"), state)


@pytest.fixture(scope="module")
def base(published):
    with serve_folder(published.root, prefix="/repo/", ranges=True) as url:
        yield url


@pytest.fixture
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def unlock(page, url: str, password: str = PASSWORD, *, remember: bool = False) -> float:
    """Type the password on the unlock page at `url`; return the seconds until it was sent."""
    page.goto(url)
    page.fill("#password", password)
    if remember:
        page.check("#remember")
    began = time.perf_counter()
    page.click("button[type=submit]")
    return began


def open_journal(page, base: str, site_id: str, **kwargs) -> float:
    """Unlock and wait for the timeline; return the seconds from submit to the page shown."""
    began = unlock(page, f"{base}{site_id}/", **kwargs)
    page.wait_for_selector(HOME_HEADING)
    return time.perf_counter() - began


def test_the_right_password_opens_the_timeline(page, base, published, record_property):
    seconds = open_journal(page, base, published.site_id)
    record_property("unlock_seconds", round(seconds, 3))
    print(f"unlock (PBKDF2 600k) to the decrypted home page: {seconds:.2f} s")
    assert page.url == f"{base}{published.site_id}/"
    assert SESSION_TITLE in page.inner_text("article")
    assert page.title() == f"{PRACTICE}"  # Material's home title: the site name
    assert page.locator("#rj-lock").is_visible()


def test_a_wrong_password_shows_an_error_and_no_content(page, base, published):
    unlock(page, f"{base}{published.site_id}/", "wrong horse battery staple")
    page.wait_for_selector("#message.error")
    assert "does not open this journal" in page.inner_text("#message")
    html = page.content()
    for needle in NEEDLES:
        assert needle.lower() not in html.lower()
    page.goto(f"{base}{published.site_id}/{SESSION_PAGE}")
    page.wait_for_selector("#password")
    assert BODY_WORD not in page.content()


@pytest.mark.parametrize("ranges", [True, False], ids=["host-ranges", "host-ignores-ranges"])
def test_audio_gets_its_duration_seeks_and_plays(
    page, plain_site, published, ranges, record_property
):
    with serve_folder(published.root, prefix="/repo/", ranges=ranges) as url:
        open_journal(page, url, published.site_id)
        page.click(f"text={SESSION_TITLE} >> nth=-1")
        page.wait_for_selector("audio")
        duration = audio_duration(page)
        assert 39 < duration < 41
        result = page.evaluate(
            """() => new Promise((resolve, reject) => {
                const audio = document.querySelector("audio");
                audio.muted = true;
                audio.addEventListener("error", () => reject(audio.error.message));
                audio.addEventListener("seeked", () => {
                    const began = performance.now();
                    audio.addEventListener("playing", () => resolve({
                        at: audio.currentTime, ms: performance.now() - began}), {once: true});
                    audio.play().catch(reject);
                }, {once: true});
                audio.currentTime = 30;
            })"""
        )
        assert 29.5 < result["at"] < 31
        record_property("seek_to_playing_ms", round(result["ms"], 1))
        # The host holds the recording padded to its bucket; the worker reports and serves
        # the real length, whole and by range.
        plain = (plain_site / RECORDING_PATH).read_bytes()
        real = len(plain)
        assert published.blob(RECORDING_PATH).stat().st_size == 256 * 1024 != real
        answers = page.evaluate(LENGTHS_JS, f"{url}{published.site_id}/{RECORDING_PATH}")
        assert answers["whole"] == [200, str(real), None, real]
        assert answers["tail"] == [206, "100", f"bytes {real - 100}-{real - 1}/{real}", 100]
        assert answers["past"] == [416, None, f"bytes */{real}", 0]
        assert bytes(answers["bytes"]) == plain[-100:]


def test_material_search_finds_a_body_word(page, base, published):
    open_journal(page, base, published.site_id)
    page.click("input.md-search__input")
    page.keyboard.type(BODY_WORD)
    # Results refresh as each letter is typed: wait for the whole word's result.
    result = page.wait_for_selector(f".md-search-result__item:has-text('{BODY_WORD}')")
    assert SESSION_TITLE in result.inner_text()


def test_links_and_new_tabs_need_no_second_unlock(page, context, base, published):
    open_journal(page, base, published.site_id)
    page.click(f"article >> text={OTHER_TITLE}")
    page.wait_for_selector(f"h1:has-text('{OTHER_TITLE}')")
    assert page.url == f"{base}{published.site_id}/sessions/quixotic-lanterns/"
    second = context.new_page()
    second.goto(f"{base}{published.site_id}/resources/")
    second.wait_for_selector("h1:has-text('Resources')")
    assert second.locator("#password").count() == 0
    # A folder without its slash is sent to the slashed address.
    second.goto(f"{base}{published.site_id}/resources")
    second.wait_for_selector("h1:has-text('Resources')")
    assert second.url.endswith("/resources/")


def test_a_deep_link_while_locked_unlocks_to_that_page(page, base, published):
    page.goto(f"{base}{published.site_id}/sessions/quixotic-lanterns/#top")
    page.wait_for_selector("#password")
    assert page.url.startswith(f"{base}{published.site_id}/?next=")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(f"h1:has-text('{OTHER_TITLE}')")
    assert page.url == f"{base}{published.site_id}/sessions/quixotic-lanterns/#top"


def test_the_site_root_is_neutral_and_unknown_paths_say_so(page, base, published):
    page.goto(base)
    assert "private journal" in page.inner_text("main")
    page.goto(f"{base}no/such/page")
    page.wait_for_selector("text=There is no page at this address")
    assert_no_leaks(published.root, NEEDLES)


def test_next_cannot_leave_the_journal(page, base, published):
    page.goto(f"{base}{published.site_id}/?next=https%3A%2F%2Fevil.example%2F")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(HOME_HEADING)
    assert page.url == f"{base}{published.site_id}/"


def test_lock_forgets_the_keys(page, context, base, published):
    open_journal(page, base, published.site_id, remember=True)
    other = context.new_page()
    other.goto(f"{base}{published.site_id}/resources/")
    other.wait_for_selector("h1:has-text('Resources')")
    page.click("#rj-lock")
    page.wait_for_selector("#password")
    assert page.url == f"{base}{published.site_id}/"
    stored = page.evaluate(f"() => RJStore.get('{published.site_id}')")
    assert stored is None
    other.goto(f"{base}{published.site_id}/{SESSION_PAGE}")
    other.wait_for_selector("#password")
    assert BODY_WORD not in other.content()


@pytest.mark.parametrize("remember", [False, True], ids=["this-visit", "remember-me"])
def test_remember_me_decides_whether_keys_outlive_the_browser(
    playwright_session, tmp_path, base, published, remember
):
    profile = tmp_path / "profile"
    first = launch_profile(playwright_session, profile)
    try:
        tab = first.new_page()
        open_journal(tab, base, published.site_id, remember=remember)
    finally:
        first.close()
    again = launch_profile(playwright_session, profile)  # a browser restart
    try:
        tab = again.new_page()
        tab.goto(f"{base}{published.site_id}/{SESSION_PAGE}")
        if remember:
            tab.wait_for_selector(f"h1:has-text('{SESSION_TITLE}')")
        else:
            tab.wait_for_selector("#password")
            assert BODY_WORD not in tab.content()
    finally:
        again.close()


def test_a_tampered_page_shows_an_error_not_content(page, published, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(published.root, root)
    blob = root / published.blob("sessions/marmalade-horizon/index.html").relative_to(
        published.root
    )
    data = bytearray(blob.read_bytes())
    data[200] ^= 0x01
    blob.write_bytes(bytes(data))
    with serve_folder(root, prefix="/repo/", ranges=True) as url:
        open_journal(page, url, published.site_id)
        response = page.goto(f"{url}{published.site_id}/{SESSION_PAGE}")
        assert response is not None and response.status == 502
        assert "integrity check" in page.inner_text("body")
        assert BODY_WORD not in page.content()


def test_a_file_of_a_newer_format_asks_for_a_reload_not_blames_the_file(page, published, tmp_path):
    """A worker installed before its journal moved to a newer blob format says to reload (and
    fetches the new worker) rather than call the file tampered with."""
    root = tmp_path / "site"
    shutil.copytree(published.root, root)
    blob = root / published.blob(f"{SESSION_PAGE}index.html").relative_to(published.root)
    data = bytearray(blob.read_bytes())
    data[3] = 9  # a format version this worker does not know
    blob.write_bytes(bytes(data))
    with serve_folder(root, prefix="/repo/", ranges=True) as url:
        open_journal(page, url, published.site_id)
        response = page.goto(f"{url}{published.site_id}/{SESSION_PAGE}")
        assert response is not None and response.status == 503
        assert page.inner_text("h1") == "Your journal was updated"
        assert "Reload the page to open the new version." in page.inner_text("body")
        assert "integrity" not in page.inner_text("body")
        assert page.get_attribute("a", "href") == f"{url}{published.site_id}/{SESSION_PAGE}"
        assert BODY_WORD not in page.content()


def test_a_password_change_revokes_the_old_password_and_remembered_keys(
    page, context, browser, plain_site, tmp_path
):
    """After a change, the old password opens nothing and a remembered key is dropped; even
    the old keyring put back on the host, with the old password, opens no new page."""
    state = State(tmp_path / ".recap")
    keys.set_password(state, SLUG, PASSWORD)
    before = publish(plain_site, tmp_path / "before", state)
    live = tmp_path / "live"
    shutil.copytree(before.root, live)
    with serve_folder(live, prefix="/repo/", ranges=True) as url:
        journal = f"{url}{before.site_id}/"
        open_journal(page, url, before.site_id, remember=True)
        in_app = browser.new_context(service_workers="block")  # a mail app's browser
        in_app_page = in_app.new_page()
        open_journal(in_app_page, url, before.site_id, remember=True)
        new_password = keys.set_password(state, SLUG)
        after = publish(plain_site, tmp_path / "after", state)
        assert after.site_id == before.site_id  # same address
        shutil.rmtree(live)
        shutil.copytree(after.root, live)
        # The device remembered the old key: it is dropped and the unlock page shown.
        page.goto(f"{journal}{SESSION_PAGE}")
        page.wait_for_selector("#password")
        assert BODY_WORD not in page.content()
        assert page.evaluate(f"() => RJStore.get('{after.site_id}')") is None
        # The same without a service worker: the unlock page drops the remembered key.
        in_app_page.goto(f"{journal}{SESSION_PAGE}")
        in_app_page.wait_for_selector("#password")
        assert in_app_page.evaluate(f"() => RJStore.get('{after.site_id}')") is None
        in_app.close()
        # A fresh tab (worker started anew) with the old key remembered: dropped as well.
        unlock(page, journal, PASSWORD)
        page.wait_for_selector("#message.error")
        assert "does not open this journal" in page.inner_text("#message")
        # The old keyring back on the host: the old password unwraps the old key, which
        # names and decrypts none of the new files.
        shutil.copyfile(before.root / before.site_id / "keyring.json",
                        live / before.site_id / "keyring.json")  # fmt: skip
        page.goto(journal)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        assert page.locator(HOME_HEADING).count() == 0
        assert BODY_WORD not in page.content()
        shutil.copyfile(after.root / after.site_id / "keyring.json",
                        live / after.site_id / "keyring.json")  # fmt: skip
        context.clear_cookies()
        fresh = context.new_page()
        fresh.evaluate("() => 0")
        open_journal(fresh, url, after.site_id, password=new_password)


CSP_PROBE_JS = """(address) => new Promise((resolve) => {
    document.addEventListener("securitypolicyviolation",
        (event) => resolve(event.effectiveDirective), {once: true});
    const image = document.createElement("img");
    image.addEventListener("error", () => setTimeout(() => resolve("loaded or failed"), 500));
    image.src = address;
    document.body.appendChild(image);
})"""


def test_a_decrypted_page_carries_a_csp_and_cannot_be_framed(page, base, published):
    open_journal(page, base, published.site_id)
    response = page.goto(f"{base}{published.site_id}/{SESSION_PAGE}")
    assert response is not None and response.ok
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    page.wait_for_selector(f"h1:has-text('{SESSION_TITLE}')")
    assert page.evaluate(CSP_PROBE_JS, "http://127.0.0.2:9/probe.png") == "img-src"


def test_a_404_for_another_host_stays_on_this_site(page, published):
    with serve_folder(published.root, prefix="/", ranges=True) as url:
        origin = url.rstrip("/")
        for evil in ("//evil.example/", "/%2Fevil.example/", "/\\evil.example/"):
            page.goto(f"{origin}{evil}{published.site_id}/{SESSION_PAGE}")
            page.wait_for_load_state("load")
            assert page.url.startswith(origin + "/"), page.url
            assert "evil.example" not in page.url.split("/")[2]


def test_spaces_dashes_and_capitals_open_the_same_journal(page, base, published):
    open_journal(page, base, published.site_id, password="  Velvet-TUNDRA  orchard—Pivot ")
    assert SESSION_TITLE in page.inner_text("article")


def test_unlock_js_folds_passwords_exactly_as_python_does(page, base, published):
    source = (THEME / "protect" / "unlock.js").read_text(encoding="utf-8")
    start, end = source.index("  var SEPARATORS"), source.index("  // The iteration counts")
    samples = [
        "Maple River", " a\u00a0b\u2003c\u3000d ", "tab\there\nline", "---",
        "x__y--z\u2010\u2011\u2012\u2013\u2014\u2015\u2212w", "keep.dots,and;colons:",
        "CAFE\u0301 \u00c9t\u00c9", "\u0130stanbul \u03a3\u039f\u03a6\u039f\u03a3",
        "\u1e9e stra\u00dfe", "\ufeffbom\u205fmid",
    ]  # fmt: skip
    page.goto(f"{base}{published.site_id}/")
    folded = page.evaluate(
        f"(samples) => {{ {source[start:end]} return samples.map(fold); }}", samples
    )
    assert folded == [keys.fold_password(s) for s in samples]


def test_a_keyring_from_before_folding_opens_with_the_password_as_typed(page, plain_site, tmp_path):
    state = State(tmp_path / ".recap")
    write_legacy_keyring(state, SLUG, "Old Typed Password 2024")
    legacy = publish(plain_site, tmp_path / "site", state)
    with serve_folder(legacy.root, prefix="/repo/", ranges=True) as url:
        unlock(page, f"{url}{legacy.site_id}/", "old-typed-password-2024")
        page.wait_for_selector("#message.error")
        open_journal(page, url, legacy.site_id, password="Old Typed Password 2024")


@pytest.fixture
def no_worker_page(browser):
    """A page of a browser that gives no service worker (like a mail app's built-in one)."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


def test_without_service_workers_the_journal_opens_in_the_page(
    no_worker_page, base, published, record_property
):
    """Unlock → home → a session page → search → audio plays, all decrypted in the page."""
    page = no_worker_page
    journal = f"{base}{published.site_id}/"
    began = unlock(page, journal)
    page.wait_for_selector(HOME_HEADING)
    seconds = time.perf_counter() - began
    record_property("in_page_unlock_seconds", round(seconds, 3))
    print(f"in-page mode: unlock to the decrypted home page in {seconds:.2f} s")
    assert page.url == journal
    assert (
        page.evaluate("() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")
        is False
    )
    assert page.locator("#rj-lock").is_visible()
    # A link, followed by Material's instant navigation (no new document, no host request).
    page.click(f"article >> text={OTHER_TITLE}")
    page.wait_for_selector(f"h1:has-text('{OTHER_TITLE}')")
    assert page.url == f"{journal}sessions/quixotic-lanterns/"
    # Search: Material's worker gets the decrypted index.
    page.click("input.md-search__input")
    page.keyboard.type(BODY_WORD)
    result = page.wait_for_selector(f".md-search-result__item:has-text('{BODY_WORD}')")
    assert SESSION_TITLE in result.inner_text()
    # Results refresh while the search settles: click through a locator, which retries.
    page.locator(f".md-search-result__item:has-text('{BODY_WORD}')").first.click()
    page.wait_for_selector(f"h1:has-text('{SESSION_TITLE}')")
    assert page.url.startswith(f"{journal}{SESSION_PAGE}")
    # The recording, decrypted whole into a blob: URL, knows its duration, seeks and plays.
    page.wait_for_selector("audio[src^='blob:']", state="attached")
    assert 39 < audio_duration(page) < 41
    played = page.evaluate(PLAY_FROM_30_JS)
    assert 29.5 < played < 31
    # The unlock page's Content-Security-Policy still holds for the journal written into it:
    # nothing from another origin loads.
    blocked = page.evaluate(CSP_PROBE_JS, "http://127.0.0.2:9/probe.png")
    assert blocked == "img-src"
    [refused] = [p for p in page.problems if "probe.png" in p]
    page.problems.remove(refused)
    # Back goes to the page before.
    page.go_back()
    page.wait_for_selector(f"h1:has-text('{OTHER_TITLE}')")
    assert page.problems == []
    assert page.locator("#password").count() == 0


def test_without_service_workers_a_page_opened_from_far_down_starts_at_its_top(
    no_worker_page, base, published
):
    """A link the page opens itself (Material's instant navigation leaves links with a target
    alone, and every link until it has read the sitemap) shows the new page at its top."""
    page = no_worker_page
    page.set_viewport_size({"width": 390, "height": 240})
    open_journal(page, base, published.site_id)
    link = page.locator(f"article >> text={OTHER_TITLE}")
    link.evaluate("(a) => { a.target = '_self'; }")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("() => window.scrollY") > 0
    link.click()
    page.wait_for_selector(f"h1:has-text('{OTHER_TITLE}')")
    assert page.evaluate("() => window.scrollY") == 0
    assert page.problems == []


@pytest.mark.parametrize("ranges", [True, False], ids=["host-ranges", "host-ignores-ranges"])
def test_without_service_workers_the_padded_recording_plays_and_seeks(
    no_worker_page, plain_site, published, ranges
):
    """The in-page mode reads the recording whole, past its padding: every byte and no more."""
    page = no_worker_page
    with serve_folder(published.root, prefix="/repo/", ranges=ranges) as url:
        open_journal(page, url, published.site_id)
        page.goto(f"{url}{published.site_id}/{SESSION_PAGE}")
        page.wait_for_selector("audio[src^='blob:']", state="attached")
        assert 39 < audio_duration(page) < 41
        size = page.evaluate(
            """async () => (await (await fetch(document.querySelector("audio").src)).blob()).size"""
        )
        assert size == (plain_site / RECORDING_PATH).stat().st_size
        played = page.evaluate(PLAY_FROM_30_JS)
        assert 29.5 < played < 31


def test_without_service_workers_links_deep_links_and_lock_work(no_worker_page, base, published):
    page = no_worker_page
    journal = f"{base}{published.site_id}/"
    # A deep link while locked: the host's 404 page → unlock → that very page, in the page.
    page.goto(f"{journal}sessions/quixotic-lanterns/#top")
    page.wait_for_selector("#password")
    page.fill("#password", PASSWORD)
    page.check("#remember")
    page.click("button[type=submit]")
    page.wait_for_selector(f"h1:has-text('{OTHER_TITLE}')")
    assert page.url == f"{journal}sessions/quixotic-lanterns/#top"
    # A reload goes through the host's 404 page again; the remembered keys open it directly.
    page.reload()
    page.wait_for_selector(f"h1:has-text('{OTHER_TITLE}')")
    # Lock: the keys are forgotten and the unlock page shown.
    page.click("#rj-lock")
    page.wait_for_selector("#password")
    assert page.evaluate(f"() => RJStore.get('{published.site_id}')") is None
    page.goto(f"{journal}{SESSION_PAGE}")
    page.wait_for_selector("#password")
    assert BODY_WORD not in page.content()
    # The host answers each deep link (and the reload) with its 404 page: three, no others.
    not_found = "Failed to load resource: the server responded with a status of 404 (Not Found)"
    assert page.problems == [not_found] * 3


def test_without_service_workers_the_visit_stays_unlocked_until_lock(
    no_worker_page, base, published
):
    """Without "remember me": a reload and another page opened in the same tab need no second
    unlock, even where the browser keeps no cookies (the tab's sessionStorage marks the visit);
    Lock forgets the keys, and web storage never holds a key."""
    page = no_worker_page
    journal = f"{base}{published.site_id}/"
    open_journal(page, base, published.site_id)
    page.goto(f"{journal}{SESSION_PAGE}")  # a new document: the host's 404 page, then the journal
    page.wait_for_selector(f"h1:has-text('{SESSION_TITLE}')")
    page.reload()
    page.wait_for_selector(f"h1:has-text('{SESSION_TITLE}')")
    assert page.locator("#password").count() == 0
    # A browser that keeps no cookies (some in-app browsers): the tab's mark still holds.
    page.context.clear_cookies()
    page.goto(f"{journal}resources/")
    page.wait_for_selector("h1:has-text('Resources')")
    stored = page.evaluate(
        """(site) => ({session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage),
                      tag: sessionStorage.getItem("rj_" + site)})""",
        published.site_id,
    )
    assert stored["local"] == "{}" and len(stored["tag"]) == 32
    assert stored["session"] == json.dumps({f"rj_{published.site_id}": stored["tag"]}).replace(
        " ", ""
    )
    record = page.evaluate(
        """async (site) => {
            const r = await RJStore.get(site);
            const extractable = r.enc.extractable || r.name.extractable;
            return {remember: r.remember, tag: r.tag, extractable: extractable};
        }""",
        published.site_id,
    )
    assert record == {"remember": False, "tag": stored["tag"], "extractable": False}
    # Lock: the keys and the mark are gone; a reload asks for the password.
    page.click("#rj-lock")
    page.wait_for_selector("#password")
    assert page.evaluate(f"() => sessionStorage.getItem('rj_{published.site_id}')") is None
    page.goto(f"{journal}{SESSION_PAGE}")
    page.wait_for_selector("#password")
    page.reload()
    page.wait_for_selector("#password")
    assert BODY_WORD not in page.content()


def test_without_service_workers_a_new_browser_session_asks_again(
    playwright_session, tmp_path, base, published
):
    profile = tmp_path / "profile"
    first = launch_profile(playwright_session, profile, service_workers="block")
    try:
        tab = first.new_page()
        open_journal(tab, base, published.site_id)
        tab.reload()
        tab.wait_for_selector(HOME_HEADING)
    finally:
        first.close()
    again = launch_profile(playwright_session, profile, service_workers="block")  # a restart
    try:
        tab = again.new_page()
        tab.goto(f"{base}{published.site_id}/{SESSION_PAGE}")
        tab.wait_for_selector("#password")
        assert BODY_WORD not in tab.content()
        assert tab.evaluate(f"() => RJStore.get('{published.site_id}')") is None  # dropped
    finally:
        again.close()


def test_without_service_workers_a_wrong_password_opens_nothing(no_worker_page, base, published):
    page = no_worker_page
    unlock(page, f"{base}{published.site_id}/", "wrong horse battery staple")
    page.wait_for_selector("#message.error")
    assert "does not open this journal" in page.inner_text("#message")
    assert BODY_WORD not in page.content()


@pytest.mark.parametrize("workers", ["allow", "block"], ids=["service-worker", "in-page"])
def test_a_site_published_before_padding_still_opens(browser, plain_site, tmp_path, workers):
    """Blobs of formats 1 and 2 (the exact length in the clear, no padding), as a build before
    padding published them, open with today's scripts until the next build replaces them."""
    state = State(tmp_path / ".recap")
    keys.set_password(state, SLUG, PASSWORD)
    old = publish(plain_site, tmp_path / "site", state)
    sk = SiteKeys.derive(old.secrets.content_key, old.site_id)
    site = old.root / old.site_id
    listed = read_inventory(site, sk)
    assert listed is not None
    files = dict(listed.files)
    for path, version in ((f"{SESSION_PAGE}index.html", 2), (RECORDING_PATH, 1)):
        blob = old.blob(path)
        blob.write_bytes(old_format_blob((plain_site / path).read_bytes(), path, sk, version))
        files[path] = nonces_text(blob_nonces(blob, path, sk))
    write_inventory(site, sk, Inventory(listed.build, files))
    context = browser.new_context(service_workers=workers)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        with serve_folder(old.root, prefix="/repo/", ranges=True) as url:
            open_journal(page, url, old.site_id)
            page.goto(f"{url}{old.site_id}/{SESSION_PAGE}")
            page.wait_for_selector(f"h1:has-text('{SESSION_TITLE}')")
            if workers == "block":
                page.wait_for_selector("audio[src^='blob:']", state="attached")
            assert 39 < audio_duration(page) < 41
            assert 29.5 < page.evaluate(PLAY_FROM_30_JS) < 31
    finally:
        context.close()


def test_older_missing_swapped_and_rolled_back_files_are_refused(page, plain_site, tmp_path):
    """Someone who controls the host puts back old files, deletes or swaps them: the journal
    shows none of it (the build manifest lists each file's exact version)."""
    state = State(tmp_path / ".recap")
    keys.set_password(state, SLUG, PASSWORD)
    v1 = publish(plain_site, tmp_path / "v1", state)
    newer = build_plain(tmp_path / "newer", body_extra="One sentence more.",
                        mp3=plain_site / "media" / "recording-one.mp3")  # fmt: skip
    v2_root = tmp_path / "v2"
    secrets = keys.load_secrets(state, SLUG, {})
    report = protect_site(newer, v2_root / v1.site_id, secrets=secrets, branding=BRANDING,
                          theme_dir=THEME, reuse_from=v1.root / v1.site_id)  # fmt: skip
    assert report.build == 2
    write_site_root(v2_root, BRANDING, THEME)
    v2 = Published(v2_root, secrets, state)
    live = tmp_path / "live"
    shutil.copytree(v2.root, live)
    session, other = (
        "sessions/marmalade-horizon/index.html",
        "sessions/quixotic-lanterns/index.html",
    )

    def on_host(published: Published, path: str) -> Path:
        return live / published.blob(path).relative_to(published.root)

    with serve_folder(live, prefix="/repo/", ranges=True) as url:
        journal = f"{url}{v2.site_id}/"
        open_journal(page, url, v2.site_id)
        page.goto(f"{journal}{SESSION_PAGE}")
        page.wait_for_selector("text=One sentence more.")
        # An older version of the page, put back under its name: refused. The browser's HTTP
        # cache may still hold the page's file (fresh for a moment by heuristics; minutes on
        # GitHub Pages): it is cleared, as time would, so the host's file is what is read.
        shutil.copyfile(v1.blob(session), on_host(v2, session))
        page.context.new_cdp_session(page).send("Network.clearBrowserCache")
        response = page.goto(f"{journal}{SESSION_PAGE}")
        assert response is not None and response.status == 502
        assert "not the published version" in page.inner_text("body")
        shutil.copyfile(v2.blob(session), on_host(v2, session))
        # Another page's file under this page's name: refused.
        shutil.copyfile(v2.blob("resources/index.html"), on_host(v2, other))
        response = page.goto(f"{journal}sessions/quixotic-lanterns/")
        assert response is not None and response.status == 502
        assert OTHER_TITLE not in page.inner_text("body")
        # A missing file: not found, nothing shown.
        on_host(v2, other).unlink()
        response = page.goto(f"{journal}sessions/quixotic-lanterns/")
        assert response is not None and response.status == 404
        assert "404 - Not found" in page.inner_text("article")
        assert page.locator(f"h1:has-text('{OTHER_TITLE}')").count() == 0
        # The whole site rolled back to the older build this browser has seen past: refused.
        shutil.rmtree(live / v2.site_id)
        shutil.copytree(v1.root / v1.site_id, live / v1.site_id)
        page.context.new_cdp_session(page).send("Network.clearBrowserCache")
        page.goto(f"{journal}sessions/quixotic-lanterns/")
        response = page.goto(f"{journal}{SESSION_PAGE}")
        assert response is not None and response.status == 502
        assert "older (build 1) than one this device has already opened (build 2)" in (
            page.inner_text("body")
        )
