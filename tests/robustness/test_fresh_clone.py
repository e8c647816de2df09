"""`make build` in a fresh clone: the demo journals build with nothing set up by hand."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_make_build_works_in_a_fresh_clone(tmp_path):
    venv = Path(sys.prefix)
    stamps = list(venv.glob(".installed-*"))
    if not stamps or shutil.which("make") is None:
        pytest.skip("needs make and a virtual environment made by `make venv`")
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    assert not (clone / ".recap").exists()  # no secret is committed
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECAP_PASSWORD_")}
    # This venv is reused as it is (`-o`: its install stamp is not remade for the clone).
    result = subprocess.run(
        ["make", "-o", str(stamps[0]), "build", f"VENV={venv}"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pip install" not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    sites = [p for p in (clone / "site").iterdir() if (p / "keyring.json").is_file()]
    assert len(sites) == 2  # maya-lindqvist and daniel-okafor
