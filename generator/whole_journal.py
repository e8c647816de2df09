"""The whole journal (a page a year, to print) made from the session pages as rendered.

A session page marks its sections (successes, discussion, resources, commitments, next
steps) with two HTML comments; a year's page holds a placeholder for each of its sessions,
filled once MkDocs has rendered the session pages: their sections' HTML with every heading
one level down, every anchor made the session's own (`s12-successes`, so that a year of
sessions has no id twice) and every relative link rebased from the session's folder to the
year's. Each recap's Markdown is converted once, for its own page, instead of a second time
inside its year (the year pages were 40% of a client's Markdown time).
"""

from __future__ import annotations

import posixpath
import re

SECTIONS_START = "<!-- rj-sections -->"
SECTIONS_END = "<!-- /rj-sections -->"

PLACEHOLDER = re.compile(r"<!-- rj-sections-of (\S+\.md) (\d+) -->")
"""A year page's place for one session's sections: the session page's source path and its
number in the client's history (which prefixes its anchors)."""

FOOTNOTES = re.compile(r'\n?<div class="footnote">.*?</div>\s*\Z', re.DOTALL)
"""Python-Markdown puts a page's footnotes at its very end, after the sections."""

TAG = re.compile(r"<[a-zA-Z][^<>]*>")
"""An opening tag (text and code have their `<` escaped, so only real tags match)."""

ATTRIBUTE = re.compile(r'(\s(?:id|href|src)=")([^"]*)(")')

HEADING = re.compile(r"<(/?)h([1-5])\b")


def placeholder(source: str, number: int) -> str:
    """The comment a year page holds for the session page at `source` (`sessions/x.md`)."""
    return f"<!-- rj-sections-of {source} {number} -->"


def split_sections(content: str) -> tuple[str, str | None]:
    """A session page's HTML without the markers, and its sections' HTML (footnotes included)
    for the year page; None when the page has no marked sections."""
    start, end = content.find(SECTIONS_START), content.find(SECTIONS_END)
    if start < 0 or end < start:
        return content, None
    sections = content[start + len(SECTIONS_START) : end].strip("\n")
    footnotes = FOOTNOTES.search(content, end)
    if footnotes:
        sections += "\n" + footnotes.group(0).strip("\n")
    inner = content[start + len(SECTIONS_START) : end]
    return content[:start] + inner.strip("\n") + content[end + len(SECTIONS_END) :], sections


def sources(markdown: str) -> list[str]:
    """The session pages a year page's Markdown takes sections from, in order."""
    return [match.group(1) for match in PLACEHOLDER.finditer(markdown)]


def compose(content: str, url: str, sections: dict[str, tuple[str, str]]) -> str:
    """Fill the placeholders of a year page's HTML (`url` its address, `journal/2026/`);
    `sections` maps a session page's source path to its address and sections' HTML."""

    def fill(match: re.Match) -> str:
        found = sections.get(match.group(1))
        if found is None:  # a session without sections: nothing to show under its title
            return ""
        session_url, html = found
        return for_year_page(html, session_url, url, f"s{match.group(2)}-")

    return PLACEHOLDER.sub(fill, content)


def for_year_page(html: str, session_url: str, year_url: str, prefix: str) -> str:
    """A session's sections as its year page shows them: headings one level down (h6 stays),
    anchors prefixed, relative links and sources rebased from `session_url` to `year_url`."""
    html = HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", html)

    def attribute(match: re.Match) -> str:
        name, value = match.group(1), match.group(2)
        if "id=" in name:
            value = prefix + value
        elif value.startswith("#"):
            value = f"#{prefix}{value[1:]}"
        else:
            value = rebase(value, session_url, year_url)
        return f"{name}{value}{match.group(3)}"

    return TAG.sub(lambda tag: ATTRIBUTE.sub(attribute, tag.group(0)), html)


SCHEME = re.compile(r"^[a-zA-Z][\w+.-]*:")

PATH = re.compile(r"([^?#]*)(.*)", re.DOTALL)


def rebase(link: str, page_url: str, new_url: str) -> str:
    """`link` as written on the page at `page_url`, written for the page at `new_url` (both
    site addresses of folders, `sessions/x/`); absolute links are left as they are."""
    if not link or SCHEME.match(link) or link.startswith(("/", "#")):
        return link
    path, tail = PATH.match(link).groups()  # tail: the ?query and #anchor, kept as they are
    target = posixpath.normpath(posixpath.join(page_url, path)) if path else page_url
    relative = posixpath.relpath(target, new_url or ".")
    if path.endswith("/") or (not path and target.endswith("/")):
        relative = relative.rstrip("/") + "/"
    return relative + tail
