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
    """
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise OutsideRootError(f"{path} is outside {root}")
    return resolved


def _temp_copy(path: Path, payload: bytes) -> str:
    """Write `payload` to a synced temp file beside `path`; return the temp file's name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _payload(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def write_atomic(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Write `data` to `path` through a temp file in the same folder and `os.replace`.

    A reader sees the old file or the new one, never half of one; `mode` (for example 0o600
    for secrets) is applied before the file gets its name, so a secret is never readable by others.
    """
    tmp = _temp_copy(path, _payload(data))
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def replace_dir(new: Path, target: Path) -> None:
    """Swap the finished folder `new` in at `target`, keeping the old one until the swap.

    Two renames on the same file system; the previous site is removed only after the new
    one has its name, so a crash leaves one complete site (old or new) in place.
    """
    old = target.with_name(f".{target.name}.old")
    restore_swapped(target)
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
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
