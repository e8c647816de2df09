"""`recap publish` to a real bare git repository in tmp_path, cloned back to look inside."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from generator.publish import MB, SiteSize, size_warnings, verify_protected


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def remote(project, tmp_path: Path) -> Path:
    """The project as a git repository with `origin` a bare repository; CNAME configured."""
    bare = tmp_path / "journals.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    config = (project.root / "site_config.yml").read_text()
    project.write("site_config.yml", config + "publish:\n  cname: journals.example.com\n")
    project.write(".gitignore", "site/\n.recap/\n")
    git(project.root, "init", "--quiet")
    git(project.root, "add", ".")
    git(project.root, "commit", "--quiet", "-m", "Start")
    git(project.root, "remote", "add", "origin", str(bare))
    return bare


def clone(bare: Path, into: Path, branch: str = "gh-pages") -> Path:
    git(into.parent, "clone", "--quiet", "--branch", branch, str(bare), str(into))
    return into


def remote_tip(bare: Path, branch: str = "gh-pages") -> str:
    return git(bare, "rev-parse", f"refs/heads/{branch}")


def test_publish_pushes_every_protected_site(project, remote, cli, tmp_path):
    result = cli("publish")

    assert result.exit_code == 0, result.output
    assert "Published to origin gh-pages (commit " in result.output
    checkout = clone(remote, tmp_path / "checkout")
    state = project.config().state
    for slug in ("ada-quill", "ben-marsh"):
        site = checkout / state.site_id(slug)
        assert (site / "keyring.json").is_file()
        assert (site / "index.html").is_file()
        assert not (site / "sessions").exists()  # pages travel encrypted, never in the clear
    assert (checkout / ".nojekyll").read_text() == ""
    assert (checkout / "CNAME").read_text().strip() == "journals.example.com"
    published = git(checkout, "ls-files").splitlines()
    assert not [name for name in published if "/." in name or name.startswith(".recap")]
    assert git(checkout, "rev-list", "--count", "HEAD") == "1"  # no history by default
    everything = b"".join((checkout / name).read_bytes() for name in published)
    for marker in (b"Ada Quillfeather", b"quokkaberry", b"PRIVATE", b"DRAFT"):
        assert marker not in everything


def test_publish_without_change_pushes_nothing(project, remote, cli):
    assert cli("publish").exit_code == 0
    first = remote_tip(remote)

    again = cli("publish")

    assert again.exit_code == 0, again.output
    assert f"Nothing changed: origin gh-pages already has this (commit {first[:8]})" in (
        again.output
    )
    assert remote_tip(remote) == first
    assert git(project.root, "rev-parse", "refs/heads/gh-pages") == first


def test_a_change_replaces_the_single_commit(project, remote, cli):
    assert cli("publish").exit_code == 0
    first = remote_tip(remote)
    recap = project.root / "content/ben-marsh/sessions/2026-04-01.md"
    recap.write_text(recap.read_text() + "\nA new paragraph.\n")

    result = cli("publish")

    assert result.exit_code == 0, result.output
    assert "Published to origin gh-pages" in result.output
    assert remote_tip(remote) != first
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"


def test_keep_history_adds_a_commit_per_change(project, remote, cli):
    config = (project.root / "site_config.yml").read_text()
    project.write("site_config.yml", config + "  keep_history: true\n")
    assert cli("publish").exit_code == 0
    recap = project.root / "content/ben-marsh/sessions/2026-04-01.md"
    recap.write_text(recap.read_text() + "\nA new paragraph.\n")

    assert cli("publish").exit_code == 0
    assert cli("publish").exit_code == 0  # unchanged: no third commit

    assert git(remote, "rev-list", "--count", "gh-pages") == "2"


def test_a_client_without_password_blocks_the_publish(project, remote, cli, monkeypatch):
    monkeypatch.delenv("RECAP_PASSWORD_BEN_MARSH")

    result = cli("publish")

    assert result.exit_code == 1
    assert (
        "content/ben-marsh: error: client ben-marsh has no password: run "
        "`recap client password ben-marsh` or set RECAP_PASSWORD_BEN_MARSH"
    ) in result.output
    assert result.output.endswith(
        "Error: not published: 1 client without a password, and every journal must be protected\n"
    )
    assert git(remote, "branch", "--list") == ""  # nothing reached the remote


def test_content_errors_block_the_publish(project, remote, cli):
    project.recap("ben-marsh", "2026-05-01", "date: 2026-05-01\nstatus: finished")

    result = cli("publish")

    assert result.exit_code == 1
    assert "2026-05-01.md:2: error: field 'title': required field is missing" in result.output
    assert result.output.endswith(
        "Error: not published: `recap check` found 2 errors; fix them and publish again\n"
    )
    assert git(remote, "branch", "--list") == ""


def test_commit_flag_commits_content_first(project, remote, cli):
    project.recap("ben-marsh", "2026-04-15", "date: 2026-04-15\ntitle: Second Session")

    result = cli("publish", "--commit", "-m", "Ben's second session")

    assert result.exit_code == 0, result.output
    assert "Committed content/ as " in result.output
    assert git(project.root, "log", "-1", "--format=%s") == "Ben's second session"
    assert git(project.root, "status", "--porcelain", "content") == ""


def test_remote_and_branch_options(project, remote, cli, tmp_path):
    other = tmp_path / "other.git"
    git(tmp_path, "init", "--quiet", "--bare", str(other))

    result = cli("publish", "--remote", str(other), "--branch", "pages")

    assert result.exit_code == 0, result.output
    assert clone(other, tmp_path / "pages", branch="pages").is_dir()
    assert git(remote, "branch", "--list") == ""


def test_leftovers_and_former_clients_are_not_published(project, remote, cli, tmp_path):
    assert cli("publish").exit_code == 0
    site = project.root / "site"
    (site / "0123456789abcdef").mkdir()
    (site / "0123456789abcdef" / "index.html").write_text("a former client")
    (site / ".abc.old").mkdir()
    (site / ".abc.old" / "page.html").write_text("a build leftover")

    result = cli("publish")

    assert result.exit_code == 0, result.output
    assert "warning: site/0123456789abcdef/ belongs to no current client: not published" in (
        result.output
    )
    assert "Nothing changed" in result.output
    checkout = clone(remote, tmp_path / "checkout")
    assert not (checkout / "0123456789abcdef").exists()
    assert not (checkout / ".abc.old").exists()


def test_not_a_git_repository(project, cli):
    result = cli("publish")

    assert result.exit_code == 1
    assert result.output == (
        f"Error: {project.root} is not a git repository: run `git init`, then add where to "
        "publish (a repository of its own, never this project's): "
        "`git remote add pages https://github.com/YOU/journals-site.git`\n"
    )


def test_unknown_remote(project, remote, cli):
    result = cli("publish", "--remote", "upstream")

    assert result.exit_code == 1
    assert result.output == (
        "Error: no git remote named 'upstream': add it with `git remote add upstream URL`, "
        "or set publish.remote in site_config.yml (or pass --remote)\n"
    )


def test_an_unprotected_site_is_refused(project, tmp_path):
    """A plain MkDocs site (no keyring, pages in the clear) never passes for a protected one."""
    from generator.content import load_content

    clients = [load.client for load in load_content(project.config())]
    root = tmp_path / "site"
    (root / "aaaa" / "sessions" / "kickoff").mkdir(parents=True)
    (root / "aaaa" / "index.html").write_text("<h1>Ada Quillfeather</h1>")
    (root / "aaaa" / "sessions" / "kickoff" / "index.html").write_text("plain")
    (root / "bbbb").mkdir()
    (root / "bbbb" / "keyring.json").write_text("{}")
    (root / "bbbb" / "index.html").write_text("<h1>Unlock Ben Marsh's journal</h1>")

    problems = verify_protected(root, clients, {"ada-quill": "aaaa", "ben-marsh": "bbbb"})

    assert [p.message for p in problems] == [
        "site/aaaa/ (ada-quill) has no keyring.json: it is not encrypted",
        "site/bbbb/ (ben-marsh): index.html shows the client's name",
    ]


def test_size_warnings_before_github_limits():
    sites = [
        SiteSize("ada-quill", "aaaa", 300 * MB, 40, "b/big", 120 * MB),
        SiteSize("ben-marsh", "bbbb", 600 * MB, 40, "b/mid", 60 * MB),
        SiteSize("cy-small", "cccc", 1 * MB, 4, "b/tiny", 1 * MB),
    ]

    assert size_warnings(sites, 900 * MB) == [
        "the published sites total 900.0 MB of GitHub Pages' 1 GB limit",
        "ada-quill: site/aaaa/b/big is 120.0 MB; GitHub rejects files over 100 MB "
        "(split or re-encode the recording at a lower bitrate)",
        "ben-marsh: site/bbbb/b/mid is 60.0 MB; GitHub warns from 50 MB and rejects files "
        "over 100 MB",
    ]
    assert size_warnings(sites, 1100 * MB)[0].startswith(
        "the published sites total 1100.0 MB, over GitHub Pages' 1 GB limit"
    )
    assert size_warnings(sites[2:], 1 * MB) == []


def test_turning_history_off_squashes_the_branch_once(tmp_path):
    """push_tree alone (no build): an unchanged tree is skipped unless history must go."""
    import os

    from generator.publish import Git, push_tree

    bare, project, tree = tmp_path / "remote.git", tmp_path / "project", tmp_path / "tree"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    git(tmp_path, "init", "--quiet", str(project))
    git(project, "commit", "--quiet", "--allow-empty", "-m", "Start")
    (tree / "abc").mkdir(parents=True)
    (tree / "abc" / "page").write_text("one")
    repo = Git(project, os.environ)

    def publish(keep_history: bool) -> tuple[str, bool]:
        return push_tree(
            repo, tree, remote=str(bare), branch="gh-pages", keep_history=keep_history, cname=None
        )

    _, pushed = publish(keep_history=True)
    assert pushed
    (tree / "abc" / "page").write_text("two")
    second, pushed = publish(keep_history=True)
    assert pushed and git(bare, "rev-list", "--count", "gh-pages") == "2"
    assert publish(keep_history=True) == (second, False)

    squashed, pushed = publish(keep_history=False)
    assert pushed and squashed != second
    assert git(bare, "rev-list", "--count", "gh-pages") == "1"
    assert publish(keep_history=False) == (squashed, False)
    assert git(bare, "ls-tree", "-r", "--name-only", "gh-pages").split() == [
        ".nojekyll",
        "abc/page",
    ]


def test_the_summary_prints_each_full_link_on_its_own_line_and_the_warnings(project, remote, cli):
    base = "https://coach-with-a-rather-long-name.github.io/journals-for-every-client-of-mine"
    config = (project.root / "site_config.yml").read_text()
    project.write(
        "site_config.yml", config.replace("publish:\n", f"publish:\n  base_url: {base}\n")
    )
    project.recap("ben-marsh", "2026-04-20", "date: 2026-04-20\ntitle: T\nmood: great")

    result = cli("publish")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    state = project.config().state
    for slug in ("ada-quill", "ben-marsh"):
        link = f"    {base}/{state.site_id(slug)}/"
        assert lines[lines.index(f"  {slug}:") + 1] == link
    assert (
        "warning: content/ben-marsh/sessions/2026-04-20.md:4: field 'mood': unknown field, ignored"
    ) in result.output


def test_the_repository_holding_content_is_refused(project, remote, cli):
    """Pages needs a public repository: the one with the recaps must never serve them."""
    git(project.root, "push", "--quiet", "origin", "HEAD:main")
    result = cli("publish")
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "not published: origin also holds your recaps (its branch main has content/)" in said
    assert "set publish.allow_content_repository: true" in said
    assert git(remote, "branch", "--list", "gh-pages") == ""
    # Also when the branch is only set to push there.
    git(project.root, "branch", "--quiet", "--set-upstream-to=origin/main")
    assert "your branch" in " ".join(cli("publish").output.split())
    publish_setting(project, "allow_content_repository: true")
    allowed = cli("publish")
    assert allowed.exit_code == 0, allowed.output
    assert remote_tip(remote)


def publish_setting(project, line: str) -> None:
    """Add `line` to the `publish:` section of site_config.yml."""
    config = (project.root / "site_config.yml").read_text()
    project.write("site_config.yml", config.replace("publish:\n", f"publish:\n  {line}\n"))


def test_a_github_io_address_is_warned_about(project, remote, cli):
    publish_setting(project, "base_url: https://coach.github.io/journals")
    result = cli("publish")
    assert result.exit_code == 0, result.output
    assert "is on github.io, an address shared with every other GitHub Pages site" in " ".join(
        result.output.split()
    )
