"""axe-core, the accessibility checker, run inside a page that Playwright opened.

axe-core comes from the npm registry (`npm install`, pinned), into `.cache/axe/` of the
repository (git-ignored); `.ci/run` installs it the same way. It is injected with
`page.evaluate` (as the DevTools protocol does it, so the journal's Content-Security-Policy
does not block it). Without npm and without a copy, the tests that use it are skipped, except
under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

VERSION = "4.14.1"
FOLDER = Path(__file__).resolve().parent.parent / ".cache" / "axe"
SCRIPT = FOLDER / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_source() -> str:
    """axe.min.js, installed from npm when it is not there yet."""
    if not SCRIPT.is_file():
        npm = shutil.which("npm")
        if npm is None:
            reason = "npm not found: install Node.js (apt-get install npm) for the axe-core tests"
            if os.environ.get("CI") == "true":
                pytest.fail(reason)
            pytest.skip(reason)
        FOLDER.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(FOLDER), "--no-audit", "--no-fund",
             f"axe-core@{VERSION}"],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return SCRIPT.read_text(encoding="utf-8")


RUN = """(rules) => axe.run(document, {runOnly: {type: "tag", values: rules}}).then(
    (result) => result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
    })))"""


def violations(page, source: str) -> list[dict]:
    """Every axe violation on the page as it is now (all impacts)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(source + "\n;0")
    return page.evaluate(RUN, RULES)


def serious(found: list[dict]) -> list[str]:
    """The serious and critical violations, one readable line each."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {'; '.join(v['nodes'][:3])}"
        for v in found
        if v["impact"] in SERIOUS
    ]
