"""A recording for a day that already has a recap: attached to it, not drafted a second time.

The coach often writes the recap (`recap new`) before the recording arrives. The recording is
then added to that recap: `recording:`, `transcript:` and `duration:` are filled in where they
are missing or empty, as lines of their own, and nothing else of the file changes (the coach's
words, comments and layout stay as they are). What the transcript suggests goes beside it, in
`<recap>.suggestions.md`, which the journal never reads; the coach copies what is worth
keeping and deletes the file.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path

import yaml

from generator.content import SUGGESTIONS_SUFFIX, split_front_matter
from generator.fs import create_new, write_atomic
from generator.recordings.draft import Suggestions
from generator.recordings.transcribe import clock
from generator.yamlfields import as_date

log = logging.getLogger(__name__)

MEDIA_FIELDS = ("recording", "transcript", "duration")


def recap_for_date(client_folder: Path, date: dt.date) -> Path | None:
    """The recap dated `date` that has no recording yet (the first by name), if any."""
    sessions = client_folder / "sessions"
    if not sessions.is_dir():
        return None
    for path in sorted(sessions.glob("*.md")):
        if path.name.endswith(SUGGESTIONS_SUFFIX):
            continue
        front = _front(path)
        if front is None or _as_date(front.get("date")) != date:
            continue
        if not front.get("recording"):
            return path
    return None


def attach_recording(
    recap: Path, *, recording: str, transcript: str, duration: float, suggestions: str
) -> Path:
    """Fill in the recap's recording fields where empty and write its suggestions file.

    Returns the suggestions file. An existing suggestions file is kept (it may hold the
    coach's notes); the recap is rewritten atomically, with only the missing lines added.
    """
    beside = recap.with_name(recap.stem + SUGGESTIONS_SUFFIX)
    try:
        create_new(beside, suggestions)
    except FileExistsError:
        log.info("kept %s as it is", beside.name)
    values = {"recording": recording, "transcript": transcript, "duration": round(duration, 1)}
    text = recap.read_text(encoding="utf-8")
    updated = fill_front_matter(text, values)
    if updated != text:
        write_atomic(recap, updated)
    return beside


def fill_front_matter(text: str, values: dict[str, object]) -> str:
    """`text` with each field of `values` set where the front matter lacks it or has it empty.

    Line by line, so that the coach's comments, quoting and order stay as they were: an
    empty `field:` line gets the value, a missing field is added before the closing `---`.
    """
    lines = text.splitlines(keepends=True)
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() in ("---", "..."))
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    for name, value in values.items():
        empty = re.compile(rf"^{name}:[ \t]*(#.*)?$")
        present = re.compile(rf"^{name}:")
        shown = f"{name}: {_scalar(value)}"
        for index in range(1, end):
            if empty.match(lines[index].rstrip("\r\n")):
                comment = empty.match(lines[index].rstrip("\r\n")).group(1)
                lines[index] = shown + (f"  {comment}" if comment else "") + newline
                break
            if present.match(lines[index]):
                break
        else:
            lines.insert(end, shown + newline)
            end += 1
    return "".join(lines)


def _scalar(value: object) -> str:
    text = str(value)
    return text if re.fullmatch(r"[\w./-]+", text) else json.dumps(text, ensure_ascii=False)


def _front(path: Path) -> dict[str, object] | None:
    try:
        parts = split_front_matter(path.read_text(encoding="utf-8"))
        data = yaml.safe_load(parts[0]) if parts else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _as_date(value: object) -> dt.date | None:
    try:
        return as_date(value)
    except (TypeError, ValueError):
        return None


def suggestions_text(
    date: dt.date, found: Suggestions, *, recap: str, original_name: str | None
) -> str:
    """The suggestions file: for the coach, what the transcript suggests for `recap`."""
    source = f" (`{original_name}`)" if original_name else ""
    lines = [
        f"# Suggestions from the recording of {date.day} {date:%B %Y}",
        "",
        f"The recording{source} is now attached to `{recap}`. What follows was heard in its",
        "transcript, for you alone: the journal never shows this file. Copy into the recap what",
        "is worth keeping, then delete this file.",
    ]
    sections = (
        ("Commitments heard", found.commitments),
        ("Successes heard", found.successes),
        ("Links and resources mentioned", found.resources + found.mentions),
        ("Next steps heard", found.next_steps),
        ("Your own promises (not the client's)", found.coach_promises),
        ("To send (add under resources with its link)", found.to_send),
    )
    for heading, items in sections:
        lines.extend(["", f"## {heading}", ""])
        lines.extend(f'- **{s.text}** — at {clock(s.at)}: "{s.quote}"' for s in items)
        if not items:
            lines.append("- _none heard_")
    return "\n".join(lines) + "\n"
