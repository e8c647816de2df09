"""A recap's Markdown for an email: HTML a mail program shows, and plain text a person reads.

Both parts come from one rendering (Python-Markdown with the journal's call-outs, task lists
and emphasis), so `!!! note`, `**bold**` and `- [x]` never reach a client as raw markup. Mail
programs ignore stylesheets, so call-outs get inline styles; the plain part is the same HTML
read as text: a call-out becomes its title line, a link "text (address)", a list item "- ".
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

EXTENSIONS = ["extra", "sane_lists", "admonition", "pymdownx.tasklist", "pymdownx.mark"]
"""The journal's Markdown, less what only makes sense on a web page (permalinks, details)."""


def markdown_html(text: str, colour: str) -> str:
    """The recap body as email HTML: call-outs as bordered boxes, inline styles only."""
    import markdown

    html = markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    box = (
        f'style="border-left:4px solid {escape(colour)};background:#f4f6f6;'
        'padding:8px 14px;margin:14px 0"'
    )
    html = re.sub(r'<div class="admonition([^"]*)">', rf'<div class="admonition\1" {box}>', html)
    html = html.replace(
        '<ul class="task-list">', '<ul class="task-list" style="list-style:none;padding-left:4px">'
    )
    return html.replace(
        '<p class="admonition-title">',
        '<p class="admonition-title" style="font-weight:bold;margin:0 0 4px">',
    )


def html_text(html: str) -> str:
    """Readable plain text of email HTML (what `markdown_html` makes)."""
    reader = _Text()
    reader.feed(html)
    reader.close()
    text = re.sub(r"[ \t]+\n", "\n", "".join(reader.out))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _Text(HTMLParser):
    BLOCKS = frozenset(("p", "div", "ul", "ol", "pre", "blockquote", "table", "tr", "hr"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[tuple[str | None, int]] = []  # open links: (href, where text starts)
        self.title = False  # inside a call-out's title
        self.heading: list[str] | None = None
        self.lists: list[list[int]] = []  # per open list: [next number] (0: bullets)
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in self.BLOCKS or tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.out.append("\n\n")
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.heading = []
        elif tag == "ul":
            self.lists.append([0])
        elif tag == "ol":
            self.lists.append([1])
        elif tag == "li":
            depth = max(len(self.lists) - 1, 0)
            numbering = self.lists[-1] if self.lists else [0]
            marker = f"{numbering[0]}." if numbering[0] else "-"
            if numbering[0]:
                numbering[0] += 1
            self.out.append("\n" + "  " * depth + marker + " ")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "a":
            self.links.append((found.get("href"), len(self.out)))
        elif tag == "p" and "admonition-title" in (found.get("class") or ""):
            self.title = True
        elif tag == "input" and found.get("type") == "checkbox":
            self.out.append("[x]" if "checked" in found else "[ ]")
        elif tag == "pre":
            self.pre += 1
        elif tag == "td" or tag == "th":
            self.out.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self.heading is not None:
            title = "".join(self.heading).strip()
            self.heading = None
            self.out.append(f"{title}\n{'-' * len(title)}\n")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.out.append("\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            shown = "".join(self.out[start:]).strip()
            if href and not href.startswith("#") and shown != href.removeprefix("mailto:"):
                self.out.append(f" ({href})")
        elif tag == "pre":
            self.pre -= 1
        elif tag in self.BLOCKS:
            if tag == "p" and self.title:
                self.title = False
                self.out.append(":")
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
        if self.heading is not None:
            self.heading.append(data)
        elif not (self.out and self.out[-1].endswith(("\n", " ")) and not data.strip()):
            self.out.append(data)
