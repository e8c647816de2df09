"""Scale: a page weighs the same whatever the number of sessions (the navigation is pruned to
the page's own year), and no source maps are published. Sizes, never times (times are for
`make bench`)."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from generator.build import build
from generator.config import load_config
from generator.render import page_name
from tests.scale_project import write_project


def _preview(root: Path, sessions: int) -> Path:
    write_project(root, 1, sessions)
    config = load_config(root / "site_config.yml")
    result = build(config, protect=False, jobs=1)
    assert result.ok, result.failed
    return config.state.preview_dir / "client-00"


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("scale")
    return {n: _preview(root / f"s{n}", n) for n in (10, 400)}


def _session_pages(site: Path) -> list[Path]:
    return sorted((site / "sessions").glob("*/index.html"))


def test_session_page_weight_does_not_grow_with_the_sessions(sites):
    small, large = (statistics.median(p.stat().st_size for p in _session_pages(sites[n]))
                    for n in (10, 400))  # fmt: skip
    # Each page lists its own year's sessions (at most 53) and one link per other year.
    assert large <= 1.8 * small, (small, large)


def test_a_session_page_lists_only_its_own_year(sites):
    pages = _session_pages(sites[400])
    assert len(pages) == 400
    page = pages[len(pages) // 2].read_text(encoding="utf-8")
    nav = page.split('<nav class="md-nav md-nav--primary"', 1)[1].split("</nav>\n</div>", 1)[0]
    linked = set(re.findall(r'href="\.\./([a-z2-7]{16})/"', nav))
    assert 40 <= len(linked) <= 53 + 8, len(linked)


def test_the_timeline_stays_the_full_index(sites):
    home = (sites[400] / "index.html").read_text(encoding="utf-8")
    assert len(set(re.findall(r'href="sessions/([a-z2-7]{16})/"', home))) == 400


def test_no_source_maps_are_published(sites):
    assert not [p for p in sites[10].rglob("*.map")]


def test_the_published_site_holds_one_copy_of_the_theme_assets(project):
    config = project.config()
    assert build(config, jobs=1).ok
    site = project.root / "site"
    bundles = sorted(p.relative_to(site).as_posix() for p in site.rglob("bundle.*.min.js"))
    assert len(bundles) == 1 and bundles[0].startswith("assets/javascripts/"), bundles
    assert (site / "assets" / "journal.css").is_file()
    clients = [p for p in site.iterdir() if p.is_dir() and p.name != "assets"]
    assert len(clients) == 2
    for client in clients:  # its encrypted files, its keyring and the unlock page's files
        assert sorted(p.name for p in client.iterdir() if p.is_dir()) == ["b"]
        assert (client / "keyring.json").is_file()
    assert not list(site.rglob("*.map"))


def test_text_is_compressed_before_encryption_and_recordings_are_not(project):
    import os

    from generator.protection.blobs import SiteKeys, payload_length
    from generator.protection.keys import load_secrets
    from generator.protection.protect import read_protected
    from tests.sample_site import make_mp3

    make_mp3(project.root / "content/ada-quill/recordings/2026-03-16.mp3", 5)
    recap = project.root / "content/ada-quill/sessions/2026-03-16-progress.md"
    recap.write_text(
        recap.read_text().replace("date:", "recording: recordings/2026-03-16.mp3\ndate:")
    )
    config = project.config()
    assert build(config, jobs=1, only=["ada-quill"]).ok
    secrets = load_secrets(config.state, "ada-quill", os.environ)
    keys = SiteKeys.derive(secrets.content_key, secrets.site_id)
    site = project.root / "site" / secrets.site_id
    for path in ("index.html", "search/search_index.json", "sitemap.xml"):
        blob = (site / "b" / keys.blob_name(path)).read_bytes()
        plain = read_protected(site, path, secrets)
        length, deflated = payload_length(blob, path, keys)
        assert deflated and length < len(plain) / 2, path
    mp3 = project.root / "content/ada-quill/recordings/2026-03-16.mp3"
    name = page_name(config.state.page_key("ada-quill"), "2026-03-16-progress")
    blob = (site / "b" / keys.blob_name(f"recordings/{name}.mp3")).read_bytes()
    assert payload_length(blob, f"recordings/{name}.mp3", keys) == (mp3.stat().st_size, False)
    assert read_protected(site, f"recordings/{name}.mp3", secrets) == mp3.read_bytes()
