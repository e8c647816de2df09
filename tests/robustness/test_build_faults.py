"""`recap build` and `recap publish` killed with SIGKILL at random moments.

After every kill: each client's previous site is whole (its unlock page and keyring there,
its home page decrypts), `.recap/` is byte for byte what it was, and the gh-pages branch is
the previous commit or the next one, complete. The next run, left alone, is correct.
`make soak` runs RECAP_SOAK_KILLS of each (50); `make test` a few.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.protection.keys import load_secrets
from generator.protection.protect import read_protected
from generator.render import page_name
from tests.conftest import PASSWORDS
from tests.robustness.faults import report

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("RECAP_SOAK_KILLS", "4"))


def recap(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def killed_after(root: Path, seconds: float, *args: str) -> None:
    """Start `recap ARGS`, SIGKILL it (and its build processes) after `seconds`."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def state_bytes(root: Path) -> dict[str, bytes]:
    """The secrets in `.recap/clients/` (keys, keyrings, site ids), file by file; not the
    build number, which every completed build of a changed site moves on (nor the temp file of
    one a kill interrupted: the next build clears it, checked at the end)."""
    folder = root / ".recap" / "clients"
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name != "build-number" and not p.name.startswith(".build-number.")
    ]
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


def home_pages(project) -> dict[str, str]:
    """Each client's decrypted home page: the site is whole enough to open."""
    config = project.config()
    pages = {}
    for slug in PASSWORDS:
        site = project.root / "site" / config.state.site_id(slug)
        assert (site / "index.html").is_file() and (site / "keyring.json").is_file(), slug
        secrets = load_secrets(config.state, slug, os.environ)
        pages[slug] = read_protected(site, "index.html", secrets).decode()
    return pages


def edit(project, number: int) -> None:
    """A change for the next build to carry: a new marker in one recap."""
    path = project.root / "content/ben-marsh/sessions/2026-04-01.md"
    text = path.read_text("utf-8").split("\nEDIT-")[0]
    path.write_text(f"{text}\nEDIT-{number}-MARKER\n", encoding="utf-8")


def test_a_build_killed_at_any_moment_leaves_the_previous_sites(project):
    seed = int(os.environ.get("RECAP_SOAK_SEED", random.randrange(1_000_000)))
    print(f"RECAP_SOAK_SEED={seed}")
    rng = random.Random(seed)
    began = time.monotonic()
    assert recap(project.root, "build").returncode == 0
    took = time.monotonic() - began
    secrets = state_bytes(project.root)
    for number in range(KILLS):
        edit(project, number)
        killed_after(project.root, rng.uniform(0, took * 1.2), "build", "--force")
        home_pages(project)  # raises if a site is gone or half there
        assert state_bytes(project.root) == secrets
    done = recap(project.root, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    config = project.config()
    site = project.root / "site" / config.state.site_id("ben-marsh")
    page = read_protected(
        site,
        f"sessions/{page_name(config.state.page_key('ben-marsh'), '2026-04-01')}/index.html",
        load_secrets(config.state, "ben-marsh", os.environ),
    ).decode()
    assert f"EDIT-{KILLS - 1}-MARKER" in page
    assert not list((project.root / "site").glob(".*"))  # no half-swapped folder left
    assert not list((project.root / ".recap" / "clients").rglob(".*.tmp"))  # nor a temp file
    assert state_bytes(project.root) == secrets
    report(f"build: {KILLS} kills; every previous site whole after each; .recap/ unchanged")


def test_the_temp_file_of_a_build_number_a_kill_interrupted_is_cleared(project):
    assert recap(project.root, "build").returncode == 0
    stale = project.root / ".recap" / "clients" / "ada-quill" / ".build-number.k1ll3d.tmp"
    stale.write_text("1 half", encoding="ascii")  # what a kill in write_atomic leaves
    done = recap(project.root, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not stale.exists()


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_publish_killed_at_any_moment_leaves_gh_pages_whole(project, tmp_path):
    seed = int(os.environ.get("RECAP_SOAK_SEED", random.randrange(1_000_000)))
    print(f"RECAP_SOAK_SEED={seed}")
    rng = random.Random(seed)
    bare = tmp_path / "journals.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    project.write(".gitignore", "site/\n.recap/\n")
    git(project.root, "init", "--quiet")
    git(project.root, "add", ".")
    git(project.root, "commit", "--quiet", "-m", "Start")
    git(project.root, "remote", "add", "origin", str(bare))
    began = time.monotonic()
    first = recap(project.root, "publish")
    assert first.returncode == 0, first.stdout + first.stderr
    took = time.monotonic() - began
    tips = {git(bare, "rev-parse", "refs/heads/gh-pages")}
    secrets = state_bytes(project.root)
    for number in range(KILLS):
        edit(project, number)
        killed_after(project.root, rng.uniform(0, took * 1.2), "publish")
        tip = git(bare, "rev-parse", "refs/heads/gh-pages")
        git(bare, "fsck", "--no-dangling")  # every object of the branch is there
        files = git(bare, "ls-tree", "-r", "--name-only", tip).splitlines()
        for slug in PASSWORDS:
            site_id = project.config().state.site_id(slug)
            assert f"{site_id}/index.html" in files and f"{site_id}/keyring.json" in files
        tips.add(tip)
        home_pages(project)
        assert state_bytes(project.root) == secrets
    done = recap(project.root, "publish")
    assert done.returncode == 0, done.stdout + done.stderr
    report(f"publish: {KILLS} kills; gh-pages whole after each ({len(tips)} commits)")
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "--quiet", "--branch", "gh-pages", str(bare), str(checkout))
    config = project.config()
    site = checkout / config.state.site_id("ben-marsh")
    page = read_protected(
        site,
        f"sessions/{page_name(config.state.page_key('ben-marsh'), '2026-04-01')}/index.html",
        load_secrets(config.state, "ben-marsh", os.environ),
    ).decode()
    assert f"EDIT-{KILLS - 1}-MARKER" in page


def test_a_swap_killed_between_its_two_renames_is_undone(project):
    assert recap(project.root, "build").returncode == 0
    site = project.root / "site" / project.config().state.site_id("ada-quill")
    old = site.with_name(f".{site.name}.old")
    os.replace(site, old)  # where a kill between the renames leaves it
    home = old / "index.html"
    before = home.read_bytes()
    edit(project, 99)  # ben-marsh changes; ada-quill does not
    done = recap(project.root, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"ada-quill\s*│\s*unchanged", done.stderr), done.stderr  # put back as it was
    assert (site / "index.html").read_bytes() == before
    assert not old.exists()
    home_pages(project)
