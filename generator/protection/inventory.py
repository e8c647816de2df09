"""The build's inventory: an encrypted list of every file of a client's protected site.

    .rj/inventory.json   (encrypted like any file)   {"format": 1, "build": N,
                                                      "files": {path: base64(nonces)}}

For each file, the nonces of its chunks (`blobs.blob_nonces`): each is a keyed hash of that
chunk and its context, so the list names one exact version of the file. The browser
(`decrypt.js`) reads the inventory once, refuses a chunk whose nonce is not the listed one (an
older version of the file put back on the host) and a file the inventory does not list (a
deleted one put back), and remembers the highest build number it has seen for the journal,
refusing an older inventory (a whole older copy of the site). (Not to be confused with
`manifest.py`, the web app manifest, nor with the private reuse manifest in `protect.py`.)

The build number goes up by one whenever the list changes, and never down: it is kept in
`.recap/clients/<slug>/build-number` as well, so a deleted `site/` does not restart it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.protection.blobs import ProtectError, SiteKeys, decrypt_blob, encrypt_file

PATH = ".rj/inventory.json"
"""The inventory's path in the plain site's namespace: no MkDocs file can have it."""
RESERVED_PREFIX = ".rj/"


@dataclass(frozen=True)
class Inventory:
    """One build of a client's protected site."""

    build: int
    files: dict[str, str]
    """Each encrypted file's path → base64 of its nonces."""

    def digest(self) -> str:
        """The fingerprint of this build's file list."""
        return digest(self.files)

    def to_json(self) -> str:
        """The inventory's plaintext (sorted: equal inventories give equal bytes)."""
        data = {"format": 1, "build": self.build, "files": self.files}
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


def next_build(
    files: dict[str, str], previous: Inventory | None, floor: int, floor_digest: str = ""
) -> Inventory:
    """The inventory of `files`: the previous build number when nothing changed, else one more
    than both the previous inventory's and `floor` (the number kept in `.recap/`, with the
    `digest` of that build's files: a from-scratch build of the same files keeps its number).
    """
    if previous is not None and previous.files == files and previous.build >= floor:
        return previous
    if previous is None and floor and floor_digest == digest(files):
        return Inventory(floor, files)
    last = max(previous.build if previous else 0, floor)
    return Inventory(last + 1, files)


def digest(files: dict[str, str]) -> str:
    """A short fingerprint of an inventory's file list, kept beside its build number."""
    text = json.dumps(files, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def write_inventory(out_dir: Path, keys: SiteKeys, inventory: Inventory) -> None:
    """Encrypt `inventory` into the protected site `out_dir` (as `b/<name of PATH>`)."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=out_dir, delete=False) as plain:
        plain.write(inventory.to_json())
    try:
        encrypt_file(Path(plain.name), out_dir / "b" / keys.blob_name(PATH), PATH, keys)
    finally:
        Path(plain.name).unlink()


def read_inventory(site_dir: Path, keys: SiteKeys) -> Inventory | None:
    """The inventory of a protected site made with `keys`, or None when it has none (or one
    made with another key: after a password change the build number continues from `.recap/`).
    """
    blob = site_dir / "b" / keys.blob_name(PATH)
    if not blob.is_file():
        return None
    try:
        data = json.loads(decrypt_blob(blob.read_bytes(), PATH, keys))
        return Inventory(int(data["build"]), {str(k): str(v) for k, v in data["files"].items()})
    except (ProtectError, ValueError, KeyError, TypeError, AttributeError):
        return None


def nonces_text(nonces: bytes) -> str:
    """How a file's nonces are written in the inventory."""
    return base64.b64encode(nonces).decode("ascii")
