"""The coach's content: clients and their session recaps, loaded and validated.

    content/<client-slug>/client.yml
    content/<client-slug>/sessions/<YYYY-MM-DD>[-words].md   (YAML front matter, then Markdown)

Loading never raises for a content mistake: each client comes back with its problems, and a
client with an error is left out of the build while the others go on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.config import Limits, SiteConfig, resolve
from generator.errors import Problem, errors_in
from generator.fs import OutsideRootError, create_new, inside
from generator.leftovers import DRAFT_NAME, find_leftovers
from generator.model import Client, Commitment, Moment, Recap, Resource
from generator.yamlfields import (
    Fields,
    as_date,
    as_text,
    describe,
    one_of,
    parse_yaml,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SESSION_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-[\w-]+)?$")
STATUSES = ("published", "draft")
COMMITMENT_STATUSES = ("open", "done", "dropped")
EMAIL_CONTENT = ("link", "full")
URL = re.compile(r"^(https?://|mailto:)\S+$")
SUGGESTIONS_SUFFIX = ".suggestions.md"
"""What a recording suggests for a recap written before it, beside the recap: never read."""
DEFAULT_LIMITS = Limits()
SCRIPT = re.compile(r"<\s*script\b", re.IGNORECASE)
MAX_TITLE = 300
"""The longest title (in characters): a title is shown on every page of the journal."""


@dataclass
class ClientLoad:
    """A client folder as loaded: the client (None when it has errors) and its problems."""

    slug: str
    folder: Path
    client: Client | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return self.client is not None


def content_root(config: SiteConfig) -> Path:
    """The absolute content folder."""
    return resolve(config, config.content_dir)


def client_folders(config: SiteConfig) -> list[Path]:
    """Every client folder under `content/`, sorted by name (hidden folders skipped)."""
    root = content_root(config)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def load_content(
    config: SiteConfig, *, only: list[str] | None = None, strict: bool = False
) -> list[ClientLoad]:
    """Load every client folder (or the slugs in `only`), each with its own problems."""
    loads = [
        load_client(folder, strict=strict, limits=config.limits)
        for folder in client_folders(config)
    ]
    if only:
        known = {load.slug for load in loads}
        missing = [slug for slug in only if slug not in known]
        loads = [load for load in loads if load.slug in only]
        root = content_root(config)
        for slug in missing:
            loads.append(
                ClientLoad(slug, root / slug, None, [Problem(root, f"no client folder {slug!r}")])
            )
    return loads


def load_client(
    folder: Path, *, strict: bool = False, limits: Limits = DEFAULT_LIMITS
) -> ClientLoad:
    """Load and validate one client folder: `client.yml` and every recap in `sessions/`."""
    slug = folder.name
    problems: list[Problem] = []
    if not SLUG.match(slug):
        problems.append(
            Problem(
                folder,
                f"invalid client folder name {slug!r}: use lowercase letters, digits and "
                "dashes (for example jane-doe)",
            )
        )
    client_file = folder / "client.yml"
    info: dict[str, Any] = {}
    if not client_file.is_file():
        what = "a sessions folder" if (folder / "sessions").is_dir() else "a client folder"
        problems.append(Problem(folder, f"{what} without client.yml (it needs at least `name:`)"))
    else:
        info = _read_client_yml(client_file, folder, problems, strict, limits)
    recaps = _load_recaps(folder, problems, strict, limits)
    if errors_in(problems) or not info:
        return ClientLoad(slug, folder, None, problems)
    client = Client(slug=slug, folder=folder, recaps=recaps, **info)
    first = client.published[0].date if client.published else None
    if client.started and first and client.started > first:
        problems.append(
            Problem(
                client_file,
                f"started ({client.started}) is after the first session ({first}), so the "
                f"journal would count from the wrong day: remove `started:` to count from the "
                "first session, or correct it",
                field="started",
                severity="warning",
            )
        )
    return ClientLoad(slug, folder, client, problems)


def _read_text(path: Path, folder: Path, problems: list[Problem], limits: Limits) -> str | None:
    try:
        inside(folder, path)
    except OutsideRootError:
        problems.append(Problem(path, "is a link to a file outside the client's folder: not read"))
        return None
    too_large = _too_large(path, limits)
    if too_large:
        problems.append(Problem(path, too_large))
        return None
    try:
        return path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows) is dropped
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(path, f"not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8")
        )
    except OSError as exc:
        problems.append(Problem(path, f"cannot be read: {exc.strerror}"))
    return None


def _too_large(path: Path, limits: Limits) -> str | None:
    """Why `path` is too large to read as text, or None when it is not."""
    try:
        size = path.stat().st_size
    except OSError:
        return None  # reading it says why
    if size <= limits.text_file_bytes:
        return None
    return (
        f"{path.name} is {size / 1_000_000:.1f} MB; text files are read up to "
        f"{limits.text_file_mb:g} MB (limits.text_file_mb in site_config.yml)"
    )


def _read_client_yml(
    path: Path, folder: Path, problems: list[Problem], strict: bool, limits: Limits
) -> dict[str, Any]:
    text = _read_text(path, folder, problems, limits)
    if text is None:
        return {}
    before = len(problems)
    data, lines = parse_yaml(
        text, path, problems, max_depth=limits.yaml_depth, max_values=limits.yaml_values
    )
    broken = len(problems) > before  # read on for the other problems, but never build it
    if broken and data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(path, f"expected a mapping with `name:`, found {describe(data)}"))
        return {}
    f = Fields(data, path, lines, problems)
    info = {
        "name": f.get("name", as_text, "the client's name", required=True),
        "email": f.get("email", _email, "an email address"),
        "started": f.get("started", as_date, "a date like 2026-01-12"),
        "email_content": f.get(
            "email_content", one_of(*EMAIL_CONTENT), "link or full", default="link"
        ),
    }
    f.seen.add("private")
    f.unknown(strict=strict)
    return info if info["name"] and not broken else {}


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split `---` front matter from the body: (yaml, body, line of the body), or None."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return None


def _load_recaps(
    folder: Path, problems: list[Problem], strict: bool, limits: Limits
) -> list[Recap]:
    sessions = folder / "sessions"
    if not sessions.is_dir():
        return []
    recaps: list[Recap] = []
    seen: dict[tuple[dt.date, str], Path] = {}
    for path in sorted(sessions.glob("*.md")):
        if path.name.endswith(SUGGESTIONS_SUFFIX):
            continue  # the coach's notes beside a recap (`attach.py`), never read
        recap = load_recap(path, folder, problems, strict=strict, limits=limits)
        if recap is None:
            continue
        key = (recap.date, recap.title.casefold())
        if key in seen:
            problems.append(
                Problem(
                    path,
                    f"a second recap dated {recap.date} titled {recap.title!r} "
                    f"(the first is {seen[key].name}); change the title or merge them",
                    field="title",
                )
            )
            continue
        seen[key] = path
        recaps.append(recap)
    _same_day(recaps, problems)
    _in_the_future(recaps, problems, dt.date.today())
    return sorted(recaps, key=lambda r: (r.date, r.path.name))


def _in_the_future(recaps: list[Recap], problems: list[Problem], today: dt.date) -> None:
    """Warn about a published recap dated after today: most often a slip of the year."""
    for recap in recaps:
        if recap.published and recap.date > today:
            problems.append(
                Problem(
                    recap.path,
                    f"published, but dated {recap.date}, which is after today ({today}): "
                    "a slip of the year or month?",
                    field="date",
                    severity="warning",
                )
            )


def _same_day(recaps: list[Recap], problems: list[Problem]) -> None:
    """Warn about two recaps of one date: most often one session written twice (a draft
    from the recording beside the coach's own recap), which the client would see twice."""
    by_date: dict[dt.date, list[Recap]] = {}
    for recap in recaps:
        by_date.setdefault(recap.date, []).append(recap)
    for date, same in by_date.items():
        if len(same) < 2:
            continue
        names = ", ".join(r.path.name for r in same)
        problems.append(
            Problem(
                same[-1].path,
                f"{len(same)} recaps dated {date} ({names}): if they are one session, merge "
                "them into one file and delete the other; two sessions on one day can stay",
                field="date",
                severity="warning",
            )
        )


def load_recap(
    path: Path,
    client_folder: Path,
    problems: list[Problem],
    *,
    strict: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Recap | None:
    """Read one recap file; on any error record it in `problems` and return None.

    The file's problems are recorded in the order of its lines, whatever found them.
    """
    start = len(problems)
    recap = _read_recap(path, client_folder, problems, strict, limits)
    problems[start:] = sorted(problems[start:], key=lambda p: p.line or 0)
    return recap


def _read_recap(
    path: Path, client_folder: Path, problems: list[Problem], strict: bool, limits: Limits
) -> Recap | None:
    text = _read_text(path, client_folder, problems, limits)
    if text is None:
        return None
    before = len(errors_in(problems))
    name = SESSION_NAME.match(path.stem)
    if not name:
        problems.append(
            Problem(
                path,
                "file name should start with the session date: YYYY-MM-DD[-words].md",
            )
        )
    parts = split_front_matter(text)
    if parts is None:
        problems.append(
            Problem(
                path,
                "no front matter: the file must start with a `---` line, the YAML fields "
                "(date, title, ...), and a closing `---` line",
                line=1,
            )
        )
        return None
    front, body, body_line = parts
    script = SCRIPT.search(body)
    if script:
        problems.append(
            Problem(
                path,
                "a <script> in the body: scripts would run inside the client's unlocked "
                "journal, so they are refused; remove it (other HTML is fine)",
                line=body_line + body.count("\n", 0, script.start()),
            )
        )
    data, lines = parse_yaml(
        front,
        path,
        problems,
        line_offset=1,
        max_depth=limits.yaml_depth,
        max_values=limits.yaml_values,
    )
    if data is None and len(errors_in(problems)) > before:
        return None
    if not isinstance(data, dict):
        problems.append(Problem(path, f"expected YAML fields, found {describe(data)}", line=2))
        return None
    f = Fields(data, path, lines, problems)
    date = f.get("date", as_date, "a date like 2026-11-02", required=True)
    title = f.get("title", as_text, "a title", required=True)
    if title and len(title) > MAX_TITLE:
        f.error(f"expected a title of at most {MAX_TITLE} characters, found {len(title)}", "title")
    status = f.get("status", one_of(*STATUSES), "published or draft", default="published")
    recording = _media_path(f, "recording", client_folder, (".mp3",))
    transcript = _media_path(f, "transcript", client_folder, (".vtt",))
    if transcript is not None and _too_large(transcript, limits):
        f.error(str(_too_large(transcript, limits)), "transcript")
    duration = f.get("duration", _seconds, "a duration in seconds or H:MM:SS")
    recap_fields = {
        "focus": f.get_texts("focus", "a list of tags"),
        "successes": f.get_texts("successes", "a list of text"),
        "next_steps": f.get_texts("next_steps", "a list of text"),
        "commitments": _commitments(f),
        "resources": _resources(f),
        "moments": _moments(f, duration),
    }
    f.seen.add("private")
    f.unknown(strict=strict)
    if status == "published" and title:
        for leftover in find_leftovers(title, body, body_line):
            if leftover.line is None:
                f.error(f"published, but {leftover.message}", "title")
            else:
                problems.append(Problem(path, f"published, but {leftover.message}", leftover.line))
        if DRAFT_NAME.search(path.stem):
            problems.append(
                Problem(
                    path,
                    f"published, but the file name ends in {DRAFT_NAME.search(path.stem)[0]!r}, "
                    "which the page's address shows: rename it (for example to "
                    f"{path.stem[:10]}.md)",
                    severity="warning",
                )
            )
    if date and name and name.group(1) != date.isoformat():
        f.error(f"the file name says {name.group(1)} but the date is {date}", "date",
                severity="warning")  # fmt: skip
    if len(errors_in(problems)) > before:
        return None
    return Recap(
        path=path,
        date=date,
        title=title,
        status=status,
        recording=recording,
        transcript=transcript,
        duration=duration,
        body=body.strip("\n"),
        **recap_fields,
    )


def _email(value: Any) -> str:
    text = as_text(value)
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", text):
        raise ValueError(text)
    return text


def _seconds(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int | float):
        if value < 0 or not math.isfinite(value):
            raise ValueError(value)
        return float(value)
    parts = as_text(value).split(":")
    if not 1 <= len(parts) <= 3:
        raise ValueError(value)
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    if not math.isfinite(total) or total < 0:
        raise ValueError(value)
    return total


def _media_path(f: Fields, key: str, folder: Path, suffixes: tuple[str, ...]) -> Path | None:
    raw = f.get(key, as_text, "a path relative to the client folder")
    if raw is None:
        return None
    try:
        path = inside(folder, folder / raw)
        is_file = path.is_file()
    except OutsideRootError:
        f.error(f"{raw!r} points outside the client's folder", key)
        return None
    except (OSError, ValueError) as exc:  # a NUL byte, a name too long for the disk
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        f.error(f"not a usable path ({reason})", key)
        return None
    if not is_file:
        f.error(f"no such file: {raw} (relative to {folder.name}/)", key)
        return None
    if path.suffix.lower() not in suffixes:
        hint = (
            " (drop other formats into inbox/<client>/ and `recap watch` converts them)"
            if key == "recording"
            else ""
        )
        f.error(f"expected a {'/'.join(suffixes)} file, found {path.name}{hint}", key)
        return None
    wrong = _not_what_it_says(path)
    if wrong:
        f.error(f"{raw} {wrong}", key)
        return None
    return path


def _not_what_it_says(path: Path) -> str | None:
    """Why a recording or transcript is not what its name says (from its first bytes)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if path.suffix.lower() == ".vtt":
        if not head.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT"):
            return "is not a WebVTT file (its first line must be WEBVTT)"
    elif not (head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0)):
        return "is not audio: an mp3 starts with an ID3 tag or an MPEG frame (was it renamed?)"
    return None


def _commitments(f: Fields) -> list[Commitment]:
    raw = f.get("commitments", _as_list, "a list", default=[])
    out: list[Commitment] = []
    for index, item in enumerate(raw):
        if isinstance(item, str) and item.strip():
            out.append(Commitment(item.strip()))
            continue
        if not isinstance(item, dict) or not {"text", "status", "due"} & set(item):
            f.wrong_item(item, "text or {text, status, due}", "commitments", index)
            continue
        sub = Fields(item, f.file, f.lines, f.problems, (*f.prefix, "commitments", index))
        text = sub.get("text", as_text, "text", required=True)
        status = sub.get(
            "status", one_of(*COMMITMENT_STATUSES), "open, done or dropped", default="open"
        )
        due = sub.get("due", as_date, "a date like 2026-11-09")
        sub.unknown(strict=False)
        if text:
            out.append(Commitment(text, status, due))
    return out


def _resources(f: Fields) -> list[Resource]:
    raw = f.get("resources", _as_list, "a list", default=[])
    out: list[Resource] = []
    for index, item in enumerate(raw):
        if isinstance(item, str):
            if URL.match(item.strip()):
                out.append(Resource(item.strip(), item.strip()))
            else:
                f.wrong("a URL (https://...) or {title, url}", item, "resources", index)
            continue
        if not isinstance(item, dict):
            f.wrong("a URL or {title, url}", item, "resources", index)
            continue
        sub = Fields(item, f.file, f.lines, f.problems, (*f.prefix, "resources", index))
        url = sub.get("url", _url, "a URL (https://...)", required=True)
        title = sub.get("title", as_text, "text", default=url)
        sub.unknown(strict=False)
        if url:
            out.append(Resource(url, title))
    return out


def _moments(f: Fields, duration: float | None) -> list[Moment]:
    raw = f.get("moments", _as_list, "a list of {at, title}", default=[])
    out: list[Moment] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            f.wrong('{at: "12:30", title: ...}', item, "moments", index)
            continue
        sub = Fields(item, f.file, f.lines, f.problems, (*f.prefix, "moments", index))
        at = sub.get("at", _seconds, "a time in the recording like 12:30 or 1:02:03", required=True)
        title = sub.get("title", as_text, "text", required=True)
        sub.unknown(strict=False)
        if at is not None and duration is not None and at > duration:
            sub.error(
                f"{item['at']} is past the end of the recording ({round(duration)} s long): "
                "a tap on it would play nothing",
                "at",
                severity="warning",
            )
        if at is not None and title:
            out.append(Moment(at, title))
    return sorted(out, key=lambda m: m.at)


def _as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(value)
    return value


def _url(value: Any) -> str:
    text = as_text(value)
    if not URL.match(text):
        raise ValueError(text)
    return text


def recap_text(front: dict[str, Any], body: str) -> str:
    """A recap file's text: YAML front matter between `---` lines, then the body.

    An empty list is written as a bare `field:`, so that items typed on the lines below it
    are valid YAML (under `field: []` they are not).
    """
    yaml_text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    yaml_text = re.sub(r"(?m)^(\w+): \[\]$", r"\1:", yaml_text)
    return f"---\n{yaml_text}---\n\n{body.strip()}\n"


def write_new_recap(path: Path, front: dict[str, Any], body: str) -> Path:
    """Create a recap file, never replacing one: `-2`, `-3`, ... is added to a taken name."""
    return create_numbered(path, recap_text(front, body))


def create_numbered(path: Path, text: str) -> Path:
    """Create `path` with `text`, or `-2`, `-3`, ... when the name is taken; never replaces."""
    candidate = path
    for number in range(2, 100):
        try:
            create_new(candidate, text)
            return candidate
        except FileExistsError:
            candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    raise FileExistsError(path)
