"""One golden end-to-end build of the fixture project.

The rendered Markdown pages and the list of files in the built (unprotected) site are compared
with `tests/golden/`. After an intended change to the templates, regenerate them with

    make golden          (RECAP_UPDATE_GOLDEN=1 pytest tests/test_golden.py)

and review the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import numpy as np

from generator.build import build
from generator.content import load_client
from generator.recordings.audio import encode_mp3
from generator.recordings.draft import write_draft
from generator.recordings.transcribe import Segment
from generator.render import page_name, render_client

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("RECAP_UPDATE_GOLDEN") == "1"


def _compare(actual_root: Path, golden_root: Path) -> None:
    if UPDATE:
        shutil.rmtree(golden_root, ignore_errors=True)
        shutil.copytree(actual_root, golden_root)
    actual = sorted(p.relative_to(actual_root) for p in actual_root.rglob("*") if p.is_file())
    expected = sorted(p.relative_to(golden_root) for p in golden_root.rglob("*") if p.is_file())
    assert actual == expected
    for rel in actual:
        if rel.suffix in {".md", ".txt"}:
            assert (actual_root / rel).read_text() == (golden_root / rel).read_text(), rel


def test_rendered_pages_match_golden(project, tmp_path):
    config = project.config()
    client = load_client(project.root / "content" / "ada-quill").client
    docs = tmp_path / "docs"
    render_client(client, config.theme_dir(), docs)
    _compare(docs, GOLDEN / "ada-quill" / "docs")


GOLDEN_PAGE_KEY = "00" * 32
"""A fixed key naming the session pages, so that their addresses are the same every run."""


def test_built_site_files_match_golden(project, tmp_path):
    config = project.config()
    (config.state.client_dir("ada-quill") / "page-key").write_text(GOLDEN_PAGE_KEY + "\n")
    result = build(config, protect=False, only=["ada-quill"])
    assert result.built == ["ada-quill"]
    site = config.state.preview_dir / "ada-quill"
    pages = sorted(
        str(p.relative_to(site))
        for p in site.rglob("*")
        if p.is_file() and p.relative_to(site).parts[0] != "assets"
    )
    listing = tmp_path / "listing"
    listing.mkdir()
    (listing / "files.txt").write_text("\n".join(pages) + "\n")
    _compare(listing, GOLDEN / "ada-quill" / "site")
    home = (site / "index.html").read_text()
    assert "Ada Quillfeather" in home
    progress = page_name(bytes.fromhex(GOLDEN_PAGE_KEY), "2026-03-16-progress")
    assert f'href="sessions/{progress}/"' in home
    kickoff = page_name(bytes.fromhex(GOLDEN_PAGE_KEY), "2026-03-02-kickoff")
    session = (site / f"sessions/{kickoff}/index.html").read_text()
    # No address holds a date or a title word.
    assert not re.search(r"sessions/[^/]*(2026|kickoff|progress)", "\n".join(pages))
    assert "quokkaberry" in session
    assert '<span class="rj-status rj-status-done">done</span> Walk every morning' in session


def test_a_watcher_draft_the_coach_edited_and_published_matches_golden(project, tmp_path):
    """The path most sessions take: the watcher drafts, the coach edits, the client reads."""
    folder = project.root / "content" / "ben-marsh"
    encode_mp3(np.zeros(16000, dtype=np.float32), folder / "recordings/2026-04-20.mp3",
               bitrate_kbps=48)  # fmt: skip
    cue = "00:00.000 --> 00:06.000\nI managed to walk every morning before work.\n"
    (folder / "recordings/2026-04-20.vtt").write_text(f"WEBVTT\n\n{cue}", encoding="utf-8")
    path = write_draft(
        folder,
        date=dt.date(2026, 4, 20),
        recording="recordings/2026-04-20.mp3",
        transcript="recordings/2026-04-20.vtt",
        duration=1.0,
        segments=[
            Segment(0.0, 6.0, "I managed to walk every morning before work."),
            Segment(6.0, 12.0, "This week I'll call my sister about the move."),
        ],
        original_name="GMT20260420-150000.m4a",
    )
    # What the coach does, as the draft's note and `recap check` say: a title, the summary,
    # no note, no suggestions section, published, and a file name without "draft".
    text = path.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    front = re.sub(r"(?m)^title: .*$", "title: Walking into the week", front)
    front = front.replace("status: draft", "status: published")
    body = body.split("## Suggestions from the transcript")[0]
    body = "\n".join(line for line in body.splitlines() if not line.startswith(">"))
    body = body.replace(
        "_What the session was about, in a few sentences._",
        "Mornings are working: the walk sets the tone for the day.",
    )
    # The drafted outline of "What we discussed", rewritten in the coach's words.
    body = re.sub(
        r"(?ms)^(## What we discussed\n\n).*?(?=^## |\Z)",
        r"\1Mornings are working: the walk sets the tone for the day.\n\n",
        body,
    )
    path.write_text(f"{front}\n---\n{body.strip()}\n", encoding="utf-8")
    path = path.rename(path.with_name("2026-04-20.md"))  # as `recap check` suggests

    load = load_client(folder)
    assert load.problems == []
    docs = tmp_path / "docs"
    render_client(load.client, project.config().theme_dir(), docs)
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in (f"sessions/{path.stem}.md", "commitments.md"):
        shutil.copy(docs / name, pages / Path(name).name)
    _compare(pages, GOLDEN / "ben-marsh-edited-draft")
