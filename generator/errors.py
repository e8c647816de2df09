"""Problems found in a coach's files, and the exceptions that carry them to the CLI."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file: where it is, which field, what was expected and found."""

    file: Path
    message: str
    line: int | None = None
    field: str | None = None
    severity: Severity = "error"

    def location(self, base: Path | None = None) -> str:
        """`file:line`, with the file relative to `base` where it can be."""
        file = self.file
        if base is not None and self.file.resolve().is_relative_to(base.resolve()):
            file = self.file.resolve().relative_to(base.resolve())
        return f"{file}:{self.line}" if self.line else str(file)

    def format(self, base: Path | None = None, *, severity: bool = True) -> str:
        """The one-line message shown to the coach (without "error: " when not `severity`)."""
        field = f"field '{self.field}': " if self.field else ""
        kind = f"{self.severity}: " if severity else ""
        return f"{self.location(base)}: {kind}{field}{self.message}"

    def __str__(self) -> str:
        return self.format()


class RecapError(Exception):
    """A mistake the coach can fix; the CLI shows the message without a traceback."""


class ProblemsError(RecapError):
    """Raised with every problem found, so that the coach sees them all at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def errors_in(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a build (warnings excluded)."""
    return [p for p in problems if p.severity == "error"]


DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
"""What the machine, not the code, got wrong: a full disk, a read-only or locked folder."""


def disk_trouble(exc: BaseException) -> str | None:
    """A plain message for a full disk or a folder that cannot be written, else None."""
    if not isinstance(exc, OSError) or exc.errno not in DISK_ERRORS:
        return None
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        what = f"the disk is full{where}: free some space and run it again"
    elif exc.errno == errno.EROFS:
        what = f"the folder is on a read-only disk{where}: make it writable and run it again"
    else:
        what = f"no permission to write{where}: check the folder's owner and rights"
    return f"{what} {KEPT}"


KEPT = "(what was there before is kept as it was)"
"""How every disk trouble message ends: the watcher knows from it to try again later."""
