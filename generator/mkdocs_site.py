"""Every call into MkDocs and Material lives here, so a move to another engine touches one file.

Material for MkDocs reaches end of life on 2027-05-05 (Zensical is its successor): this
module's `build_site` is the seam.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import yaml

from generator.config import Branding
from generator.errors import RecapError
from generator.render import Journal

MARKDOWN_EXTENSIONS = [
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    "footnotes",
    {"toc": {"permalink": True}},
    "pymdownx.details",
    "pymdownx.superfences",
    {"pymdownx.tasklist": {"custom_checkbox": True}},
    "pymdownx.mark",
]


SITE_URL = "https://journal.invalid/"
"""A fixed site_url: Material's instant navigation needs a sitemap, which needs one, and
Material rebases the sitemap's addresses onto wherever the site is served. Fixed, so that
the output does not change with the host (the sitemap is encrypted like every page)."""


def engine_assets_dir() -> Path:
    """Material's own `assets/` (CSS, JS, fonts): the files that may be published in clear."""
    import material

    return Path(material.__file__).parent / "templates" / "assets"


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings (a broken link in a recap, say) to report them to the coach."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _journal_plugin():
    """Our own MkDocs plugin: leaves Material's source maps out of the site (no client needs
    a megabyte of JavaScript source map)."""
    from mkdocs.plugins import BasePlugin

    class JournalPlugin(BasePlugin):
        def on_files(self, files, *, config):
            for file in [f for f in files if f.src_uri.endswith(".map")]:
                files.remove(file)
            return files

    return JournalPlugin()


def _palette(branding: Branding) -> list[dict[str, object]]:
    def colour(value: str) -> str:
        return "custom" if value.startswith("#") else value

    common = {"primary": colour(branding.primary_colour), "accent": colour(branding.accent_colour)}
    return [
        {
            "media": "(prefers-color-scheme: light)",
            "scheme": "default",
            **common,
            "toggle": {"icon": "material/weather-night", "name": "Dark mode"},
        },
        {
            "media": "(prefers-color-scheme: dark)",
            "scheme": "slate",
            **common,
            "toggle": {"icon": "material/weather-sunny", "name": "Light mode"},
        },
    ]


def _custom_colours_css(branding: Branding) -> str:
    rules = []
    if branding.primary_colour.startswith("#"):
        rules.append(
            f"--md-primary-fg-color: {branding.primary_colour};"
            f" --md-primary-fg-color--light: {branding.primary_colour}cc;"
            f" --md-primary-fg-color--dark: {branding.primary_colour};"
        )
    if branding.accent_colour.startswith("#"):
        rules.append(
            f"--md-accent-fg-color: {branding.accent_colour};"
            f" --md-accent-fg-color--transparent: {branding.accent_colour}1a;"
        )
    return f":root {{ {' '.join(rules)} }}\n" if rules else ""


def build_site(
    journal: Journal,
    site_dir: Path,
    *,
    branding: Branding,
    theme_dir: Path,
    project_dir: Path,
) -> list[str]:
    """Build the MkDocs-Material site of `journal` into `site_dir`; return MkDocs' warnings.

    The configuration is written as `mkdocs.yml` beside the docs tree, so that a failed
    build can be rerun by hand with `mkdocs build -f` for debugging.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    docs = journal.docs_dir
    assets = docs / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for name in ("journal.css", "journal.js"):
        shutil.copyfile(theme_dir / "assets" / name, assets / name)
    extra_css = ["assets/journal.css"]
    custom = _custom_colours_css(branding)
    if custom:
        (assets / "colours.css").write_text(custom, encoding="utf-8")
        extra_css.append("assets/colours.css")
    theme: dict[str, object] = {
        "name": "material",
        "custom_dir": str(theme_dir / "overrides"),
        "language": branding.language,
        "font": False,  # no request to Google Fonts: nothing leaves for another origin
        "palette": _palette(branding),
        # prune: a page carries only its own part of the navigation (render.sessions_nav)
        "features": [
            "navigation.instant",
            "navigation.prune",
            "navigation.top",
            "search.highlight",
        ],
        "icon": {"logo": "material/notebook-heart-outline"},
    }
    if branding.logo:
        logo = project_dir / branding.logo
        shutil.copyfile(logo, assets / f"logo{logo.suffix.lower()}")
        theme["logo"] = f"assets/logo{logo.suffix.lower()}"
        theme["favicon"] = theme["logo"]
    settings = {
        "site_name": branding.practice_name,
        "site_url": SITE_URL,
        "docs_dir": str(docs),
        "site_dir": str(site_dir),
        "use_directory_urls": True,
        "nav": journal.nav,
        "theme": theme,
        "plugins": ["search"],
        "markdown_extensions": MARKDOWN_EXTENSIONS,
        "extra_css": extra_css,
        "extra_javascript": ["assets/journal.js"],
        "extra": {
            "coach_name": branding.coach_name,
            "practice_name": branding.practice_name,
            "generator": False,
        },
    }
    config_file = docs.parent / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.WARNING)
    logger.propagate = False  # collected and reported with the client, not printed here
    # The sitemap's dates and gzip header come from the build time unless this is set.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    try:
        mkdocs_config = load_config(str(config_file))
        mkdocs_config.plugins["recap-journal"] = _journal_plugin()
        build(mkdocs_config)
    except MkDocsException as exc:
        raise RecapError(f"MkDocs could not build the site: {exc}") from exc
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
    return handler.messages
