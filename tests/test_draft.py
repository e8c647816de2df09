"""Draft recaps from a transcript written for the test: candidates found, file loads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.content import load_client
from generator.draft import extract, find_draft, write_draft
from generator.transcribe import Segment

SESSION = [
    Segment(0.0, 6.0, "So how did the week go? Well, I managed to walk every morning"),
    Segment(6.0, 9.0, "before work."),
    Segment(
        9.0, 15.0, "And I've been sleeping better since we talked. I did the breathing breaks."
    ),
    Segment(
        15.0,
        24.0,
        "This week I'll call my sister about the move, and I'm going to book the GP by Friday.",
    ),
    Segment(
        24.0,
        31.0,
        "You should check out the Calm app. There is a great article at "
        "www.example.com/box-breathing too.",
    ),
    Segment(31.0, 36.0, "I will. I'll try. Will you send me the link? I've been to the gym twice."),
    Segment(36.0, 40.0, "I finally cleared my inbox. Have a look at https://example.org/sleep."),
]


def test_candidates_are_found_with_their_time_and_sentence() -> None:
    found = extract(SESSION)
    assert [s.text for s in found.commitments] == [
        "Call my sister about the move this week",
        "Book the GP by Friday",
    ]
    assert found.commitments[1].at == 15.0
    assert "I'm going to book the GP by Friday." in found.commitments[1].quote
    assert [s.text for s in found.successes] == [
        "Managed to walk every morning before work",
        "Sleeping better since we talked",
        "Did the breathing breaks",
        "Cleared my inbox",
    ]
    assert [s.url for s in found.resources] == [
        "https://www.example.com/box-breathing",
        "https://example.org/sleep",
    ]
    assert [s.text for s in found.mentions] == ["the Calm app"]


def test_nothing_is_invented_from_plain_speech() -> None:
    found = extract([Segment(0, 11, "And so my fellow Americans ask not what your country can do")])
    assert (found.commitments, found.successes, found.resources, found.mentions) == ([], [], [], [])


@pytest.fixture
def client(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "jane-doe"
    (folder / "sessions").mkdir(parents=True)
    (folder / "recordings").mkdir()
    (folder / "client.yml").write_text("name: Jane Doe\n", encoding="utf-8")
    (folder / "sessions" / "2026-10-19-start.md").write_text(
        "---\ndate: 2026-10-19\ntitle: Start\ncommitments:\n"
        "  - text: Write down three goals\n    due: 2026-10-26\n"
        "  - text: Sign up for yoga\n    status: done\n---\n\nBody.\n",
        encoding="utf-8",
    )
    for name in ("2026-11-02.mp3", "2026-11-02-b.mp3"):
        (folder / "recordings" / name).write_bytes(b"ID3")  # recap check reads the first bytes
    for name in ("2026-11-02.vtt", "2026-11-02-b.vtt"):
        (folder / "recordings" / name).write_bytes(b"WEBVTT\n")
    return folder


def draft(client: Path, stem: str) -> Path:
    return write_draft(
        client,
        date=dt.date(2026, 11, 2),
        recording=f"recordings/{stem}.mp3",
        transcript=f"recordings/{stem}.vtt",
        duration=3125.46,
        segments=SESSION,
        original_name="GMT20261102-150000.m4a",
    )


def test_a_draft_loads_with_suggestions_and_carried_commitments(client: Path) -> None:
    path = draft(client, "2026-11-02")
    assert path.name == "2026-11-02-draft.md"
    load = load_client(client)
    assert load.problems == []
    recap = next(r for r in load.client.recaps if r.path == path)
    assert recap.status == "draft" and not recap.published
    assert recap.recording == client / "recordings" / "2026-11-02.mp3"
    assert recap.transcript == client / "recordings" / "2026-11-02.vtt"
    assert recap.duration == 3125.5
    assert [c.text for c in recap.commitments] == [
        "Write down three goals",
        "Call my sister about the move this week",
        "Book the GP by Friday",
    ]
    assert recap.commitments[0].due == dt.date(2026, 10, 26)
    assert recap.successes[0] == "Managed to walk every morning before work"
    assert [r.url for r in recap.resources] == [
        "https://www.example.com/box-breathing",
        "https://example.org/sleep",
    ]
    assert "are suggestions heard in the transcript" in recap.body
    assert "**Book the GP by Friday** — at 0:15: \"This week I'll call" in recap.body
    assert "the Calm app" in recap.body
    assert "- Write down three goals (due 2026-10-26): carried over above" in recap.body
    assert find_draft(client, "recordings/2026-11-02.mp3") == path


def test_a_second_recording_on_the_same_day_gets_its_own_draft(client: Path) -> None:
    existing = client / "sessions" / "2026-11-02-draft.md"
    existing.write_text("---\ndate: 2026-11-02\ntitle: Mine\n---\n\nThe coach's.\n", "utf-8")
    first = draft(client, "2026-11-02")
    second = draft(client, "2026-11-02-b")
    assert (first.name, second.name) == ("2026-11-02-draft-2.md", "2026-11-02-draft-3.md")
    assert existing.read_text(encoding="utf-8").endswith("The coach's.\n")
    load = load_client(client)
    # Flagged, in case they are one session written twice (and the coach's published
    # "-draft.md" for its name, which its page's address would show).
    named, same_day = load.problems
    assert named.message.startswith("published, but the file name ends in '-draft'")
    assert same_day.severity == "warning"
    assert same_day.message.startswith("3 recaps dated 2026-11-02 (2026-11-02-draft-2.md, ")
    titles = [r.title for r in load.client.recaps if r.date == dt.date(2026, 11, 2)]
    assert sorted(titles) == [
        "Mine",
        "Session of 2 November 2026 (draft 2)",
        "Session of 2 November 2026 (draft)",
    ]
