"""The journal's pages as rendered (no browser): transcripts with voices, moments, the
timeline by year, counts that mean what they say, readable colours, the branding warning."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.build import build
from generator.charts import commitments_chart, focus_chart, progress_by_session
from generator.content import load_client
from generator.model import tracked_commitments
from generator.palette import AA, WHITE, contrast, palette_css, primary_pair, readable_on
from generator.render import page_name, read_vtt, render_client, timeline_years
from generator.whole_journal import for_year_page, rebase, split_sections
from tests.conftest import PASSWORDS


def test_read_vtt_keeps_the_speaker_and_the_start_in_seconds(tmp_path):
    vtt = tmp_path / "t.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:01.500 --> 00:00:04.000\n<v Coach>We talked about the plan.\n\n"
        "01:02:03.250 --> 01:02:05.000\n<v.loud Maya Lindqvist>Yes!</v> really\n\n"
        "02:10.000 --> 02:12.000\nno voice <b>here</b>\n\nbad --> 00:01.000\nskipped\n",
        encoding="utf-8",
    )
    cues = read_vtt(vtt)
    assert [(c.start, c.speaker, c.text, c.time) for c in cues] == [
        (1.5, "Coach", "We talked about the plan.", "0:01"),
        (3723.25, "Maya Lindqvist", "Yes! really", "1:02:03"),
        (130.0, None, "no voice here", "2:10"),
    ]


def _session(project, front_extra: str, body: str = "Body text.") -> Path:
    project.recap(
        "ada-quill",
        "2026-04-20-moments",
        f"date: 2026-04-20\ntitle: Moments\n{front_extra}",
        body,
    )
    return project.root / "content/ada-quill"


def test_moments_are_read_sorted_and_shown_with_the_transcript(project, tmp_path):
    folder = _session(
        project,
        "recording: recordings/r.mp3\ntranscript: recordings/r.vtt\nmoments:\n"
        '  - {at: "12:30", title: 7-step launch outline}\n  - {at: 65, title: Warm-up}\n',
        "## What we discussed\n\nThe launch.",
    )
    (folder / "recordings").mkdir()
    (folder / "recordings/r.mp3").write_bytes(b"ID3")
    (folder / "recordings/r.vtt").write_text(
        "WEBVTT\n\n00:01:05.000 --> 00:01:09.000\n<v Coach>Warm up first.\n", encoding="utf-8"
    )
    load = load_client(folder)
    assert load.ok, load.problems
    recap = load.client.published[-1]
    assert [(m.at, m.title) for m in recap.moments] == [
        (65.0, "Warm-up"),
        (750.0, "7-step launch outline"),
    ]
    docs = tmp_path / "docs"
    render_client(load.client, project.config().theme_dir(), docs)
    page = (docs / "sessions/2026-04-20-moments.md").read_text()
    assert '<button type="button" class="rj-seek" data-start="750.0">' in page
    assert '<span class="rj-time">12:30</span> 7-step launch outline' in page
    assert '<li class="rj-cue" data-start="65.0">' in page
    assert '<span class="rj-speaker">Coach</span>' in page
    assert 'aria-label="Play from 1:05">1:05</button>' in page
    assert page.count("What we discussed") == 1  # the body brings its own heading
    home = (docs / "index.md").read_text()
    assert 'href="sessions/2026-04-20-moments/?t=750"' in home


@pytest.mark.parametrize(
    ("moments", "message"),
    [
        ("  - {title: No time}\n", "field 'moments[0].at': required field is missing"),
        ("  - {at: soon, title: T}\n", "field 'moments[0].at': expected a time in the recording"),
        ("  - just text\n", "field 'moments[0]': expected {at: \"12:30\", title: ...}"),
    ],
)
def test_a_wrong_moment_names_its_field(project, cli, moments, message):
    _session(project, f"moments:\n{moments}")
    result = cli("check")
    assert result.exit_code == 1
    assert message in result.output


def test_the_timeline_is_grouped_by_year_newest_first(project):
    project.recap("ada-quill", "2025-11-03-earlier", "date: 2025-11-03\ntitle: Earlier")
    client = load_client(project.root / "content/ada-quill").client
    years = timeline_years(client.published)
    assert [y.year for y in years] == [2026, 2025]
    assert [(e.number, e.recap.title) for e in years[0].sessions] == [
        (3, "Progress Marmalade"),
        (2, "Kickoff Zephyrine"),
    ]
    assert [e.number for e in years[1].sessions] == [1]


def test_dropped_commitments_are_not_in_the_total(project, tmp_path):
    project.recap(
        "ada-quill",
        "2026-04-01-later",
        "date: 2026-04-01\ntitle: Later\ncommitments:\n"
        "  - {text: Stretch after runs, status: dropped}\n",
    )
    client = load_client(project.root / "content/ada-quill").client
    docs = tmp_path / "docs"
    render_client(client, project.config().theme_dir(), docs)
    home = " ".join((docs / "index.md").read_text().split())
    # Walk every morning (done), Drink more water (done), Stretch after runs (dropped)
    assert (
        '2&thinsp;/&thinsp;2</span><span class="rj-stat-label">commit&shy;ments done (1 dropped)'
        in home
    )
    commitments = (docs / "commitments.md").read_text()
    assert "<summary>Done · 2</summary>" in commitments
    assert "<summary>Dropped · 1</summary>" in commitments
    assert "Nothing open" in commitments


@pytest.mark.parametrize("colour", ["teal", "red", "amber", "lime", "indigo", "#123456", "#ffeb3b"])
def test_coach_colours_become_readable(colour):
    background, text = primary_pair(colour)
    assert contrast(background, text) >= AA
    assert contrast(readable_on(colour, "#f5f5f5"), "#f5f5f5") >= AA
    assert contrast(readable_on(colour, "#2e303e"), "#2e303e") >= AA
    assert "--md-typeset-a-color" in palette_css(colour, "amber")


def test_teal_keeps_white_text_and_is_darkened_just_enough():
    background, text = primary_pair("teal")
    assert text == WHITE
    assert 4.5 <= contrast(background, WHITE) < 4.9


def test_check_warns_while_the_coach_name_is_the_placeholder(project, cli):
    project.write("site_config.yml", "branding:\n  practice_name: P\n  coach_name: Your Name\n")
    result = cli("check")
    assert result.exit_code == 0
    assert (
        "site_config.yml:3: warning: field 'branding.coach_name': still 'Your Name': every "
        "journal and its unlock page show it; set your own name"
    ) in " ".join(result.output.split())
    project.write("site_config.yml", "branding:\n  coach_name: Alex Rivera\n")
    assert "coach_name" not in cli("check").output


def test_days_are_not_in_the_rendered_home(project, tmp_path):
    """The page does not change from day to day (the browser computes the time since)."""
    client = load_client(project.root / "content/ada-quill").client
    docs = tmp_path / "docs"
    render_client(client, project.config().theme_dir(), docs)
    assert dt.date.today().isoformat() not in (docs / "index.md").read_text()


def test_progress_counts_commitments_by_the_session_that_made_them(project):
    client = load_client(project.root / "content/ada-quill").client
    progress = progress_by_session(client.published, tracked_commitments(client))
    # kickoff made Walk every morning (done) and Drink more water (done since);
    # the second session made Stretch after runs (open)
    assert [(p.number, p.made, p.kept) for p in progress] == [(1, 2, 2), (2, 1, 0)]
    svg = commitments_chart(progress)
    assert svg.startswith('<svg class="rj-chart"') and svg.count('class="rj-chart-made"') == 2
    assert "session 1: 2 made, 2 done; session 2: 1 made, 0 done" in svg
    assert "\n\n" not in svg  # one raw HTML block for Markdown
    focus = focus_chart(client.published)
    assert "sleep: sessions 1" in focus and focus.count('class="rj-chart-dot"') == 1


def test_the_whole_journal_page_holds_every_session_in_order_and_stays_out_of_search(
    project, tmp_path
):
    client = load_client(project.root / "content/ada-quill").client
    docs = tmp_path / "docs"
    journal = render_client(client, project.config().theme_dir(), docs)
    page = (docs / "journal" / "2026.md").read_text()
    assert page.index("Kickoff Zephyrine") < page.index("Progress Marmalade")
    assert "DRAFT-TITLE-MARKER" not in page
    assert "search:\n  exclude: true" in page
    assert "<!-- rj-sections-of sessions/" in page  # filled from the session pages
    assert {"Whole journal": "journal/2026.md"} in journal.nav
    assert 'href="journal/2026/"' in (docs / "index.md").read_text()  # from the timeline


def test_the_whole_journal_is_a_page_per_year_latest_first(project, tmp_path):
    folder = project.root / "content/ada-quill"
    (folder / "sessions/2025-11-03.md").write_text(
        "---\ndate: 2025-11-03\ntitle: Autumn Quincewort\n---\n\nBefore the new year.\n"
    )
    client = load_client(folder).client
    docs = tmp_path / "docs"
    journal = render_client(client, project.config().theme_dir(), docs)
    assert {"Whole journal": [{"2026": "journal/2026.md"}, {"2025": "journal/2025.md"}]} in (
        journal.nav
    )
    earlier, later = ((docs / "journal" / f"{y}.md").read_text() for y in (2025, 2026))
    assert "Autumn Quincewort" in earlier and "Autumn Quincewort" not in later
    assert "Kickoff Zephyrine" in later and "Kickoff Zephyrine" not in earlier
    assert 'id="session-1"' in earlier and 'id="session-2"' in later  # numbered in the history
    assert '<a href="../2025/">2025</a>' in later and '<a href="../2026/">2026</a>' in earlier
    timeline = (docs / "index.md").read_text()
    assert timeline.index('href="journal/2026/"') < timeline.index('href="journal/2025/"')


def test_the_whole_journal_shows_each_session_s_sections_as_its_page_does(project):
    """Made from the session pages as rendered: the recap's headings one level down, its
    anchors its own, links that still lead where they led from the session page."""
    config = project.config()
    assert build(config, protect=False).ok
    site = config.state.preview_dir / "ada-quill"
    key = config.state.page_key("ada-quill")
    year = (site / "journal/2026/index.html").read_text()
    kickoff, progress = (
        (site / f"sessions/{page_name(key, name)}/index.html").read_text()
        for name in ("2026-03-02-kickoff", "2026-03-16-progress")
    )
    assert "rj-sections" not in kickoff + progress + year  # no markers left
    assert '<h2 id="notes">Notes' in progress
    assert '<h3 id="s2-notes">Notes' in year  # one level down, the session's own anchor
    assert 'href="#s2-notes"' in year  # its permalink too
    ids = re.findall(r' id="([^"]+)"', year)
    assert len(ids) == len(set(ids)) and "s1-successes" in ids and "s2-resources" in ids
    assert "quokkaberry" in kickoff and "quokkaberry" in year
    assert "Talked about stretching." in progress and "Talked about stretching." in year


def test_split_sections_takes_the_marked_part_and_the_footnotes_it_points_to():
    page = (
        '<h1 id="t">T</h1>\n<!-- rj-sections -->\n\n<h2 id="s">S</h2>\n<p>a<sup id="fnref:1">'
        '</sup></p>\n<!-- /rj-sections -->\n\n<h2 id="transcript">Transcript</h2>\n'
        '<div class="footnote">\n<ol><li id="fn:1">note</li></ol>\n</div>'
    )
    content, sections = split_sections(page)
    assert "rj-sections" not in content and content.count('<h2 id="s">') == 1
    assert sections == (
        '<h2 id="s">S</h2>\n<p>a<sup id="fnref:1"></sup></p>\n'
        '<div class="footnote">\n<ol><li id="fn:1">note</li></ol>\n</div>'
    )
    assert split_sections("<p>no marks</p>") == ("<p>no marks</p>", None)


def test_for_year_page_moves_headings_down_but_not_code_and_rebases_links():
    html = (
        '<h2 id="a">A<a class="headerlink" href="#a">¶</a></h2>\n<h6 id="f">F</h6>\n'
        "<pre><code>&lt;h2 id=&quot;x&quot;&gt;</code></pre>\n"
        '<p>see <a href="../other/#successes">last week</a>, <a href="../../resources/">'
        'resources</a>, <a href="https://example.org/a?b#c">a site</a>, '
        '<img alt="" src="chart.png"></p>'
    )
    assert for_year_page(html, "sessions/this/", "journal/2026/", "s3-") == (
        '<h3 id="s3-a">A<a class="headerlink" href="#s3-a">¶</a></h3>\n<h6 id="s3-f">F</h6>\n'
        "<pre><code>&lt;h2 id=&quot;x&quot;&gt;</code></pre>\n"
        '<p>see <a href="../../sessions/other/#successes">last week</a>, '
        '<a href="../../resources/">resources</a>, <a href="https://example.org/a?b#c">a site'
        '</a>, <img alt="" src="../../sessions/this/chart.png"></p>'
    )
    assert rebase("../other/?q=1#x", "sessions/this/", "journal/2026/") == (
        "../../sessions/other/?q=1#x"
    )
    assert rebase("mailto:a@b.org", "sessions/this/", "journal/2026/") == "mailto:a@b.org"


def test_recap_link_adds_a_revocable_link_password(project, cli, monkeypatch):
    from generator.protection import keys

    monkeypatch.delenv("RECAP_PASSWORD_ADA_QUILL")
    project.write(
        "site_config.yml",
        "branding: {coach_name: C}\npublish: {base_url: https://coach.example/j}\n",
    )
    state = project.config().state
    keys.set_password(state, "ada-quill", PASSWORDS["ada-quill"])
    result = cli("link", "ada-quill")
    assert result.exit_code == 0, result.output
    site_id = state.site_id("ada-quill")
    line = next(s for s in result.output.split() if s.startswith("https://"))
    address, password = line.split("#k=")
    assert address == f"https://coach.example/j/{site_id}/"
    assert len(password) == 40 and password == keys.fold_password(password)
    assert keys.password_labels(state, "ada-quill") == ["client", "link"]
    entry = next(e for e in keys._stored_entries(state, "ada-quill") if e.label == "link")
    assert keys.unwrap_key(entry, password, site_id) == keys.content_key(state, "ada-quill")
    assert "previous link" not in result.output
    again = cli("link", "ada-quill")
    assert "The previous link no longer works." in " ".join(again.output.split())
    assert cli("link", "ada-quill", "--remove").exit_code == 0
    assert keys.password_labels(state, "ada-quill") == ["client"]


def test_recap_link_warns_while_the_environment_password_rules(project, cli):
    result = cli("link", "ada-quill")
    assert result.exit_code == 0
    assert "RECAP_PASSWORD_ADA_QUILL is set" in " ".join(result.output.split())


def test_a_long_history_keeps_the_home_page_short(project, tmp_path):
    for day in range(1, 13):
        project.recap("ben-marsh", f"2026-05-{day:02d}", f"date: 2026-05-{day:02d}\ntitle: S{day}")
    project.recap("ben-marsh", "2025-12-01", "date: 2025-12-01\ntitle: Last year")
    client = load_client(project.root / "content/ben-marsh").client
    docs = tmp_path / "docs"
    render_client(client, project.config().theme_dir(), docs)
    home = (docs / "index.md").read_text()
    shown, folded = home.split("<details", 1)
    # the 8 latest sessions open, newest first; the other 5 of 2026 and 2025 folded away
    assert shown.count('class="rj-entry"') == 8 and shown.index("S12") < shown.index("S5")
    assert "<summary>Earlier in 2026 · 5 sessions</summary>" in folded
    assert "<summary>2025 · 1 session</summary>" in folded
