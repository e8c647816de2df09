"""The coach's daily view: the pre-session brief, the status of every client, the next recap.

    brief(client, today)          what to know before the next session with one client
    status(config, today)         one row per client: sessions, drafts, late recordings
    new_recap(config, slug, date) the next recap file, with the open commitments carried over

A recording is *late* when its session is two days old or more (48 hours, counted in whole
days because a recap's date has no time) and no published recap uses it yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.config import SiteConfig, resolve
from generator.content import (
    SESSION_NAME,
    client_folders,
    content_root,
    create_numbered,
    load_client,
    load_content,
)
from generator.errors import ProblemsError, RecapError, errors_in
from generator.model import (
    Client,
    Commitment,
    Recap,
    TrackedCommitment,
    open_commitments,
    tracked_commitments,
)

LATE_AFTER_DAYS = 2
"""A recording's recap is late once its session is this many days old (48 hours)."""
RECENT_SESSIONS = 3
"""How many of the latest recaps the brief takes its recent successes from."""
AUDIO_SUFFIXES = {".mp3", ".m4a", ".wav", ".flac", ".ogg", ".webm", ".mp4", ".aac", ".opus"}


@dataclass(frozen=True)
class OpenCommitment:
    """An open commitment with the session that made it and whether it is overdue."""

    text: str
    due: dt.date | None
    since: dt.date
    overdue: bool

    @classmethod
    def of(cls, tracked: TrackedCommitment, today: dt.date) -> OpenCommitment:
        """From a tracked commitment, as it stands on `today`."""
        c = tracked.commitment
        return cls(c.text, c.due, tracked.first.date, c.is_overdue(today))


@dataclass(frozen=True)
class Brief:
    """What the coach needs before the next session with one client."""

    slug: str
    name: str
    today: dt.date
    latest: Recap | None
    """The latest published recap."""
    days_since_last_session: int | None
    """Days since the latest session held (drafts count: the session happened)."""
    open_commitments: list[OpenCommitment]
    """Every commitment still open, the overdue ones first, then by due date."""
    recent_successes: list[tuple[dt.date, str]]
    """The successes of the last few published recaps, newest first."""
    drafts: list[Recap]
    """Recaps still waiting as drafts."""

    @property
    def overdue(self) -> list[OpenCommitment]:
        """The open commitments past their due date."""
        return [c for c in self.open_commitments if c.overdue]

    def to_json(self) -> dict:
        """The `recap brief --json` form: plain types, dates as YYYY-MM-DD."""
        latest = self.latest
        return {
            "slug": self.slug,
            "name": self.name,
            "today": _iso(self.today),
            "days_since_last_session": self.days_since_last_session,
            "latest": None
            if latest is None
            else {
                "date": _iso(latest.date),
                "title": latest.title,
                "focus": latest.focus,
                "highlight": latest.highlight,
                "next_steps": latest.next_steps,
            },
            "open_commitments": [
                {"text": c.text, "due": _iso(c.due), "since": _iso(c.since), "overdue": c.overdue}
                for c in self.open_commitments
            ],
            "recent_successes": [
                {"date": _iso(day), "text": text} for day, text in self.recent_successes
            ],
            "drafts": [r.path.name for r in self.drafts],
        }


def brief(client: Client, today: dt.date) -> Brief:
    """The pre-session brief of `client` as of `today`."""
    published = [r for r in client.published if r.date <= today]
    held = [r.date for r in client.recaps if r.date <= today]
    tracked = [
        OpenCommitment.of(t, today)
        for t in tracked_commitments(client, before=today + dt.timedelta(days=1))
        if t.commitment.status == "open"
    ]
    tracked.sort(key=lambda c: (not c.overdue, c.due or dt.date.max, c.since))
    successes = [(r.date, s) for r in reversed(published[-RECENT_SESSIONS:]) for s in r.successes]
    return Brief(
        slug=client.slug,
        name=client.name,
        today=today,
        latest=published[-1] if published else None,
        days_since_last_session=(today - max(held)).days if held else None,
        open_commitments=tracked,
        recent_successes=successes,
        drafts=client.drafts,
    )


def load_one(config: SiteConfig, slug: str) -> Client:
    """Load one client by slug; `RecapError` when unknown, `ProblemsError` when broken."""
    folder = content_root(config) / slug
    if not folder.is_dir():
        known = ", ".join(p.name for p in client_folders(config)) or "none yet"
        raise RecapError(f"no client {slug!r} in {content_root(config)} (clients: {known})")
    load = load_client(folder, limits=config.limits)
    if load.client is None:
        raise ProblemsError(errors_in(load.problems))
    return load.client


@dataclass(frozen=True)
class PendingRecording:
    """A recording whose session has no published recap yet."""

    path: Path
    """The recording, relative to the project folder."""
    session: dt.date
    late: bool
    draft: Path | None = None
    """The draft recap that uses it, relative to the project folder, if any."""


@dataclass(frozen=True)
class ClientStatus:
    """One row of `recap status`."""

    slug: str
    name: str | None
    site: str
    """The client's site folder, relative to the project (`site/<id>`)."""
    sessions: int = 0
    """Published sessions."""
    last_session: dt.date | None = None
    """The date of the latest published session."""
    open_commitments: int = 0
    overdue_commitments: int = 0
    drafts: list[str] = field(default_factory=list)
    """Draft recap files waiting, relative to the project."""
    recordings: list[PendingRecording] = field(default_factory=list)
    errors: int = 0
    """Content errors: a client with errors is not built nor published."""

    @property
    def late(self) -> list[PendingRecording]:
        """The recordings whose recap is late."""
        return [r for r in self.recordings if r.late]

    def to_json(self) -> dict:
        """The `recap status --json` form: plain types, dates as YYYY-MM-DD."""
        return {
            "slug": self.slug,
            "name": self.name,
            "site": self.site,
            "ok": self.errors == 0,
            "errors": self.errors,
            "sessions": self.sessions,
            "last_session": _iso(self.last_session),
            "open_commitments": self.open_commitments,
            "overdue_commitments": self.overdue_commitments,
            "drafts": self.drafts,
            "recordings_waiting": [
                {
                    "path": r.path.as_posix(),
                    "session": _iso(r.session),
                    "late": r.late,
                    "draft": r.draft.as_posix() if r.draft else None,
                }
                for r in self.recordings
            ],
            "late": len(self.late),
        }


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


def status(config: SiteConfig, today: dt.date) -> list[ClientStatus]:
    """One `ClientStatus` per client folder, in the order of the content folder."""
    site_dir = resolve(config, config.site_dir)
    rows: list[ClientStatus] = []
    for load in load_content(config):
        site = _relative(site_dir / config.state.site_id(load.slug), config.project_dir)
        client = load.client
        if client is None:
            rows.append(ClientStatus(load.slug, None, site, errors=len(errors_in(load.problems))))
            continue
        published = client.published
        still_open = open_commitments(client)
        rows.append(
            ClientStatus(
                slug=client.slug,
                name=client.name,
                site=site,
                sessions=len(published),
                last_session=published[-1].date if published else None,
                open_commitments=len(still_open),
                overdue_commitments=sum(c.is_overdue(today) for c in still_open),
                drafts=[_relative(r.path, config.project_dir) for r in client.drafts],
                recordings=pending_recordings(config, client, today),
            )
        )
    return rows


def pending_recordings(
    config: SiteConfig, client: Client, today: dt.date
) -> list[PendingRecording]:
    """Recordings no published recap uses: in `recordings/`, in drafts, or in the inbox."""
    used = {r.recording.resolve() for r in client.published if r.recording}
    drafts = {r.recording.resolve(): r for r in client.drafts if r.recording}
    candidates = set(drafts)
    for folder in (client.folder / "recordings", config.inbox_dir / client.slug):
        if folder.is_dir():
            candidates |= {
                p.resolve()
                for p in folder.iterdir()
                if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES and not p.name.startswith(".")
            }
    pending: list[PendingRecording] = []
    for path in sorted(candidates - used):
        draft = drafts.get(path)
        session = draft.date if draft else _session_date(path)
        pending.append(
            PendingRecording(
                path=Path(_relative(path, config.project_dir)),
                session=session,
                late=(today - session).days >= LATE_AFTER_DAYS,
                draft=Path(_relative(draft.path, config.project_dir)) if draft else None,
            )
        )
    return sorted(pending, key=lambda r: (r.session, r.path))


def _session_date(path: Path) -> dt.date:
    """A recording's session date: from its name (2026-11-02...), else its modification day."""
    match = SESSION_NAME.match(path.stem)
    if match:
        try:
            return dt.date.fromisoformat(match.group(1))
        except ValueError:
            pass
    return dt.date.fromtimestamp(path.stat().st_mtime)


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


NEW_RECAP = """\
---
date: {date}
title: {title}
status: draft      # change to published when the client may see it
focus:             # a few tags, one per line, like:  - sleep
successes:         # what went well, one per line, like:  - Slept 7 hours most nights
commitments:       # what the client will do, like:  - Call Dana by Friday
{commitments}resources:         # links, one per line, like:  - https://example.com/article
next_steps:        # one per line, like:  - Review the sleep diary together
private: |         # for you only: never published, never emailed
  Notes for next time:
---

_What you talked about: the client's words, the turning points._

## Insights

_What the client realised or decided._
"""
"""`recap new`'s recap: lists ready to fill in (items go on the lines below each field), the
body under the theme's "What we discussed" heading, notes for next time in `private:`. The
italic placeholders are refused by `recap check` once the recap is published."""


def new_recap(config: SiteConfig, slug: str, date: dt.date) -> Path:
    """Write the next recap of `slug` dated `date`; return its path.

    The file is `content/<slug>/sessions/<date>-session.md` (or `-session-2.md`, ... when taken:
    an existing recap is never replaced). It starts as `status: draft`, so a half-written recap
    never reaches the client's journal on the next build or publish; the coach sets
    `status: published` when it is ready. Every commitment still open from the published
    recaps before `date` is carried over with its due date.
    """
    client = load_one(config, slug)
    number = sum(1 for r in client.recaps if r.date <= date) + 1
    carried: list[Commitment] = open_commitments(client, before=date)
    items = [c.to_yaml() for c in carried]
    listed = yaml.safe_dump(items, sort_keys=False, allow_unicode=True, width=96) if items else ""
    text = NEW_RECAP.format(
        date=date.isoformat(),
        title=f"Session {number}",
        commitments="".join(f"  {line}\n" for line in listed.splitlines()),
    )
    return create_numbered(client.sessions_dir / f"{date.isoformat()}-session.md", text)
