"""The client's journal in chromium, as a client uses it: the encrypted site served like GitHub
Pages, opened with the password, on a phone (390 and 320 px) and a laptop, light and dark.

axe-core finds no serious or critical violation on any page type; nothing scrolls sideways;
the menu button is reachable with Tab; the transcript, the moments and the player work.
Screenshots of every page go to `test-artifacts/screenshots/` (git-ignored) to be looked at.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from generator.build import build, client_output
from generator.config import load_config
from generator.protection import keys
from generator.render import page_name
from tests.axe import axe_source, serious, violations
from tests.browser import audio_duration, serve_folder
from tests.conftest import PASSWORDS, SITE_CONFIG, Project, write_fixture_content
from tests.sample_site import make_mp3

pytestmark = pytest.mark.browser

PASSWORD = PASSWORDS["ada-quill"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PAGE_KEY = "11" * 32
"""A fixed key naming the session pages (their addresses are keyed hashes)."""
SESSION = f"sessions/{page_name(bytes.fromhex(PAGE_KEY), '2026-03-16-progress')}/"
PAGES = {
    "home": "",
    "session": SESSION,
    "commitments": "commitments/",
    "resources": "resources/",
    "journal": "journal/2026/",
    "missing": "sessions/no-such-page/",  # an old or mistyped link: the journal's 404 page
}
PHONES = {"phone390": (390, 844), "phone320": (320, 568)}
LAPTOP = (1280, 800)
TRANSCRIPT = """\
WEBVTT

00:00:00.000 --> 00:00:04.200
<v Coach>Welcome back, how did the fortnight go?

00:00:04.200 --> 00:00:09.000
<v Ada Quillfeather>Better than I hoped, I stretched after every run.

00:00:09.000 --> 00:00:15.500
<v Coach>Let us write down the seven step outline for the race.

00:00:15.500 --> 00:00:21.000
<v Ada Quillfeather>I keep the zanzibarite notebook by the bed now.

00:00:21.000 --> 00:00:28.000
<v Coach>Good, we will look at it next time.
"""


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    """The fixture project with a recording, a transcript with voices and two moments, built
    and protected; yields (site folder, ada's site id)."""
    root = tmp_path_factory.mktemp("journal") / "coach"
    root.mkdir()
    project = Project(root)
    project.write("site_config.yml", SITE_CONFIG)
    write_fixture_content(project)
    recordings = root / "content/ada-quill/recordings"
    make_mp3(recordings / "2026-03-16.mp3", 30)
    (recordings / "2026-03-16.vtt").write_text(TRANSCRIPT, encoding="utf-8")
    recap = root / "content/ada-quill/sessions/2026-03-16-progress.md"
    recap.write_text(
        recap.read_text().replace(
            "title: Progress Marmalade",
            textwrap.dedent("""\
                title: Progress Marmalade
                recording: recordings/2026-03-16.mp3
                transcript: recordings/2026-03-16.vtt
                moments:
                  - {at: "0:09", title: Seven step outline}
                  - {at: 21, title: Next time}"""),
        )
    )
    config = load_config(root / "site_config.yml")
    (config.state.client_dir("ada-quill") / "page-key").write_text(PAGE_KEY + "\n")
    # Ada's passwords are stored (a one-tap link is a stored password too); Ben's from the env.
    keys.set_password(config.state, "ada-quill", PASSWORD)
    link = keys.new_link_password(config.state, "ada-quill")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RECAP_PASSWORD_BEN_MARSH", PASSWORDS["ben-marsh"])
        result = build(config, jobs=1)
    assert "ada-quill" in result.built, result
    yield root / "site", client_output(config, "ada-quill").name, link


@pytest.fixture(scope="module")
def base(journal):
    with serve_folder(journal[0], prefix="/journals/", ranges=True) as url:
        yield url


@pytest.fixture(scope="module")
def axe():
    return axe_source()


def open_journal(
    browser, base: str, site_id: str, *, scheme: str = "light", size=PHONES["phone390"]
):
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, color_scheme=scheme
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}{site_id}/")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Ada Quillfeather')")
    return context, page


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def overflow(page) -> int:
    """How far the page scrolls sideways (0: it fits)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def inspect(page, axe: str, kind: str, size: str, scheme: str) -> list[str]:
    """Screenshot the page; return its serious axe findings and any sideways scrolling."""
    shoot(page, f"{kind}-{size}-{scheme}")
    problems = [f"{kind} {size}: {v}" for v in serious(violations(page, axe))]
    if size != "laptop" and overflow(page) > 0:
        problems.append(f"{kind} {size}: scrolls sideways by {overflow(page)} px")
    return problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_type_passes_axe_and_fits_a_phone(browser, base, journal, axe, scheme):
    site_id = journal[1]
    problems: list[str] = []
    unlock = browser.new_context(color_scheme=scheme)
    try:
        page = unlock.new_page()
        for name, size in {**PHONES, "laptop": LAPTOP}.items():
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.goto(f"{base}{site_id}/")
            page.wait_for_selector("#password")
            problems += inspect(page, axe, "unlock", name, scheme)
    finally:
        unlock.close()
    context, page = open_journal(browser, base, site_id, scheme=scheme)
    try:
        for name, size in {**PHONES, "laptop": LAPTOP}.items():
            page.set_viewport_size({"width": size[0], "height": size[1]})
            for kind, path in PAGES.items():
                page.goto(f"{base}{site_id}/{path}")
                page.wait_for_selector("article h1")
                page.wait_for_load_state("networkidle")
                problems += inspect(page, axe, kind, name, scheme)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


FOCUSED = """() => {
    const e = document.activeElement;
    const name = (e.getAttribute("aria-label") || e.textContent || "").trim();
    return name + "|" + (e.closest(".md-sidebar") ? "drawer" : "");
}"""
"""The focused element's name, and `drawer` when it is inside the navigation drawer."""


def test_the_menu_is_reachable_with_tab_and_the_closed_drawer_is_not(browser, base, journal):
    context, page = open_journal(browser, base, journal[1])
    try:
        page.goto(f"{base}{journal[1]}/")
        page.wait_for_selector("article h1")
        page.locator("body").focus()
        seen = []
        for _ in range(12):
            page.keyboard.press("Tab")
            seen.append(page.evaluate(FOCUSED))
            if seen[-1].startswith("Menu|"):
                break
        assert seen[-1] == "Menu|", seen
        assert not any(s.endswith("|drawer") for s in seen), seen
        # the first link of the timeline is a few presses away, not 74
        for _ in range(14):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.classList.contains('rj-title')"):
                break
        else:
            pytest.fail("no timeline link within 15 presses of the menu button")
        page.keyboard.press("Shift+Tab")  # back to the header
        page.focus("label.md-header__button[for=__drawer]")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.getElementById('__drawer').checked")
        page.wait_for_function(
            "() => document.activeElement.closest('.md-sidebar--primary') !== null"
        )  # the focus moved into the open drawer
    finally:
        context.close()


def test_controls_are_big_enough_for_a_finger(browser, base, journal):
    context, page = open_journal(browser, base, journal[1], size=PHONES["phone320"])
    try:
        small = []
        for path in PAGES.values():
            page.goto(f"{base}{journal[1]}/{path}")
            page.wait_for_selector("article h1")
            small += page.evaluate("""() => Array.from(document.querySelectorAll(
                "article button, article select, article summary, a.rj-title, .rj-prevnext a,"
                + " .rj-commitment a, .md-header__button, .rj-download, .rj-entry-moments a"))
                .filter((e) => e.offsetParent !== null)
                .map((e) => [e.className + ' ' + e.textContent.trim().slice(0, 30),
                             e.getBoundingClientRect().height])
                .filter(([, h]) => h < 44)""")
        assert small == []
    finally:
        context.close()


def test_the_transcript_and_moments_seek_and_the_speed_is_remembered(browser, base, journal):
    context, page = open_journal(browser, base, journal[1])
    try:
        page.goto(f"{base}{journal[1]}/{SESSION}")
        assert 29 < audio_duration(page) < 31
        lines = page.locator(".rj-transcript .rj-cue")
        assert lines.count() == 5
        assert lines.nth(1).inner_text().split()[:3] == ["0:04", "Ada", "Quillfeather"]
        assert lines.nth(1).get_attribute("data-start") == "4.2"
        lines.nth(3).locator(".rj-cue-text").click()
        page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime"
                               " - 15.5) < 0.3")  # fmt: skip
        page.wait_for_selector(".rj-cue.rj-current[data-start='15.5']")
        # Enter on a line's time seeks too
        lines.nth(2).locator("button.rj-cue-time").focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime"
                               " - 9) < 0.3")  # fmt: skip
        page.evaluate("() => document.querySelector('audio').pause()")
        # a moment seeks
        page.click("nav.rj-moments button:has-text('Next time')")
        page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime"
                               " - 21) < 0.3")  # fmt: skip
        page.evaluate("() => document.querySelector('audio').pause()")
        # speed and skip
        page.select_option(".rj-speed select", "1.5")
        assert page.evaluate("() => document.querySelector('audio').playbackRate") == 1.5
        page.click("button.rj-skip[data-skip='-15']")
        page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime"
                               " - 6) < 0.5")  # fmt: skip
        page.wait_for_function("""() => Object.keys(localStorage).some(
            (k) => k.startsWith('rj-position:') && localStorage.getItem(k) === '6')""")
        page.reload()
        audio_duration(page)
        assert page.input_value(".rj-speed select") == "1.5"
        assert page.evaluate("() => document.querySelector('audio').playbackRate") == 1.5
        # resumed where the client stopped (paused at 6 s)
        page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime"
                               " - 6) < 1")  # fmt: skip
        # the download is the decrypted mp3
        with page.expect_download() as download:
            page.click("a.rj-download")
        original = journal[0].parent / "content/ada-quill/recordings/2026-03-16.mp3"
        assert Path(download.value.path()).read_bytes() == original.read_bytes()
        assert download.value.suggested_filename == "session-2026-03-16.mp3"
        # a moment on the timeline opens the session at that moment
        page.goto(f"{base}{journal[1]}/")
        page.click(".rj-entry-moments a:has-text('Seven step outline')")
        page.wait_for_selector("h1:has-text('Progress Marmalade')")
        page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime"
                               " - 9) < 0.3")  # fmt: skip
    finally:
        context.close()


def test_a_word_spoken_only_in_the_transcript_is_found_and_opens_at_its_moment(
    browser, base, journal
):
    context, page = open_journal(browser, base, journal[1], scheme="dark")
    try:
        page.click("label.md-header__button[for=__search]")
        page.keyboard.type("zanzibarite")
        # Results refresh as each letter is typed: click once the whole word's result is there
        # (the transcript's section, which shows the word).
        page.locator("a.md-search-result__link:has(mark:has-text('zanzibarite'))").first.click()
        page.wait_for_selector("h1:has-text('Progress Marmalade')")
        page.wait_for_function("() => Math.abs(document.querySelector('audio').currentTime"
                               " - 15.5) < 0.3")  # fmt: skip
        assert "zanzibarite" in page.inner_text(".rj-cue.rj-found")
        shoot(page, "search-hit-phone390-dark")
    finally:
        context.close()


def test_the_whole_journal_prints_every_session_in_order(browser, base, journal):
    context, page = open_journal(browser, base, journal[1], size=LAPTOP)
    try:
        page.goto(f"{base}{journal[1]}/journal/2026/")
        titles = page.locator("h2.rj-print-session").all_inner_texts()
        assert titles == ["Kickoff Zephyrine", "Progress Marmalade"]
        assert "quokkaberry" in page.inner_text("article")  # the recaps themselves
        page.emulate_media(media="print")
        hidden = page.evaluate("""() => ['.md-header', '.md-sidebar--primary', '.rj-print-hint']
            .map((s) => getComputedStyle(document.querySelector(s)).display)""")
        assert hidden == ["none", "none", "none"]
        assert page.locator("article audio").count() == 0
        # On paper a titled link out prints its address once; a bare address and the
        # journal's own (opaque) page addresses print nothing more.
        after = dict(page.evaluate("""() => [...document.querySelectorAll('article a[href]')]
            .map((a) => [a.host === location.host ? 'own page' : a.textContent.trim(),
                         getComputedStyle(a, '::after').content])"""))  # fmt: skip
        assert after == {
            "Sleep basics": '" (https://example.org/sleep-basics)"',
            "Stretching guide": '" (https://example.org/stretching)"',
            "https://example.org/sleep-basics": "none",
            "own page": "none",
        }
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pdf = page.pdf(path=str(ARTIFACTS / "whole-journal.pdf"), format="A4")
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2  # a page per session at least
        # a session page prints without its player and navigation
        page.goto(f"{base}{journal[1]}/{SESSION}")
        assert (
            page.evaluate(
                "() => getComputedStyle(document.querySelector('.rj-recording audio')).display"
            )
            == "none"
        )
    finally:
        context.close()


def test_add_to_home_screen_gets_the_coach_s_name_and_icon(browser, base, journal):
    context, page = open_journal(browser, base, journal[1])
    try:
        manifest = page.evaluate("""() => fetch(document.querySelector("link[rel=manifest]").href)
            .then((answer) => answer.json())""")
        assert manifest["name"] == "Test Practice"
        assert manifest["start_url"] == "./"
        assert "Coach Testperson" in manifest["description"]
        icon = page.evaluate(
            """(src) => fetch(new URL(src, document.querySelector("link[rel=manifest]").href))
                .then((answer) => [answer.status, answer.headers.get("content-type")])""",
            manifest["icons"][0]["src"],
        )
        assert icon[0] == 200 and icon[1].startswith("image/svg+xml")
    finally:
        context.close()


def test_the_one_tap_link_opens_the_journal_and_leaves_no_key_in_the_address_bar(
    browser, base, journal
):
    _, site_id, link = journal
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{base}{site_id}/#k={link}")
        page.wait_for_selector("h1:has-text('Ada Quillfeather')")
        assert link not in page.url and "#" not in page.url
        assert page.evaluate("() => history.length") <= 2  # the link's address was replaced
        # the device keeps the journal open: the link again lands on the journal at once
        page.goto(f"{base}{site_id}/#k={link}")
        page.wait_for_selector("h1:has-text('Ada Quillfeather')")
        page.wait_for_function("() => !location.hash")
        shoot(page, "one-tap-link-phone390-dark")
    finally:
        context.close()
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{base}{site_id}/#k={'x' * 40}")
        page.wait_for_selector("#message.error:has-text('This link no longer opens')")
        assert "#" not in page.url
        assert page.input_value("#password") == ""
    finally:
        context.close()
