"""`recap init` and `recap client add`: new projects and new client folders."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from generator.content import SLUG, recap_text
from generator.errors import RecapError
from generator.fs import create_new
from generator.state import State

SITE_CONFIG = """\
# Recap Journal settings. Every field is optional; see the README for the full list.
branding:
  coach_name: {coach}
  practice_name: {practice}
  primary_colour: teal        # a Material colour name or #rrggbb
  accent_colour: amber
  language: en
  # logo: branding/logo.png   # relative to this file

protection:
  iterations: 600000          # PBKDF2 iterations per password (600000 at least)

publish:
  # A repository of its own that holds only the published (encrypted) journals, never this
  # project: `git remote add pages https://github.com/YOU/journals-site.git`. Keep this
  # project (your recaps) in a private repository, or none.
  remote: pages
  branch: gh-pages
  # cname: journals.example.com                # a domain used for the journals only
  # base_url: https://journals.example.com     # for the links in emails

email:
  # host: smtp.example.com
  port: 587
  security: starttls
  # sender: Your Name <you@example.com>
"""

GITIGNORE = """\
# Built sites, secrets and the recordings inbox never go into git.
site/
.recap/
.venv/
inbox/
# Original recordings, kept after conversion: large, and the mp3 is what the journal uses.
content/*/originals/
content/_archived/*/originals/
"""

WELCOME_BODY = """\
This is your first recap. Write what you discussed here, in Markdown:

- **Headings**, lists and links work as in any Markdown editor.
- The fields above (successes, commitments, resources, next steps) each get their own
  section on the page.

Set `status: draft` to keep a recap out of the journal until it is ready.
"""


def init_project(folder: Path, *, coach: str = "Your Name", practice: str = "") -> list[Path]:
    """Create a new coach project in `folder` (which may exist but must not be a project)."""
    if (folder / "site_config.yml").exists():
        raise RecapError(f"{folder} already has a site_config.yml: nothing was changed")
    practice = practice or f"{coach}'s Coaching"
    created = [
        _new(
            folder / "site_config.yml",
            SITE_CONFIG.format(coach=_quote(coach), practice=_quote(practice)),
        ),
    ]
    if not (folder / ".gitignore").exists():
        created.append(_new(folder / ".gitignore", GITIGNORE))
    created += add_client(folder / "content", "demo-client", "Demo Client", example=True)
    return created


def add_client(
    content: Path, slug: str, name: str, *, email: str | None = None, example: bool = False
) -> list[Path]:
    """Create `content/<slug>/client.yml` (and a first recap for an example client)."""
    if not SLUG.match(slug):
        raise RecapError(
            f"invalid client slug {slug!r}: use lowercase letters, digits and dashes "
            "(for example jane-doe)"
        )
    folder = content / slug
    if (folder / "client.yml").exists():
        raise RecapError(f"client {slug!r} already exists ({folder / 'client.yml'})")
    lines = [f"name: {_quote(name)}"]
    if email:
        lines.append(f"email: {email}")
    # Left to the first session's date unless the coach says otherwise: today's date here
    # would make a client with earlier sessions read "0 days since" today.
    lines.append("# started: 2026-01-12   # when coaching began; default: the first session's date")
    lines.append("# private: notes for you only; never published")
    created = [_new(folder / "client.yml", "\n".join(lines) + "\n")]
    (folder / "sessions").mkdir(exist_ok=True)
    (folder / "recordings").mkdir(exist_ok=True)
    if example:
        today = dt.date.today()
        front = {
            "date": today,
            "title": "Getting started",
            "focus": ["goals"],
            "successes": ["Booked the first session"],
            "commitments": [{"text": "Write down three goals", "due": today + dt.timedelta(7)}],
            "resources": [{"title": "Markdown guide", "url": "https://www.markdownguide.org/"}],
            "next_steps": ["Review the goals together"],
        }
        path = folder / "sessions" / f"{today.isoformat()}-getting-started.md"
        created.append(_new(path, recap_text(front, WELCOME_BODY)))
    return created


ARCHIVE = "_archived"
"""Where `recap client remove` moves a client, in `content/` and in `.recap/` (the loader
skips folders starting with `_`, so an archived client is never built nor published)."""


@dataclass(frozen=True)
class Archived:
    """Where `archive_client` put a client's things."""

    content: Path
    secrets: Path | None
    site: Path | None


def archive_client(content: Path, state: State, site_root: Path, slug: str) -> Archived:
    """Move a client out of the journals, deleting nothing.

    `content/<slug>/` goes to `content/_archived/<slug>/`, its keys and site id to
    `.recap/_archived/<slug>/` (so a new client of the same name gets keys of its own), and
    its built site into that folder too, so that the next publish takes it offline. A name
    already archived gets `-2`, `-3`, ...
    """
    folder = content / slug
    if not SLUG.match(slug) or not (folder / "client.yml").is_file():
        raise RecapError(f"no client {slug!r} (no {content.name}/{slug}/client.yml)")
    keys = state.root / "clients" / slug
    site_id = (keys / "site-id").read_text(encoding="ascii").strip() if keys.is_dir() else None
    name = _free_name(slug, content / ARCHIVE, state.root / ARCHIVE)
    moved_content = _move_into(folder, content / ARCHIVE / name)
    moved_keys = _move_into(keys, state.root / ARCHIVE / name / "keys") if keys.is_dir() else None
    site = site_root / site_id if site_id else None
    moved_site = None
    if site is not None and site.is_dir():
        moved_site = _move_into(site, state.root / ARCHIVE / name / "site")
    return Archived(moved_content, moved_keys, moved_site)


def archived_clients(content: Path) -> list[str]:
    """The names of the archived client folders."""
    folder = content / ARCHIVE
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _free_name(slug: str, *parents: Path) -> str:
    name, number = slug, 2
    while any((parent / name).exists() for parent in parents):
        name, number = f"{slug}-{number}", number + 1
    return name


def _move_into(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)  # a rename: within one project, nothing is copied or lost
    return target


def _new(path: Path, text: str) -> Path:
    try:
        create_new(path, text)
    except FileExistsError as exc:
        raise RecapError(f"{path} exists already: nothing was overwritten") from exc
    return path


def _quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
