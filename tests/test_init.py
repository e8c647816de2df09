"""`recap init` and `recap client add`: a new coach's first minutes."""

from __future__ import annotations

import os
import stat
import subprocess

from generator.protection import keys
from generator.protection.keys import estimate_bits
from generator.state import State
from tests.test_keys import STRONG, forget_keks


def test_init_creates_a_project_that_checks(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    result = cli("init", "practice", "--coach", "Alex Rivera")
    assert result.exit_code == 0, result.output
    root = tmp_path / "practice"
    for name in ("site_config.yml", ".gitignore", "content/demo-client/client.yml"):
        assert (root / name).is_file(), name
    assert "site/" in (root / ".gitignore").read_text()
    assert ".recap/" in (root / ".gitignore").read_text()
    assert len(list((root / "content/demo-client/sessions").glob("*.md"))) == 1
    assert "Password for demo-client's journal" in result.output
    monkeypatch.chdir(root)
    assert cli("check").exit_code == 0
    built = cli("build")  # the example client has its password: the new project builds
    assert built.exit_code == 0, built.output
    assert "✓ demo-client  built in" in built.output


def test_init_gitignore_keeps_originals_out_of_git_even_after_client_remove(tmp_path, cli):
    """An archived client's originals (moved by `recap client remove`) stay out of git too."""
    assert cli("init", str(tmp_path / "p"), "--coach", "Alex Rivera").exit_code == 0
    root = tmp_path / "p"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    paths = ["content/ada/originals/a.m4a", "content/_archived/ada/originals/a.m4a"]
    for path in paths:
        (root / path).parent.mkdir(parents=True)
        (root / path).write_bytes(b"audio")
    ignored = subprocess.run(
        ["git", "-C", str(root), "check-ignore", *paths], capture_output=True, text=True
    )
    assert ignored.stdout.splitlines() == paths


def test_init_never_overwrites(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p").mkdir()
    (tmp_path / "p/site_config.yml").write_text("theme: mine\n")
    result = cli("init", "p")
    assert result.exit_code == 1
    assert "already has a site_config.yml: nothing was changed" in result.output
    assert (tmp_path / "p/site_config.yml").read_text() == "theme: mine\n"


def test_client_add_prints_a_strong_password_once_and_keeps_it_private(project, cli):
    result = cli("client", "add", "cara-nu", "--name", "Cara Nu", "--email", "cara@example.com")
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines() if line.startswith("    ")]
    password = lines[0]
    assert estimate_bits(password) == 55  # five words of 11 bits
    assert (project.root / "content/cara-nu/client.yml").read_text().startswith('name: "Cara Nu"')
    secrets = project.root / ".recap/clients/cara-nu"
    for path in secrets.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert password.encode() not in path.read_bytes()
    assert stat.S_IMODE(os.stat(project.root / ".recap").st_mode) == 0o700
    again = cli("client", "add", "cara-nu", "--name", "Cara Nu")
    assert again.exit_code == 1
    assert "client 'cara-nu' already exists" in again.output


def test_client_add_rejects_a_bad_slug(project, cli):
    result = cli("client", "add", "Cara_Nu", "--name", "Cara")
    assert result.exit_code == 1
    assert "invalid client slug 'Cara_Nu'" in result.output


def test_a_weak_typed_password_is_refused(project, cli):
    result = cli("client", "password", "ben-marsh", "--type", input="password1\npassword1\n")
    assert result.exit_code == 1
    assert "weak" in result.output.lower() or "too short" in result.output.lower()


def test_password_change_says_it_revokes_and_re_encrypts(project, cli, monkeypatch):
    monkeypatch.delenv("RECAP_PASSWORD_BEN_MARSH")
    first = cli("client", "password", "ben-marsh")
    assert first.exit_code == 0, first.output
    assert "new key" not in first.output  # the first password: nothing to revoke
    added = cli("client", "password", "ben-marsh", "--add")
    assert added.exit_code == 0, added.output
    assert "new key" not in added.output
    assert "Run `recap build`" in added.output
    removed = cli("client", "password", "ben-marsh", "--remove", "coach")
    assert removed.exit_code == 0, removed.output
    said = " ".join(removed.output.split())
    assert "Removed the password 'coach' of ben-marsh." in said
    assert "ben-marsh's journal has a new key: the next `recap build` re-encrypts all of it" in said
    assert "uploads all of it again" in said
    changed = cli("client", "password", "ben-marsh")
    assert "has a new key" in " ".join(changed.output.split())
    wrong = cli("client", "password", "ben-marsh", "--remove", "coach")
    assert wrong.exit_code == 1
    assert "no password labelled 'coach'" in wrong.output


def test_a_weak_env_password_stops_that_clients_build(project, cli, monkeypatch):
    monkeypatch.setenv("RECAP_PASSWORD_BEN_MARSH", "abc")
    result = cli("build")
    assert result.exit_code == 1
    assert "RECAP_PASSWORD_BEN_MARSH: password too short" in " ".join(result.output.split())


def test_removing_a_password_asks_once_for_those_set_before_revocation(project, cli, monkeypatch):
    """A keyring from before per-password KEKs: typing the kept password once migrates it."""
    monkeypatch.delenv("RECAP_PASSWORD_BEN_MARSH")
    state = State(project.root / ".recap")
    keys.set_password(state, "ben-marsh", STRONG)
    coach = keys.add_password(state, "ben-marsh", label="coach")
    forget_keks(state, "ben-marsh")
    refused = cli("client", "password", "ben-marsh", "--remove", "client")  # no terminal
    said = " ".join(refused.output.split())
    assert refused.exit_code == 1
    assert "the password(s) coach were set before revocation existed" in said
    wrong = cli("client", "password", "ben-marsh", "--remove", "client", input=STRONG + "\n")
    assert wrong.exit_code == 1
    assert "that is not the current password 'coach' of ben-marsh" in wrong.output
    assert keys.password_labels(state, "ben-marsh") == ["client", "coach"]
    removed = cli("client", "password", "ben-marsh", "--remove", "client", input=coach + "\n")
    assert removed.exit_code == 0, removed.output
    said = " ".join(removed.output.split())
    assert "type each once" in said and "Removed the password 'client' of ben-marsh." in said
    [kept] = keys.load_secrets(state, "ben-marsh", {}).keyring
    assert keys.unwrap_key(kept, coach, state.site_id("ben-marsh")) is not None
