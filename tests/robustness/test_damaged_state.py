"""`.recap/` damaged: a truncated keyring, a missing or garbled key, a lost site id.

Each is reported for its client with the way out (restore the backup, or start the client
afresh), the other clients still build, the client's previous site stays, and nothing new
is made: never a silently new key or address for a client that had one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from generator.protection.keys import set_password

SLUG = "ben-marsh"
PASSWORD = "copper lagoon whistle ember"


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


DAMAGES = {
    "truncated-keyring": (lambda d: truncate(d / "keyring.json"), "keyring.json is damaged"),
    "empty-keyring": (lambda d: (d / "keyring.json").write_text(""), "keyring.json is damaged"),
    "missing-content-key": (lambda d: (d / "content-key").unlink(), "content-key is missing"),
    "truncated-content-key": (lambda d: truncate(d / "content-key"), "content-key holds"),
    "garbled-content-key": (
        lambda d: (d / "content-key").write_text("not hex\n"),
        "content-key is not a hex content key",
    ),
    "missing-site-id": (lambda d: (d / "site-id").unlink(), "site-id is missing"),
    "empty-site-id": (lambda d: (d / "site-id").write_text(""), "site-id holds no site id"),
    "missing-page-key": (lambda d: (d / "page-key").unlink(), "page-key is missing"),
    "garbled-page-key": (lambda d: (d / "page-key").write_text("zz\n"), "page-key is not a hex"),
}


@pytest.fixture
def stored(project, cli, monkeypatch):
    """ben-marsh with a stored password (not the environment's), built once."""
    monkeypatch.delenv("RECAP_PASSWORD_BEN_MARSH")
    state = project.config().state
    set_password(state, SLUG, PASSWORD)
    assert cli("build").exit_code == 0
    return state


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_damaged_secrets_are_reported_with_the_way_out(project, cli, stored, damage):
    secrets = stored.root / "clients" / SLUG
    site = project.root / "site" / stored.site_id(SLUG)
    before = tree(site)
    make, message = DAMAGES[damage]
    make(secrets)
    damaged = tree(secrets)
    result = cli("build", "--force")
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert message in output
    assert f".recap/ is damaged for {SLUG}, so nothing was built for it" in output
    assert "Restore .recap/ from your backup" in output
    assert f"delete {secrets} and run `recap client password {SLUG}`" in " ".join(output.split())
    assert re.search(r"ada-quill\s+built", result.output)  # the other client still builds
    assert tree(site) == before  # the previous site, untouched
    assert tree(secrets) == damaged  # nothing new made: no key, no site id
    assert not [p for p in (project.root / "site").iterdir() if p.is_file() and p.name == "b"]


def test_the_way_out_starts_the_client_afresh(project, cli, stored):
    import shutil

    secrets = stored.root / "clients" / SLUG
    old_site = stored.site_id(SLUG)
    (secrets / "content-key").unlink()
    assert cli("build").exit_code == 1
    shutil.rmtree(secrets)  # as the message says
    result = cli("client", "password", SLUG)
    assert result.exit_code == 0, result.output
    assert os.environ.get("RECAP_PASSWORD_BEN_MARSH") is None
    built = cli("build")
    assert built.exit_code == 0, built.output
    assert stored.site_id(SLUG) != old_site  # a new address, as the message warned
