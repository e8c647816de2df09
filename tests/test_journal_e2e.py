"""The whole journal, end to end: `recap build` of a project with a recording and a transcript,
served from a plain static server, opened in Debian's chromium with the client's password.

This is the new user's path of issues 2 and 3 together; the leak scan runs over everything the
build wrote to `site/`.
"""

from __future__ import annotations

import pytest

from generator.build import client_output
from tests.browser import audio_duration, serve_folder
from tests.leakscan import assert_no_leaks
from tests.sample_site import make_mp3

pytestmark = pytest.mark.browser

PASSWORD = "velvet tundra orchard pivot"  # conftest.PASSWORDS["ada-quill"]
NEEDLES = [
    "Ada Quillfeather",
    "ada-quill",
    "Kickoff Zephyrine",
    "Progress Marmalade",
    "quokkaberry",
    "https://example.org/sleep-basics",
    "https://example.org/stretching",
    "Walk every morning",
    "Signed up for the marathon",
    "flibbertigibbet",  # a transcript word
    "ada@example.com",
    "PRIVATE-CLIENT-MARKER",
    "PRIVATE-RECAP-MARKER",
    "DRAFT-TITLE-MARKER",
    "DRAFT-BODY-MARKER",
    "Ben Marsh",
    "ben-marsh",
    "Brigantine",
]


@pytest.fixture
def built(project, cli):
    recordings = project.root / "content/ada-quill/recordings"
    make_mp3(recordings / "2026-03-16.mp3", 30)
    (recordings / "2026-03-16.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nWe talked about the flibbertigibbet plan.\n"
    )
    path = project.root / "content/ada-quill/sessions/2026-03-16-progress.md"
    path.write_text(
        path.read_text().replace(
            "title: Progress Marmalade",
            "title: Progress Marmalade\nrecording: recordings/2026-03-16.mp3\n"
            "transcript: recordings/2026-03-16.vtt",
        )
    )
    result = cli("build")
    assert result.exit_code == 0, result.output
    return project


def test_nothing_about_a_client_is_readable_in_the_built_site(built):
    site = built.root / "site"
    assert_no_leaks(site, NEEDLES)
    # the original recording's bytes are not published either
    mp3 = (built.root / "content/ada-quill/recordings/2026-03-16.mp3").read_bytes()
    for path in site.rglob("*"):
        if path.is_file():
            assert mp3[1000:1064] not in path.read_bytes(), path


def test_the_journal_opens_with_the_password_and_shows_everything(built, browser):
    site_id = client_output(built.config(), "ada-quill").name
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        with serve_folder(built.root / "site", prefix="/journals/") as base:
            page.goto(f"{base}{site_id}/")
            assert "Ada" not in page.content()
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("h1:has-text('Ada Quillfeather')")
            # Material's styles come from the one copy shared by all journals, at the root.
            sheets = page.evaluate("[...document.styleSheets].map(s => s.href)")
            assert f"{base}assets/journal.css" in sheets, sheets
            assert page.eval_on_selector(".md-header", "e => getComputedStyle(e).position") in {
                "sticky",
                "fixed",
            }
            article = page.inner_text("article")
            assert "latest session · 16 march 2026" in article.lower()  # shown in capitals
            assert "Progress Marmalade" in page.inner_text(".rj-latest")
            assert "2 sessions so far" in " ".join(article.split())
            page.click("a.rj-title >> text=Progress Marmalade")
            page.wait_for_selector("h1:has-text('Progress Marmalade')")
            duration = audio_duration(page)
            assert 29 < duration < 31
            assert "0:30" in page.inner_text(".rj-recording figcaption")
            assert "flibbertigibbet" in page.inner_text(".rj-transcript")
            page.goto(f"{base}{site_id}/commitments/")
            page.wait_for_selector("h1:has-text('Commitments')")
            assert page.locator(".rj-due.rj-overdue").count() == 1  # Stretch after runs
            page.click("input.md-search__input, label.md-header__button[for=__search]")
            page.keyboard.type("quokkaberry")
            # Results refresh as each letter is typed: wait for the whole word's result.
            hit = page.wait_for_selector(".md-search-result__item:has-text('quokkaberry')")
            assert "Kickoff Zephyrine" in hit.inner_text()
    finally:
        context.close()
