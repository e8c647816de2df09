"""The coach's private state folder, `.recap/`: secrets, caches, jobs and logs.

It is git-ignored and never published. Every module finds its files through `State`, so the
layout is written down in one place:

    .recap/
      clients/<slug>/     site-id, content key, passwords, keyring (files mode 0600)
      cache/<slug>.json   the input hash of the client's last good build
      jobs/<id>.json      recording jobs of the watcher
      quarantine/         recordings that could not be read, with a note why
      preview/            unprotected preview sites (`recap serve --preview`)
      recap.log           the watcher's log
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from generator.errors import RecapError
from generator.fs import write_atomic

SECRET_MODE = 0o600
SITE_ID = re.compile(r"^[0-9a-f]{16}$")
WRAPPED_KEYS = ("keyring.json", "env-keyring.json")
"""The files that hold the content key wrapped: proof that the client had a key and an id."""


class DamagedState(RecapError):
    """A client's secrets in `.recap/` are damaged or partly missing: nothing new is made."""

    def __init__(self, slug: str, folder: Path, what: str) -> None:
        super().__init__(
            f"{what}: .recap/ is damaged for {slug}, so nothing was built for it (a new key or "
            "site id would give the journal a new address and lock out its readers). Restore "
            f".recap/ from your backup; or start this client afresh, with a new address and a "
            f"new password: delete {folder} and run `recap client password {slug}`"
        )


def password_env(slug: str) -> str:
    """The environment variable that overrides a client's password: RECAP_PASSWORD_JANE_DOE."""
    return "RECAP_PASSWORD_" + slug.upper().replace("-", "_")


def had_key(folder: Path) -> bool:
    """Whether a client folder of `.recap/clients/` shows the client had a key already."""
    return any((folder / name).exists() for name in WRAPPED_KEYS)


@dataclass(frozen=True)
class State:
    """Paths inside one project's `.recap/` folder."""

    root: Path

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)

    def client_dir(self, slug: str) -> Path:
        """The folder of one client's secrets (created, mode 0700)."""
        path = self.root / "clients" / slug
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
        return path

    @property
    def cache_dir(self) -> Path:
        """Input hashes of the last good build, one file per client."""
        return self.root / "cache"

    @property
    def jobs_dir(self) -> Path:
        """The watcher's recording jobs."""
        return self.root / "jobs"

    @property
    def quarantine_dir(self) -> Path:
        """Recordings that could not be processed."""
        return self.root / "quarantine"

    @property
    def preview_dir(self) -> Path:
        """Unprotected preview sites, served on 127.0.0.1 only."""
        return self.root / "preview"

    @property
    def log_file(self) -> Path:
        """The watcher's log file."""
        return self.root / "recap.log"

    def site_id(self, slug: str) -> str:
        """The client's opaque site id: random on first use, then the same on every build.

        It names `site/<id>/`, so it must reveal nothing about the client (not a hash of the
        slug, which anyone could compute from a guessed name).
        """
        folder = self.client_dir(slug)
        path = folder / "site-id"
        if path.exists():
            try:
                site_id = path.read_text(encoding="ascii").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise DamagedState(slug, folder, f"{path} cannot be read") from exc
            if not SITE_ID.match(site_id):  # an empty id would put the site over site/ itself
                raise DamagedState(slug, folder, f"{path} holds no site id")
            return site_id
        if had_key(folder):
            raise DamagedState(slug, folder, f"{path} is missing")
        site_id = secrets.token_hex(8)
        write_atomic(path, site_id + "\n", mode=SECRET_MODE)
        return site_id

    def page_key(self, slug: str) -> bytes:
        """The key that names the client's session pages: random on first use, then kept.

        Page addresses reach the host (a deep link opened while locked) and browser history,
        so they are keyed hashes of the recap's file name: nobody without this key can tell
        a session's date or title from them, nor test a guess. A client built with one before
        and now without it is damaged: a new key would move every session page.
        """
        folder = self.client_dir(slug)
        path = folder / "page-key"
        if path.exists():
            try:
                key = bytes.fromhex(path.read_text(encoding="ascii").strip())
            except (OSError, ValueError) as exc:
                raise DamagedState(slug, folder, f"{path} is not a hex key") from exc
            if len(key) != 32:
                raise DamagedState(slug, folder, f"{path} holds {len(key)} bytes, not 32")
            return key
        if (folder / "build-number").exists():  # built since page keys exist: this one is lost
            raise DamagedState(slug, folder, f"{path} is missing")
        key = secrets.token_bytes(32)
        write_atomic(path, key.hex() + "\n", mode=SECRET_MODE)
        return key
