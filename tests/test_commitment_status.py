"""Property: every page shows a commitment's latest status, whatever order it changed in.

A commitment is one thing across recaps (the same words, any case or spacing); the status
of the latest published recap that mentions it is its status on every session page and on
the Commitments page, so an old page never shows "open" (and "overdue") for a commitment
marked done since. Hypothesis draws the client's history; the real renderer writes the pages.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import builtin_themes_dir
from generator.model import Client, Commitment, Recap, commitment_key
from generator.render import render_client

THEME = builtin_themes_dir() / "default"
TEXTS = ["Walk every morning", "Call Dana about the move", "Book the GP", "Write three goals"]
ITEM = re.compile(r'<li class="rj-commitment" data-status="(\w+)">.*?</span> (.*?) (?:<|\s*</li>)')


def variant(text: str) -> st.SearchStrategy[str]:
    """The same commitment as a coach might retype it: other case, other spacing."""
    return st.sampled_from([text, text.upper(), text.lower(), text.replace(" ", "  ")])


commitments = st.lists(
    st.builds(
        Commitment,
        text=st.sampled_from(TEXTS).flatmap(variant),
        status=st.sampled_from(["open", "done", "dropped"]),
        due=st.none() | st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ),
    max_size=4,
    unique_by=lambda c: commitment_key(c.text),
)
sessions = st.lists(st.tuples(commitments, st.booleans()), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(history=sessions)
def test_every_page_shows_each_commitments_latest_status(history):
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "ada"
        recaps = [
            Recap(
                path=folder / "sessions" / f"2026-03-{day + 1:02d}.md",
                date=dt.date(2026, 3, day + 1),
                title=f"Session {day + 1}",
                status="published" if published else "draft",
                commitments=items,
            )
            for day, (items, published) in enumerate(history)
        ]
        client = Client(slug="ada", folder=folder, name="Ada", recaps=recaps)
        latest: dict[str, str] = {}
        for recap in client.published:
            for c in recap.commitments:
                latest[commitment_key(c.text)] = c.status

        docs = Path(scratch) / "docs"
        render_client(client, THEME, docs)

        for recap in client.published:
            page = (docs / "sessions" / f"{recap.slug}.md").read_text(encoding="utf-8")
            shown = [(status, html.unescape(text)) for status, text in ITEM.findall(page)]
            assert [commitment_key(text) for _, text in shown] == [
                commitment_key(c.text) for c in recap.commitments
            ]
            for status, text in shown:
                assert status == latest[commitment_key(text)], (recap.slug, text)
        listing = (docs / "commitments.md").read_text(encoding="utf-8")
        listed = {commitment_key(html.unescape(t)): s for s, t in ITEM.findall(listing)}
        assert listed == latest
