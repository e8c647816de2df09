"""Shared fixtures: a scratch project on tmp_path, built up by the tests that need it.

`project` → a folder with site_config.yml and two valid clients; `cli` runs `recap` in it.
No test touches the user's home, the repository's own content/ or the network.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from tests.browser import browser, playwright_session

__all__ = ["browser", "playwright_session"]  # session fixtures: one chromium per test process

SITE_CONFIG = """\
branding:
  coach_name: Coach Testperson
  practice_name: Test Practice
protection:
  iterations: 600000
"""

PASSWORDS = {
    "ada-quill": "velvet tundra orchard pivot",
    "ben-marsh": "copper lagoon whistle ember",
}


@dataclass
class Project:
    """A scratch Recap Journal project."""

    root: Path

    def write(self, relative: str, text: str) -> Path:
        """Write a file of the project (dedented), creating its folders."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def recap(self, slug: str, name: str, front: str, body: str = "Body text.") -> Path:
        """Write `content/<slug>/sessions/<name>.md` from front matter and a body."""
        front = textwrap.dedent(front).strip("\n")
        return self.write(f"content/{slug}/sessions/{name}.md", f"---\n{front}\n---\n\n{body}\n")

    def config(self):
        """The loaded SiteConfig."""
        from generator.config import load_config

        return load_config(self.root / "site_config.yml")


def write_fixture_content(project: Project) -> None:
    """Two clients: ada-quill (three sessions, a draft, private fields) and ben-marsh."""
    project.write(
        "content/ada-quill/client.yml",
        """
        name: Ada Quillfeather
        email: ada@example.com
        started: 2026-03-02
        private: PRIVATE-CLIENT-MARKER
        """,
    )
    project.recap(
        "ada-quill",
        "2026-03-02-kickoff",
        """
        date: 2026-03-02
        title: Kickoff Zephyrine
        focus: [sleep]
        successes: [Signed up for the marathon]
        commitments:
          - text: Walk every morning
            status: done
            due: 2026-03-09
          - Drink more water
        resources:
          - title: Sleep basics
            url: https://example.org/sleep-basics
        next_steps: [Review the walking log]
        private: PRIVATE-RECAP-MARKER
        """,
        "We discussed the quokkaberry routine in depth.",
    )
    project.recap(
        "ada-quill",
        "2026-03-16-progress",
        """
        date: 2026-03-16
        title: Progress Marmalade
        commitments:
          - text: Drink more water
            status: done
          - text: Stretch after runs
            due: 2026-03-30
        resources:
          - https://example.org/sleep-basics
          - title: Stretching guide
            url: https://example.org/stretching
        """,
        "Talked about stretching.\n\n## Notes\n\n- one\n- two",
    )
    project.recap(
        "ada-quill",
        "2026-03-30-draft",
        """
        date: 2026-03-30
        title: Unfinished DRAFT-TITLE-MARKER
        status: draft
        """,
        "DRAFT-BODY-MARKER",
    )
    project.write("content/ben-marsh/client.yml", "name: Ben Marsh\n")
    project.recap(
        "ben-marsh",
        "2026-04-01",
        """
        date: 2026-04-01
        title: First Session Brigantine
        """,
        "Ben's first session.",
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A valid two-client project in tmp_path, the current folder, passwords in the env."""
    root = tmp_path / "coach"
    root.mkdir()
    result = Project(root)
    result.write("site_config.yml", SITE_CONFIG)
    write_fixture_content(result)
    monkeypatch.chdir(root)
    for slug, password in PASSWORDS.items():
        monkeypatch.setenv("RECAP_PASSWORD_" + slug.upper().replace("-", "_"), password)
    return result


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run `recap ARGS...` in-process in the current folder; returns click's Result."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture(autouse=True)
def _no_user_git_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Git in tests never reads the user's ~/.gitconfig."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Recap Test\n\temail = test@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    os.environ.pop("EDITOR", None)
