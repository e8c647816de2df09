"""One golden end-to-end build of the fixture project.

The rendered Markdown pages and the list of files in the built (unprotected) site are compared
with `tests/golden/`. After an intended change to the templates, regenerate them with

    make golden          (RECAP_UPDATE_GOLDEN=1 pytest tests/test_golden.py)

and review the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.build import build
from generator.content import load_client
from generator.render import render_client

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("RECAP_UPDATE_GOLDEN") == "1"


def _compare(actual_root: Path, golden_root: Path) -> None:
    if UPDATE:
        shutil.rmtree(golden_root, ignore_errors=True)
        shutil.copytree(actual_root, golden_root)
    actual = sorted(p.relative_to(actual_root) for p in actual_root.rglob("*") if p.is_file())
    expected = sorted(p.relative_to(golden_root) for p in golden_root.rglob("*") if p.is_file())
    assert actual == expected
    for rel in actual:
        if rel.suffix in {".md", ".txt"}:
            assert (actual_root / rel).read_text() == (golden_root / rel).read_text(), rel


def test_rendered_pages_match_golden(project, tmp_path):
    config = project.config()
    client = load_client(project.root / "content" / "ada-quill").client
    docs = tmp_path / "docs"
    render_client(client, config.theme_dir(), docs)
    _compare(docs, GOLDEN / "ada-quill" / "docs")


def test_built_site_files_match_golden(project, tmp_path):
    config = project.config()
    result = build(config, protect=False, only=["ada-quill"])
    assert result.built == ["ada-quill"]
    site = config.state.preview_dir / "ada-quill"
    pages = sorted(
        str(p.relative_to(site))
        for p in site.rglob("*")
        if p.is_file() and p.relative_to(site).parts[0] != "assets"
    )
    listing = tmp_path / "listing"
    listing.mkdir()
    (listing / "files.txt").write_text("\n".join(pages) + "\n")
    _compare(listing, GOLDEN / "ada-quill" / "site")
    home = (site / "index.html").read_text()
    assert "Ada Quillfeather" in home
    assert 'href="sessions/2026-03-16-progress/"' in home
    session = (site / "sessions/2026-03-02-kickoff/index.html").read_text()
    assert "quokkaberry" in session
    assert '<span class="rj-status rj-status-done">done</span> Walk every morning' in session
