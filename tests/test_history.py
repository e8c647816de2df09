"""`last_changed`: commit dates from one git walk, file times for what git does not know."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from generator import history
from generator.history import last_changed


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose project lives in `coach/`, with two commits at known dates."""
    root = tmp_path / "repo"
    sessions = root / "coach" / "content" / "ada" / "sessions"
    sessions.mkdir(parents=True)
    git(root, "init", "-q")
    (sessions / "2026-01-01.md").write_text("one\n")
    (sessions / "2026-01-08 café.md").write_text("two\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first", date="2026-01-02T10:00:00+01:00")
    (sessions / "2026-01-08 café.md").write_text("two, edited\n")
    git(root, "commit", "-qam", "second", date="2026-01-09T12:30:00+01:00")
    return root / "coach"


def test_committed_files_get_their_last_commit_date(repo: Path) -> None:
    sessions = repo / "content" / "ada" / "sessions"
    first, second = sessions / "2026-01-01.md", sessions / "2026-01-08 café.md"
    changed = last_changed(repo, [first, second])
    assert changed == {
        first: dt.datetime.fromisoformat("2026-01-02T10:00:00+01:00"),
        second: dt.datetime.fromisoformat("2026-01-09T12:30:00+01:00"),
    }


def test_modified_untracked_and_missing_files(repo: Path) -> None:
    sessions = repo / "content" / "ada" / "sessions"
    edited, new = sessions / "2026-01-01.md", sessions / "2026-01-15.md"
    edited.write_text("edited after the commit\n")
    new.write_text("not committed\n")
    os.utime(edited, (1_800_000_000, 1_800_000_000))
    os.utime(new, (1_800_000_100, 1_800_000_100))
    changed = last_changed(repo, [edited, new, sessions / "gone.md"])
    assert changed == {
        edited: dt.datetime.fromtimestamp(1_800_000_000, dt.timezone.utc),
        new: dt.datetime.fromtimestamp(1_800_000_100, dt.timezone.utc),
    }


def test_without_git_repository_falls_back_to_mtime(tmp_path: Path) -> None:
    recap = tmp_path / "content" / "ada" / "sessions" / "2026-01-01.md"
    recap.parent.mkdir(parents=True)
    recap.write_text("x\n")
    os.utime(recap, (1_700_000_000, 1_700_000_000))
    assert last_changed(tmp_path, [recap]) == {
        recap: dt.datetime.fromtimestamp(1_700_000_000, dt.timezone.utc)
    }


def test_without_git_installed_falls_back_to_mtime(repo: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-git-here"))
    recap = repo / "content" / "ada" / "sessions" / "2026-01-01.md"
    os.utime(recap, (1_700_000_000, 1_700_000_000))
    assert last_changed(repo, [recap]) == {
        recap: dt.datetime.fromtimestamp(1_700_000_000, dt.timezone.utc)
    }


def test_one_walk_for_many_files(repo: Path, monkeypatch) -> None:
    """Fifty files cost one `git log` (plus a `git status` and a `git rev-parse`, run at the
    same time), not one process per file."""
    sessions = repo / "content" / "ada" / "sessions"
    for day in range(1, 51):
        (sessions / f"2026-02-{day:02d}.md").write_text(f"{day}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "many", date="2026-03-01T09:00:00+00:00")
    calls: list[tuple[str, ...]] = []
    real = history._git

    def counting(root: Path, *args: str):
        calls.append(args)
        return real(root, *args)

    monkeypatch.setattr(history, "_git", counting)
    paths = sorted(sessions.glob("*.md"))
    changed = last_changed(repo, paths)
    assert len(changed) == 52
    assert changed[sessions / "2026-02-17.md"] == dt.datetime.fromisoformat(
        "2026-03-01T09:00:00+00:00"
    )
    assert sorted(args[0] if args[0] != "-c" else args[2] for args in calls) == [
        "log",
        "rev-parse",
        "status",
    ]
