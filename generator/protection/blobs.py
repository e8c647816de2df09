"""The encrypted blob format of a protected site, build side (the browser side: `decrypt.js`).

Keys, from the client's content key K by HKDF-SHA256 (salt "RJ1", info naming the key and the
site id): K_enc (AES-256-GCM), K_name and K_nonce (HMAC-SHA256).

A file at `path` in the plain site (POSIX, relative: `sessions/2024-05-01/index.html`) becomes
`b/<name>`, `name` = base32 of the first 20 bytes of HMAC(K_name, path): opaque, stable.
The format written today is version 3:

    header   "RJ1" ‖ 3 ‖ chunk size (u32) ‖ blob size (u64)                           16 bytes
    length   nonce (12) ‖ AES-GCM(K_enc, sealed, aad_len) (with its 16-byte tag)     37 bytes
    sealed   payload length (u64) ‖ deflated (1 byte: 1 when the payload is zlib's)
    chunk i  nonce (12) ‖ AES-GCM(K_enc, chunk i of the payload, aad_i) (with its tag)
    padding  pseudo-random bytes up to the blob size (`padded_size`), never read
    aad_len  header ‖ site id ‖ HMAC(K_name, path) ‖ "length"
    aad_i    header ‖ site id ‖ HMAC(K_name, path) ‖ sealed ‖ i (u64) ‖ is_last (1 byte)
    nonce    HMAC(K_nonce, its aad ‖ SHA-256(its plaintext))[:12]

Every chunk is its own GCM message, so a player can seek without the whole file. The AAD
binds each chunk to its file, position, length and client: a reordered, truncated, swapped or
altered blob fails authentication. The nonce is a keyed hash of everything that is encrypted
and authenticated, so equal inputs give equal bytes (unchanged files never change on the
host), and two different messages never share a nonce: the design sketch hashed the path,
index and chunk only, which would reuse a nonce with a different AAD when a file grows past
a chunk boundary and leak GCM's authentication key; hashing the whole AAD closes that.
A file of 0 bytes has one empty chunk, so that even it cannot be truncated unnoticed.

Text (pages, search index, sitemap, styles, scripts, transcripts) is compressed with zlib
before encryption, since ciphertext cannot be compressed by the host: the browser inflates it
(`DecompressionStream("deflate")`). Recordings and pictures are already compressed and are
kept as they are, so that they can be played and seeked by byte range. Whether a payload is
compressed is sealed with its length, so the host cannot tell text from media either.

**Padding.** The blob's size is rounded up to a bucket (`padded_size`) and the payload's exact
length is sealed inside, so the host sees neither a page's exact size nor a recording's
duration. The padding is AES-CTR keystream under a key derived from the last chunk's nonce:
it looks like the ciphertext before it (zero bytes would show where the file ends), it is
the same whenever the last chunk is (byte-identical builds), and it changes whenever that
chunk does, so two versions of a file compared byte by byte do not show where either ends.
It is not authenticated and never read: changing it changes nothing decrypted.

Older formats still decrypt (a build re-encrypts them as version 3, `blob_matches`):
version 1 held the file as it is and version 2 held it compressed, both with the exact
length in the clear header (`header ‖ site id ‖ mac ‖ i ‖ is_last` as the AAD, no padding).
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
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from generator.errors import RecapError

MAGIC = b"RJ1"
PLAIN_V1 = 1
"""Version 1: the file as it is, its exact length in the clear (read, never written)."""
DEFLATED_V2 = 2
"""Version 2: the file compressed with zlib, its exact length in the clear (read only)."""
VERSION = 3
"""The version written: payload length sealed inside, size padded to a bucket."""
COMPRESSED_SUFFIXES = frozenset(
    {".html", ".htm", ".json", ".xml", ".css", ".js", ".txt", ".md", ".vtt", ".svg"}
)
"""Files compressed before encryption: text (recordings and pictures are compressed already)."""
COMPRESSION_LEVEL = 6
CHUNK_SIZE = 64 * 1024
"""Plaintext bytes per chunk: small enough that a seek decrypts little, big enough to be fast."""
HEADER = struct.Struct(">3sBIQ")
SEALED = struct.Struct(">QB")
"""The plaintext of the length block: the payload's length and whether it is compressed."""
NONCE_BYTES = 12
TAG_BYTES = 16
OVERHEAD = NONCE_BYTES + TAG_BYTES
LENGTH_BLOCK = NONCE_BYTES + SEALED.size + TAG_BYTES
START = HEADER.size + LENGTH_BLOCK
"""Where chunk 0 of a version 3 blob begins."""
NAME_BYTES = 20
SMALLEST = 4 * 1024
"""The smallest blob: every page, picture or transcript under ~4 KiB looks the same."""
LARGE = 1024 * 1024
"""Up to here blobs are rounded to a power of two; above, to a quarter of one."""
STEPS_PER_DOUBLING = 4


def padded_size(size: int) -> int:
    """The bucket a blob of `size` bytes is padded to.

    At least 4 KiB; then the next power of two up to 1 MiB (pages and the search index: few
    buckets, so a page's size says little of how long its recap is, and at most a few KiB
    more each); above 1 MiB (recordings, pictures) the next of four steps per doubling
    (1¼, 1½, 1¾, 2 × a power of two): at most 25% more bytes, about 10% on average, and a
    recording's duration is known only to within a step (at 48 kbit/s a 45-minute session
    looks like any from 41 to 46 minutes, one of an hour like any from 58 to 70).
    """
    if size <= SMALLEST:
        return SMALLEST
    if size <= LARGE:
        return 1 << (size - 1).bit_length()
    step = (1 << ((size - 1).bit_length() - 1)) // STEPS_PER_DOUBLING
    return -(-size // step) * step


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


@dataclass(frozen=True)
class Layout:
    """Where the parts of one blob are: what its header and length block say."""

    header: bytes
    chunk_size: int
    length: int
    """The payload's length (the file's, or its compressed form's)."""
    deflated: bool
    start: int
    """Where chunk 0 begins."""
    sealed: bytes = b""
    """The length block's plaintext, bound into every chunk (version 3; empty before)."""

    @property
    def count(self) -> int:
        """How many chunks the payload has (at least one, even when empty)."""
        return _chunk_count(self.length, self.chunk_size)

    def chunk_at(self, index: int) -> int:
        """Where chunk `index` begins in the blob."""
        return self.start + index * (self.chunk_size + OVERHEAD)

    def chunk_bytes(self, index: int) -> int:
        """The sealed size of chunk `index` (nonce, ciphertext and tag)."""
        return min(self.chunk_size, self.length - index * self.chunk_size) + OVERHEAD

    @property
    def end(self) -> int:
        """Where the last chunk ends: the padding, if any, follows."""
        return self.chunk_at(self.count - 1) + self.chunk_bytes(self.count - 1)

    def aad(self, keys: SiteKeys, mac: bytes, index: int) -> bytes:
        """The additional data of chunk `index`."""
        where = struct.pack(">QB", index, index == self.count - 1)
        return self.header + keys.site_id.encode("ascii") + mac + self.sealed + where


def _chunk_count(length: int, chunk_size: int) -> int:
    return max(1, -(-length // chunk_size))


def _length_aad(header: bytes, keys: SiteKeys, mac: bytes) -> bytes:
    return header + keys.site_id.encode("ascii") + mac + b"length"


def _nonce(keys: SiteKeys, aad: bytes, plain: bytes) -> bytes:
    digest = hashlib.sha256(plain).digest()
    return hmac.new(keys.nonce, aad + digest, hashlib.sha256).digest()[:NONCE_BYTES]


def _seal(aead: AESGCM, keys: SiteKeys, aad: bytes, plain: bytes) -> bytes:
    nonce = _nonce(keys, aad, plain)
    return nonce + aead.encrypt(nonce, plain, aad)


def _open(aead: AESGCM, sealed: bytes, aad: bytes, what: str) -> bytes:
    try:
        return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag:
        raise ProtectError(
            f"{what} fails authentication (tampered, or not this file's or this client's)"
        ) from None


def _padding(keys: SiteKeys, last_nonce: bytes) -> Iterator[bytes]:
    """The padding's bytes, forever: AES-CTR keystream under HMAC(K_nonce, label ‖ the last
    chunk's nonce) (a key of its own per content, so no keystream is ever shared with GCM's)."""
    key = hmac.new(keys.nonce, b"RJ1 padding" + last_nonce, hashlib.sha256).digest()
    stream = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()
    zeros = bytes(CHUNK_SIZE)
    while True:
        yield stream.update(zeros)


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


def _payload(source: Path, path: str, chunk_size: int) -> tuple[bool, int, Callable]:
    """What is encrypted for `source`: (deflated, length, a function giving its chunks)."""
    if is_compressed(path):
        data = zlib.compress(source.read_bytes(), COMPRESSION_LEVEL)
        return True, len(data), lambda: _byte_chunks(data, chunk_size)
    return False, source.stat().st_size, lambda: _plain_chunks(source, chunk_size)


def _layout(length: int, deflated: bool, chunk_size: int) -> Layout:
    """The version 3 layout of a payload of `length` bytes: its header holds the padded size."""
    unpadded = START + length + _chunk_count(length, chunk_size) * OVERHEAD
    header = HEADER.pack(MAGIC, VERSION, chunk_size, padded_size(unpadded))
    return Layout(header, chunk_size, length, deflated, START, SEALED.pack(length, deflated))


def encrypt_file(
    source: Path, target: Path, path: str, keys: SiteKeys, *, chunk_size: int = CHUNK_SIZE
) -> int:
    """Encrypt `source` (the plain site's file at `path`) into the blob `target`; return its size.

    Streams chunk by chunk, so a long recording never sits in memory whole; text is
    compressed first; the blob is padded to its bucket (`padded_size`).
    """
    deflated, length, chunks = _payload(source, path, chunk_size)
    layout = _layout(length, deflated, chunk_size)
    size = HEADER.unpack(layout.header)[3]
    mac = keys.path_mac(path)
    aead = AESGCM(keys.enc)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        out.write(layout.header)
        out.write(_seal(aead, keys, _length_aad(layout.header, keys, mac), layout.sealed))
        nonce = b""
        for index, chunk in enumerate(chunks()):
            sealed = _seal(aead, keys, layout.aad(keys, mac, index), chunk)
            nonce = sealed[:NONCE_BYTES]
            out.write(sealed)
        written = out.tell()
        if written != layout.end:
            raise ProtectError(f"{source} changed while it was being encrypted")
        _write_padding(out, size - written, _padding(keys, nonce))
    if not deflated and source.stat().st_size != length:
        raise ProtectError(f"{source} changed while it was being encrypted")
    return size


def _write_padding(out: BinaryIO, count: int, stream: Iterator[bytes]) -> None:
    while count > 0:
        piece = next(stream)[:count]
        out.write(piece)
        count -= len(piece)


def read_header(blob: bytes) -> tuple[int, int, int]:
    """(version, chunk size, the header's number) of a blob: the plaintext length before
    version 3, the padded blob size from it. `ProtectError` when it is not a blob."""
    if len(blob) < HEADER.size:
        raise ProtectError("not a Recap Journal blob: too short")
    magic, version, chunk_size, number = HEADER.unpack_from(blob)
    if magic != MAGIC or version not in (PLAIN_V1, DEFLATED_V2, VERSION) or chunk_size == 0:
        raise ProtectError("not a Recap Journal blob (format RJ1 version 1, 2 or 3)")
    return version, chunk_size, number


def _read_layout(head: bytes, size: int, path: str, keys: SiteKeys) -> Layout:
    """The layout of a blob of `size` bytes that begins with `head` (at least its first
    `START` bytes, or all of it), its length block opened, and its size checked."""
    version, chunk_size, number = read_header(head)
    header = head[: HEADER.size]
    if version != VERSION:
        layout = Layout(header, chunk_size, number, version == DEFLATED_V2, HEADER.size)
        expected = layout.end
    else:
        if size < START or len(head) < START:
            raise ProtectError(f"blob of {path}: {size} bytes, expected {number} (truncated?)")
        aad = _length_aad(header, keys, keys.path_mac(path))
        sealed = _open(AESGCM(keys.enc), head[HEADER.size : START], aad, f"blob of {path}: length")
        length, deflated = SEALED.unpack(sealed)
        if deflated > 1:
            raise ProtectError(f"blob of {path}: unknown kind of content {deflated}")
        layout = Layout(header, chunk_size, length, bool(deflated), START, sealed)
        expected = number if layout.end <= number else layout.end
    if size != expected:
        raise ProtectError(f"blob of {path}: {size} bytes, expected {expected} (truncated?)")
    return layout


def payload_length(blob: bytes, path: str, keys: SiteKeys) -> tuple[int, bool]:
    """The exact length of a blob's payload and whether it is compressed (its length block
    opened with `keys`): what the host cannot see."""
    layout = _read_layout(blob, len(blob), path, keys)
    return layout.length, layout.deflated


def decrypt_blob(blob: bytes, path: str, keys: SiteKeys) -> bytes:
    """The plaintext of the blob of `path`; `ProtectError` when anything was tampered with."""
    layout = _read_layout(blob, len(blob), path, keys)
    mac = keys.path_mac(path)
    aead = AESGCM(keys.enc)
    parts = []
    for index in range(layout.count):
        at = layout.chunk_at(index)
        sealed = blob[at : at + layout.chunk_bytes(index)]
        aad = layout.aad(keys, mac, index)
        parts.append(_open(aead, sealed, aad, f"blob of {path}: chunk {index}"))
    if not layout.deflated:
        return b"".join(parts)
    try:
        return zlib.decompress(b"".join(parts))
    except zlib.error as exc:
        raise ProtectError(f"blob of {path}: its compressed content is damaged ({exc})") from None


def blob_matches(blob: Path, source: Path, path: str, keys: SiteKeys) -> bool:
    """True when the existing `blob` is exactly what `encrypt_file(source, ...)` would write.

    Compares sizes, the header and every part's nonce, which is a keyed hash of the part
    and its AAD: no encryption, so an unchanged hour of audio is checked at hashing speed.
    A blob of an older version never matches (it is encrypted again, padded). The ciphertext
    and the padding are not re-checked; a blob altered on disk with its nonces intact would
    be reused (the build's output fingerprint forces a rebuild in that case).
    """
    try:
        stat = blob.stat()
    except OSError:
        return False
    deflated, length, chunks = _payload(source, path, CHUNK_SIZE)
    layout = _layout(length, deflated, CHUNK_SIZE)
    if stat.st_size != HEADER.unpack(layout.header)[3]:
        return False
    mac = keys.path_mac(path)
    with blob.open("rb") as old:
        if old.read(HEADER.size) != layout.header:
            return False
        length_aad = _length_aad(layout.header, keys, mac)
        if old.read(NONCE_BYTES) != _nonce(keys, length_aad, layout.sealed):
            return False
        for index, chunk in enumerate(chunks()):
            old.seek(layout.chunk_at(index))
            if old.read(NONCE_BYTES) != _nonce(keys, layout.aad(keys, mac, index), chunk):
                return False
    return True


def blob_nonces(blob: Path, path: str, keys: SiteKeys) -> bytes:
    """The nonces of every part of `blob`, in order (12 bytes each): its length block's (from
    version 3 on), then each chunk's.

    Each nonce is a keyed hash of its part and everything authenticated with it (the header,
    so the length and version too), so this list names one exact version of a file: the
    build's inventory (`inventory.py`) lists it per file, and the browser refuses a part
    whose nonce differs (an older or another version of the file). The length block is
    opened with `keys` to count the chunks.
    """
    with blob.open("rb") as handle:
        head = handle.read(START)
        layout = _read_layout(head, blob.stat().st_size, path, keys)
        nonces = [head[HEADER.size : HEADER.size + NONCE_BYTES]] if layout.sealed else []
        for index in range(layout.count):
            handle.seek(layout.chunk_at(index))
            nonces.append(handle.read(NONCE_BYTES))
    return b"".join(nonces)
