"""Render one client's recaps into a MkDocs `docs/` tree with the theme's Jinja2 templates.

    docs/index.md            the timeline, with the progress summary
    docs/sessions/<page>.md  one page per published session (`Recap.slug`: an opaque name
                             once `with_page_names` has named them, as every build does)
    docs/commitments.md      every commitment, open ones first
    docs/resources.md        every link, once, with the sessions it came from
    docs/journal/<year>.md   a year's sessions in full on one page, to print
    docs/recordings/, docs/transcripts/   the media the pages embed

Drafts and `private:` fields never reach this stage's output: the loader does not keep
`private`, and only `Client.published` is rendered.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import html
import re
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from generator.charts import progress_html
from generator.fs import Tree
from generator.model import (
    Client,
    Commitment,
    Recap,
    TrackedCommitment,
    commitment_key,
    tracked_commitments,
)
from generator.recordings.transcribe import clock
from generator.whole_journal import placeholder


@dataclass(frozen=True)
class Cue:
    """One cue of a WebVTT transcript: when it starts (seconds), who speaks (when known), what."""

    start: float
    text: str
    speaker: str | None = None

    @property
    def time(self) -> str:
        """The start as the listener reads it: 4:05 or 1:02:03."""
        return clock(self.start, floor=True)


@dataclass(frozen=True)
class SharedResource:
    """A link as listed on the Resources page, with every session that shared it."""

    url: str
    title: str
    sessions: list[Recap]


@dataclass(frozen=True)
class SessionCommitment:
    """A commitment as a session page shows it: with its latest status, wherever it was set."""

    commitment: Commitment
    """The page's own words, with the status and due date of the latest recap."""
    updated_in: Recap | None
    """The later recap that changed its status or due date, if any."""
    note: str = ""
    """What changed there, for the link: "marked done 18 Nov 2026"."""


def session_commitments(
    recap: Recap, latest: dict[str, TrackedCommitment]
) -> list[SessionCommitment]:
    """`recap`'s commitments with their latest status: an old page never shows "open, overdue"
    for a commitment marked done since."""
    out = []
    for own in recap.commitments:
        tracked = latest.get(commitment_key(own.text))
        if tracked is None:  # not tracked: this recap is not published (a preview)
            out.append(SessionCommitment(own, None))
            continue
        now = tracked.commitment
        due = now.due or own.due  # a later recap that does not repeat it keeps it
        if (now.status, due) == (own.status, own.due):
            out.append(SessionCommitment(own, None))
            continue
        what = f"marked {now.status}" if now.status != own.status else "due date changed"
        note = f"{what} {shortdate(tracked.latest.date)}"
        out.append(SessionCommitment(Commitment(own.text, now.status, due), tracked.latest, note))
    return out


@dataclass(frozen=True)
class TimelineEntry:
    """A session on the timeline, with its number in the whole history (1 = the first)."""

    recap: Recap
    number: int


@dataclass(frozen=True)
class TimelineYear:
    """One year of the timeline, its sessions newest first."""

    year: int
    sessions: list[TimelineEntry]


@dataclass(frozen=True)
class PrintedSession:
    """A session in the whole journal (the page to print): its number and commitments."""

    recap: Recap
    number: int
    commitments: list[SessionCommitment]


@dataclass(frozen=True)
class PrintedYear:
    """One year of the whole journal: a page to print."""

    year: int
    sessions: list[PrintedSession]


@dataclass(frozen=True)
class Journal:
    """A client's rendered docs tree and the navigation for MkDocs."""

    docs_dir: Path
    nav: list[dict[str, object]]
    tree: Tree | None = None
    """The files written into `docs_dir` (more are added with the MkDocs settings); any other
    file there, left by an earlier build in the same folder, is removed before MkDocs runs."""


def longdate(value: dt.date | dt.datetime) -> str:
    """12 January 2026."""
    return f"{value.day} {value:%B %Y}"


def shortdate(value: dt.date | dt.datetime) -> str:
    """12 Jan 2026."""
    return f"{value.day} {value:%b %Y}"


@functools.lru_cache(maxsize=4)
def templates(theme_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment of a theme's `pages/` templates (one per process: a worker
    building many clients compiles each template once; Jinja reloads a changed file)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(theme_dir / "pages"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # the output is Markdown; values are escaped with |e where shown
    )
    env.filters.update(longdate=longdate, shortdate=shortdate, clock=clock)
    env.globals["sections_of"] = lambda slug, number: placeholder(f"sessions/{slug}.md", number)
    return env


VOICE = re.compile(r"^<v(?:\.[^\s>]*)?\s+([^>]+)>")
"""A cue's voice span, `<v Speaker>` (the closing `</v>` is optional)."""


TIMESTAMP = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]?\d(?:\.\d+)?)$")
"""A WebVTT timestamp: `01:02:03.500` or `02:03.500`."""


def vtt_seconds(stamp: str) -> float:
    """A WebVTT timestamp in seconds; ValueError for anything else."""
    match = TIMESTAMP.match(stamp.strip())
    if not match:
        raise ValueError(stamp)
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def read_vtt(path: Path) -> list[Cue]:
    """The cues of a WebVTT file: start in seconds, speaker (from a `<v>` span) and text.

    An unreadable timestamp ends nothing: that cue is skipped, the others are kept.
    """
    cues: list[Cue] = []
    start: float | None = None
    lines: list[str] = []
    for raw in [*path.read_text(encoding="utf-8", errors="replace").splitlines(), ""]:
        line = raw.strip()
        if "-->" in line:
            try:
                start = vtt_seconds(line.split("-->")[0])
            except ValueError:
                start = None
            lines = []
        elif not line:
            if start is not None and lines:
                voice = VOICE.match(lines[0])
                text = re.sub(r"<[^>]+>", "", " ".join(lines)).strip()
                if text:
                    cues.append(Cue(start, text, voice.group(1).strip() if voice else None))
            start, lines = None, []
        elif start is not None:
            lines.append(line)
    return cues


RECENT_SESSIONS = 8
"""Sessions of the latest year shown open on the timeline; the earlier ones are folded."""


def timeline_years(recaps: list[Recap]) -> list[TimelineYear]:
    """The sessions grouped by year, newest year and newest session first."""
    years: dict[int, list[TimelineEntry]] = {}
    for number, recap in enumerate(recaps, start=1):
        years.setdefault(recap.date.year, []).append(TimelineEntry(recap, number))
    return [TimelineYear(year, entries[::-1]) for year, entries in sorted(years.items())[::-1]]


def shared_resources(recaps: list[Recap]) -> list[SharedResource]:
    """Every resource once (by URL), newest first, with the sessions that shared it."""
    by_url: dict[str, SharedResource] = {}
    for recap in recaps:
        for resource in recap.resources:
            seen = by_url.get(resource.url)
            sessions = [*seen.sessions, recap] if seen else [recap]
            title = resource.title if resource.title != resource.url or not seen else seen.title
            by_url[resource.url] = SharedResource(resource.url, title, sessions)
    return sorted(by_url.values(), key=lambda r: r.sessions[-1].date, reverse=True)


def page_name(key: bytes, stem: str) -> str:
    """A session page's name in the journal's addresses: 16 letters and digits from a keyed
    hash of the recap's file name (`stem`, without `.md`), so that no address shows a date or
    a title word."""
    mac = hmac.new(key, b"RJ page\0" + stem.encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(mac[:10]).decode("ascii").lower()


def with_page_names(client: Client, key: bytes) -> Client:
    """The client with every recap's `page` set to its opaque `page_name` under `key`."""
    return replace(
        client, recaps=[replace(r, page=page_name(key, r.path.stem)) for r in client.recaps]
    )


def render_client(
    client: Client,
    theme_dir: Path,
    docs_dir: Path,
    *,
    language: str = "en",
    changed: dict[Path, dt.datetime] | None = None,
    duration_of=None,
) -> Journal:
    """Write the client's docs tree into `docs_dir` and return it with its navigation.

    `changed` maps recap files to when they last changed (from git); `duration_of(path)`
    measures a recording whose recap does not give its duration.
    """
    env = templates(theme_dir)
    recaps = client.published
    changed = changed or {}
    docs_dir.mkdir(parents=True, exist_ok=True)
    tree = Tree(docs_dir)

    tracked = tracked_commitments(client)
    latest_state = {commitment_key(t.commitment.text): t for t in tracked}
    started = client.started or (recaps[0].date if recaps else None)
    latest = recaps[-1] if recaps else None
    tree.write(
        docs_dir / "index.md",
        env.get_template("index.md.j2").render(
            client=client,
            recaps=recaps,
            latest=latest,
            years=timeline_years(recaps),
            recent=RECENT_SESSIONS,
            # Dropped commitments are neither done nor still to do: not in the total.
            commitments_total=sum(t.commitment.status != "dropped" for t in tracked),
            commitments_done=sum(t.commitment.status == "done" for t in tracked),
            commitments_dropped=sum(t.commitment.status == "dropped" for t in tracked),
            progress=progress_html(recaps, tracked),
            started=started or dt.date.today(),
            span=_span(started, latest.date) if started and latest else "0 days",
        ),
    )

    session_template = env.get_template("session.md.j2")
    for index, recap in enumerate(recaps):
        recording = transcript_url = duration = None
        cues: list[Cue] = []
        if recap.recording:
            name = f"{recap.slug}{recap.recording.suffix.lower()}"
            tree.link(recap.recording, docs_dir / "recordings" / name)
            recording = f"../../recordings/{name}"
            seconds = recap.duration
            if seconds is None and duration_of is not None:
                seconds = duration_of(recap.recording)
            duration = clock(seconds) if seconds else None
        if recap.transcript:
            name = f"{recap.slug}.vtt"
            tree.link(recap.transcript, docs_dir / "transcripts" / name)
            transcript_url = f"../../transcripts/{name}"
            cues = read_vtt(recap.transcript)
        tree.write(
            docs_dir / "sessions" / f"{recap.slug}.md",
            session_template.render(
                recap=recap,
                commitments=session_commitments(recap, latest_state),
                number=index + 1,
                recording=recording,
                download_name=f"session-{recap.date.isoformat()}{recap.recording.suffix.lower()}"
                if recap.recording
                else None,
                transcript_url=transcript_url,
                duration=duration,
                cues=cues,
                language=language,
                changed=changed.get(recap.path),
                previous=recaps[index - 1] if index > 0 else None,
                following=recaps[index + 1] if index + 1 < len(recaps) else None,
            ),
        )

    order = {"open": 0, "done": 1, "dropped": 2}
    tracked.sort(key=lambda t: (order[t.commitment.status], t.commitment.due or dt.date.max))
    tree.write(
        docs_dir / "commitments.md",
        env.get_template("commitments.md.j2").render(
            tracked=tracked,
            open=[t for t in tracked if t.commitment.status == "open"],
            done=[t for t in tracked if t.commitment.status == "done"],
            dropped=[t for t in tracked if t.commitment.status == "dropped"],
        ),
    )
    tree.write(
        docs_dir / "resources.md",
        env.get_template("resources.md.j2").render(resources=shared_resources(recaps)),
    )
    # The whole journal, a page per year to print: an edit renders its own year again, not
    # every session the client ever had.
    years = print_years(recaps, latest_state)
    journal_template = env.get_template("journal.md.j2")
    for year in years:
        tree.write(
            docs_dir / "journal" / f"{year.year}.md",
            journal_template.render(client=client, year=year, years=[y.year for y in years]),
        )

    nav: list[dict[str, object]] = [{"Timeline": "index.md"}]
    if recaps:
        nav.append({"Sessions": sessions_nav(recaps)})
    nav += [{"Commitments": "commitments.md"}, {"Resources": "resources.md"}]
    if years:
        nav.append({"Whole journal": print_nav(years)})
    return Journal(docs_dir=docs_dir, nav=nav, tree=tree)


def print_years(recaps: list[Recap], latest: dict[str, TrackedCommitment]) -> list[PrintedYear]:
    """The sessions to print, a year each, newest year first (sessions oldest first: they
    are read in order)."""
    years: dict[int, list[PrintedSession]] = {}
    for number, recap in enumerate(recaps, start=1):
        printed = PrintedSession(recap, number, session_commitments(recap, latest))
        years.setdefault(recap.date.year, []).append(printed)
    return [PrintedYear(year, sessions) for year, sessions in sorted(years.items())[::-1]]


def print_nav(years: list[PrintedYear]) -> str | list[dict[str, str]]:
    """The Whole journal entry of the navigation: its one page, or a page per year, the
    latest first."""
    if len(years) == 1:
        return f"journal/{years[0].year}.md"
    return [{str(y.year): f"journal/{y.year}.md"} for y in years]


def sessions_nav(recaps: list[Recap]) -> list[dict[str, object]]:
    """The Sessions section of the navigation: newest first, grouped by year.

    Material renders only the group of the page being shown (`navigation.prune`; the other
    years are one link each), so a page weighs the same after one year of sessions as after
    eight. A client whose sessions all fall in one year gets a flat list.
    """
    # Material shows navigation labels as HTML: a title is text, so it is escaped here.
    if len({recap.date.year for recap in recaps}) == 1:
        return [
            {f"{shortdate(r.date)} · {html.escape(r.title)}": f"sessions/{r.slug}.md"}
            for r in recaps[::-1]
        ]
    years: dict[int, list[dict[str, object]]] = {}
    for recap in reversed(recaps):
        label = f"{recap.date.day} {recap.date:%b} · {html.escape(recap.title)}"  # year: group
        years.setdefault(recap.date.year, []).append({label: f"sessions/{recap.slug}.md"})
    return [{str(year): items} for year, items in years.items()]


def _span(start: dt.date, end: dt.date) -> str:
    """The time from the first session to the latest (the browser shows it up to today)."""
    days = (end - start).days
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 60:
        return f"{round(days / 7)} weeks"
    return f"{round(days / 30.44)} months"
