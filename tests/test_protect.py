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
from generator.protection.blobs import (
    CHUNK_SIZE,
    START,
    SiteKeys,
    blob_matches,
    blob_nonces,
    encrypt_file,
    padded_size,
    payload_length,
)
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
    flipped[START + CHUNK_SIZE // 2] ^= 1
    with pytest.raises(ProtectError, match="chunk 0 fails authentication"):
        decrypt_blob(bytes(flipped), path, sk)
    with pytest.raises(ProtectError, match="truncated"):
        decrypt_blob(blob[:-100], path, sk)
    # The sealed length cannot be edited, nor the header's size to match a shorter blob.
    flipped = bytearray(blob)
    flipped[20] ^= 1
    with pytest.raises(ProtectError, match="length fails authentication"):
        decrypt_blob(bytes(flipped), path, sk)
    chunk = CHUNK_SIZE + 28
    shorter = blob[:START] + blob[START + chunk :]
    header = bytearray(blob[:16])
    header[8:16] = len(shorter).to_bytes(8, "big")
    with pytest.raises(ProtectError, match="length fails authentication"):
        decrypt_blob(bytes(header) + shorter[16:], path, sk)
    # Chunks in another order.
    swapped = (
        blob[:START]
        + blob[START + chunk : START + 2 * chunk]
        + blob[START : START + chunk]
        + blob[START + 2 * chunk :]
    )
    with pytest.raises(ProtectError, match="chunk 0"):
        decrypt_blob(swapped, path, sk)
    # The padding is never read: changing it changes nothing decrypted.
    length, deflated = payload_length(blob, path, sk)
    assert not deflated and len(blob) > START + length + 4 * 28
    repadded = blob[:-10] + bytes(10)
    assert decrypt_blob(repadded, path, sk) == (plain_site / path).read_bytes()
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


EDGES = [0, 1, 4015, 4016, 65535, 65536, 65537, 131072, 200_000, 1_048_075, 1_048_076,
         1_310_107, 1_310_108, 3_000_000]  # fmt: skip
"""Sizes at the edges: empty; the largest file of the smallest bucket (4 KiB less the header,
the length block and one chunk's nonce and tag) and one more; chunk boundaries; the largest
recordings of the last power-of-two bucket (1 MiB) and of the first quarter step above it
(1¼ MiB), and one byte more each."""


@pytest.mark.parametrize("size", EDGES)
@pytest.mark.parametrize("name", ["a/b.mp3", "a/b.html"], ids=["as-is", "compressed"])
def test_blob_sizes_round_trip_and_are_buckets(size, name, tmp_path):
    sk = SiteKeys.derive(b"\x02" * 32, "00112233aabbccdd")
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    if name.endswith(".mp3"):  # incompressible, like a recording
        data = b"".join(sk.path_mac(str(i)) for i in range(size // 32 + 1))[:size]
    (tmp_path / "plain").write_bytes(data)
    written = encrypt_file(tmp_path / "plain", tmp_path / "blob", name, sk)
    blob = (tmp_path / "blob").read_bytes()
    assert len(blob) == written == padded_size(written)
    assert decrypt_blob(blob, name, sk) == data
    length, deflated = payload_length(blob, name, sk)
    assert deflated == name.endswith(".html")
    assert length == size or deflated
    chunks = max(1, -(-length // CHUNK_SIZE))
    assert len(blob) == padded_size(START + length + chunks * 28)
    assert len(blob_nonces(tmp_path / "blob", name, sk)) == 12 * (1 + chunks)
    assert blob_matches(tmp_path / "blob", tmp_path / "plain", name, sk)
    encrypt_file(tmp_path / "plain", tmp_path / "again", name, sk)
    assert (tmp_path / "again").read_bytes() == blob


def test_padded_sizes_are_few_and_cost_little():
    assert padded_size(0) == padded_size(4096) == 4096
    assert [padded_size(n) for n in (4097, 8192, 8193, 1 << 20)] == [8192, 8192, 16384, 1 << 20]
    mib = 1 << 20
    assert [padded_size(mib + 1), padded_size(mib * 5 // 4 + 1), padded_size(2 * mib)] == [
        mib * 5 // 4,
        mib * 3 // 2,
        2 * mib,
    ]
    assert padded_size(20 * mib + 1) == 24 * mib  # an hour at 48 kbit/s: 20.6 MiB
    for size in range(mib, 64 * mib, 99_991):
        assert size <= padded_size(size) <= size * 1.25
    buckets = {padded_size(size) for size in range(1, 64 * mib, 4099)}
    assert len(buckets) == 9 + 4 * 6  # 4 KiB … 1 MiB, then four steps per doubling to 64 MiB


def test_every_blob_on_disk_has_a_bucket_size(plain_site, changed_site, secrets, tmp_path):
    """The host sees bucket sizes only: two versions of a page of different lengths, and the
    recording, have sizes that tell nothing finer than their bucket."""
    for plain, out in ((plain_site, tmp_path / "one"), (changed_site, tmp_path / "two")):
        protect(plain, out, secrets=secrets)
        sizes = {p.stat().st_size for p in (out / "b").iterdir()}
        assert sizes and all(padded_size(size) == size for size in sizes), sizes
    sk = SiteKeys.derive(secrets.content_key, secrets.site_id)
    page = "b/" + sk.blob_name("sessions/marmalade-horizon/index.html")
    one, two = (tmp_path / "one" / page).read_bytes(), (tmp_path / "two" / page).read_bytes()
    path = "sessions/marmalade-horizon/index.html"
    assert payload_length(one, path, sk)[0] != payload_length(two, path, sk)[0]
    assert len(one) == len(two)
    # The padding is keystream, not zeros: the blob's end does not show where the page ends.
    assert one[-64:] != bytes(64) and one[-64:] != two[-64:]
    mp3 = "media/recording-one.mp3"
    blob = tmp_path / "one" / "b" / sk.blob_name(mp3)
    assert blob.stat().st_size == padded_size((plain_site / mp3).stat().st_size) == 256 * 1024


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
    nonces = blob_nonces(tmp_path / "first" / "b" / sk.blob_name(session), session, sk)
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


def old_format_blob(data: bytes, path: str, sk: SiteKeys, version: int) -> bytes:
    """A blob as builds before padding wrote it (version 1 as is, 2 compressed; the exact
    length in the header): written here by hand, as no code writes that format any more."""
    import hashlib
    import hmac
    import struct
    import zlib

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    payload = zlib.compress(data, 6) if version == 2 else data
    header = struct.pack(">3sBIQ", b"RJ1", version, CHUNK_SIZE, len(payload))
    chunks = [payload[i : i + CHUNK_SIZE] for i in range(0, len(payload), CHUNK_SIZE)] or [b""]
    out = [header]
    for index, chunk in enumerate(chunks):
        aad = header + sk.site_id.encode() + sk.path_mac(path)
        aad += struct.pack(">QB", index, index == len(chunks) - 1)
        digest = hashlib.sha256(chunk).digest()
        nonce = hmac.new(sk.nonce, aad + digest, hashlib.sha256).digest()[:12]
        out.append(nonce + AESGCM(sk.enc).encrypt(nonce, chunk, aad))
    return b"".join(out)


def test_blobs_of_older_formats_still_open_and_are_encrypted_again(plain_site, secrets, tmp_path):
    first, manifest = tmp_path / "first", tmp_path / "reuse.json"
    protect(plain_site, first, secrets=secrets, reuse_from=None, manifest=manifest)
    sk = SiteKeys.derive(secrets.content_key, secrets.site_id)
    saved = json.loads(manifest.read_text())
    for path, entry in saved["blobs"].items():
        data = read_protected(first, path, secrets)
        version = 2 if path.endswith((".html", ".json", ".xml", ".js", ".css")) else 1
        blob = first / "b" / sk.blob_name(path)
        blob.write_bytes(old_format_blob(data, path, sk, version))
        assert read_protected(first, path, secrets) == data
        length = int.from_bytes(blob.read_bytes()[8:16], "big")  # in the clear, before padding
        assert len(blob_nonces(blob, path, sk)) == 12 * max(1, -(-length // CHUNK_SIZE))
        assert not blob_matches(blob, plain_site / path, path, sk)
        entry[1:] = [blob.stat().st_size, blob.stat().st_mtime_ns]
    # What a build before padding left in its private reuse manifest.
    saved["format"] = saved["format"].replace("blobs 3", "blobs 2")
    manifest.write_text(json.dumps(saved))
    again = protect(plain_site, tmp_path / "again", secrets=secrets, reuse_from=first,
                    manifest=manifest)  # fmt: skip
    assert again.reused == 0 and again.encrypted == len(saved["blobs"])
    fresh = tmp_path / "fresh"
    protect(plain_site, fresh, secrets=secrets)
    assert files_of(tmp_path / "again") == files_of(fresh)
