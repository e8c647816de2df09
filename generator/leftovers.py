"""What a draft or a `recap new` template leaves behind, found before it reaches a client.

A watcher draft (`draft.py`) is marked as one: its title ends "(draft)", its body opens with
the "Drafted from the recording…" note, keeps a placeholder for the summary and ends with the
"Suggestions from the transcript" section. A recap from `recap new` has placeholder lines in
italics. None of it is meant for the client: a recap set to `status: published` that still
holds any of it is refused, with what to remove and where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DRAFT_NAME = re.compile(r"-draft(?:-\d+)?$", re.IGNORECASE)
"""A watcher draft's file name (`2026-11-02-draft.md`, `-draft-2.md`)."""
DRAFT_TITLE = re.compile(r"\(\s*draft(?:\s+\d+)?\s*\)\s*$", re.IGNORECASE)
DRAFTED_NOTE = re.compile(r"^>\s*\**\s*Drafted from the recording", re.IGNORECASE)
SUGGESTIONS_HEADING = re.compile(r"^#{1,6}\s+Suggestions from the transcript\s*$", re.IGNORECASE)
PLACEHOLDERS = (
    "_What the session was about, in a few sentences._",
    "_What you talked about: the client's words, the turning points._",
    "_What the client realised or decided._",
)
"""The italic placeholder lines of the watcher's draft and of `recap new`'s template."""


@dataclass(frozen=True)
class Leftover:
    """Something to remove before publishing: where it is and what to do."""

    line: int | None
    """The file's line (1-based), or None for the title (reported at its field)."""
    message: str


def find_leftovers(title: str, body: str, body_line: int) -> list[Leftover]:
    """Every draft or template leftover in a recap; `body_line` is the body's first line."""
    found: list[Leftover] = []
    if DRAFT_TITLE.search(title):
        found.append(
            Leftover(
                None,
                f"the title {title!r} still says it is a draft: give the session its own title",
            )
        )
    for number, line in enumerate(body.splitlines(), start=body_line):
        text = line.strip()
        if DRAFTED_NOTE.match(text):
            found.append(
                Leftover(
                    number,
                    'the note "Drafted from the recording…" is for you, not the client: '
                    "delete the lines starting with `>` at the top",
                )
            )
        elif SUGGESTIONS_HEADING.match(text):
            found.append(
                Leftover(
                    number,
                    'the section "Suggestions from the transcript" is for you, not the client: '
                    "delete it, from its heading to the end of the file",
                )
            )
            break  # what follows is the section itself
        elif text in PLACEHOLDERS:
            found.append(
                Leftover(number, f"the placeholder {text} is still there: replace it or delete it")
            )
    return found
