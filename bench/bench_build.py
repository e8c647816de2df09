"""The journal build: a no-change rebuild against a full build of the same project.

The project is the repository's demo content copied to a temp folder, with 30 extra
generated recaps per client, so that the figures are not dominated by start-up.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from measure import Measure  # bench/ is on sys.path when run as a script

from generator.build import build
from generator.config import load_config

REPO = Path(__file__).resolve().parent.parent


def _project(root: Path) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    shutil.copyfile(REPO / "site_config.yml", root / "site_config.yml")
    for client in (root / "content").iterdir():
        for n in range(30):
            day = f"2025-{1 + n // 28:02d}-{1 + n % 28:02d}"
            (client / "sessions" / f"{day}-bench.md").write_text(
                f"---\ndate: {day}\ntitle: Bench session {n}\nfocus: [bench]\n"
                f"successes: [Did thing {n}]\ncommitments:\n  - text: Commitment {n}\n"
                f"    due: {day}\n---\n\n" + "Words about the session. " * 200 + "\n"
            )
    return root


def main() -> list[Measure]:
    """Full build vs a second build with no change (target: a small fraction)."""
    os.environ.setdefault("RECAP_PASSWORD_MAYA_LINDQVIST", "maple river candle orbit")
    os.environ.setdefault("RECAP_PASSWORD_DANIEL_OKAFOR", "walnut harbor lantern quiver")
    with tempfile.TemporaryDirectory() as tmp:
        root = _project(Path(tmp))
        config = load_config(root / "site_config.yml")
        start = time.perf_counter()
        first = build(config, force=True)
        full = time.perf_counter() - start
        assert first.ok, first.failed
        start = time.perf_counter()
        again = build(config)
        noop = time.perf_counter() - start
        assert not again.built
        one = next(iter((root / "content" / "daniel-okafor" / "sessions").glob("*.md")))
        one.write_text(one.read_text() + "\nOne more line.\n")
        start = time.perf_counter()
        changed = build(config)
        single = time.perf_counter() - start
        assert changed.built == ["daniel-okafor"]
    return [
        Measure("no-change rebuild", noop, "full build", full, limit=0.1),
        Measure("one recap changed", single, "full build", full),
    ]


if __name__ == "__main__":
    import sys

    measures = main()
    for measure in measures:
        print(f"   {measure}")
    sys.exit(any(m.limit is not None and m.ratio > m.limit for m in measures))
