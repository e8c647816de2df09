"""A draft recap from a transcript: who committed to what, what was discussed, what is next.

The draft is `content/<slug>/sessions/<date>-draft.md` with `status: draft`, so it never
reaches the client's site until the coach publishes it. What is drafted, and where:

- The front matter's lists, in the coach's usual style, each item clean enough to keep as it
  is: `successes` and `commitments` heard from the client (the still-open commitments of
  earlier sessions carried over first; one said again is not drafted twice), `resources`
  with an address (heard or spelt out: "example dot com slash sleep"), `next_steps`, `focus`
  (the client's earlier tags that came up again) and `moments` (each topic's time and title,
  the journal's chapters).
- Under `private:` (never published, never emailed): the coach's own promises ("I'll send you
  the chapter..."), what is to be sent (to add under `resources` once its link is known), and
  each suggestion with its time and the sentence it came from, for checking.
- The body: a note that all of it was drafted, "What we discussed" (one bullet per topic, its
  most central sentence and time: `summary.py`) and the titled resources heard without an
  address (books, podcasts, apps), each with its time; one whose title was not heard clearly
  is quoted as heard, for the coach to put right.

Who said what comes from the transcript's speakers (`speakers.py`); see `heard.py`.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import yaml

from generator.content import load_client, split_front_matter, write_new_recap
from generator.model import Commitment, open_commitments
from generator.recordings.heard import Heard, Suggestions, extract, sentences, similar
from generator.recordings.summary import Topic, topics
from generator.recordings.transcribe import Segment, clock

log = logging.getLogger(__name__)

__all__ = ["Heard", "Suggestions", "extract", "find_draft", "write_draft"]


def find_draft(client_folder: Path, recording: str) -> Path | None:
    """The recap whose `recording:` is `recording` (relative to the client folder), if any.

    The job pipeline asks this before drafting, so a restart after a crash between writing
    the draft and recording it in the job finds the draft instead of writing a second one.
    """
    sessions = client_folder / "sessions"
    if not sessions.is_dir():
        return None
    for path in sorted(sessions.glob("*.md")):
        try:
            parts = split_front_matter(path.read_text(encoding="utf-8"))
            data = yaml.safe_load(parts[0]) if parts else None
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("recording") == recording:
            return path
    return None


def write_draft(
    client_folder: Path,
    *,
    date: dt.date,
    recording: str,
    transcript: str,
    duration: float,
    segments: list[Segment],
    original_name: str | None = None,
) -> Path:
    """Write the draft recap for one recording and return its path; never overwrites.

    `recording` and `transcript` are paths relative to the client folder (they must exist
    for the draft to load). A second draft on the same date gets `-draft-2.md` and its own
    title, so the client's journal keeps loading.
    """
    load = load_client(client_folder)
    carried: list[Commitment] = []
    titles: set[str] = set()
    earlier_focus: list[str] = []
    if load.client is not None:
        carried = open_commitments(load.client, before=date)
        titles = {r.title.casefold() for r in load.client.recaps if r.date == date}
        for recap in load.client.published:
            earlier_focus += [tag for tag in recap.focus if tag not in earlier_focus]
    else:
        log.warning("%s has content errors: no commitments carried over", client_folder.name)
    title = f"Session of {date.day} {date:%B %Y} (draft)"
    number = 2
    while title.casefold() in titles:
        title = f"Session of {date.day} {date:%B %Y} (draft {number})"
        number += 1
    found = extract(segments, earlier_focus)
    new = [h for h in found.commitments if not any(similar(c.text, h.text) for c in carried)]
    outline = topics(sentences(segments), duration)
    front: dict[str, Any] = {
        "date": date,
        "title": title,
        "status": "draft",
        "recording": recording,
        "transcript": transcript,
        "duration": round(duration, 1),
        "focus": found.focus,
        "successes": [h.text for h in found.successes],
        "commitments": [c.to_yaml() for c in carried] + [h.text for h in new],
        "resources": [h.url for h in found.resources],
        "next_steps": [h.text for h in found.next_steps],
    }
    front["moments"] = [{"at": clock(t.start), "title": t.title} for t in outline]
    front["private"] = private_notes(date, found, carried, original_name)
    body = draft_body(date, outline, found, original_name)
    path = write_new_recap(client_folder / "sessions" / f"{date.isoformat()}-draft.md", front, body)
    log.info(
        "drafted %s: %d commitments (%d carried over), %d successes, %d resources, %d topics",
        path.name,
        len(front["commitments"]),
        len(carried),
        len(found.successes),
        len(found.resources) + len(found.mentions),
        len(outline),
    )
    return path


def _times(item: Heard) -> str:
    return ", ".join(clock(t) for t in item.times)


def private_notes(
    date: dt.date, found: Suggestions, carried: list[Commitment], original_name: str | None
) -> dict[str, Any]:
    """The draft's `private:` field: the coach's own promises, what to send, and where each
    suggestion was heard. The loader drops `private:`: none of it reaches the journal."""

    def heard(items: list[Heard]) -> list[str]:
        return [f"{h.text} — at {_times(h)}: {_said(h)}" for h in items]

    notes: dict[str, Any] = {
        "drafted": f"from the recording of {date.isoformat()}"
        + (f" ({original_name})" if original_name else "")
        + "; check each suggestion against the recording, then delete these notes",
        "your_promises": [f"{h.text} (at {_times(h)})" for h in found.coach_promises],
        "to_send": [
            f"{h.text}: you promised it at {_times(h)}; add it under resources with its link"
            for h in found.to_send
        ],
        "heard": {
            "commitments": heard(found.commitments),
            "successes": heard(found.successes),
            "resources": heard(found.resources + found.mentions),
            "next_steps": heard(found.next_steps),
        },
    }
    again = [
        f"{c.text}: said again at {_times(h)}"
        for c in carried
        for h in found.commitments
        if similar(c.text, h.text)
    ]
    if again:
        notes["carried_over_and_heard_again"] = again
    return notes


def _said(item: Heard) -> str:
    who = f"{item.speaker}: " if item.speaker else ""
    return f"{who}“{item.quote}”"


def draft_body(
    date: dt.date, outline: list[Topic], found: Suggestions, original_name: str | None
) -> str:
    """The Markdown of a draft: the note, "What we discussed", the titled resources heard."""
    source = f" (`{original_name}`)" if original_name else ""
    lines = [
        f"> **Drafted from the recording of {date.day} {date:%B %Y}{source}.** The lists",
        '> above were drafted from the transcript by who said what, and "What we discussed"',
        "> outlines it one topic per bullet with its time: keep, edit or cut each item, and",
        "> rewrite the outline in your words. Your own promises, what to send and where each",
        "> suggestion was heard are under `private:` (never published). Give the session its",
        "> title, delete this note, then set `status: published`.",
        "",
        "## What we discussed",
        "",
    ]
    if not outline:
        lines.append("- _Nothing could be outlined from the transcript._")
    for topic in outline:
        lines.append(f"- **{clock(topic.bullet_at)}** {topic.bullet}")
    if found.mentions:
        lines += ["", "## Resources mentioned", ""]
        lines += [f"- **{clock(h.at)}** {h.text}" for h in found.mentions]
    return "\n".join(lines)
