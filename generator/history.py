"""When each recap last changed, from git: the "last changed" line of every session page.

Two git processes for any number of files: one `git log --name-only` walk (newest commit
first; the first commit that names a file is its last change) and one `git status` for the
files changed since. A file that is untracked, modified since its last commit, or in a folder
without git falls back to its modification time, which is what the coach just did to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

# Records of `git log -z --format=%x1e%cI --name-only`: \x1e date \0 \n name \0 name \0 ...
RECORD = "\x1e"


def last_changed(project_dir: Path, paths: Iterable[Path]) -> dict[Path, dt.datetime]:
    """Map each of `paths` to when it last changed: its last commit, else its mtime.

    Keys are the paths exactly as given (so callers can look up `recap.path`); values are
    timezone-aware. A path that does not exist is left out.
    """
    wanted = [p for p in paths if p.exists()]
    if not wanted:
        return {}
    root = project_dir.resolve()
    relative: dict[str, Path] = {}
    for path in wanted:
        # A file outside the project has no history to ask for: its mtime will do.
        with contextlib.suppress(ValueError):
            relative[path.resolve().relative_to(root).as_posix()] = path
    committed: dict[str, dt.datetime] = {}
    dirty: set[str] = set()
    if relative:
        pathspecs = sorted({str(Path(name).parent) for name in relative})
        committed = _commit_dates(root, pathspecs, set(relative))
        dirty = _uncommitted(root, pathspecs) if committed else set()
    changed: dict[Path, dt.datetime] = {}
    by_path = {path: name for name, path in relative.items()}
    for path in wanted:
        name = by_path.get(path)
        if name is not None and name in committed and name not in dirty:
            changed[path] = committed[name]
        else:
            changed[path] = _mtime(path)
    return changed


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc).astimezone()


def _git(root: Path, *args: str) -> subprocess.Popen[str] | None:
    """Start `git -C root args...` with its output piped, or None when git is missing."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        return subprocess.Popen(
            ["git", "-C", str(root), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env=env,
        )
    except OSError as exc:
        log.debug("git unavailable (%s): using file times", exc)
        return None


def _commit_dates(root: Path, pathspecs: list[str], names: set[str]) -> dict[str, dt.datetime]:
    """The committer date of the newest commit touching each file in `names`.

    The walk stops as soon as every file has its date, so a long history costs nothing more.
    """
    process = _git(
        root, "log", "--relative", "--format=%x1e%cI", "--name-only", "-z", "--", *pathspecs
    )
    if process is None:
        return {}
    found: dict[str, dt.datetime] = {}
    assert process.stdout is not None
    buffer = ""
    try:
        while len(found) < len(names):
            chunk = process.stdout.read(65536)
            if not chunk:
                break
            buffer += chunk
            *records, buffer = buffer.split(RECORD)
            for record in records:
                _take(record, names, found)
        if len(found) < len(names) and buffer:
            _take(buffer, names, found)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()
    return found


def _take(record: str, names: set[str], found: dict[str, dt.datetime]) -> None:
    if not record:
        return
    date, _, files = record.partition("\0")
    try:
        when = dt.datetime.fromisoformat(date.strip())
    except ValueError:
        return
    for name in files.split("\0"):
        name = name.strip("\n")
        if name in names and name not in found:
            found[name] = when


def _uncommitted(root: Path, pathspecs: list[str]) -> set[str]:
    """Files under `pathspecs` that differ from the last commit (or are untracked)."""
    process = _git(
        root,
        "-c",
        "status.relativePaths=true",
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--",
        *pathspecs,
    )
    if process is None:
        return set()
    output, _ = process.communicate()
    if process.returncode != 0 or not output:
        return set()
    # Porcelain paths are relative to the repository's top, not to `root`.
    top = _toplevel(root)
    dirty: set[str] = set()
    entries = output.split("\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        code, name = entry[:2], entry[3:]
        if code[0] in "RC":
            index += 1  # a rename is followed by its old name
        path = (top / name).resolve() if top else root / name
        with contextlib.suppress(ValueError):
            dirty.add(path.relative_to(root).as_posix())
    return dirty


def _toplevel(root: Path) -> Path | None:
    process = _git(root, "rev-parse", "--show-toplevel")
    if process is None:
        return None
    output, _ = process.communicate()
    return Path(output.strip()).resolve() if process.returncode == 0 and output.strip() else None
