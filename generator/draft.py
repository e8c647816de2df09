"""A draft recap from a transcript: what could be drafted, marked as suggestions.

The draft is `content/<slug>/sessions/<date>-draft.md` with `status: draft`, so it never
reaches the client's site until the coach publishes it. How the suggestions are marked:

- The front matter holds only the documented fields, so `recap check` passes. Its lists are
  pre-filled in the coach's usual style: `successes` and `commitments` (the still-open
  commitments of earlier sessions carried over first, then the new candidates) and
  `resources` (web addresses heard). The item texts stay clean, so a kept item needs no
  editing before it is published.
- The body opens with a note that every pre-filled item is a suggestion to keep, edit or cut,
  and ends with a section "Suggestions from the transcript" that lists each candidate with
  its time in the recording and the sentence it came from (and mentions without an address,
  like "check out the Calm app"), for the coach to check and then delete.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.content import (
    Commitment,
    load_client,
    open_commitments,
    split_front_matter,
    write_new_recap,
)
from generator.transcribe import Segment

log = logging.getLogger(__name__)

FILLER = {"so", "and", "okay", "ok", "well", "yeah", "right", "um", "uh", "then", "but", "also"}
COMMITMENT = re.compile(
    r"\b(?:I\s+will|I'll|I\s+am\s+going\s+to|I'm\s+going\s+to|I'm\s+gonna|I\s+plan\s+to|"
    r"I\s+promise\s+to|I\s+commit\s+to|I'm\s+committing\s+to)\s+(?P<rest>.+)",
    re.IGNORECASE,
)
SUCCESS = re.compile(
    r"\bI(?P<verb>'ve\s+been|\s+have\s+been|\s+did|\s+managed\s+to|\s+was\s+able\s+to|"
    r"\s+finally|\s+finished|\s+completed|\s+started|\s+succeeded\s+in|\s+stuck\s+to|"
    r"\s+kept|\s+got)\s+(?P<rest>.+)",
    re.IGNORECASE,
)
URL = re.compile(
    r"\b(?:https?://\S+|(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\."
    r"(?:com|org|net|io|co|uk|de|app|dev|info|edu|gov)(?:/[^\s,;]*)?)",
    re.IGNORECASE,
)
MENTION = re.compile(
    r"\b(?:check\s+out|look\s+up|have\s+a\s+look\s+at|take\s+a\s+look\s+at|read|listen\s+to|"
    r"watch|download|try\s+the\s+app|recommend)\s+(?P<what>.+)",
    re.IGNORECASE,
)
CALENDAR = {f"{d:%A}" for d in (dt.date(2026, 1, 5) + dt.timedelta(n) for n in range(7))} | {
    f"{dt.date(2026, m, 1):%B}" for m in range(1, 13)
}
TOO_VAGUE = {"it", "that", "this", "them", "so", "do", "try", "see", "be", "do it", "try it"}


@dataclass(frozen=True)
class Suggestion:
    """A candidate item: its proposed text, when it was said, and the sentence it came from."""

    text: str
    at: float
    quote: str
    url: str | None = None


@dataclass
class Suggestions:
    """Everything drafted from one transcript."""

    commitments: list[Suggestion] = field(default_factory=list)
    successes: list[Suggestion] = field(default_factory=list)
    resources: list[Suggestion] = field(default_factory=list)
    mentions: list[Suggestion] = field(default_factory=list)


def sentences(segments: list[Segment]) -> list[tuple[float, str]]:
    """The transcript as sentences, each with the start time of the segment it began in.

    Whisper's segments split sentences at arbitrary places; sentences are rebuilt across
    them and, for lack of punctuation, a segment boundary ends a sentence that ran long.
    """
    out: list[tuple[float, str]] = []
    current: list[str] = []
    start = 0.0
    for segment in segments:
        text = segment.text.replace("\u2019", "'").strip()
        for piece in re.split(r"(?<=[.!?])\s+", text):
            if not piece:
                continue
            if not current:
                start = segment.start
            current.append(piece)
            if piece.endswith((".", "!", "?")):
                out.append((start, " ".join(current)))
                current = []
        if current and len(" ".join(current).split()) > 25:
            out.append((start, " ".join(current)))
            current = []
    if current:
        out.append((start, " ".join(current)))
    return out


def extract(segments: list[Segment]) -> Suggestions:
    """Find candidate commitments, successes, links and mentioned resources."""
    found = Suggestions()
    seen: set[str] = set()
    for at, sentence in sentences(segments):
        for clause in re.split(r"[,;]\s+(?=(?:and\s+|but\s+|so\s+)?I\b)", sentence):
            if clause.rstrip().endswith("?"):
                continue
            _commitment(found, seen, at, clause, sentence)
            _success(found, seen, at, clause, sentence)
        for match in URL.finditer(sentence):
            raw = match.group(0).rstrip(".,;:!?)")
            url = raw if raw.lower().startswith("http") else f"https://{raw}"
            if _new(seen, url):
                found.resources.append(Suggestion(url, at, sentence, url))
        mention = MENTION.search(sentence)
        if mention and not URL.search(mention.group("what")):
            what = _clean(mention.group("what"))
            if what.lower() not in TOO_VAGUE and _new(seen, "mention:" + what):
                found.mentions.append(Suggestion(what, at, sentence))
    return found


def _commitment(found: Suggestions, seen: set[str], at: float, clause: str, quote: str) -> None:
    match = COMMITMENT.search(clause)
    if not match:
        return
    rest = _clean(match.group("rest"))
    if len(rest.split()) < 2 or rest.lower() in TOO_VAGUE or rest.lower().startswith("try "):
        return
    when = [
        w if w.capitalize() in CALENDAR else w.lower()
        for w in re.findall(r"[\w']+", clause[: match.start()])
        if w.lower() not in FILLER
    ]
    text = _capitalise(rest + (" " + " ".join(when) if 0 < len(when) <= 4 else ""))
    if _new(seen, text):
        found.commitments.append(Suggestion(text, at, quote))


def _success(found: Suggestions, seen: set[str], at: float, clause: str, quote: str) -> None:
    match = SUCCESS.search(clause)
    if not match:
        return
    verb = " ".join(match.group("verb").split()).lower()
    rest = _clean(match.group("rest"))
    if len(rest.split()) < 2 or rest.lower() in TOO_VAGUE:
        return
    if verb in ("'ve been", "have been"):
        if not rest.split()[0].lower().endswith("ing"):
            return  # "I've been to ..." or "I've been thinking": not clearly a success
        text = rest
    elif verb == "finally":
        text = rest
    else:
        text = f"{verb} {rest}"
    text = _capitalise(text)
    if _new(seen, text):
        found.successes.append(Suggestion(text, at, quote))


def _clean(text: str) -> str:
    return " ".join(text.split()).rstrip(" .,;:!?")


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _new(seen: set[str], key: str) -> bool:
    folded = " ".join(key.casefold().split())
    if folded in seen:
        return False
    seen.add(folded)
    return True


def clock(seconds: float) -> str:
    """A time in the recording as 1:02:03 or 4:05."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


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
    if load.client is not None:
        carried = open_commitments(load.client, before=date)
        titles = {r.title.casefold() for r in load.client.recaps if r.date == date}
    else:
        log.warning("%s has content errors: no commitments carried over", client_folder.name)
    title = f"Session of {date.day} {date:%B %Y} (draft)"
    number = 2
    while title.casefold() in titles:
        title = f"Session of {date.day} {date:%B %Y} (draft {number})"
        number += 1
    found = extract(segments)
    carried_keys = {" ".join(c.text.casefold().split()) for c in carried}
    new = [s for s in found.commitments if " ".join(s.text.casefold().split()) not in carried_keys]
    front: dict[str, Any] = {
        "date": date,
        "title": title,
        "status": "draft",
        "recording": recording,
        "transcript": transcript,
        "duration": round(duration, 1),
        "focus": [],
        "successes": [s.text for s in found.successes],
        "commitments": [c.to_yaml() for c in carried] + [s.text for s in new],
        "resources": [s.url for s in found.resources],
        "next_steps": [],
    }
    body = draft_body(date, found, carried, original_name)
    path = write_new_recap(client_folder / "sessions" / f"{date.isoformat()}-draft.md", front, body)
    log.info(
        "drafted %s: %d commitments (%d carried over), %d successes, %d links",
        path.name,
        len(front["commitments"]),
        len(carried),
        len(found.successes),
        len(found.resources),
    )
    return path


def draft_body(
    date: dt.date, found: Suggestions, carried: list[Commitment], original_name: str | None
) -> str:
    """The Markdown of a draft: the note, a place for the summary, the suggestions."""
    source = f" (`{original_name}`)" if original_name else ""
    lines = [
        f"> **Drafted from the recording of {date.day} {date:%B %Y}{source}.** The successes,",
        "> commitments and resources above are suggestions heard in the transcript: keep, edit",
        "> or cut each one, write the summary, delete the suggestions section below, then set",
        "> `status: published`.",
        "",
        "## Summary",
        "",
        "_What the session was about, in a few sentences._",
        "",
        "## Suggestions from the transcript",
        "",
        "_For you to check against the recording; delete this section before publishing._",
    ]

    def section(heading: str, items: list[Suggestion], empty: str) -> None:
        lines.extend(["", f"### {heading}", ""])
        if not items:
            lines.append(f"- _{empty}_")
        for item in items:
            lines.append(f'- **{item.text}** — at {clock(item.at)}: "{item.quote}"')

    section("Commitments heard", found.commitments, "none heard")
    section("Successes heard", found.successes, "none heard")
    section("Links and resources mentioned", found.resources + found.mentions, "none heard")
    lines.extend(["", "### Still open from earlier sessions", ""])
    if not carried:
        lines.append("- _none_")
    for commitment in carried:
        due = f" (due {commitment.due.isoformat()})" if commitment.due else ""
        lines.append(f"- {commitment.text}{due}: carried over above; mark it done or dropped")
    return "\n".join(lines)
