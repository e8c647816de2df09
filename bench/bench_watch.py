"""`recap watch`: from saving a recap to its client's site rebuilt, against a direct build.

The watcher (a real `recap watch` subprocess on a copy of the demo content) sees the save,
waits for the burst of events to settle and rebuilds just that client; the baseline is the
same one-client rebuild called directly, measured in the same run. The ratio is the
watcher's overhead; the absolute figure is shown against the issue's 2-second target.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import Measure  # bench/ is on sys.path when run as a script

from generator.build import build
from generator.config import load_config

REPO = Path(__file__).resolve().parent.parent
SLUG = "daniel-okafor"
ENV = {
    "RECAP_PASSWORD_MAYA_LINDQVIST": "maple river candle orbit",
    "RECAP_PASSWORD_DANIEL_OKAFOR": "walnut harbor lantern quiver",
}
RUNS = 5


def _wait(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the watcher did not rebuild in time")
        time.sleep(0.02)


def main() -> list[Measure]:
    """Median save→rebuilt through the watcher vs a direct one-client build."""
    os.environ.update(ENV)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "content", root / "content")
        shutil.copyfile(REPO / "site_config.yml", root / "site_config.yml")
        config = load_config(root / "site_config.yml")
        assert build(config).ok
        recap = sorted((root / "content" / SLUG / "sessions").glob("*.md"))[-1]
        log = root / ".recap" / "recap.log"

        direct = []
        for n in range(RUNS):
            recap.write_text(recap.read_text() + f"\nDirect edit {n}.\n")
            start = time.perf_counter()
            assert build(config, only=[SLUG]).built == [SLUG]
            direct.append(time.perf_counter() - start)

        proc = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "watch"],
            cwd=root,
            env={**os.environ},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        watched = []
        try:
            _wait(lambda: log.exists() and "rebuilt every client" in log.read_text())
            for n in range(RUNS):
                before = log.read_text().count(f"rebuilt {SLUG}")
                recap.write_text(recap.read_text() + f"\nWatched edit {n}.\n")
                start = time.perf_counter()
                _wait(lambda b=before: log.read_text().count(f"rebuilt {SLUG}") > b)
                watched.append(time.perf_counter() - start)
                time.sleep(0.5)
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=30)
    save_to_site = statistics.median(watched)
    print(f"   saved → site rebuilt through the watcher: {save_to_site:.2f} s (target 2 s)")
    return [
        Measure("save → rebuilt (watcher)", save_to_site, "direct build", statistics.median(direct))
    ]


if __name__ == "__main__":
    for measure in main():
        print(f"   {measure}")
