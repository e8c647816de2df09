"""The journal's data: a client, their recaps and what a recap holds, as loaded by `content`.

Also the questions asked of a client's history: every commitment with its latest state.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Commitment:
    """Something the client said they will do, with where it stands."""

    text: str
    status: str = "open"
    due: dt.date | None = None

    def is_overdue(self, today: dt.date) -> bool:
        """Open and past its due date."""
        return self.status == "open" and self.due is not None and self.due < today

    def to_yaml(self) -> dict[str, Any] | str:
        """The front-matter form: a bare string for a plain open commitment."""
        if self.status == "open" and self.due is None:
            return self.text
        out: dict[str, Any] = {"text": self.text, "status": self.status}
        if self.due:
            out["due"] = self.due
        return out


@dataclass(frozen=True)
class Resource:
    """A link shared with the client."""

    url: str
    title: str

    def to_yaml(self) -> dict[str, str] | str:
        """The front-matter form: a bare URL when the title is the URL."""
        return self.url if self.title == self.url else {"title": self.title, "url": self.url}


@dataclass(frozen=True)
class Moment:
    """A chapter of the recording: where it starts (seconds) and what it is about."""

    at: float
    title: str


@dataclass(frozen=True)
class Recap:
    """One session's recap: the front matter's fields and the Markdown body."""

    path: Path
    date: dt.date
    title: str
    status: str = "published"
    recording: Path | None = None
    transcript: Path | None = None
    duration: float | None = None
    focus: list[str] = field(default_factory=list)
    successes: list[str] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    moments: list[Moment] = field(default_factory=list)
    body: str = ""
    page: str = ""
    """The page's name in the journal's addresses (opaque: `render.with_page_names`)."""

    @property
    def slug(self) -> str:
        """The page name: `page` once named, else the file name without `.md`."""
        return self.page or self.path.stem

    @property
    def published(self) -> bool:
        """Whether the recap belongs in the client's site."""
        return self.status == "published"

    @property
    def highlight(self) -> str:
        """One line for the timeline: the first success, else the body's first sentence."""
        if self.successes:
            return self.successes[0]
        for line in self.body.splitlines():
            text = re.sub(r"[#*_`>\[\]]", "", line).strip()
            if text and not text.startswith(("-", "|", "<")):
                sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
                return sentence if len(sentence) <= 140 else sentence[:137] + "..."
        return ""


@dataclass(frozen=True)
class Client:
    """One coaching client and every recap of theirs, oldest first (drafts included)."""

    slug: str
    folder: Path
    name: str
    email: str | None = None
    started: dt.date | None = None
    email_content: str = "link"
    recaps: list[Recap] = field(default_factory=list)

    @property
    def published(self) -> list[Recap]:
        """The recaps that appear in the site, oldest first."""
        return [r for r in self.recaps if r.published]

    @property
    def drafts(self) -> list[Recap]:
        """The recaps still marked `status: draft`."""
        return [r for r in self.recaps if not r.published]

    @property
    def sessions_dir(self) -> Path:
        """Where this client's recap files are."""
        return self.folder / "sessions"


def tracked_commitments(client: Client, before: dt.date | None = None) -> list[TrackedCommitment]:
    """Every distinct commitment of the published recaps (before `before`), latest state.

    A commitment carried from recap to recap (same text) is one commitment: its status and
    due date are those of the latest recap that mentions it, `first` is where it was made.
    """
    tracked: dict[str, TrackedCommitment] = {}
    for recap in client.published:
        if before is not None and recap.date >= before:
            continue
        for commitment in recap.commitments:
            key = commitment_key(commitment.text)
            first = tracked[key].first if key in tracked else recap
            tracked[key] = TrackedCommitment(commitment, first=first, latest=recap)
    return list(tracked.values())


def commitment_key(text: str) -> str:
    """What makes two commitments one: the same words, whatever the case and spacing."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class TrackedCommitment:
    """A commitment with the recap that made it and the latest recap that mentions it."""

    commitment: Commitment
    first: Recap
    latest: Recap


def open_commitments(client: Client, before: dt.date | None = None) -> list[Commitment]:
    """The commitments still open, across every published recap before `before`."""
    return [
        t.commitment for t in tracked_commitments(client, before) if t.commitment.status == "open"
    ]
