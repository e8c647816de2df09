"""A leak scanner for published output: no distinctive string of a client may appear anywhere.

Every later feature's tests pass their built `site/` through `assert_no_leaks` with the
distinctive strings of their test content (client name, titles, body words, transcript words,
resource URLs, slugs). Each needle is looked for in every file's bytes and in every file's
path, in the forms a page, a URL or a JSON file would carry it: as is, case-insensitive,
URL-encoded (`%20` and `+`), JSON-escaped (`\\u00e9`) and HTML-escaped (`&amp;`, `&#39;`), in
UTF-8 and UTF-16 (little and big endian). Gzip files are scanned inflated as well.
"""

from __future__ import annotations

import contextlib
import gzip
import html
import json
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Leak:
    """One needle found in one file (or in its path)."""

    file: Path
    needle: str
    form: str
    offset: int

    def __str__(self) -> str:
        where = "its path" if self.offset < 0 else f"offset {self.offset}"
        return f"{self.file}: {self.needle!r} ({self.form}) at {where}"


def forms(needle: str) -> dict[str, bytes]:
    """The byte patterns under which `needle` could appear, lowercased, by name of the form."""
    lower = needle.lower()
    texts = {
        "plain": lower,
        "url-encoded": urllib.parse.quote(lower, safe=""),
        "url-encoded+": urllib.parse.quote_plus(lower, safe=""),
        "url-path": urllib.parse.quote(lower),
        "json-escaped": json.dumps(lower)[1:-1],
        "json-ascii": json.dumps(lower, ensure_ascii=True)[1:-1],
        "html-escaped": html.escape(lower, quote=True),
        "html-escaped-noquote": html.escape(lower, quote=False),
    }
    patterns: dict[str, bytes] = {}
    for name, text in texts.items():
        patterns.setdefault(name, text.encode("utf-8"))
    patterns["utf-16-le"] = lower.encode("utf-16-le")
    patterns["utf-16-be"] = lower.encode("utf-16-be")
    # Keep distinct patterns only, named by their first form.
    unique: dict[str, bytes] = {}
    for name, pattern in patterns.items():
        if pattern and pattern not in unique.values():
            unique[name] = pattern
    return unique


def find_leaks(root: Path, needles: Iterable[str]) -> list[Leak]:
    """Every occurrence of every needle in the files (and file paths) under `root`."""
    wanted = [n for n in needles if n]
    short = [n for n in wanted if len(n) < 4]
    if short:
        raise ValueError(f"needles too short to mean anything: {short}")
    patterns = {needle: forms(needle) for needle in wanted}
    leaks: list[Leak] = []
    files = sorted(p for p in root.rglob("*") if p.is_file())
    if not files:
        raise ValueError(f"{root}: nothing to scan")
    for path in files:
        relative = path.relative_to(root).as_posix().lower().encode("utf-8")
        data = path.read_bytes()
        bodies = [("", data.lower())]
        if data[:2] == b"\x1f\x8b":
            with contextlib.suppress(OSError, EOFError):
                bodies.append((" (gunzipped)", gzip.decompress(data).lower()))
        for needle, variants in patterns.items():
            for form, pattern in variants.items():
                if pattern in relative:
                    leaks.append(Leak(path, needle, form, -1))
                for suffix, body in bodies:
                    offset = body.find(pattern)
                    if offset >= 0:
                        leaks.append(Leak(path, needle, form + suffix, offset))
    return leaks


def assert_no_leaks(root: Path, needles: Iterable[str]) -> None:
    """Fail with each file and needle when any needle appears anywhere under `root`."""
    leaks = find_leaks(root, needles)
    if leaks:
        shown = "\n".join(f"  {leak}" for leak in leaks[:40])
        more = f"\n  … and {len(leaks) - 40} more" if len(leaks) > 40 else ""
        raise AssertionError(f"{len(leaks)} leak(s) under {root}:\n{shown}{more}")
