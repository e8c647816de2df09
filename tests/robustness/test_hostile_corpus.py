"""Every case of the hostile corpus: a clear message naming file and field, or a correct build.

Each case is checked on its own (`recap check`, under a per-file deadline, never a
traceback, the two valid clients untouched); then the whole corpus is built at once: each
case that should build does, with HTML escaped, and the valid clients build beside the rest.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import build
from tests.conftest import PASSWORDS
from tests.robustness.conftest import deadline
from tests.robustness.corpus import CASES, Case

VALID = tuple(PASSWORDS)


def add_case(project, case: Case) -> Path:
    """Write `case` as the client folder `content/<case.name>/` of `project`."""
    client = project.root / "content" / case.name
    client.mkdir(parents=True)
    (client / "client.yml").write_text(f"name: Client {case.name}\n", encoding="utf-8")
    case.make(client)
    return client


def test_the_corpus_is_large_and_varied():
    assert len(CASES) >= 60
    assert len({case.name for case in CASES}) == len(CASES)
    assert sum(case.builds for case in CASES) >= 15  # not only refusals


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_is_reported_or_valid(project, cli, case):
    add_case(project, case)
    with deadline():
        result = cli("check")
    assert "Traceback" not in result.output
    if case.builds:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1, result.output
        for fragment in case.expect:
            assert fragment in result.output
        # Every error names a file of that case's client (the others are untouched).
        errors = [line for line in result.output.splitlines() if ": error: " in line]
        assert errors
        for slug in VALID:
            assert f"content/{slug}/" not in result.output


@pytest.mark.slow
def test_the_whole_corpus_builds_what_it_can(tmp_path, project):
    for case in CASES:
        add_case(project, case)
    # A protected build of everything, as the coach runs it: a process that must end on its
    # own, with no traceback, every valid client and every case that should build built.
    env = {**os.environ, "COLUMNS": "200"}
    for case in CASES:
        env["RECAP_PASSWORD_" + case.name.upper().replace("-", "_")] = "corpus words of a case"
    recap = Path(sys.executable).with_name("recap")
    run = subprocess.run(
        [str(recap), "build"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output  # some cases must fail
    assert "Traceback" not in output
    built = set(re.findall(r"✓ ([a-z0-9-]+)\s+built", output))
    should = {case.name for case in CASES if case.builds} | set(VALID)
    assert should <= built, should - built
    # A bad slug case writes the bad folder beside its own (valid) one.
    refused = {c.name for c in CASES if not c.builds and not c.name.startswith("slug-")}
    assert not refused & built, refused & built
    for slug in ("Jane Doe", "jane-🙂", "-jane"):
        assert re.search(rf"✗ {re.escape(slug)}\s+not built", output), slug
    # The same content as unprotected previews, to read the pages: escaped, nothing leaked.
    config = project.config()
    with deadline(300):
        result = build(config, protect=False)
    for case in CASES:
        if not case.builds:
            continue
        site = config.state.preview_dir / case.name
        pages = "\n".join(
            p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*.html")
        )
        for text in case.shows:
            assert text in pages, (case.name, text)
        for text in case.hides:
            assert text not in pages, (case.name, text)
        assert "OUTSIDE-SECRET" not in pages
    assert set(result.built) >= should
    shutil.rmtree(config.state.preview_dir)
