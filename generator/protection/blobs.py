"""The encrypted blob format of a protected site, build side (the browser side: `decrypt.js`).

Keys, from the client's content key K by HKDF-SHA256 (salt "RJ1", info naming the key and the
site id): K_enc (AES-256-GCM), K_name and K_nonce (HMAC-SHA256).

A file at `path` in the plain site (POSIX, relative: `sessions/2024-05-01/index.html`) becomes
`b/<name>`, `name` = base32 of the first 20 bytes of HMAC(K_name, path): opaque, stable.

    header   "RJ1" ‖ version (1 byte) ‖ chunk size (u32) ‖ plaintext length (u64)   16 bytes
    chunk i  nonce (12) ‖ AES-GCM(K_enc, chunk i, aad_i) (with its 16-byte tag)
    aad_i    header ‖ site id ‖ HMAC(K_name, path) ‖ i (u64) ‖ is_last (1 byte)
    nonce_i  HMAC(K_nonce, aad_i ‖ SHA-256(chunk i))[:12]

Every chunk is its own GCM message, so a player can seek without the whole file. The AAD
binds each chunk to its file, position, length and client: a reordered, truncated, swapped or
altered blob fails authentication. The nonce is a keyed hash of everything that is encrypted
and authenticated, so equal inputs give equal bytes (unchanged files never change on the
host), and two different messages never share a nonce: the design sketch hashed the path,
index and chunk only, which would reuse a nonce with a different AAD when a file grows past
a chunk boundary and leak GCM's authentication key; hashing the whole AAD closes that.
A file of 0 bytes has one empty chunk, so that even it cannot be truncated unnoticed.

Version 1 holds the file as it is; version 2 (text: pages, search index, sitemap, styles,
scripts, transcripts) holds it compressed with zlib before encryption, since ciphertext cannot
be compressed by the host: the browser inflates it (`DecompressionStream("deflate")`).
Recordings and pictures are already compressed and stay version 1, so that they can be
played and seeked by byte range. The version is in the header, so in every chunk's AAD.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from generator.errors import RecapError

MAGIC = b"RJ1"
VERSION = 1
DEFLATED = 2
"""The version of a blob whose plaintext is the file compressed with zlib."""
COMPRESSED_SUFFIXES = frozenset(
    {".html", ".htm", ".json", ".xml", ".css", ".js", ".txt", ".md", ".vtt", ".svg"}
)
"""Files compressed before encryption: text (recordings and pictures are compressed already)."""
COMPRESSION_LEVEL = 6
CHUNK_SIZE = 64 * 1024
"""Plaintext bytes per chunk: small enough that a seek decrypts little, big enough to be fast."""
HEADER = struct.Struct(">3sBIQ")
NONCE_BYTES = 12
TAG_BYTES = 16
OVERHEAD = NONCE_BYTES + TAG_BYTES
NAME_BYTES = 20


class ProtectError(RecapError):
    """A protected site cannot be made, or a blob is damaged or was tampered with."""


@dataclass(frozen=True)
class SiteKeys:
    """The keys derived from one client's content key, bound to its site id."""

    site_id: str
    enc: bytes = field(repr=False)
    name: bytes = field(repr=False)
    nonce: bytes = field(repr=False)

    @classmethod
    def derive(cls, content_key: bytes, site_id: str) -> SiteKeys:
        """K_enc, K_name and K_nonce from K by HKDF-SHA256 (as `unlock.js` derives them)."""

        def hkdf(purpose: str) -> bytes:
            info = f"RJ1 {purpose}\0{site_id}".encode()
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"RJ1", info=info).derive(
                content_key
            )

        return cls(site_id, hkdf("enc"), hkdf("name"), hkdf("nonce"))

    def path_mac(self, path: str) -> bytes:
        """HMAC(K_name, path): names the blob and binds its chunks to the file."""
        return hmac.new(self.name, path.encode("utf-8"), hashlib.sha256).digest()

    def key_check(self) -> str:
        """A public check value of K: lets the browser see that a remembered key no longer
        matches the published keyring (after a revocation). HMAC(K_name, fixed label), so it
        tells nothing about K or any file name."""
        return hmac.new(self.name, b"RJ1 key check", hashlib.sha256).hexdigest()[:32]

    def blob_name(self, path: str) -> str:
        """The blob's file name: lowercase base32, 32 characters, no padding."""
        return base64.b32encode(self.path_mac(path)[:NAME_BYTES]).decode("ascii").lower()


def _chunk_count(length: int, chunk_size: int) -> int:
    return max(1, -(-length // chunk_size))


def _aad(header: bytes, keys: SiteKeys, mac: bytes, index: int, last: bool) -> bytes:
    return header + keys.site_id.encode("ascii") + mac + struct.pack(">QB", index, last)


def _nonce(keys: SiteKeys, aad: bytes, chunk: bytes) -> bytes:
    digest = hashlib.sha256(chunk).digest()
    return hmac.new(keys.nonce, aad + digest, hashlib.sha256).digest()[:NONCE_BYTES]


def _plain_chunks(source: Path, chunk_size: int) -> Iterator[bytes]:
    with source.open("rb") as handle:
        first = True
        while True:
            chunk = handle.read(chunk_size)
            if not chunk and not first:
                return
            yield chunk
            first = False
            if len(chunk) < chunk_size:
                return


def _byte_chunks(data: bytes, chunk_size: int) -> Iterator[bytes]:
    yield data[:chunk_size]  # at least one chunk, even when empty
    for start in range(chunk_size, len(data), chunk_size):
        yield data[start : start + chunk_size]


def is_compressed(path: str) -> bool:
    """Whether the file at `path` of the plain site is compressed before encryption."""
    return PurePosixPath(path).suffix.lower() in COMPRESSED_SUFFIXES


def _payload(source: Path, path: str, chunk_size: int) -> tuple[int, int, Callable]:
    """What is encrypted for `source`: (version, length, a function giving its chunks)."""
    if is_compressed(path):
        data = zlib.compress(source.read_bytes(), COMPRESSION_LEVEL)
        return DEFLATED, len(data), lambda: _byte_chunks(data, chunk_size)
    return VERSION, source.stat().st_size, lambda: _plain_chunks(source, chunk_size)


def encrypt_file(
    source: Path, target: Path, path: str, keys: SiteKeys, *, chunk_size: int = CHUNK_SIZE
) -> int:
    """Encrypt `source` (the plain site's file at `path`) into the blob `target`; return its size.

    Streams chunk by chunk, so a long recording never sits in memory whole; text is
    compressed first (version 2).
    """
    version, length, chunks = _payload(source, path, chunk_size)
    header = HEADER.pack(MAGIC, version, chunk_size, length)
    mac = keys.path_mac(path)
    count = _chunk_count(length, chunk_size)
    aead = AESGCM(keys.enc)
    written = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        out.write(header)
        written += len(header)
        for index, chunk in enumerate(chunks()):
            aad = _aad(header, keys, mac, index, index == count - 1)
            nonce = _nonce(keys, aad, chunk)
            sealed = nonce + aead.encrypt(nonce, chunk, aad)
            out.write(sealed)
            written += len(sealed)
    if version == VERSION and source.stat().st_size != length:
        raise ProtectError(f"{source} changed while it was being encrypted")
    return written


def read_header(blob: bytes) -> tuple[int, int]:
    """The chunk size and plaintext length of a blob; `ProtectError` when it is not one."""
    if len(blob) < HEADER.size:
        raise ProtectError("not a Recap Journal blob: too short")
    magic, version, chunk_size, length = HEADER.unpack_from(blob)
    if magic != MAGIC or version not in (VERSION, DEFLATED) or chunk_size == 0:
        raise ProtectError("not a Recap Journal blob (format RJ1 version 1 or 2)")
    return chunk_size, length


def decrypt_blob(blob: bytes, path: str, keys: SiteKeys) -> bytes:
    """The plaintext of the blob of `path`; `ProtectError` when anything was tampered with."""
    chunk_size, length = read_header(blob)
    header = blob[: HEADER.size]
    count = _chunk_count(length, chunk_size)
    expected = HEADER.size + length + count * OVERHEAD
    if len(blob) != expected:
        raise ProtectError(f"blob of {path}: {len(blob)} bytes, expected {expected} (truncated?)")
    mac = keys.path_mac(path)
    aead = AESGCM(keys.enc)
    parts = []
    offset = HEADER.size
    for index in range(count):
        size = min(chunk_size, length - index * chunk_size) + OVERHEAD
        sealed = blob[offset : offset + size]
        offset += size
        aad = _aad(header, keys, mac, index, index == count - 1)
        try:
            parts.append(aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad))
        except InvalidTag:
            raise ProtectError(
                f"blob of {path}: chunk {index} fails authentication (tampered, or not this "
                f"file's or this client's)"
            ) from None
    if blob[3] != DEFLATED:
        return b"".join(parts)
    try:
        return zlib.decompress(b"".join(parts))
    except zlib.error as exc:
        raise ProtectError(f"blob of {path}: its compressed content is damaged ({exc})") from None


def blob_matches(blob: Path, source: Path, path: str, keys: SiteKeys) -> bool:
    """True when the existing `blob` is exactly what `encrypt_file(source, ...)` would write.

    Compares sizes, the header and every chunk's nonce, which is a keyed hash of the chunk
    and its AAD: no encryption, so an unchanged hour of audio is checked at hashing speed.
    The ciphertext itself is not re-checked; a blob altered on disk with its nonces intact
    would be reused (the build's output fingerprint forces a rebuild in that case).
    """
    try:
        stat = blob.stat()
    except OSError:
        return False
    version, length, chunks = _payload(source, path, CHUNK_SIZE)
    count = _chunk_count(length, CHUNK_SIZE)
    if stat.st_size != HEADER.size + length + count * OVERHEAD:
        return False
    header = HEADER.pack(MAGIC, version, CHUNK_SIZE, length)
    mac = keys.path_mac(path)
    with blob.open("rb") as old:
        if old.read(HEADER.size) != header:
            return False
        for index, chunk in enumerate(chunks()):
            old.seek(HEADER.size + index * (CHUNK_SIZE + OVERHEAD))
            aad = _aad(header, keys, mac, index, index == count - 1)
            if old.read(NONCE_BYTES) != _nonce(keys, aad, chunk):
                return False
    return True


def blob_nonces(blob: Path) -> bytes:
    """The nonces of every chunk of `blob`, in order (12 bytes each).

    Each nonce is a keyed hash of its chunk and everything authenticated with it (the header,
    so the length and version too), so this list names one exact version of a file: the
    build's inventory (`inventory.py`) lists it per file, and the browser refuses a chunk
    whose nonce differs (an older or another version of the file).
    """
    with blob.open("rb") as handle:
        chunk_size, length = read_header(handle.read(HEADER.size))
        nonces = []
        for index in range(_chunk_count(length, chunk_size)):
            handle.seek(HEADER.size + index * (chunk_size + OVERHEAD))
            nonces.append(handle.read(NONCE_BYTES))
    return b"".join(nonces)
