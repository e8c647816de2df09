"""Safe file-system primitives: atomic writes and paths proven inside their root."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class OutsideRootError(ValueError):
    """A path that should stay inside a folder resolves outside it."""


def inside(root: Path, path: Path) -> Path:
    """Return `path` resolved, or raise `OutsideRootError` when it leaves `root`.

    `is_relative_to` on resolved paths, not a string prefix: `site2/` is not inside `site/`.
    A path written under `root` with no link on the way from `root` to it is inside without
    resolving it (a recap in `sessions/`: two checks instead of one per folder of the path).
    """
    if path.is_relative_to(root) and ".." not in path.parts and "\0" not in str(path):
        relative, below = path.relative_to(root), root
        for part in relative.parts:
            below = below / part
            if below.is_symlink():
                break
        else:
            return root.resolve() / relative
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise OutsideRootError(f"{path} is outside {root}")
    return resolved


def _temp_copy(path: Path, payload: bytes, *, sync: bool = True) -> str:
    """Write `payload` to a temp file beside `path` (synced, unless `sync=False`); return the
    temp file's name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _payload(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def write_atomic(
    path: Path, data: bytes | str, *, mode: int | None = None, sync: bool = True
) -> None:
    """Write `data` to `path` through a temp file in the same folder and `os.replace`.

    A reader sees the old file or the new one, never half of one; `mode` (for example 0o600
    for secrets) is applied before the file gets its name, so a secret is never readable by others.
    `sync=False` skips the fsync, for a file that is checked and made again when damaged.
    """
    tmp = _temp_copy(path, _payload(data), sync=sync)
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def replace_dir(new: Path, target: Path, *, trash: Path | None = None) -> None:
    """Swap the finished folder `new` in at `target`, keeping the old one until the swap.

    Two renames on the same file system; the previous site is removed only after the new
    one has its name, so a crash leaves one complete site (old or new) in place. With
    `trash`, the previous folder is moved there instead, to be deleted later.
    """
    old = target.with_name(f".{target.name}.old")
    restore_swapped(target)
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    if old.exists() and trash is not None:
        try:
            trash.mkdir(parents=True, exist_ok=True)
            os.replace(old, Path(tempfile.mkdtemp(dir=trash)) / target.name)
        except OSError:
            pass
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def restore_swapped(target: Path) -> bool:
    """Put back the previous `target` that a swap killed between its two renames left as
    `.<name>.old`; True when it did."""
    old = target.with_name(f".{target.name}.old")
    if old.is_dir() and not target.exists():
        os.replace(old, target)
        return True
    return False


def create_new(path: Path, data: bytes | str) -> None:
    """Write a new file at `path` atomically, refusing to replace one that exists.

    The content is written to a temp file and then hard-linked to its name: the link fails
    with `FileExistsError` if anything (a coach's recap, say) is already there.
    """
    tmp = _temp_copy(path, _payload(data))
    try:
        os.chmod(tmp, 0o644)
        os.link(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def link_or_copy(source: Path, target: Path) -> None:
    """Put `source` at `target` as a hard link (no copy of a 20 MB recording), or as a copy
    when links are not possible (another file system); the target's folder is created."""
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class Tree:
    """A folder kept from build to build, that ends each build as a fresh one would.

    A file is written only when its bytes change and linked only when it is not that file
    already; `prune` then removes every file this build did not write, link or `keep`. Creating
    a file costs far more than reading one, so an edit costs what it changes instead of one
    new file per page. Not atomic: the folder is a build's work, never published as it is.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.kept: set[str] = set()

    def keep(self, path: Path) -> None:
        """Count `path` as this build's (a file written by someone else)."""
        self.kept.add(os.path.normpath(path))

    def write(self, path: Path, data: bytes | str) -> None:
        """Put `data` at `path`, leaving the file alone when it holds these bytes already."""
        payload = _payload(data)
        self.keep(path)
        try:
            stat = os.stat(path)
            if stat.st_size == len(payload) and Path(path).read_bytes() == payload:
                return
            if stat.st_nlink > 1:  # a link to another file: never written through
                os.unlink(path)
        except FileNotFoundError:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(payload)

    def link(self, source: Path, path: Path) -> None:
        """Put `source` at `path` with `link_or_copy`, unless it is there already."""
        self.keep(path)
        try:
            if os.path.samefile(source, path):
                return
            mine, theirs = os.stat(path), os.stat(source)
            if (mine.st_size, mine.st_mtime_ns) == (theirs.st_size, theirs.st_mtime_ns):
                return  # the copy made where links are not possible
            os.unlink(path)
        except FileNotFoundError:
            pass
        link_or_copy(source, path)

    def prune(self) -> None:
        """Remove the files (and then empty folders) that this build did not put here."""
        for folder, dirs, files in os.walk(self.root, topdown=False):
            for name in files:
                path = os.path.join(folder, name)
                if os.path.normpath(path) not in self.kept:
                    os.unlink(path)
            for name in dirs:
                path = os.path.join(folder, name)
                if os.path.islink(path):
                    os.unlink(path)
                elif not os.listdir(path):
                    os.rmdir(path)
