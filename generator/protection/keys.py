"""A client's secrets in `.recap/clients/<slug>/`: the content key and the keyring.

Passwords themselves (folding, generated passphrases, the strength check) are
`passwords.py`, whose public names are re-exported here.

Each client has a random 256-bit content key K. Every password the client may unlock with
(the client's own, the coach's, ...) has a keyring entry: K wrapped with AES-256-GCM under
KEK = PBKDF2-HMAC-SHA256(password, salt, iterations), with a salt of its own. Entries are
computed once when a password is set and stored, so builds are deterministic and never run
600,000 PBKDF2 iterations again; the password itself is never stored.

Revocation: changing or removing a password makes a new K, so the next build re-encrypts the
whole journal (same site id, same address) and an old `keyring.json` with the old password
opens nothing published after the change. The passwords that stay are re-wrapped under the new
K with their stored KEKs (in `.recap/` only), so nobody has to type them again. Adding a
password under a new label keeps K. The published keyring carries a key check (an HMAC of a
fixed label under K_name) so that a browser can drop a remembered key that no longer matches.

Files (mode 0600, in a folder of mode 0700):

    site-id            the opaque site id (`State.site_id`)
    content-key        K, hex
    keyring.json       the stored passwords' entries, with a label and the KEK each
    env-keyring.json   the entry of the `RECAP_PASSWORD_<SLUG>` password, recomputed only
                       when that password (or K) changes
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from generator.errors import RecapError
from generator.fs import write_atomic
from generator.protection.passwords import (
    WeakPasswordError,
    check_strength,
    estimate_bits,
    fold_password,
    generate_passphrase,
)
from generator.state import SECRET_MODE, DamagedState, State, had_key, password_env

MIN_ITERATIONS = 600_000
"""OWASP's current figure for PBKDF2-HMAC-SHA256."""
MAX_ITERATIONS = 10_000_000
"""The most a keyring may ask for (`unlock.js` refuses more): about 10 s on a phone."""
KEY_BYTES = 32


class NoPasswordError(RecapError):
    """A client has neither a stored password nor one in the environment."""


class SecretsError(RecapError):
    """The client's secrets folder is damaged or inconsistent."""


class BlindPasswordsError(RecapError):
    """A new content key is needed, but some passwords that stay were set before revocation
    existed: `.recap/` holds no KEK for them, so they cannot be moved to the new key until
    each is typed once (`adopt_password`)."""

    def __init__(self, slug: str, labels: list[str]) -> None:
        self.slug = slug
        self.labels = labels
        super().__init__(
            f"client {slug}: the password(s) {', '.join(labels)} were set before revocation "
            f"existed and cannot be moved to a new key without being typed once: run this "
            f"command on a terminal to type them, or `recap client password {slug}` to "
            f"replace all of them (then `--add` the others again)"
        )


@dataclass(frozen=True)
class KeyringEntry:
    """K wrapped under one password: what `keyring.json` publishes for each password."""

    salt: bytes
    iterations: int
    nonce: bytes
    wrapped: bytes
    """AES-256-GCM(KEK, K, aad = "RJ1 key " + site id) with its 16-byte tag."""
    key_id: str
    """A short hash of K, to notice a keyring that no longer matches the content key."""
    label: str = "client"
    """Whose password this is ("client", "coach", ...); kept in `.recap/`, never published."""
    folded: bool = True
    """The password was folded by `fold_password` before PBKDF2. Entries written before folding
    existed (False) keep working: they derive from the password as typed (NFC, outer spaces
    removed), and the browser does the same for them."""
    kek: bytes | None = field(default=None, repr=False, compare=False)
    """The password's KEK, kept in `.recap/` only, to wrap a new K after a revocation without
    asking for this password again (None for entries made before revocation existed)."""

    def to_json(self) -> dict[str, object]:
        """The entry as stored in `.recap/` (with its label and KEK)."""
        data: dict[str, object] = {
            "label": self.label,
            "salt": _b64(self.salt),
            "iterations": self.iterations,
            "nonce": _b64(self.nonce),
            "wrapped": _b64(self.wrapped),
            "key_id": self.key_id,
            "fold": self.folded,
        }
        if self.kek is not None:
            data["kek"] = _b64(self.kek)
        return data

    def public(self) -> dict[str, object]:
        """The entry as published in the site's `keyring.json` (no label, no key id)."""
        return {
            "salt": _b64(self.salt),
            "iterations": self.iterations,
            "wrapped": _b64(self.nonce + self.wrapped),
            "fold": self.folded,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> KeyringEntry:
        """Read an entry written by `to_json`."""
        return cls(
            salt=base64.b64decode(str(data["salt"])),
            iterations=int(str(data["iterations"])),
            nonce=base64.b64decode(str(data["nonce"])),
            wrapped=base64.b64decode(str(data["wrapped"])),
            key_id=str(data["key_id"]),
            label=str(data.get("label", "client")),
            folded=data.get("fold") is True,
            kek=base64.b64decode(str(data["kek"])) if data.get("kek") else None,
        )


@dataclass(frozen=True)
class ClientSecrets:
    """Everything `protect_site` needs for one client."""

    site_id: str
    content_key: bytes = field(repr=False)
    keyring: tuple[KeyringEntry, ...]

    def public_keyring(self) -> dict[str, object]:
        """The content of the published `keyring.json`."""
        from generator.protection.blobs import SiteKeys

        return {
            "format": "RJ1",
            "site": self.site_id,
            "check": SiteKeys.derive(self.content_key, self.site_id).key_check(),
            "entries": [entry.public() for entry in self.keyring],
        }


def content_key(state: State, slug: str) -> bytes:
    """The client's content key K: 32 random bytes, created on first use and then kept
    until a password is changed or removed (`new_content_key`)."""
    folder = state.client_dir(slug)
    path = folder / "content-key"
    if path.exists():
        try:
            key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except ValueError as exc:
            raise DamagedState(slug, folder, f"{path} is not a hex content key") from exc
        if len(key) != KEY_BYTES:
            raise DamagedState(slug, folder, f"{path} holds {len(key)} bytes, not {KEY_BYTES}")
        return key
    if had_key(folder):  # never a silently new key for a client that had one
        raise DamagedState(slug, folder, f"{path} is missing")
    return new_content_key(state, slug)


def new_content_key(state: State, slug: str) -> bytes:
    """Replace the client's content key K with 32 new random bytes and return it.

    Everything published under the old K stays readable to whoever holds an old password and
    an old keyring; the next build re-encrypts every file under the new K.
    """
    key = secrets.token_bytes(KEY_BYTES)
    write_atomic(state.client_dir(slug) / "content-key", key.hex() + "\n", mode=SECRET_MODE)
    return key


def current_key_id(state: State, slug: str) -> str | None:
    """The fingerprint of the client's content key, or None when it has none yet (so that
    the CLI can tell whether a password change made a new key)."""
    if not (state.client_dir(slug) / "content-key").exists():
        return None
    return key_id(content_key(state, slug))


def key_id(key: bytes) -> str:
    """A short public fingerprint of K (it reveals nothing about K)."""
    return hashlib.sha256(b"RJ1 key id\0" + key).hexdigest()[:16]


def wrap_key(
    key: bytes, password: str, site_id: str, *, salt: bytes, iterations: int, label: str
) -> KeyringEntry:
    """Wrap K under `password`: the expensive step (PBKDF2), done once per password."""
    return _wrap_with_kek(
        key, _kek(fold_password(password), salt, iterations), site_id, salt, iterations, label
    )


def _wrap_with_kek(
    key: bytes,
    kek: bytes,
    site_id: str,
    salt: bytes,
    iterations: int,
    label: str,
    *,
    folded: bool = True,
) -> KeyringEntry:
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(kek).encrypt(nonce, key, _wrap_aad(site_id))
    return KeyringEntry(salt, iterations, nonce, wrapped, key_id(key), label, folded, kek)


def unwrap_key(entry: KeyringEntry, password: str, site_id: str) -> bytes | None:
    """K from an entry and a password, or None when the password is not this entry's."""
    typed = fold_password(password) if entry.folded else _as_typed(password)
    return _opens(_kek(typed, entry.salt, entry.iterations), entry, site_id)


def check_iterations(iterations: int) -> None:
    """Raise `RecapError` unless `iterations` is within what `unlock.js` accepts."""
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise RecapError(
            f"expected {MIN_ITERATIONS} to {MAX_ITERATIONS} iterations, found {iterations}"
        )


def set_password(
    state: State,
    slug: str,
    password: str | None = None,
    *,
    iterations: int = MIN_ITERATIONS,
    label: str = "client",
    keep_others: bool = False,
) -> str:
    """Set the client's password (generated when None) and return it to show once.

    Without `keep_others` it replaces every stored password and makes a new content key (a
    revocation: the next build re-encrypts the journal). With it, it adds a password under
    `label` and keeps the key; if `label` already had a password, that one is revoked: a new
    key, with the other passwords re-wrapped under it. A typed password must pass
    `check_strength`.
    """
    check_iterations(iterations)
    if password is None:
        password = generate_passphrase()
    else:
        check_strength(password)
    stored = _stored_entries(state, slug)
    others = [e for e in stored if keep_others and e.label != label]
    replaces = len(others) != len(stored)
    key = _rotate(state, slug, others) if replaces else content_key(state, slug)
    others = _rewrap(others, key, state.site_id(slug)) if replaces else others
    # A salt of its own: two passwords of one client never share PBKDF2 work.
    salt = secrets.token_bytes(16)
    site_id = state.site_id(slug)
    entry = wrap_key(key, password, site_id, salt=salt, iterations=iterations, label=label)
    _write_entries(state, slug, [*others, entry])
    return password


def add_password(
    state: State,
    slug: str,
    password: str | None = None,
    *,
    iterations: int = MIN_ITERATIONS,
    label: str = "coach",
) -> str:
    """Add a password under `label`, keeping the others (and K, if `label` is new)."""
    return set_password(state, slug, password, iterations=iterations, label=label, keep_others=True)


def remove_password(state: State, slug: str, label: str) -> None:
    """Revoke the password stored under `label`: a new content key, the others re-wrapped."""
    entries = _stored_entries(state, slug)
    kept = [e for e in entries if e.label != label]
    if len(kept) == len(entries):
        labels = ", ".join(e.label for e in entries) or "none"
        raise RecapError(f"client {slug} has no password labelled {label!r} (labels: {labels})")
    key = _rotate(state, slug, kept)
    _write_entries(state, slug, _rewrap(kept, key, state.site_id(slug)))


def _rotate(state: State, slug: str, kept: list[KeyringEntry]) -> bytes:
    """A new content key, once every password that stays can be re-wrapped under it."""
    blind = [e.label for e in kept if e.kek is None]
    if blind:
        raise BlindPasswordsError(slug, blind)
    return new_content_key(state, slug)


def adopt_password(state: State, slug: str, label: str, password: str) -> bool:
    """Give the password under `label`, set before revocation existed, its KEK in `.recap/`,
    so that a later revocation can move it to a new key: True when `password` is that
    password (it opens the current content key), False when it is not. Nothing else
    changes: the published keyring stays the same."""
    entries = _stored_entries(state, slug)
    key = content_key(state, slug)
    for index, entry in enumerate(entries):
        if entry.label != label or entry.kek is not None:
            continue
        typed = fold_password(password) if entry.folded else _as_typed(password)
        kek = _kek(typed, entry.salt, entry.iterations)
        if _opens(kek, entry, state.site_id(slug)) != key:
            return False
        entries[index] = replace(entry, kek=kek)
        _write_entries(state, slug, entries)
        return True
    return False


def _opens(kek: bytes, entry: KeyringEntry, site_id: str) -> bytes | None:
    from cryptography.exceptions import InvalidTag

    try:
        return AESGCM(kek).decrypt(entry.nonce, entry.wrapped, _wrap_aad(site_id))
    except InvalidTag:
        return None


def _rewrap(entries: list[KeyringEntry], key: bytes, site_id: str) -> list[KeyringEntry]:
    rewrapped = []
    for e in entries:
        assert e.kek is not None  # checked by _rotate
        rewrapped.append(
            _wrap_with_kek(key, e.kek, site_id, e.salt, e.iterations, e.label, folded=e.folded)
        )
    return rewrapped


def password_labels(state: State, slug: str) -> list[str]:
    """The labels of the client's stored passwords, in the order they were added."""
    return [e.label for e in _stored_entries(state, slug)]


def has_password(state: State, slug: str, environ: Mapping[str, str]) -> bool:
    """True when the client has a stored password or one in the environment."""
    return bool(environ.get(password_env(slug))) or bool(_stored_entries(state, slug))


def require_password(state: State, slug: str, environ: Mapping[str, str]) -> None:
    """Raise `NoPasswordError` when the client has no password, `WeakPasswordError` when
    the environment's is too easy to guess (cheap: no PBKDF2)."""
    if not has_password(state, slug, environ):
        raise _no_password(slug)
    env_password = environ.get(password_env(slug))
    if env_password:
        _check_env_strength(slug, env_password)


def _check_env_strength(slug: str, password: str) -> None:
    try:
        check_strength(password)
    except WeakPasswordError as exc:
        raise WeakPasswordError(f"{password_env(slug)}: {exc}") from None


def load_secrets(
    state: State,
    slug: str,
    environ: Mapping[str, str],
    *,
    iterations: int = MIN_ITERATIONS,
) -> ClientSecrets:
    """The client's site id, content key and keyring, for a build.

    `RECAP_PASSWORD_<SLUG>` overrides the stored passwords: the keyring then holds its entry
    only, computed with `iterations` on first use and cached until the password changes.
    Raises `NoPasswordError` when the client has no password at all.
    """
    check_iterations(iterations)
    env_password = environ.get(password_env(slug))
    if not env_password and not _stored_entries(state, slug):
        raise _no_password(slug)
    if env_password:
        _check_env_strength(slug, env_password)
    key = content_key(state, slug)
    site_id = state.site_id(slug)
    if env_password:
        entries = [_env_entry(state, slug, env_password, key, site_id, iterations)]
    else:
        entries = _stored_entries(state, slug)
        stale = [e.label for e in entries if e.key_id != key_id(key)]
        if stale:
            raise SecretsError(
                f"client {slug}: the password(s) {', '.join(stale)} were made for another "
                f"content key (was {state.client_dir(slug) / 'content-key'} replaced?); "
                f"run `recap client password {slug}` to set them again"
            )
    return ClientSecrets(site_id, key, tuple(entries))


def _no_password(slug: str) -> NoPasswordError:
    return NoPasswordError(
        f"client {slug} has no password: run `recap client password {slug}` "
        f"or set {password_env(slug)}"
    )


def _env_entry(
    state: State, slug: str, password: str, key: bytes, site_id: str, iterations: int
) -> KeyringEntry:
    path = state.client_dir(slug) / "env-keyring.json"
    if path.exists():
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            entry = KeyringEntry.from_json(cached["entry"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SecretsError(f"{path}: damaged ({exc}); delete it to recompute") from exc
        if entry.iterations == iterations and cached.get("fingerprint") == _env_fingerprint(
            password, key, entry.salt, iterations
        ):
            return entry
    salt = secrets.token_bytes(16)
    entry = wrap_key(key, password, site_id, salt=salt, iterations=iterations, label="env")
    record = {"fingerprint": _env_fingerprint(password, key, salt, iterations), "entry": entry}
    write_atomic(path, _dumps({**record, "entry": entry.to_json()}), mode=SECRET_MODE)
    return entry


def _env_fingerprint(password: str, key: bytes, salt: bytes, iterations: int) -> str:
    # Keyed by K: the cache file alone gives no shortcut for guessing the password.
    message = salt + iterations.to_bytes(8, "big") + password.encode("utf-8")
    return hmac.new(key, b"RJ1 env\0" + message, hashlib.sha256).hexdigest()


def _stored_entries(state: State, slug: str) -> list[KeyringEntry]:
    path = state.client_dir(slug) / "keyring.json"
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [KeyringEntry.from_json(item) for item in data["entries"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise DamagedState(slug, state.client_dir(slug), f"{path} is damaged ({exc})") from exc


def _write_entries(state: State, slug: str, entries: list[KeyringEntry]) -> None:
    path = state.client_dir(slug) / "keyring.json"
    write_atomic(path, _dumps({"entries": [e.to_json() for e in entries]}), mode=SECRET_MODE)


def _dumps(data: object) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def _kek(password: str, salt: bytes, iterations: int) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(password.encode("utf-8"))


def _as_typed(password: str) -> str:
    # Entries from before folding: NFC and no outer spaces, as unlock.js did then.
    return unicodedata.normalize("NFC", password.strip())


def _wrap_aad(site_id: str) -> bytes:
    return b"RJ1 key " + site_id.encode("ascii")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


__all__ = [
    "MAX_ITERATIONS",
    "MIN_ITERATIONS",
    "BlindPasswordsError",
    "ClientSecrets",
    "KeyringEntry",
    "NoPasswordError",
    "SecretsError",
    "WeakPasswordError",
    "add_password",
    "adopt_password",
    "check_iterations",
    "check_strength",
    "content_key",
    "current_key_id",
    "estimate_bits",
    "fold_password",
    "generate_passphrase",
    "has_password",
    "load_secrets",
    "new_content_key",
    "password_env",
    "password_labels",
    "remove_password",
    "require_password",
    "set_password",
    "unwrap_key",
    "wrap_key",
]


LINK_LABEL = "link"
"""The keyring label of the one-tap link's password (`recap link`)."""


def new_link_password(state: State, slug: str, *, iterations: int = MIN_ITERATIONS) -> str:
    """A long random password for a one-tap link, stored as the client's `link` entry.

    40 characters of lowercase base32 (200 bits), unchanged by `fold_password`. A link made
    before is revoked (new content key), like any password replaced under its label.
    """
    password = base64.b32encode(secrets.token_bytes(25)).decode("ascii").lower()
    return set_password(
        state, slug, password, iterations=iterations, label=LINK_LABEL, keep_others=True
    )
