"""`site_config.yml`: the coach's settings, as typed dataclasses with every error collected.

Each field has a docstring; the README's configuration table follows this file.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import Problem, ProblemsError, errors_in
from generator.state import State
from generator.yamlfields import (
    MAX_DEPTH,
    MAX_VALUES,
    Fields,
    as_bool,
    as_int,
    as_text,
    one_of,
    parse_yaml,
)

CONFIG_NAME = "site_config.yml"
COLOUR = re.compile(r"^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-z-]+)$")
MATERIAL_COLOURS = {
    "red", "pink", "purple", "deep-purple", "indigo", "blue", "light-blue", "cyan", "teal",
    "green", "light-green", "lime", "yellow", "amber", "orange", "deep-orange", "brown",
    "grey", "blue-grey", "black", "white",
}  # fmt: skip


@dataclass(frozen=True)
class Branding:
    """The coach's identity: the only things shown on a locked journal's unlock page."""

    coach_name: str = "Your Coach"
    """The coach's name, shown in the header and on the unlock page."""
    practice_name: str = "Recap Journal"
    """The practice's name; the title of every journal site."""
    logo: Path | None = None
    """A logo image (PNG, JPG or SVG), relative to the project folder."""
    primary_colour: str = "teal"
    """Material's primary colour name (`teal`, `indigo`, ...) or a `#rrggbb` value."""
    accent_colour: str = "amber"
    """Material's accent colour name or a `#rrggbb` value."""
    language: str = "en"
    """The site's language (Material's `theme.language`), for its labels and search."""


@dataclass(frozen=True)
class Protection:
    """How the journals are encrypted."""

    iterations: int = 600_000
    """PBKDF2-HMAC-SHA256 iterations per password: 600,000 (OWASP's minimum) to 10,000,000
    (the most the unlock page accepts)."""


@dataclass(frozen=True)
class AudioSettings:
    """How recordings are converted."""

    bitrate_kbps: int = 48
    """The mp3 bitrate, mono: 48 kbit/s keeps an hour near 20 MB and voice clear."""


@dataclass(frozen=True)
class TranscriptionSettings:
    """How recordings are transcribed, offline, with faster-whisper."""

    model: str = "bundled"
    """`bundled` (the offline tiny.en model), a model directory, or a size like `small.en`."""
    language: str | None = "en"
    """The spoken language, or empty to detect it."""
    compute_type: str = "int8"
    """CTranslate2 compute type: `int8` is fastest on a CPU."""
    beam_size: int = 1
    """Beam size: 1 (greedy) is fastest; 5 is Whisper's default."""
    vad: bool = False
    """Skip silence with the Silero voice-activity filter before transcribing."""
    batch_size: int = 0
    """Transcribe this many voiced stretches at once (batched inference, with the voice-activity
    filter); 0 (the default) transcribes one stretch after another. Batching is faster on long
    recordings, but on conversations it drops words: on the scripted noisy session (`make
    bench`), 41% of the words wrong batched against 25% one after another."""
    speakers: bool = True
    """Tell the voices apart (Coach, Client) from the audio itself, with no model download; the
    coach's enrolled voice (`recap voice enroll`) says which one is the coach."""


@dataclass(frozen=True)
class PublishSettings:
    """Where `recap publish` pushes the sites."""

    remote: str = "origin"
    """The git remote to push to."""
    branch: str = "gh-pages"
    """The branch that holds the published sites."""
    cname: str | None = None
    """A custom domain for GitHub Pages (writes a CNAME file)."""
    keep_history: bool = False
    """Keep every publish as a commit; by default the branch is one commit without history."""
    base_url: str | None = None
    """The public address of `site/`, for the links in emails (https://coach.github.io/journals)."""
    allow_content_repository: bool = False
    """Let `recap publish` push to a repository that also holds `content/` (only for a private
    host: on a public repository every recap, note and recording would be readable)."""


@dataclass(frozen=True)
class EmailSettings:
    """How `recap email` reaches the SMTP server. Credentials come from the environment."""

    host: str | None = None
    """The SMTP server's host name."""
    port: int = 587
    """The SMTP port: 587 with STARTTLS, 465 with TLS, 25 for none."""
    security: str = "starttls"
    """`starttls`, `tls` or `none`."""
    sender: str | None = None
    """The From address, for example `Coach Name <coach@example.com>`."""
    title_in_subject: bool = False
    """Put the recap's title in the subject line. Off by default: a subject is stored and
    shown by every mail server and phone notification on the way, unencrypted."""


@dataclass(frozen=True)
class WatchSettings:
    """How `recap watch` treats the inbox."""

    inbox: str = "inbox"
    """The inbox folder, relative to the project: recordings go in `inbox/<client-slug>/`."""
    settle_seconds: float = 3.0
    """A file is picked up once its size has not changed for this many seconds."""


@dataclass(frozen=True)
class Limits:
    """How much of a coach's text files is read: a broken or hostile file fails at once."""

    text_file_mb: float = 10
    """The largest recap, `client.yml` or transcript (`.vtt`) read, in MB."""
    yaml_depth: int = MAX_DEPTH
    """The deepest nesting of lists and mappings in YAML (front matter, `client.yml`)."""
    yaml_values: int = MAX_VALUES
    """The most values one YAML document may hold once its aliases (`*name`) are expanded."""

    @property
    def text_file_bytes(self) -> int:
        """`text_file_mb` in bytes."""
        return int(self.text_file_mb * 1_000_000)


@dataclass(frozen=True)
class SiteConfig:
    """The whole configuration of one coach's project."""

    project_dir: Path
    """The folder that holds `site_config.yml`."""
    content_dir: Path = Path("content")
    """Where the client folders live."""
    site_dir: Path = Path("site")
    """Where the built sites go: `site/<id>/` per client."""
    theme: str = "default"
    """The theme folder name, looked up in the project's `themes/` then in the built-in ones."""
    branding: Branding = field(default_factory=Branding)
    protection: Protection = field(default_factory=Protection)
    audio: AudioSettings = field(default_factory=AudioSettings)
    transcription: TranscriptionSettings = field(default_factory=TranscriptionSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    watch: WatchSettings = field(default_factory=WatchSettings)
    limits: Limits = field(default_factory=Limits)

    @functools.cached_property
    def state(self) -> State:
        """The private `.recap/` folder (made once per config, not on every use)."""
        return State(self.project_dir / ".recap")

    @property
    def inbox_dir(self) -> Path:
        """The recordings inbox."""
        return self.project_dir / self.watch.inbox

    def theme_dir(self) -> Path:
        """The theme in use: the project's own `themes/<name>/`, else the built-in one."""
        own = self.project_dir / "themes" / self.theme
        if own.is_dir():
            return own
        return builtin_themes_dir() / self.theme


def builtin_themes_dir() -> Path:
    """The themes shipped with the package (a wheel carries them inside `generator/`)."""
    packaged = Path(__file__).parent / "themes"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "themes"


def find_config(start: Path, explicit: Path | None = None) -> Path:
    """The `site_config.yml` given, or the nearest one in `start` or a parent folder."""
    from generator.errors import RecapError

    if explicit is not None:
        if not explicit.is_file():
            raise RecapError(f"{explicit}: no such configuration file")
        return explicit
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise RecapError(
        f"no {CONFIG_NAME} in {start} or its parents: run this inside a Recap Journal project, "
        "pass -c/--config PATH, or create one with `recap init DIR`"
    )


def load_config(
    path: Path, *, strict: bool = False, warnings: list[Problem] | None = None
) -> SiteConfig:
    """Read and validate `site_config.yml`; raise `ProblemsError` with every problem.

    Warnings (unknown fields) are appended to `warnings` when a list is given.
    """
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is dropped
    except UnicodeDecodeError as exc:
        raise ProblemsError([Problem(path, f"not UTF-8 text ({exc.reason})")]) from exc
    except OSError as exc:
        raise ProblemsError([Problem(path, f"cannot be read: {exc.strerror}")]) from exc
    data, lines = parse_yaml(text, path, problems)
    if problems:
        raise ProblemsError(problems)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProblemsError([Problem(path, "expected a mapping of settings", line=1)])
    config = _read_config(Fields(data, path, lines, problems), path.parent.resolve(), strict)
    if errors_in(problems):
        raise ProblemsError(problems)
    if warnings is not None:
        warnings.extend(problems)
    return config


def _section(fields: Fields, key: str) -> Fields:
    fields.seen.add(key)
    value = fields.data.get(key)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        fields.wrong("a mapping", value, key)
        value = {}
    return Fields(value, fields.file, fields.lines, fields.problems, (*fields.prefix, key))


def _colour(value: Any) -> str:
    text = as_text(value)
    if not COLOUR.match(text) or (not text.startswith("#") and text not in MATERIAL_COLOURS):
        raise ValueError(text)
    return text


def _read_config(top: Fields, project_dir: Path, strict: bool) -> SiteConfig:
    b = _section(top, "branding")
    defaults = Branding()
    colour = "a Material colour name (teal, indigo, ...) or #rrggbb"
    logo = b.get("logo", as_text, "a path to an image")
    branding = Branding(
        coach_name=b.get("coach_name", as_text, "text", default=defaults.coach_name),
        practice_name=b.get("practice_name", as_text, "text", default=defaults.practice_name),
        logo=Path(logo) if logo else None,
        primary_colour=b.get("primary_colour", _colour, colour, default=defaults.primary_colour),
        accent_colour=b.get("accent_colour", _colour, colour, default=defaults.accent_colour),
        language=b.get("language", as_text, "a language code like en", default="en"),
    )
    if branding.logo is not None and not (project_dir / branding.logo).is_file():
        b.error(f"no such file: {branding.logo}", "logo")

    p = _section(top, "protection")
    iterations = p.get("iterations", as_int, "a whole number", default=600_000)
    if not 600_000 <= iterations <= 10_000_000:
        p.error(f"expected 600000 to 10000000 iterations, found {iterations}", "iterations")
        iterations = 600_000

    a = _section(top, "audio")
    bitrate = a.get("bitrate_kbps", as_int, "a bitrate in kbit/s", default=48)
    if not 16 <= bitrate <= 320:
        a.error(f"expected a bitrate from 16 to 320 kbit/s, found {bitrate}", "bitrate_kbps")

    t = _section(top, "transcription")
    tdef = TranscriptionSettings()
    transcription = TranscriptionSettings(
        model=t.get("model", as_text, "bundled, a model folder or a size", default=tdef.model),
        language=t.get("language", as_text, "a language code like en", default=tdef.language)
        if t.has("language")
        else tdef.language,
        compute_type=t.get(
            "compute_type",
            one_of("int8", "int8_float32", "float32", "float16", "int8_float16", "default"),
            "int8, float32, ...",
            default=tdef.compute_type,
        ),
        beam_size=t.get("beam_size", as_int, "a whole number", default=tdef.beam_size),
        vad=t.get("vad", as_bool, "true or false", default=tdef.vad),
        batch_size=t.get("batch_size", as_int, "a whole number", default=tdef.batch_size),
        speakers=t.get("speakers", as_bool, "true or false", default=tdef.speakers),
    )

    pub = _section(top, "publish")
    pdef = PublishSettings()
    publish = PublishSettings(
        remote=pub.get("remote", as_text, "a git remote name or URL", default=pdef.remote),
        branch=pub.get("branch", as_text, "a branch name", default=pdef.branch),
        cname=pub.get("cname", as_text, "a domain name"),
        keep_history=pub.get("keep_history", as_bool, "true or false", default=False),
        base_url=pub.get("base_url", as_text, "an https:// address"),
        allow_content_repository=pub.get(
            "allow_content_repository", as_bool, "true or false", default=False
        ),
    )

    e = _section(top, "email")
    edef = EmailSettings()
    email = EmailSettings(
        host=e.get("host", as_text, "a host name"),
        port=e.get("port", as_int, "a port number", default=edef.port),
        security=e.get(
            "security",
            one_of("starttls", "tls", "none"),
            "starttls, tls or none",
            default=edef.security,
        ),
        sender=e.get("sender", as_text, "an email address"),
        title_in_subject=e.get("title_in_subject", as_bool, "true or false", default=False),
    )

    w = _section(top, "watch")
    watch = WatchSettings(
        inbox=w.get("inbox", as_text, "a folder", default="inbox"),
        settle_seconds=float(
            w.get("settle_seconds", _positive_number, "a number of seconds", default=3.0)
        ),
    )

    lim = _section(top, "limits")
    ldef = Limits()
    limits = Limits(
        text_file_mb=lim.get(
            "text_file_mb", _positive_number, "a size in MB", default=ldef.text_file_mb
        ),
        yaml_depth=lim.get("yaml_depth", _positive_int, "a whole number", default=MAX_DEPTH),
        yaml_values=lim.get("yaml_values", _positive_int, "a whole number", default=MAX_VALUES),
    )

    config = SiteConfig(
        project_dir=project_dir,
        content_dir=Path(top.get("content_dir", as_text, "a folder", default="content")),
        site_dir=Path(top.get("site_dir", as_text, "a folder", default="site")),
        theme=top.get("theme", as_text, "a theme folder name", default="default"),
        branding=branding,
        protection=Protection(iterations=iterations),
        audio=AudioSettings(bitrate_kbps=bitrate),
        transcription=transcription,
        publish=publish,
        email=email,
        watch=watch,
        limits=limits,
    )
    if not config.theme_dir().is_dir():
        top.error(f"no theme folder named {config.theme!r}", "theme")
    for fields in (top, b, p, a, t, pub, e, w, lim):
        fields.unknown(strict=strict)
    return config


def _positive_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(value)
    return float(value)


def _positive_int(value: Any) -> int:
    if as_int(value) <= 0:
        raise ValueError(value)
    return value


def resolve(config: SiteConfig, path: Path) -> Path:
    """A configured path made absolute against the project folder."""
    return path if path.is_absolute() else config.project_dir / path
