"""A full disk and a read-only disk during a build, a recording job and a publish.

The project lives on a small tmpfs mounted for the test (root only: skipped elsewhere). Each
time: a clear message, no traceback, nothing half-written left behind, the previous sites and
`.recap/` as they were; and once space is back (or the disk writable), the same command
finishes the work.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORDS, Project, write_fixture_content
from tests.robustness.faults import recordings

pytestmark = pytest.mark.slow


class SmallDisk:
    """A tmpfs of a few MB: filled up, freed, made read-only and writable again."""

    def __init__(self, mount: Path) -> None:
        self.mount = mount
        self.filler = mount / "filler.bin"

    def fill(self, leave: int = 64 * 1024) -> None:
        """Take all the space but `leave` bytes."""
        free = shutil.disk_usage(self.mount).free
        with self.filler.open("ab") as handle:
            handle.write(b"\0" * max(free - leave, 0))

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def readonly(self, on: bool) -> None:
        option = "remount,ro" if on else "remount,rw"
        subprocess.run(["mount", "-o", option, str(self.mount)], check=True)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield SmallDisk(mount)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def coach(disk: SmallDisk, monkeypatch) -> Project:
    """The two-client project, on the small disk."""
    project = Project(disk.mount / "coach")
    project.write("site_config.yml", "branding: {coach_name: Coach Testperson}\n")
    write_fixture_content(project)
    for slug, password in PASSWORDS.items():
        monkeypatch.setenv("RECAP_PASSWORD_" + slug.upper().replace("-", "_"), password)
    return project


def recap(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not {"cache", "tmp"} & set(p.relative_to(folder).parts)
        and p.name not in ("recap.log", "watch.lock")
    }  # fmt: skip


def half_written(root: Path) -> list[Path]:
    """Temp files and half-swapped folders anywhere in the project (the build's own scratch
    folder aside: `.recap/tmp/.trash`, emptied by the next build)."""
    trash = root / ".recap" / "tmp" / ".trash"
    found = [p for p in root.rglob("*") if p.name.endswith((".tmp", ".new", ".old"))]
    tmp = root / ".recap" / "tmp"
    work = [p for p in tmp.iterdir() if p != trash] if tmp.is_dir() else []
    return [p for p in found if not p.is_relative_to(trash)] + work


def edit(project: Project, marker: str) -> None:
    path = project.root / "content/ben-marsh/sessions/2026-04-01.md"
    path.write_text(path.read_text("utf-8") + f"\n{marker}\n", encoding="utf-8")


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_build_on_a_full_or_read_only_disk(disk, coach, fault):
    assert recap(coach.root, "build").returncode == 0
    sites, state = snapshot(coach.root / "site"), snapshot(coach.root / ".recap")
    edit(coach, "AFTER-THE-FAULT")
    disk.fill() if fault == "full" else disk.readonly(True)
    failed = recap(coach.root, "build", "--force")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "Traceback" not in output
    expected = "the disk is full" if fault == "full" else "read-only disk"
    assert expected in output
    assert "what was there before is kept as it was" in output
    disk.free() if fault == "full" else disk.readonly(False)
    # A client the space sufficed for is built, whole; every other keeps its previous site.
    state_now = coach.config().state
    for slug in PASSWORDS:
        if not re.search(rf"(✓ {slug}\s+built|{slug}\s*│\s*built)", output):
            site_id = state_now.site_id(slug)
            mine = {k: v for k, v in sites.items() if k.startswith(site_id)}
            assert {k: v for k, v in snapshot(coach.root / "site").items()
                    if k.startswith(site_id)} == mine, output  # fmt: skip
            assert {k: v for k, v in snapshot(coach.root / ".recap").items()
                    if f"/{slug}/" in f"/{k}"} == {k: v for k, v in state.items()
                    if f"/{slug}/" in f"/{k}"}, slug  # fmt: skip
    assert half_written(coach.root) == []
    again = recap(coach.root, "build")
    assert again.returncode == 0, again.stdout + again.stderr
    assert half_written(coach.root) == []


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_recording_job_on_a_full_or_read_only_disk(disk, coach, fault, tmp_path):
    [source] = recordings(1, tmp_path / "sources")  # the coach's own file, on another disk
    original = source.read_bytes()
    assert recap(coach.root, "build").returncode == 0
    disk.fill(leave=32 * 1024) if fault == "full" else disk.readonly(True)
    args = ("transcribe", str(source), "--client", "ada-quill", "--date", "2026-05-04")
    failed = recap(coach.root, *args)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "Traceback" not in output
    assert ("the disk is full" if fault == "full" else "read-only disk") in output
    disk.free() if fault == "full" else disk.readonly(False)
    client = coach.root / "content" / "ada-quill"
    assert not list(client.glob("recordings/*")), "a half-written mp3 or transcript"
    assert not list(client.glob("sessions/2026-05-04*"))
    assert half_written(coach.root) == []
    assert source.read_bytes() == original
    done = recap(coach.root, *args)  # space is back: the same command finishes the job
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p.name for p in client.glob("sessions/2026-05-04*")] == ["2026-05-04-draft.md"]
    assert (client / "originals" / source.name).read_bytes() == original
    assert source.read_bytes() == original


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_publish_on_a_full_or_read_only_disk(disk, coach, tmp_path, fault):
    bare = tmp_path / "journals.git"  # the remote is elsewhere; the project's repo is full
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    coach.write(".gitignore", "site/\n.recap/\n")
    git(coach.root, "init", "--quiet")
    git(coach.root, "add", ".")
    git(coach.root, "commit", "--quiet", "-m", "Start")
    git(coach.root, "remote", "add", "origin", str(bare))
    first = recap(coach.root, "publish")
    assert first.returncode == 0, first.stdout + first.stderr
    tip = git(bare, "rev-parse", "refs/heads/gh-pages")
    edit(coach, "AFTER-THE-FAULT")
    disk.fill(leave=16 * 1024) if fault == "full" else disk.readonly(True)
    failed = recap(coach.root, "publish")
    output = failed.stdout + failed.stderr
    disk.free() if fault == "full" else disk.readonly(False)
    assert failed.returncode == 1, output
    assert "Traceback" not in output
    if fault == "full":
        assert "disk is full" in output or "No space left" in output, output
    else:
        assert "read-only" in output, output
    assert git(bare, "rev-parse", "refs/heads/gh-pages") == tip
    assert "ghp-import failed" not in output and "BrokenPipe" not in output
    assert half_written(coach.root) == []
    again = recap(coach.root, "publish")
    assert again.returncode == 0, again.stdout + again.stderr
    assert git(bare, "rev-parse", "refs/heads/gh-pages") != tip


def test_the_watcher_waits_out_a_full_disk_and_goes_on(disk, tmp_path):
    from tests.robustness.faults import KillSoak, make_project, rebuilds

    soak = KillSoak(make_project(disk.mount / "coach"), seed=0)
    [source] = recordings(1, tmp_path / "sources")
    soak.start()
    try:
        wait(lambda: rebuilds(soak.log), "the first build")
        soak.drop([source])
        disk.fill(leave=16 * 1024)
        wait(lambda: "job waits" in soak.log, "the job to meet the full disk")
        inbox = soak.root / "inbox" / "jane-doe"
        [dropped] = list(inbox.iterdir())
        assert half_written(soak.root) == []
        disk.free()  # space is back: the watcher goes on by itself
        wait(soak.finished, "the job to finish", timeout=120)
        wait(lambda: soak.jobs()[0]["status"] != "active", "the rebuild")
    finally:
        soak.stop()
    soak.assert_each_processed_once()
    assert "Traceback" not in soak.log
    assert dropped.name in [p.name for p in (soak.root / "content/jane-doe/originals").iterdir()]


def wait(condition, what: str, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
