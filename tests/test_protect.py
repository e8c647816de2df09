"""Protection, build side: a real MkDocs + Material site encrypted, checked byte by byte."""

from __future__ import annotations

import base64
import filecmp
import json
import shutil
from pathlib import Path

import pytest

from generator.config import Branding, builtin_themes_dir
from generator.protection import keys
from generator.protection.blobs import SiteKeys, blob_nonces, encrypt_file
from generator.protection.inventory import PATH as INVENTORY
from generator.protection.inventory import read_inventory
from generator.protection.protect import (
    ProtectError,
    decrypt_blob,
    protect_site,
    read_protected,
    write_site_root,
)
from generator.state import State
from tests.leakscan import assert_no_leaks, find_leaks
from tests.sample_site import COACH, NEEDLES, PRACTICE, build_plain

PASSWORD = "velvet tundra orchard pivot"
THEME = builtin_themes_dir() / "default"
BRANDING = Branding(coach_name=COACH, practice_name=PRACTICE)


@pytest.fixture(scope="session")
def plain_site(tmp_path_factory) -> Path:
    """The sample journal, built once by the real MkDocs."""
    return build_plain(tmp_path_factory.mktemp("journal"))


@pytest.fixture(scope="session")
def changed_site(tmp_path_factory, plain_site) -> Path:
    """The same journal with one sentence added to one session page."""
    mp3 = plain_site / "media" / "recording-one.mp3"
    root = tmp_path_factory.mktemp("changed")
    return build_plain(root, body_extra="One sentence more.", mp3=mp3)


@pytest.fixture
def state(tmp_path) -> State:
    state = State(tmp_path / ".recap")
    keys.set_password(state, "zephyrine-quill", PASSWORD)
    return state


@pytest.fixture
def secrets(state) -> keys.ClientSecrets:
    return keys.load_secrets(state, "zephyrine-quill", {})


def protect(plain: Path, out: Path, secrets, **kwargs):
    return protect_site(plain, out, secrets=secrets, branding=BRANDING, theme_dir=THEME, **kwargs)


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_every_file_round_trips_and_nothing_is_in_the_clear(plain_site, secrets, tmp_path):
    out = tmp_path / "site" / secrets.site_id
    report = protect(plain_site, out, secrets=secrets)
    plain_files = files_of(plain_site)
    public = {p for p in files_of(out) if p.startswith("assets/")}
    for path, data in plain_files.items():
        if path in public:
            assert (out / path).read_bytes() == data
        else:
            assert read_protected(out, path, secrets) == data, path
    encrypted = [p for p in plain_files if p not in public]
    assert report.encrypted == len(encrypted) == len(list((out / "b").iterdir())) - 1  # inventory
    assert report.reused == 0
    for name in ("index.html", "unlock.js", "keystore.js", "lock.js", "sw.js", "keyring.json"):
        assert (out / name).is_file()
    # Only Material's own assets are public: none of the pages, the search index or media.
    assert all(p.startswith("assets/") for p in public)
    assert {"index.html", "search/search_index.json", "media/recording-one.mp3"} <= set(encrypted)
    write_site_root(tmp_path / "site", BRANDING, THEME)
    assert_no_leaks(tmp_path / "site", NEEDLES)


def test_the_unlock_page_shows_the_coach_only(plain_site, secrets, tmp_path):
    out = tmp_path / "out"
    protect(plain_site, out, secrets=secrets)
    page = (out / "index.html").read_text()
    assert PRACTICE in page
    assert COACH in page
    assert "Remember me on this device" in page
    assert "http:" not in page and "https:" not in page and "//" not in page  # no other origin
    assert "frame-src 'none'" in page  # the Content-Security-Policy, as a meta tag
    keyring = json.loads((out / "keyring.json").read_text())
    assert keyring["site"] == secrets.site_id
    assert [set(e) for e in keyring["entries"]] == [{"salt", "iterations", "wrapped", "fold"}]


def test_the_worker_knows_which_files_are_public(plain_site, secrets, tmp_path):
    out = tmp_path / "out"
    protect(plain_site, out, secrets=secrets)
    worker = (out / "sw.js").read_text()
    assert "/*RJ_PUBLIC*/" not in worker
    listed = json.loads(worker.split("new Set(", 1)[1].split(");", 1)[0])
    on_disk = {p for p in files_of(out) if not p.startswith("b/") and p != "index.html"}
    assert set(listed) == on_disk


def test_two_protections_are_byte_identical(plain_site, secrets, tmp_path):
    protect(plain_site, tmp_path / "one", secrets=secrets)
    protect(plain_site, tmp_path / "two", secrets=secrets)
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")


def test_one_changed_page_changes_only_its_blob_the_search_index_and_the_inventory(
    plain_site, changed_site, secrets, tmp_path
):
    protect(plain_site, tmp_path / "before", secrets=secrets)
    protect(changed_site, tmp_path / "after", secrets=secrets)
    before, after = files_of(tmp_path / "before"), files_of(tmp_path / "after")
    assert set(before) == set(after)
    changed = {p for p in before if before[p] != after[p]}
    sk = SiteKeys.derive(secrets.content_key, secrets.site_id)
    expected = {
        "b/" + sk.blob_name("sessions/marmalade-horizon/index.html"),
        "b/" + sk.blob_name("search/search_index.json"),
        "b/" + sk.blob_name(INVENTORY),
    }
    assert changed == expected


def test_unchanged_blobs_are_reused_from_the_previous_site(
    plain_site, changed_site, secrets, tmp_path
):
    protect(plain_site, tmp_path / "first", secrets=secrets)
    report = protect(
        changed_site, tmp_path / "second", secrets=secrets, reuse_from=tmp_path / "first"
    )
    assert report.encrypted == 2
    assert report.reused == len(list((tmp_path / "first" / "b").iterdir())) - 3  # inventory
    fresh = tmp_path / "fresh"
    protect(changed_site, fresh, secrets=secrets, build_floor=1)
    assert files_of(tmp_path / "second") == files_of(fresh)


def test_a_new_password_re_encrypts_everything_under_a_new_key(
    plain_site, state, secrets, tmp_path
):
    """Revocation: the old keyring and the old password open nothing of the new build."""
    protect(plain_site, tmp_path / "old", secrets=secrets)
    new_password = keys.set_password(state, "zephyrine-quill")
    renewed = keys.load_secrets(state, "zephyrine-quill", {})
    protect(plain_site, tmp_path / "new", secrets=renewed, reuse_from=tmp_path / "old")
    assert renewed.site_id == secrets.site_id
    old, new = files_of(tmp_path / "old"), files_of(tmp_path / "new")
    old_blobs = {p for p in old if p.startswith("b/")}
    new_blobs = {p for p in new if p.startswith("b/")}
    assert old_blobs and new_blobs and not old_blobs & new_blobs  # every name changed
    # What someone who kept the old keyring.json and knows the old password can derive:
    old_ring = json.loads((tmp_path / "old" / "keyring.json").read_text())
    entry = keys.KeyringEntry(
        salt=base64.b64decode(old_ring["entries"][0]["salt"]),
        iterations=old_ring["entries"][0]["iterations"],
        nonce=base64.b64decode(old_ring["entries"][0]["wrapped"])[:12],
        wrapped=base64.b64decode(old_ring["entries"][0]["wrapped"])[12:],
        key_id="",
    )
    old_key = keys.unwrap_key(entry, PASSWORD, secrets.site_id)
    assert old_key == secrets.content_key
    old_keys = SiteKeys.derive(old_key, secrets.site_id)
    for path in ("index.html", "sessions/marmalade-horizon/index.html"):
        blob = tmp_path / "new" / "b" / renewed_name(renewed, path)
        assert blob.is_file()
        with pytest.raises(ProtectError):
            decrypt_blob(blob.read_bytes(), path, old_keys)
    [now] = renewed.keyring
    assert keys.unwrap_key(now, PASSWORD, renewed.site_id) is None
    assert keys.unwrap_key(now, new_password, renewed.site_id) == renewed.content_key
    new_ring = json.loads((tmp_path / "new" / "keyring.json").read_text())
    assert new_ring["check"] != old_ring["check"]


def renewed_name(secrets, path: str) -> str:
    return SiteKeys.derive(secrets.content_key, secrets.site_id).blob_name(path)


def test_tampered_blobs_are_refused(plain_site, secrets, tmp_path):
    out = tmp_path / "out"
    protect(plain_site, out, secrets=secrets)
    sk = SiteKeys.derive(secrets.content_key, secrets.site_id)
    path = "media/recording-one.mp3"
    blob = (out / "b" / sk.blob_name(path)).read_bytes()
    assert decrypt_blob(blob, path, sk) == (plain_site / path).read_bytes()

    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 1
    with pytest.raises(ProtectError, match="fails authentication"):
        decrypt_blob(bytes(flipped), path, sk)
    with pytest.raises(ProtectError, match="truncated"):
        decrypt_blob(blob[:-100], path, sk)
    # A whole chunk dropped, with the header's length edited to match: still refused.
    chunk = 64 * 1024 + 28
    header = bytearray(blob[:16])
    header[8:16] = (64 * 1024 * 2).to_bytes(8, "big")
    with pytest.raises(ProtectError):
        decrypt_blob(bytes(header) + blob[16 : 16 + 2 * chunk], path, sk)
    # Chunks in another order.
    swapped = (
        blob[:16]
        + blob[16 + chunk : 16 + 2 * chunk]
        + blob[16 : 16 + chunk]
        + blob[16 + 2 * chunk :]
    )
    with pytest.raises(ProtectError, match="chunk 0"):
        decrypt_blob(swapped, path, sk)
    # Another file's blob under this name, or this blob for another client.
    other = (out / "b" / sk.blob_name("index.html")).read_bytes()
    with pytest.raises(ProtectError):
        decrypt_blob(other, path, sk)
    stranger = SiteKeys.derive(b"\x01" * 32, secrets.site_id)
    with pytest.raises(ProtectError):
        decrypt_blob(blob, path, stranger)
    elsewhere = SiteKeys.derive(secrets.content_key, "0123456789abcdef")
    with pytest.raises(ProtectError):
        decrypt_blob(blob, path, elsewhere)
    with pytest.raises(ProtectError, match="not a Recap Journal blob"):
        decrypt_blob(b"<html>hello</html>", path, sk)


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 200_000])
def test_blob_sizes_round_trip(size, tmp_path):
    sk = SiteKeys.derive(b"\x02" * 32, "00112233aabbccdd")
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    (tmp_path / "plain").write_bytes(data)
    encrypt_file(tmp_path / "plain", tmp_path / "blob", "a/b.bin", sk)
    blob = (tmp_path / "blob").read_bytes()
    assert decrypt_blob(blob, "a/b.bin", sk) == data
    encrypt_file(tmp_path / "plain", tmp_path / "again", "a/b.bin", sk)
    assert (tmp_path / "again").read_bytes() == blob


def test_a_foreign_file_in_assets_is_encrypted(plain_site, secrets, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(plain_site, plain)
    (plain / "assets" / "notes.txt").write_text("Zephyrine Quillfeather's notes")
    stylesheet = next((plain / "assets" / "stylesheets").glob("main.*.min.css"))
    stylesheet.write_bytes(stylesheet.read_bytes() + b"/* Quillfeather */")
    out = tmp_path / "out"
    protect(plain, out, secrets=secrets)
    assert not (out / "assets" / "notes.txt").exists()
    assert not (out / stylesheet.relative_to(plain)).exists()
    assert read_protected(out, "assets/notes.txt", secrets).startswith(b"Zephyrine")
    assert_no_leaks(out, ["Quillfeather"])


def test_a_plain_file_cannot_take_a_reserved_name(plain_site, secrets, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(plain_site, plain)
    (plain / "keyring.json").write_text("{}")
    with pytest.raises(ProtectError, match="reserved"):
        protect(plain, tmp_path / "out", secrets=secrets)


def test_the_output_folder_must_be_new(plain_site, secrets, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("x")
    with pytest.raises(ProtectError, match="new, empty folder"):
        protect(plain_site, tmp_path / "out", secrets=secrets)


def test_site_root_and_logo_show_the_coach_only(plain_site, secrets, tmp_path):
    project = tmp_path / "project"
    (project / "brand").mkdir(parents=True)
    (project / "brand" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    branding = Branding(coach_name=COACH, practice_name=PRACTICE, logo=Path("brand/logo.svg"))
    site = tmp_path / "site"
    write_site_root(site, branding, THEME, project_dir=project)
    out = site / secrets.site_id
    protect_site(
        plain_site, out, secrets=secrets, branding=branding, theme_dir=THEME, project_dir=project
    )
    for page in (site / "index.html", site / "404.html", out / "index.html"):
        text = page.read_text()
        assert PRACTICE in text and COACH in text
    assert "private journal" in (site / "index.html").read_text()
    assert 'src="brand-logo.svg"' in (site / "index.html").read_text()
    assert filecmp.cmp(site / "brand-logo.svg", project / "brand" / "logo.svg", shallow=False)
    assert filecmp.cmp(out / "brand-logo.svg", project / "brand" / "logo.svg", shallow=False)
    assert "brand-logo.svg" in (out / "sw.js").read_text()
    assert_no_leaks(site, NEEDLES)


def test_the_leak_scanner_finds_every_form(tmp_path):
    samples = {
        "plain.html": "<p>Zephyrine Quillfeather</p>",
        "upper.txt": "ZEPHYRINE QUILLFEATHER",
        "url.txt": "next=Zephyrine%20Quillfeather",
        "plus.txt": "q=zephyrine+quillfeather",
        "json.json": json.dumps({"n": "Zéphyrine Quillfeather"}),
        "utf16.bin": "Zephyrine Quillfeather".encode("utf-16-le"),
    }
    for name, content in samples.items():
        data = content if isinstance(content, bytes) else content.encode()
        (tmp_path / name).write_bytes(data)
    (tmp_path / "zephyrine-quillfeather").mkdir()
    (tmp_path / "zephyrine-quillfeather" / "x.txt").write_text("nothing")
    leaks = find_leaks(
        tmp_path, ["Zephyrine Quillfeather", "Zéphyrine Quillfeather", "zephyrine-quillfeather"]
    )
    assert {leak.file.name for leak in leaks} == set(samples) | {"x.txt"}
    with pytest.raises(AssertionError, match=r"plain\.html"):
        assert_no_leaks(tmp_path, ["Zephyrine Quillfeather"])


def test_the_inventory_lists_every_file_and_counts_builds(
    plain_site, changed_site, secrets, tmp_path
):
    first = protect(plain_site, tmp_path / "first", secrets=secrets)
    sk = SiteKeys.derive(secrets.content_key, secrets.site_id)
    listed = read_inventory(tmp_path / "first", sk)
    assert listed is not None and listed.build == first.build == 1
    blobs = {p.name for p in (tmp_path / "first" / "b").iterdir()}
    assert {sk.blob_name(path) for path in listed.files} | {sk.blob_name(INVENTORY)} == blobs
    session = "sessions/marmalade-horizon/index.html"
    nonces = blob_nonces(tmp_path / "first" / "b" / sk.blob_name(session))
    assert base64.b64decode(listed.files[session]) == nonces
    # Nothing changed: the same build, byte for byte; a change: one more.
    same = protect(plain_site, tmp_path / "same", secrets=secrets, reuse_from=tmp_path / "first")
    assert same.build == 1
    assert files_of(tmp_path / "same") == files_of(tmp_path / "first")
    changed = protect(
        changed_site, tmp_path / "changed", secrets=secrets, reuse_from=tmp_path / "first"
    )
    assert changed.build == 2
    # The number kept in .recap/ wins when site/ was lost: it never goes down.
    fresh = protect(plain_site, tmp_path / "fresh", secrets=secrets, build_floor=7)
    assert fresh.build == 8
    # A from-scratch build of the very files of the last build keeps its number (and bytes).
    again = protect(plain_site, tmp_path / "again", secrets=secrets,
                    build_floor=first.build, floor_digest=first.inventory)  # fmt: skip
    assert again.build == 1
    assert files_of(tmp_path / "again") == files_of(tmp_path / "first")


def test_a_plain_file_cannot_take_the_inventorys_name(plain_site, secrets, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(plain_site, plain)
    (plain / ".rj").mkdir()
    (plain / ".rj" / "inventory.json").write_text("{}")
    with pytest.raises(ProtectError, match="reserved"):
        protect(plain, tmp_path / "out", secrets=secrets)
