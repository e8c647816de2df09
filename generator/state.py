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
import secrets
from dataclasses import dataclass
from pathlib import Path

from generator.fs import write_atomic

SECRET_MODE = 0o600


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
        path = self.client_dir(slug) / "site-id"
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        site_id = secrets.token_hex(8)
        write_atomic(path, site_id + "\n", mode=SECRET_MODE)
        return site_id

    def page_key(self, slug: str) -> bytes:
        """The key that names the client's session pages: random on first use, then kept.

        Page addresses reach the host (a deep link opened while locked) and browser history,
        so they are keyed hashes of the recap's file name: nobody without this key can tell
        a session's date or title from them, nor test a guess.
        """
        path = self.client_dir(slug) / "page-key"
        if path.exists():
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        key = secrets.token_bytes(32)
        write_atomic(path, key.hex() + "\n", mode=SECRET_MODE)
        return key
