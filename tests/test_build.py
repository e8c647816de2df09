"""The per-client build: isolation of broken clients, incremental rebuilds, no drafts or private
fields in any output, and the `recap build` command's report."""

from __future__ import annotations

import json
import time
from pathlib import Path

from generator.build import build, client_output
from generator.render import page_name

MARKERS = [
    "PRIVATE-CLIENT-MARKER",
    "PRIVATE-RECAP-MARKER",
    "DRAFT-TITLE-MARKER",
    "DRAFT-BODY-MARKER",
]


def _all_bytes(folder: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in folder.rglob("*") if p.is_file()]


def test_drafts_and_private_fields_never_reach_the_preview(project):
    config = project.config()
    result = build(config, protect=False)
    assert result.ok
    for path, data in _all_bytes(config.state.preview_dir):
        for marker in MARKERS:
            assert marker.encode() not in data, (marker, path)
    # the draft's page does not exist at all
    draft = page_name(config.state.page_key("ada-quill"), "2026-03-30-draft")
    assert not (config.state.preview_dir / f"ada-quill/sessions/{draft}").exists()
    kickoff = page_name(config.state.page_key("ada-quill"), "2026-03-02-kickoff")
    assert (config.state.preview_dir / f"ada-quill/sessions/{kickoff}/index.html").is_file()


def test_search_finds_each_thing_once_on_its_session_page(project):
    """The search index holds the sessions, commitments and resources, and not the pages that
    only repeat them (the timeline, the whole journal): a word is not found two or three times."""
    config = project.config()
    assert build(config, protect=False).ok
    index = json.loads(
        (config.state.preview_dir / "ada-quill/search/search_index.json").read_text()
    )
    pages = {doc["location"].split("#")[0] for doc in index["docs"]}
    kickoff = page_name(config.state.page_key("ada-quill"), "2026-03-02-kickoff")
    assert {f"sessions/{kickoff}/", "commitments/", "resources/"} <= pages
    assert not [p for p in pages if p == "" or p.startswith("journal/")]
    hits = [doc["location"] for doc in index["docs"] if "quokkaberry" in doc["text"]]
    assert [hit.split("#")[0] for hit in hits] == [f"sessions/{kickoff}/"]


def test_build_command_reports_each_client_and_a_table(project, cli):
    result = cli("build")
    assert result.exit_code == 0, result.output
    assert "✓ ada-quill  built in" in result.output
    assert "✓ ben-marsh  built in" in result.output
    config = project.config()
    site = client_output(config, "ada-quill").relative_to(project.root)
    assert f"{site}/" in result.output
    assert len(site.name) == 16 and "quill" not in site.name  # random hex: no slug, no name


def test_site_id_is_stable_and_opaque(project):
    config = project.config()
    first = client_output(config, "ada-quill")
    second = client_output(project.config(), "ada-quill")
    assert first == second
    assert len(first.name) == 16 and int(first.name, 16) >= 0


def test_second_build_with_no_change_rebuilds_nothing(project):
    config = project.config()
    first = build(config)
    assert sorted(first.built) == ["ada-quill", "ben-marsh"]
    second = build(config)
    assert second.built == []
    assert sorted(second.skipped) == ["ada-quill", "ben-marsh"]


def test_a_changed_recap_rebuilds_only_its_client(project):
    config = project.config()
    build(config)
    time.sleep(0.01)
    project.recap("ben-marsh", "2026-04-15", "date: 2026-04-15\ntitle: Second")
    result = build(config)
    assert result.built == ["ben-marsh"]
    assert result.skipped == ["ada-quill"]


def test_a_site_changed_by_hand_or_deleted_is_rebuilt(project):
    config = project.config()
    build(config)
    site = client_output(config, "ada-quill")
    (site / "index.html").write_text("defaced")
    assert build(config).built == ["ada-quill"]
    assert (site / "index.html").read_text() != "defaced"
    import shutil

    shutil.rmtree(client_output(config, "ben-marsh"))
    assert build(config).built == ["ben-marsh"]


def test_a_broken_client_keeps_its_previous_site_and_the_others_build(project, cli):
    config = project.config()
    assert build(config).ok
    ada_site = client_output(config, "ada-quill")
    before = {p: d for p, d in _all_bytes(ada_site)}
    project.write("content/ada-quill/sessions/2026-04-01.md", "---\ndate: [\n---\n")
    project.recap("ben-marsh", "2026-04-15", "date: 2026-04-15\ntitle: Second")
    result = cli("build")
    assert result.exit_code == 1
    assert "✗ ada-quill  not built" in result.output
    assert "2026-04-01.md:2: error: text starting with `[` needs quotes" in result.output
    assert "✓ ben-marsh  built in" in result.output
    assert "1 client not built" in result.output
    after = {p: d for p, d in _all_bytes(ada_site)}
    assert after == before


def test_build_one_client_only(project, cli):
    result = cli("build", "--client", "ben-marsh")
    assert result.exit_code == 0, result.output
    assert "ben-marsh" in result.output and "ada-quill" not in result.output
    assert not client_output(project.config(), "ada-quill").exists()


def test_unknown_client_is_an_error(project, cli):
    result = cli("build", "--client", "nobody")
    assert result.exit_code == 1
    assert "no client folder 'nobody'" in result.output


def test_a_client_without_password_is_not_built(project, cli, monkeypatch):
    monkeypatch.delenv("RECAP_PASSWORD_BEN_MARSH")
    result = cli("build")
    assert result.exit_code == 1
    assert "✗ ben-marsh  not built" in result.output
    assert "recap client password ben-marsh" in result.output
    assert not client_output(project.config(), "ben-marsh").exists()
    assert client_output(project.config(), "ada-quill").is_dir()


def test_non_mp3_recording_is_an_error(project, cli):
    (project.root / "content/ben-marsh/recordings").mkdir()
    (project.root / "content/ben-marsh/recordings/s.m4a").write_bytes(b"not really audio")
    project.recap(
        "ben-marsh", "2026-04-15", "date: 2026-04-15\ntitle: T\nrecording: recordings/s.m4a"
    )
    result = cli("build")
    assert result.exit_code == 1
    assert "field 'recording': expected a .mp3 file, found s.m4a" in result.output


def test_status_json_lists_each_client(project, cli):
    assert cli("build").exit_code == 0
    result = cli("status", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["slug"]: row for row in json.loads(result.stdout)}
    config = project.config()
    assert rows["ada-quill"]["sessions"] == 2
    assert rows["ada-quill"]["last_session"] == "2026-03-16"
    assert rows["ada-quill"]["site"] == str(
        client_output(config, "ada-quill").relative_to(project.root)
    )
    assert rows["ben-marsh"]["sessions"] == 1


def test_the_site_root_pages_are_written_again_only_when_their_settings_change(project):
    """`site/index.html` and `site/404.html` show the branding only: a build that changes a
    recap leaves them alone, a new practice name or a deleted page writes them again."""
    config = project.config()
    assert build(config).ok
    root = client_output(config, "ada-quill").parent
    written = (root / "404.html").stat().st_mtime_ns
    project.recap("ada-quill", "2026-04-27", "date: 2026-04-27\ntitle: One more")
    assert build(config).built == ["ada-quill"]
    assert (root / "404.html").stat().st_mtime_ns == written
    settings = project.root / "site_config.yml"
    settings.write_text(settings.read_text().replace("Test Practice", "Quillworks"))
    assert build(project.config()).ok
    assert "Quillworks" in (root / "404.html").read_text()
    (root / "index.html").unlink()
    project.recap("ada-quill", "2026-05-04", "date: 2026-05-04\ntitle: Yet one more")
    assert build(project.config()).ok and "Quillworks" in (root / "index.html").read_text()
