"""The shortcuts our build takes inside MkDocs give what MkDocs' own steps give."""

from __future__ import annotations

import copy
import io
from pathlib import Path

from generator.content import load_client
from generator.mkdocs_site import _Converter, _render, write_mkdocs_config
from generator.render import render_client

EVERY_EXTENSION = """\
A footnote[^a] and another[^b].

[^a]: The first.
[^b]: The second.

!!! note "Between sessions"
    An admonition with **bold** text.

- [x] a done task
- [ ] an open one

| when | what |
| --- | --- |
| Monday | walk |

```python
print("fenced")
```

<div id="raw-anchor" markdown>A raw block with *Markdown* inside.</div>

==marked== text, a [link to the kickoff](2026-03-02-kickoff.md) and [an anchor](#raw-anchor).

## Notes

### Notes
"""


def _pages(project, tmp_path):
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    for day in ("2026-04-06", "2026-04-13"):  # two pages with footnotes, headings alike
        project.recap("ada-quill", day, f"date: {day}\ntitle: Extensions {day}", EVERY_EXTENSION)
    client = load_client(project.root / "content/ada-quill").client
    config = project.config()
    journal = render_client(client, config.theme_dir(), tmp_path / "docs")
    file, settings = write_mkdocs_config(
        journal,
        tmp_path / "site",
        branding=config.branding,
        theme_dir=config.theme_dir(),
        project_dir=config.project_dir,
    )
    # (a copy: MkDocs takes the extensions' settings apart as it reads them)
    mkdocs = load_config(io.BytesIO(b"{}"), config_file_path=str(file), **copy.deepcopy(settings))
    files = get_files(mkdocs)
    get_navigation(files, mkdocs)
    pages = []
    for doc in files.documentation_pages():
        page = doc.page or Page(None, doc, mkdocs)
        page.read_source(mkdocs)
        pages.append(page)
    return mkdocs, files, pages


def _rendered(page) -> tuple:
    # (not the anchors found in raw HTML: only MkDocs' INFO-level anchor check used them)
    anchors = {a for a in page.present_anchor_ids if f'id="{a}"' not in page.markdown}
    return (page.content, str(page.toc), page._title_from_render, anchors, page.links_to_anchors)


def test_one_converter_for_every_page_renders_each_as_mkdocs_own_render(project, tmp_path):
    """Markdown's extensions keep state between pages (footnote numbers, heading ids, the
    stash of raw HTML): after `reset` none may leak into the next page."""
    mkdocs, files, pages = _pages(project, tmp_path)
    assert len(pages) > 6
    expected = {}
    for page in pages:
        page.render(mkdocs, files)
        expected[page.file.src_uri] = _rendered(page)
    converter = _Converter(mkdocs)
    for page in pages + pages[::-1]:  # in both orders: nothing carried from page to page
        page.content = page.toc = None
        _render(page, mkdocs, files, converter)
        assert _rendered(page) == expected[page.file.src_uri], page.file.src_uri
    extensions = expected["sessions/2026-04-13.md"][0]
    assert 'id="fn:a"' in extensions and "admonition" in extensions and 'id="notes_1"' in extensions


def test_our_navigation_item_is_material_s_but_for_the_memo():
    """`generator/mkdocs_overrides/partials/nav-item.html` replaces Material's in our build:
    when Material changes its own, this fails, and the copy must be made again from it."""
    import material

    from generator.mkdocs_site import BUILD_TEMPLATES

    theirs = (Path(material.__file__).parent / "templates/partials/nav-item.html").read_text()
    ours = (BUILD_TEMPLATES / "partials/nav-item.html").read_text()
    body = ours.split("-#}\n", 1)[1]
    assert "{% memo nav_item, nav_item.url | url, class %}" in body
    unmemoed = [line for line in body.splitlines() if "memo " not in line and "endmemo" not in line]
    assert unmemoed == theirs.split("-#}\n", 1)[1].splitlines()


def test_the_engine_versions_read_from_folder_names_are_the_installed_ones():
    from importlib import metadata

    from generator.engine import PACKAGES, engine_version

    assert engine_version() == "; ".join(f"{n} {metadata.version(n)}" for n in PACKAGES)
