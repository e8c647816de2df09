"""When each recap last changed, from git: the "last changed" line of every session page.

Three git processes, at once, for any number of files: one `git log --name-only` walk (newest
commit first; the first commit that names a file is its last change), one `git status` for
the files changed since and one `git rev-parse` for the folder its names are relative to;
none when the project is in no git work tree. A file that is untracked, modified since its
last commit, or in a folder without git falls back to its modification time, which is what
the coach just did to it.
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
    folders: dict[Path, Path] = {}  # each folder resolved once, not each file's every folder
    for path in wanted:
        # A file outside the project has no history to ask for: its mtime will do.
        if path.parent not in folders:
            folders[path.parent] = path.parent.resolve()
        real = path.resolve() if path.is_symlink() else folders[path.parent] / path.name
        with contextlib.suppress(ValueError):
            relative[real.relative_to(root).as_posix()] = path
    committed: dict[str, dt.datetime] = {}
    dirty: set[str] = set()
    if relative and _in_repository(root):
        pathspecs = sorted({str(Path(name).parent) for name in relative})
        # The three git processes run at once: the status and the top folder are read once
        # the log's walk is done.
        status = _start_status(root, pathspecs)
        top = _git(root, "rev-parse", "--show-toplevel")
        committed = _commit_dates(root, pathspecs, set(relative))
        dirty = _uncommitted(root, status, top)
        if not committed:
            dirty = set()
    changed: dict[Path, dt.datetime] = {}
    by_path = {path: name for name, path in relative.items()}
    for path in wanted:
        name = by_path.get(path)
        if name is not None and name in committed and name not in dirty:
            changed[path] = committed[name]
        else:
            changed[path] = _mtime(path)
    return changed


def _in_repository(root: Path) -> bool:
    """Whether `root` is in a git work tree (a `.git` in it or above): if not, no git runs."""
    return any((folder / ".git").exists() for folder in (root, *root.parents))


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


def _start_status(root: Path, pathspecs: list[str]) -> subprocess.Popen[str] | None:
    """Start listing the files under `pathspecs` that differ from the last commit (or are
    untracked)."""
    return _git(
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


def _uncommitted(
    root: Path, status: subprocess.Popen[str] | None, top: subprocess.Popen[str] | None
) -> set[str]:
    """The files `status` lists, relative to `root`; `top` gives the repository's top."""
    output = status.communicate()[0] if status is not None else ""
    top_folder = _toplevel(top)
    if status is None or status.returncode != 0 or not output:
        return set()
    # Porcelain paths are relative to the repository's top, not to `root`.
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
        path = (top_folder / name).resolve() if top_folder else root / name
        with contextlib.suppress(ValueError):
            dirty.add(path.relative_to(root).as_posix())
    return dirty


def _toplevel(process: subprocess.Popen[str] | None) -> Path | None:
    if process is None:
        return None
    output, _ = process.communicate()
    return Path(output.strip()).resolve() if process.returncode == 0 and output.strip() else None
