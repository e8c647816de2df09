"""An edit costs what it changes, and an incremental build is byte for byte a full one.

A generated client spanning three years goes through rounds of random edits, additions,
deletions, renames and date moves; after each round the incremental build (page cache and
blob reuse) is compared, file by file and byte by byte, with a `--force` build of a copy of
the project made from scratch (no page cache, no previous site; the same keys).
"""

from __future__ import annotations

import datetime as dt
import filecmp
import random
import shutil
from pathlib import Path

import pytest

from generator.build import build
from generator.config import load_config
from tests.scale_project import password, password_env, recap_text, write_project


def _tree(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


def _build_numbers(root: Path) -> dict[Path, str]:
    """The build number each client's next build starts from (anti-rollback, `.recap/`)."""
    return {p.relative_to(root): p.read_text() for p in root.glob(".recap/clients/*/build-number")}


def _full_build_of_a_copy(root: Path, scratch: Path, numbers: dict[Path, str]) -> Path:
    """A from-scratch `--force` build of a copy of `root` (content, settings and keys only),
    starting from the same build numbers as the incremental build did (`numbers`)."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir()
    shutil.copytree(root / "content", scratch / "content")  # copy2: the same mtimes
    shutil.copy2(root / "site_config.yml", scratch / "site_config.yml")
    shutil.copytree(root / ".recap" / "clients", scratch / ".recap" / "clients")
    for relative, number in numbers.items():
        (scratch / relative).write_text(number)
    config = load_config(scratch / "site_config.yml")
    result = build(config, force=True, jobs=1)
    assert result.ok, result.failed
    return scratch / "site"


def _assert_same_sites(incremental: Path, full: Path) -> None:
    ours, theirs = _tree(incremental), _tree(full)
    assert sorted(ours) == sorted(theirs)
    different = [name for name in ours if not filecmp.cmp(ours[name], theirs[name], shallow=False)]
    assert not different, different


def _random_change(sessions: Path, rng: random.Random) -> str:
    files = sorted(sessions.glob("*.md"))
    action = rng.choice(["edit", "edit", "title", "add", "delete", "rename", "move"])
    victim = rng.choice(files)
    text = victim.read_text(encoding="utf-8")
    if action == "edit":
        victim.write_text(text + f"\nA new line {rng.random()}.\n", encoding="utf-8")
    elif action == "title":
        victim.write_text(text.replace("title: ", f"title: Renamed {rng.randint(0, 99)} ", 1))
    elif action == "add":
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 1000))
        target = sessions / f"{day.isoformat()}-extra.md"
        target.write_text(recap_text(rng.randint(0, 999), day, rng), encoding="utf-8")
    elif action == "delete":
        victim.unlink()
    elif action == "rename":
        victim.rename(victim.with_name(victim.stem + "-renamed.md"))
    else:  # the same recap, a date in another year: it moves between navigation groups
        old = text.split("date: ", 1)[1][:10]
        new = (dt.date.fromisoformat(old) - dt.timedelta(days=400)).isoformat()
        victim.write_text(text.replace(f"date: {old}", f"date: {new}", 1), encoding="utf-8")
        victim.rename(victim.with_name(victim.name.replace(old, new)))
    return f"{action} {victim.name}"


@pytest.fixture
def practice(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "practice"
    for slug in write_project(root, 1, 60):  # weekly from late 2025 back into 2025 and 2024
        monkeypatch.setenv(password_env(slug), password(slug))
    return root


def test_incremental_builds_are_byte_identical_to_full_builds(practice, tmp_path):
    config = load_config(practice / "site_config.yml")
    assert build(config, jobs=1).ok
    sessions = practice / "content" / "client-00" / "sessions"
    rng = random.Random(9)
    for round_number in range(6):
        changes = [_random_change(sessions, rng) for _ in range(rng.randint(1, 3))]
        numbers = _build_numbers(practice)
        result = build(config, jobs=1)
        assert result.built == ["client-00"], (round_number, changes, result.failed)
        full = _full_build_of_a_copy(practice, tmp_path / "reference", numbers)
        _assert_same_sites(practice / "site", full)


def test_an_edit_renders_only_the_pages_that_show_it(practice):
    config = load_config(practice / "site_config.yml")
    assert build(config, jobs=1).outcomes[0].pages_rendered > 60  # 60 sessions and the others
    recaps = sorted((practice / "content" / "client-00" / "sessions").glob("*.md"))
    assert len({r.name[:4] for r in recaps}) >= 2  # a whole-journal page for each year
    recap = recaps[30]
    recap.write_text(recap.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    # The session page and its year's whole-journal page; the timeline shows its first
    # paragraph, not the end of it, and the other 59 sessions and years do not show it.
    assert build(config, jobs=1).outcomes[0].pages_rendered == 2
