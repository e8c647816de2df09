"""Generated practices for the scale tests and benchmark: N clients x M weekly sessions.

Each recap looks like a real one (focus, successes, commitments carried with a status,
resources, next steps and a few hundred words of body), so that page sizes and build times
are those a coach with a long history would see. Deterministic: the same arguments give the
same files.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

SITE_CONFIG = """\
branding:
  coach_name: Alex Rivera
  practice_name: Rivera Wellbeing Coaching
protection:
  iterations: 600000
"""

WORDS = (
    "sleep",
    "energy",
    "walk",
    "routine",
    "evening",
    "morning",
    "focus",
    "habit",
    "review",
    "plan",
    "goal",
    "week",
    "progress",
    "stress",
    "work",
    "family",
    "breathing",
    "journal",
    "diary",
    "water",
    "screens",
    "reading",
    "balance",
    "energy",
    "rest",
    "motivation",
    "patience",
    "kindness",
    "boundaries",
    "meeting",
    "calendar",
    "priorities",
    "values",
    "courage",
)


def password(slug: str) -> str:
    """The password of a generated client (set in the environment as RECAP_PASSWORD_…)."""
    return f"bench {slug} maple river candle orbit"


def password_env(slug: str) -> str:
    """The environment variable that gives a generated client its password."""
    return "RECAP_PASSWORD_" + slug.upper().replace("-", "_")


def recap_text(index: int, date: dt.date, rng: random.Random) -> str:
    """One recap file's text: front matter and a body of a few paragraphs."""
    topic = rng.sample(WORDS, 3)
    status = "done" if index % 3 else "open"
    paragraphs = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(50, 90))).capitalize() + "."
        for _ in range(4)
    ]
    return (
        f"---\ndate: {date.isoformat()}\ntitle: Session about {topic[0]} and {topic[1]}\n"
        f"focus: [{topic[0]}, {topic[2]}]\n"
        f"successes:\n  - Kept the {topic[1]} plan on {rng.randint(2, 6)} days\n"
        f"commitments:\n  - text: Practise {topic[0]} every {rng.choice(WORDS)}\n"
        f"    status: {status}\n    due: {(date + dt.timedelta(days=7)).isoformat()}\n"
        f"  - Write down one {topic[2]} note a day\n"
        f"resources:\n  - title: Reading on {topic[1]}\n"
        f"    url: https://example.org/{topic[1]}/{index % 40}\n"
        f"next_steps:\n  - Review the {topic[0]} notes together\n---\n\n"
        f"## What we talked about\n\n{paragraphs[0]}\n\n{paragraphs[1]}\n\n"
        f"### Next\n\n- {paragraphs[2]}\n- {paragraphs[3]}\n"
    )


def write_client(content: Path, slug: str, sessions: int, *, seed: int = 0) -> Path:
    """A client folder with `sessions` weekly recaps, the latest in November 2026."""
    rng = random.Random(f"{slug}-{seed}")
    folder = content / slug
    (folder / "sessions").mkdir(parents=True, exist_ok=True)
    (folder / "client.yml").write_text(f"name: Client {slug.title()}\n", encoding="utf-8")
    latest = dt.date(2026, 11, 2)
    for index in range(sessions):
        date = latest - dt.timedelta(weeks=sessions - 1 - index)
        text = recap_text(index, date, rng)
        (folder / "sessions" / f"{date.isoformat()}.md").write_text(text, encoding="utf-8")
    return folder


def write_project(root: Path, clients: int, sessions: int) -> list[str]:
    """A project of `clients` clients with `sessions` sessions each; returns their slugs."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site_config.yml").write_text(SITE_CONFIG, encoding="utf-8")
    slugs = [f"client-{n:02d}" for n in range(clients)]
    for slug in slugs:
        write_client(root / "content", slug, sessions)
    return slugs
