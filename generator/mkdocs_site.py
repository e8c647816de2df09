"""Every call into MkDocs and Material lives here, so a move to another engine touches one file.

Material for MkDocs reaches end of life on 2027-05-05 (Zensical is its successor): this
module's `build_site` is the seam.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import yaml

from generator import __version__, whole_journal
from generator.config import Branding
from generator.engine import engine_version, shared_assets
from generator.errors import RecapError
from generator.fs import Tree
from generator.palette import palette_css

if TYPE_CHECKING:
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


def warm_up(theme_dir: Path, compiled: Path | None = None) -> None:
    """Load the engine in this (worker) process, our page templates (compiled once for the
    practice in `compiled`, as Material's are) and Markdown's patterns, while the build's
    parent still reads the clients: the worker's first client then starts ready."""
    import markdown
    import material.plugins.search.plugin  # noqa: F401
    import mkdocs.commands.build
    import mkdocs.config.defaults  # noqa: F401
    import pymdownx.superfences  # noqa: F401
    from mkdocs import plugins

    from generator.protection import protect  # (and the cryptography it encrypts with)
    from generator.render import templates

    if not hasattr(plugins.get_plugins, "cache_info"):
        # Read from every installed package's entry points at each client's configuration:
        # the packages do not change while a build runs.
        plugins.get_plugins = functools.lru_cache(maxsize=1)(plugins.get_plugins)
    plugins.get_plugins()
    engine_version()
    for env in (templates(theme_dir), protect.page_templates(theme_dir)):
        if compiled is not None and env.bytecode_cache is None:
            env.bytecode_cache = _bytecode_cache(compiled)
        for name in env.list_templates(extensions=("html", "j2")):  # (not the scripts)
            env.get_template(name)
    extensions = copy.deepcopy(MARKDOWN_EXTENSIONS)  # (a module constant: never changed)
    names = [next(iter(e)) if isinstance(e, dict) else e for e in extensions]
    settings = {k: v for e in extensions if isinstance(e, dict) for k, v in e.items()}
    sample = (
        "# A\n\n- [x] *b* ==c== [d](e.md)\n\n| f |\n| - |\n| g |\n\n!!! note\n    h[^1]\n\n[^1]: i"
    )
    markdown.Markdown(extensions=names, extension_configs=settings).convert(sample)


log = logging.getLogger(__name__)


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings (a broken link in a recap, say) to report them to the coach."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


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


def build_site(
    journal: Journal,
    site_dir: Path,
    *,
    branding: Branding,
    theme_dir: Path,
    project_dir: Path,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    shared: bool = False,
    templates_dir: Path | None = None,
) -> SiteBuild:
    """Build the MkDocs-Material site of `journal` into `site_dir`.

    `cache_dir` keeps the finished pages for the next build (`use_cache=False` renders every
    page and refreshes the cache). `templates_dir` keeps Material's templates compiled, for
    every client of the practice (they are the same templates). `shared=True` (protected
    journals) leaves the theme's assets out of the site and links the pages to the copy one
    level up, at the site root (`write_shared_assets`). The configuration is written as
    `mkdocs.yml` beside the docs tree, so that a failed build can be rerun by hand with
    `mkdocs build -f`.
    """
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_file, settings = write_mkdocs_config(
        journal, site_dir, branding=branding, theme_dir=theme_dir, project_dir=project_dir,
        shared=shared,
    )  # fmt: skip
    if journal.tree is not None:  # what an earlier build left in a kept docs folder
        journal.tree.prune()
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.WARNING)
    logger.propagate = False  # collected and reported with the client, not printed here
    # The sitemap's dates come from the build time unless this is set.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    cache = PageCache(cache_dir, read=use_cache, salt=_salt(settings, theme_dir, shared))
    outside = shared_assets(theme_dir) if shared else {}
    try:
        # The settings as they are, not read back from the file (a long navigation in YAML
        # takes PyYAML a while); the file is for running the build again by hand.
        given = copy.deepcopy(settings)  # MkDocs takes the theme's settings apart as it reads
        loaded = load_config(io.BytesIO(b"{}"), config_file_path=str(config_file), **given)
        _build(loaded, cache, handler, outside, templates_dir)
    except MkDocsException as exc:
        raise RecapError(f"MkDocs could not build the site: {exc}") from exc
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
    cache.prune()
    return SiteBuild(handler.messages, cache.misses, cache.hits)


def write_mkdocs_config(
    journal: Journal,
    site_dir: Path,
    *,
    branding: Branding,
    theme_dir: Path,
    project_dir: Path,
    shared: bool = False,
) -> tuple[Path, dict]:
    """Write the journal's `mkdocs.yml` beside its docs tree (with the theme's assets it
    needs in the tree); return the file and its settings."""
    docs = journal.docs_dir
    assets = docs / "assets"
    tree = journal.tree or Tree(docs)
    if not shared:
        for name in ("journal.css", "journal.js"):
            tree.write(assets / name, (theme_dir / "assets" / name).read_bytes())
    # Readable colours in light and dark mode, whatever the coach picked (see palette.py).
    tree.write(assets / "colours.css", palette_css(branding.primary_colour, branding.accent_colour))
    extra_css = ["assets/journal.css", "assets/colours.css"]
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
        tree.write(assets / f"logo{logo.suffix.lower()}", logo.read_bytes())
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
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's, when there
    Tree(docs.parent).write(config_file, yaml.dump(settings, Dumper=dumper, sort_keys=False))
    return config_file, settings


@dataclass(frozen=True)
class SiteBuild:
    """What `build_site` did."""

    warnings: list[str]
    """MkDocs' warnings (a broken link in a recap, say), for the coach."""
    rendered: int
    """Pages rendered from Markdown in this build."""
    cached: int
    """Pages written from the page cache, unchanged since an earlier build."""


class PageCache:
    """Finished pages of earlier builds of one client, each under a key of everything it is
    made from: its Markdown, its place in the navigation, the files it links to, the
    settings, the theme and every version involved. A page whose key is found is written from
    the cache, with its search entries, instead of being rendered again; the output is the
    same bytes (tests/test_incremental.py builds both ways and compares).
    """

    def __init__(self, folder: Path | None, *, read: bool, salt: bytes) -> None:
        self.folder = folder
        self.read = read and folder is not None
        self.salt = salt
        self.used: set[str] = set()
        self.hits = self.misses = 0
        self.made = False  # the folder exists

    def get(self, key: str) -> dict | None:
        """The cached page of `key`, or None."""
        self.used.add(key)
        if not self.read or self.folder is None:
            return None
        try:
            entry = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("html"), str):
            return None
        return entry

    def put(self, key: str, html: str, search: list[dict], sections: str | None) -> None:
        """Keep a freshly rendered page for the next build (with its sections, for the whole
        journal, when it is a session page)."""
        if self.folder is None:
            return
        if not self.made:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.made = True
        # Written in place, neither renamed nor synced: an entry cut short by a crash or a
        # full disk is not JSON and reads as a miss; a key names one content, so two builds
        # writing the same entry write the same bytes.
        path = self.folder / f"{key}.json"
        try:
            path.write_text(
                json.dumps({"html": html, "search": search, "sections": sections}),
                encoding="utf-8",
            )
        except OSError:  # a full disk: the page is not cached (a miss next time)
            path.unlink(missing_ok=True)

    def prune(self) -> None:
        """Forget the pages this build did not use (deleted or changed since)."""
        if self.folder is None or not self.folder.is_dir():
            return
        # (compiled templates were kept here, per client, before they were shared)
        shutil.rmtree(self.folder / "templates", ignore_errors=True)
        for path in self.folder.glob("*.json"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def _salt(settings: dict, theme_dir: Path, shared: bool) -> bytes:
    """What every page of the site depends on: versions, settings (but the temp folders and
    the navigation, which each page's key holds in its own part) and the theme's files."""
    h = hashlib.sha256(f"recap-journal {__version__} shared={shared}\n".encode())
    h.update(engine_version().encode())
    stable = {k: v for k, v in settings.items() if k not in {"docs_dir", "site_dir", "nav"}}
    h.update(json.dumps(stable, sort_keys=True, default=str).encode())
    for folder in (theme_dir, BUILD_TEMPLATES):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(f"{path.relative_to(folder).as_posix()}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.digest()


LINK_TOKEN = re.compile(r"(?<![\w.%~-])[\w.%~-]+\.\w+")
"""A word that may name a file the page links to (`2026-01-05.md`, `notes.pdf`): whether
such a file exists changes how MkDocs writes the link, so it is part of the page's key.
(Tried only where a word starts: the same words, without retrying inside each.)"""


def _page_key(
    cache: PageCache,
    page,
    nav,
    by_name: dict[str, list[str]],
    sections: dict[str, tuple[str, str]],
    views: dict[tuple[int, ...], bytes],
) -> str:
    """The page cache's key of `page`; `views` keeps the navigation's view of each section
    (the same for all its pages: the page's own address tells which link is its own)."""
    h = hashlib.sha256(cache.salt)
    if page.meta.get("whole_journal") is True:  # a year page: its sessions' sections too
        for source in whole_journal.sources(page.markdown):
            h.update(json.dumps([source, sections.get(source)]).encode())
    h.update(f"{page.file.src_uri}\0{page.url}\0".encode())
    h.update(page.markdown.encode("utf-8"))
    h.update(json.dumps(page.meta, sort_keys=True, default=str).encode())
    ancestors = tuple(id(section) for section in page.ancestors)
    if ancestors not in views:
        views[ancestors] = json.dumps(_nav_view(nav.items, set(ancestors)), default=str).encode()
    h.update(views[ancestors])
    neighbours = [(p.url, p.title) if p else None for p in (page.previous_page, page.next_page)]
    linked = sorted(
        {src for word in LINK_TOKEN.findall(page.markdown) for src in by_name.get(word, ())}
    )
    view = [neighbours, linked, nav.homepage.url if nav.homepage else None]
    h.update(json.dumps(view, default=str).encode())
    return h.hexdigest()


def _nav_view(items, ancestors: set[int]) -> list:
    """What Material shows of the navigation with `navigation.prune` on a page in the
    sections `ancestors`: those sections opened; every other section, one link to its
    first page."""
    view: list = []
    for item in items:
        if item.is_section and id(item) in ancestors:
            view.append(["open", item.title, _nav_view(item.children, ancestors)])
        elif item.is_section:
            first = item
            while first.is_section and first.children:
                first = first.children[0]
            view.append(["pruned", item.title, first.url, len(item.children)])
        elif item.is_page:
            view.append(["page", item.title, item.url, item.meta])
        else:
            view.append(["link", item.title, item.url])
    return view


def _build(
    config,
    cache: PageCache,
    handler: _Collect,
    outside: dict[str, Path],
    templates_dir: Path | None = None,
) -> None:
    """MkDocs' own build (`mkdocs.commands.build.build`), step for step, with the page cache
    in the middle: pages found in it are neither rendered from Markdown nor templated. The
    whole journal's year pages are rendered last, filled with their sessions' sections as the
    session pages rendered them (`whole_journal`): each recap is converted once.

    `outside`: theme files left out of the site, published beside it (`shared_assets`).
    """
    from mkdocs.commands.build import _build_template, get_context
    from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    _answer_material_lookups()

    _our_env(config.theme, templates_dir)
    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    files = get_files(config)
    env = config.theme.get_env()
    if outside:  # Material's own files are all shared: look for others in the theme only
        import jinja2

        custom = config.theme.custom_dir
        own = jinja2.Environment(loader=jinja2.FileSystemLoader(custom if custom else []))
        files.add_files_from_theme(own, config)
    else:  # (walking Material's templates means its 14,000 icons too)
        files.add_files_from_theme(env, config)
    for file in [f for f in files if f.src_uri.endswith(".map") or f.src_uri in outside]:
        files.remove(file)  # no client needs a megabyte of JavaScript source map
    files = config.plugins.on_files(files, config=config)
    set_exclusions(files, config)
    nav = get_navigation(files, config)
    nav = config.plugins.on_nav(nav, config=config, files=files)
    search = next(p.search_index for p in config.plugins.values() if hasattr(p, "search_index"))
    by_name: dict[str, list[str]] = {}
    for file in files:
        by_name.setdefault(file.src_uri.rsplit("/", 1)[-1], []).append(file.src_uri)

    pages = []
    for file in files.documentation_pages():
        if file.page is None:
            Page(None, file, config)
        page = config.plugins.on_pre_page(file.page, config=config, files=files)
        page.read_source(config)
        pages.append(page)
    # The whole journal's year pages are made from the session pages: rendered after them.
    composed = {id(page) for page in pages if page.meta.get("whole_journal") is True}
    keys: dict[int, str] = {}
    cached: dict[int, dict | None] = {}
    clean: dict[int, bool] = {}  # rendered without a warning: safe to cache
    sections: dict[str, tuple[str, str]] = {}  # a session page's source → its url, sections
    views: dict[tuple[int, ...], bytes] = {}
    converter = _Converter(config)
    for page in sorted(pages, key=lambda page: id(page) in composed):
        keys[id(page)] = _page_key(cache, page, nav, by_name, sections, views)
        entry = cached[id(page)] = cache.get(keys[id(page)])
        if entry is None:
            before = len(handler.messages)
            config._current_page = page
            page.markdown = config.plugins.on_page_markdown(
                page.markdown, page=page, config=config, files=files
            )
            _render(page, config, files, converter)
            if id(page) in composed:
                page.content = whole_journal.compose(page.content, page.url, sections)
            page.content, marked = whole_journal.split_sections(page.content)
            page.content = config.plugins.on_page_content(
                page.content, page=page, config=config, files=files
            )
            config._current_page = None
            clean[id(page)] = len(handler.messages) == before
        else:
            marked = entry.get("sections")
        if isinstance(marked, str):
            sections[page.file.src_uri] = (page.url, marked)
    env = config.plugins.on_env(env, config=config, files=files)

    site = Tree(Path(config.site_dir))  # kept from the last build: unchanged files stay
    for file in files:
        if file.is_documentation_page() or not InclusionLevel.is_included(file.inclusion):
            continue
        if file.src_uri.split("/", 1)[0] in {"recordings", "transcripts"}:
            site.link(Path(file.abs_src_path), Path(file.abs_dest_path))  # large: no copy
        else:
            site.write(Path(file.abs_dest_path), file.content_bytes)
    for name in config.theme.static_templates:  # 404.html, sitemap.xml (not its .gz copy)
        output = _build_template(name, env.get_template(name), files, config, nav)
        site.write(Path(config.site_dir) / name, _encoded(output))
    doc_files = files.documentation_pages()
    for page in pages:
        entry = cached[id(page)]
        if entry is not None:
            site.write(Path(page.file.abs_dest_path), _encoded(entry["html"]))
            search.entries.extend(entry["search"])
            cache.hits += 1
            continue
        before, first_entry = len(handler.messages), len(search.entries)
        config._current_page = page
        page.active = True
        context = get_context(nav, doc_files, config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
        output = config.plugins.on_post_page(template.render(context), page=page, config=config)
        if outside:
            output = _link_outside(output, context["base_url"], outside)
        page.active = False
        config._current_page = None
        site.write(Path(page.file.abs_dest_path), _encoded(output))
        cache.misses += 1
        if clean[id(page)] and len(handler.messages) == before:
            marked = sections.get(page.file.src_uri, (None, None))[1]
            cache.put(keys[id(page)], output, search.entries[first_entry:], marked)
    config.plugins.on_post_build(config=config)
    site.keep(Path(config.site_dir) / "search" / "search_index.json")  # the search plugin's
    site.prune()


class _Converter:
    """One Markdown converter for every page of a build, reset between pages (MkDocs makes
    a new one for each page, and setting up its extensions cost a quarter of the
    conversion of a session page)."""

    def __init__(self, config) -> None:
        self.config = config
        self.md = None

    def convert(self, page, files):
        """The page's HTML, with MkDocs' own processors for this page registered first."""
        import markdown
        from mkdocs.structure import pages

        if self.md is None:
            self.md = markdown.Markdown(
                extensions=self.config["markdown_extensions"],
                extension_configs=self.config["mdx_configs"] or {},
            )
        md = self.md
        md.reset()
        # MkDocs' parse of the raw HTML for the anchors it holds is left out: it serves only
        # the check of links to anchors, which MkDocs reports at the INFO level a build
        # never shows (so the check is not run either).
        steps = (
            pages._ExtractAnchorsTreeprocessor(page.file, files, self.config),
            pages._RelativePathTreeprocessor(page.file, files, self.config),
            pages._ExtractTitleTreeprocessor(),
        )
        for step in steps:
            step._register(md)  # replaces the last page's, registered under the same name
        return md.convert(page.markdown), steps


def _render(page, config, files, converter: _Converter) -> None:
    """`Page.render` of MkDocs 1.6 (`mkdocs/structure/pages.py`), with a shared converter
    and no check of anchors (`_Converter.convert`)."""
    from mkdocs.structure.toc import get_toc

    page.content, (anchors, relative, title) = converter.convert(page, files)
    page.toc = get_toc(getattr(converter.md, "toc_tokens", []))
    page._title_from_render = title.title
    page.present_anchor_ids = anchors.present_anchor_ids  # (without raw HTML's: see above)
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = relative.links_to_anchors


def _answer_material_lookups() -> None:
    """Give MkDocs' pages, sections and headings the attributes Material's navigation asks
    each of them for on every page (`typeset`, `encrypted`, `pages`, a section's `meta`):
    None, which Jinja reads as it reads a missing one, without the two exceptions a missing
    one costs. Some 20,000 lookups per client, 5% of its build; the pages are the same."""
    from mkdocs.structure.nav import Section
    from mkdocs.structure.pages import Page
    from mkdocs.structure.toc import AnchorLink

    asked = {Page: ("typeset", "encrypted", "pages"), Section: ("meta", "typeset", "pages")}
    asked[AnchorLink] = ("typeset",)
    for kind, names in asked.items():
        for name in names:
            if not hasattr(kind, name):  # a plugin that sets one sets it on the object
                setattr(kind, name, None)


@functools.lru_cache(maxsize=1)
def _memo_tag() -> type:
    """Our `memo` tag for Jinja (made on first use: Jinja is not loaded by a build with
    nothing to do)."""
    import jinja2
    import jinja2.ext

    class Memo(jinja2.ext.Extension):
        """Jinja's `{% memo item, link, class %}…{% endmemo %}`: the body rendered once per build
        for each navigation link as a page shows it (its address relative to the page, its
        class), then repeated. Our copy of Material's `partials/nav-item.html`
        (`BUILD_TEMPLATES`) wraps a plain link in it: a session page lists every session of its
        year, the same links on each page but its own (a tenth of a client's build, before)."""

        tags: ClassVar[set[str]] = {"memo"}

        def __init__(self, environment: jinja2.Environment) -> None:
            super().__init__(environment)
            self.store: dict[tuple, str] = {}  # an environment per client build: no mix-ups

        def parse(self, parser) -> jinja2.nodes.Node:
            """Read the tag's expressions and body."""
            lineno = next(parser.stream).lineno
            args = [parser.parse_expression()]
            while parser.stream.skip_if("comma"):
                args.append(parser.parse_expression())
            body = parser.parse_statements(("name:endmemo",), drop_needle=True)
            call = self.call_method("_memo", [jinja2.nodes.List(args)])
            return jinja2.nodes.CallBlock(call, [], [], body).set_lineno(lineno)

        def _memo(self, args: list, caller) -> str:
            item, link, css = args
            key = (item.url, item.title, link, css)
            if key not in self.store:
                self.store[key] = caller()
            return self.store[key]

    return Memo


BUILD_TEMPLATES = Path(__file__).parent / "mkdocs_overrides"
"""Templates our build puts before the theme's and Material's: the same pages, made faster
(`Memo`). Left out of the `mkdocs.yml` written for a build by hand, which then renders the
same pages with Material's own."""


def _bytecode_cache(folder: Path):
    """Jinja's cache of compiled templates in `folder`, shared by the practice's builds."""
    import jinja2

    folder.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder))


def _our_env(theme, templates_dir: Path | None) -> None:
    """Give every Jinja environment of `theme` (the pages', and the search plugin's own for
    its translations) our templates first (`BUILD_TEMPLATES`), our `memo` tag and, with
    `templates_dir`, a bytecode cache there: Material's templates are then compiled once for
    the practice, not once per client and build.

    Jinja keys each template by its name and file and checks its source, and renames its
    files into place, so the workers building other clients share the folder safely.
    """
    import jinja2

    cache = _bytecode_cache(templates_dir) if templates_dir is not None else None
    make_env = theme.get_env

    def get_env() -> jinja2.Environment:
        env = make_env()
        env.loader = jinja2.FileSystemLoader([str(BUILD_TEMPLATES), *theme.dirs])
        env.bytecode_cache = cache
        env.add_extension(_memo_tag())
        return env

    theme.get_env = get_env


def _link_outside(html: str, base_url: str, outside: dict[str, Path]) -> str:
    """Point the page's links to the shared theme files one folder up: `../../assets/x.css`
    becomes `../../../assets/x.css` (only files in `outside`; the client's own stay)."""
    prefix = "" if base_url == "." else f"{base_url}/"

    def relink(match: re.Match) -> str:
        path = match.group(1)
        return f'"{prefix}../{path}"' if path in outside else match.group(0)

    return re.sub(f'"{re.escape(prefix)}(assets/[^"]+)"', relink, html)


def _encoded(html: str) -> bytes:
    return html.encode("utf-8", errors="xmlcharrefreplace")
