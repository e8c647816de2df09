"""`recap new`, `recap brief` and `recap status` on the fixture project, field by field."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import numpy as np
import pytest
import yaml

from generator.brief import OpenCommitment, brief, load_one
from generator.content import split_front_matter
from generator.recordings.audio import encode_mp3


def front_matter(path):
    front, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
    return yaml.safe_load(front), body


def test_new_recap_carries_open_commitments_as_a_draft(project, cli):
    result = cli("new", "ada-quill", "--date", "2026-04-13")

    assert result.exit_code == 0, result.output
    assert result.output == (
        "created content/ada-quill/sessions/2026-04-13-session.md "
        "(status: draft; set `status: published` when it is ready)\n"
    )
    path = project.root / "content/ada-quill/sessions/2026-04-13-session.md"
    front, body = front_matter(path)
    assert front == {
        "date": dt.date(2026, 4, 13),
        "title": "Session 4",  # three recaps so far, the draft included
        "status": "draft",
        "focus": None,  # an empty list, written so that items can be added below it
        "successes": None,
        # "Drink more water" was done on 16 March; "Walk every morning" on 2 March.
        "commitments": [
            {"text": "Stretch after runs", "status": "open", "due": dt.date(2026, 3, 30)}
        ],
        "resources": None,
        "next_steps": None,
        "private": "Notes for next time:\n",
    }
    # The theme puts the body under "What we discussed": the template does not repeat it.
    assert "What we discussed" not in body
    assert body.lstrip().startswith("_What you talked about")
    assert cli("check").exit_code == 0


def test_new_recap_before_a_session_carries_only_earlier_commitments(project, cli):
    result = cli("new", "ada-quill", "--date", "2026-03-10")

    assert result.exit_code == 0, result.output
    front, _ = front_matter(project.root / "content/ada-quill/sessions/2026-03-10-session.md")
    assert front["title"] == "Session 2"
    assert front["commitments"] == ["Drink more water"]


def test_new_recap_never_overwrites(project, cli):
    first = project.root / "content/ben-marsh/sessions/2026-04-15-session.md"
    assert cli("new", "ben-marsh", "--date", "2026-04-15").exit_code == 0
    first.write_text(first.read_text() + "\nMy notes.\n")

    result = cli("new", "ben-marsh", "--date", "2026-04-15")

    assert result.exit_code == 0, result.output
    assert "created content/ben-marsh/sessions/2026-04-15-session-2.md" in result.output
    assert first.read_text().endswith("My notes.\n")
    front, _ = front_matter(first.with_name("2026-04-15-session-2.md"))
    assert front["title"] == "Session 3"


def test_new_recap_opens_the_editor(project, cli, monkeypatch, tmp_path):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\necho "EDITED BY THE EDITOR" >> "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("EDITOR", str(editor))

    result = cli("new", "ben-marsh", "--date", "2026-04-15", "--edit")

    assert result.exit_code == 0, result.output
    text = (project.root / "content/ben-marsh/sessions/2026-04-15-session.md").read_text()
    assert text.endswith("EDITED BY THE EDITOR\n")


def test_new_recap_for_an_unknown_client(project, cli):
    result = cli("new", "nobody", "--date", "2026-04-15")

    assert result.exit_code == 1
    assert result.output == (
        f"Error: no client 'nobody' in {project.root / 'content'} (clients: ada-quill, ben-marsh)\n"
    )


def test_brief_fields(project):
    b = brief(load_one(project.config(), "ada-quill"), dt.date(2026, 4, 10))

    assert b.slug == "ada-quill"
    assert b.name == "Ada Quillfeather"
    assert b.latest is not None and b.latest.title == "Progress Marmalade"
    assert b.days_since_last_session == 11  # the draft of 30 March was a session too
    assert b.open_commitments == [
        OpenCommitment("Stretch after runs", dt.date(2026, 3, 30), dt.date(2026, 3, 16), True)
    ]
    assert b.overdue == b.open_commitments
    assert b.recent_successes == [(dt.date(2026, 3, 2), "Signed up for the marathon")]
    assert [d.path.name for d in b.drafts] == ["2026-03-30-draft.md"]


def test_brief_command(project, cli):
    result = cli("brief", "ada-quill", "--today", "2026-03-20")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Ada Quillfeather · 4 days since the last session",
        "",
        "Latest recap 2026-03-16 · Progress Marmalade",
        "  Talked about stretching.",
        "",
        "Open commitments (0 overdue)",
        "  • Stretch after runs (due 2026-03-30), since 2026-03-16",
        "",
        "Recent successes",
        "  ✓ Signed up for the marathon (2026-03-02)",
        "",
        "Drafts waiting: 2026-03-30-draft.md",
    ]


@pytest.mark.parametrize(
    ("today", "heading"),
    [
        ("2026-03-17", "Ada Quillfeather · 1 day since the last session"),
        ("2026-03-30", "Ada Quillfeather · a session today"),  # the draft of 30 March
    ],
)
def test_brief_heading_says_day_and_today(project, cli, today, heading):
    result = cli("brief", "ada-quill", "--today", today)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == heading


def test_brief_json(project, cli):
    result = cli("brief", "ada-quill", "--json", "--today", "2026-04-10")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "slug": "ada-quill",
        "name": "Ada Quillfeather",
        "today": "2026-04-10",
        "days_since_last_session": 11,
        "latest": {
            "date": "2026-03-16",
            "title": "Progress Marmalade",
            "focus": [],
            "highlight": "Talked about stretching.",
            "next_steps": [],
        },
        "open_commitments": [
            {"text": "Stretch after runs", "due": "2026-03-30", "since": "2026-03-16",
             "overdue": True},
        ],
        "recent_successes": [{"date": "2026-03-02", "text": "Signed up for the marathon"}],
        "drafts": ["2026-03-30-draft.md"],
    }  # fmt: skip


@pytest.fixture
def waiting_recordings(project):
    """A recording without a recap, a draft with its recording, an inbox file, a broken client."""
    silence = np.zeros(16000, dtype=np.float32)  # recaps' recordings are checked to be audio
    for mp3 in ("ada-quill/recordings/2026-04-06.mp3", "ben-marsh/recordings/2026-04-08.mp3"):
        encode_mp3(silence, project.root / "content" / mp3, bitrate_kbps=48)
    project.recap(
        "ben-marsh",
        "2026-04-08",
        """
        date: 2026-04-08
        title: Second
        status: draft
        recording: recordings/2026-04-08.mp3
        """,
    )
    memo = project.write("inbox/ben-marsh/voice memo.m4a", "not really audio")
    when = dt.datetime(2026, 4, 1, 12).timestamp()
    os.utime(memo, (when, when))
    project.write("content/carl-broken/client.yml", "name: [unclosed\n")
    return project


def test_status_json(waiting_recordings, cli):
    project = waiting_recordings
    result = cli("status", "--json", "--today", "2026-04-09")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    state = project.config().state
    assert [row["slug"] for row in rows] == ["ada-quill", "ben-marsh", "carl-broken"]
    ada, ben, carl = rows
    assert ada == {
        "slug": "ada-quill",
        "name": "Ada Quillfeather",
        "site": f"site/{state.site_id('ada-quill')}",
        "ok": True,
        "errors": 0,
        "sessions": 2,
        "last_session": "2026-03-16",
        "open_commitments": 1,
        "overdue_commitments": 1,
        "drafts": ["content/ada-quill/sessions/2026-03-30-draft.md"],
        "recordings_waiting": [
            {
                "path": "content/ada-quill/recordings/2026-04-06.mp3",
                "session": "2026-04-06",
                "late": True,
                "draft": None,
            }
        ],
        "late": 1,
    }
    assert ben["sessions"] == 1
    assert ben["last_session"] == "2026-04-01"
    assert ben["open_commitments"] == 0
    assert ben["drafts"] == ["content/ben-marsh/sessions/2026-04-08.md"]
    assert ben["recordings_waiting"] == [
        {
            "path": "inbox/ben-marsh/voice memo.m4a",
            "session": "2026-04-01",
            "late": True,
            "draft": None,
        },
        {
            "path": "content/ben-marsh/recordings/2026-04-08.mp3",
            "session": "2026-04-08",
            "late": False,  # one day old: not yet 48 hours
            "draft": "content/ben-marsh/sessions/2026-04-08.md",
        },
    ]
    assert ben["late"] == 1
    assert carl["ok"] is False
    assert carl["errors"] == 1
    assert carl["name"] is None
    assert carl["site"] == f"site/{state.site_id('carl-broken')}"


def test_status_table_flags_late_recordings(waiting_recordings, cli):
    result = cli("status", "--today", "2026-04-09")

    assert result.exit_code == 0, result.output
    assert "1 late" in result.output
    assert (
        "broken: carl-broken: 1 error, not built nor published; run `recap check`" in result.output
    )
    assert (
        "late: ada-quill: content/ada-quill/recordings/2026-04-06.mp3 (session 2026-04-06) "
        "has no published recap after 48 hours"
    ) in result.output


def test_published_recap_clears_the_late_recording(waiting_recordings, cli):
    project = waiting_recordings
    project.recap(
        "ada-quill",
        "2026-04-06",
        """
        date: 2026-04-06
        title: Recorded
        recording: recordings/2026-04-06.mp3
        """,
    )
    rows = json.loads(cli("status", "--json", "--today", "2026-04-09").output)
    assert rows[0]["recordings_waiting"] == []
    assert rows[0]["sessions"] == 3
    assert rows[0]["last_session"] == "2026-04-06"
