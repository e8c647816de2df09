"""`recap publish`: check → refuse unprotected clients → build → stage → ghp-import → push.

What is pushed is a staged copy of `site/` (hard links, so it costs no space): the protected
site of every current client and the shared files at the root, plus `.nojekyll` and `CNAME`.
Hidden leftovers of builds and the sites of clients no longer in `content/` stay behind.

The published branch is one commit without history by default (`publish.keep_history`).
ghp-import makes the commit locally; when its tree is the tree already on the remote (the
encryption is deterministic, so an unchanged journal gives identical bytes), the new commit
is dropped and nothing is pushed: the remote keeps its commit and its date.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from generator.build import BuildResult, Reporter, site_root
from generator.config import SiteConfig
from generator.content import content_root, load_content
from generator.errors import Problem, RecapError, errors_in
from generator.fs import link_or_copy
from generator.model import Client

log = logging.getLogger(__name__)

MB = 1024 * 1024
SITE_LIMIT = 1024 * MB
"""GitHub Pages: a published site may be at most 1 GB."""
FILE_LIMIT = 100 * MB
"""GitHub rejects a push with a file over 100 MB ..."""
FILE_WARNING = 50 * MB
"""... and warns from 50 MB."""
SITE_WARNING = int(SITE_LIMIT * 0.8)
SITE_ID = re.compile(r"^[0-9a-f]{16}$")
PLAIN_PAGES = ("index.html", "404.html")
DEFAULT_MESSAGE = "Publish journals"


class PublishRefused(RecapError):
    """Publishing stopped before anything was pushed, with the problems to fix."""

    def __init__(self, message: str, problems: list[Problem], *, reported: bool = False) -> None:
        self.problems = problems
        self.reported = reported  # the reporter showed them already (a failed build)
        super().__init__(message)


class PublishReporter(Reporter, Protocol):
    """Progress of a publish: the build's per-client lines, plus steps and warnings."""

    def step(self, message: str) -> None:
        """A stage has begun ("Checking content", "Pushing to origin/gh-pages")."""

    def warn(self, message: str) -> None:
        """Something the coach should know that does not stop the publish."""


@dataclass(frozen=True)
class SiteSize:
    """One client's published site and how much of the host's limits it uses."""

    slug: str
    site_id: str
    bytes: int
    files: int
    largest: str
    """The largest file, relative to the site root."""
    largest_bytes: int


@dataclass
class PublishReport:
    """What `publish` did."""

    remote: str
    branch: str
    commit: str | None = None
    """The commit now at the tip of the remote branch."""
    pushed: bool = False
    """False when nothing changed: the remote already had exactly this tree."""
    content_commit: str | None = None
    """The commit of `content/` made by `--commit`, if there was anything to commit."""
    sites: list[SiteSize] = field(default_factory=list)
    total_bytes: int = 0
    warnings: list[str] = field(default_factory=list)
    build: BuildResult | None = None


def publish(
    config: SiteConfig,
    *,
    remote: str | None = None,
    branch: str | None = None,
    commit_content: bool = False,
    message: str | None = None,
    reporter: PublishReporter | None = None,
    env: Mapping[str, str] | None = None,
) -> PublishReport:
    """Check, build and push every client's protected journal to the gh-pages branch.

    Raises `PublishRefused` (nothing pushed) when `recap check` finds errors, a client has no
    password, a client fails to build, or a site in `site/` is not protected. `message` is
    the commit message of `--commit` (the content commit).
    """
    from generator.build import build
    from generator.check import check

    env = os.environ if env is None else env
    report = PublishReport(remote or config.publish.remote, branch or config.publish.branch)
    git = Git(_repository(config.project_dir), _identity(config, env))
    _check_target(git, report.remote, report.branch)
    if not config.publish.allow_content_repository:
        _refuse_content_repository(git, report.remote, report.branch, content_root(config))
    if config.publish.base_url and _is_shared_origin(config.publish.base_url):
        _warn(reporter, report, SHARED_ORIGIN)

    _step(reporter, "Checking content")
    problems = check(config)
    for problem in problems:
        if problem.severity == "warning":
            _warn(reporter, report, problem.format(config.project_dir, severity=False))
    errors = errors_in(problems)
    if errors:
        raise PublishRefused(
            f"not published: `recap check` found {_count(errors, 'error')}; fix them and "
            "publish again",
            errors,
        )
    clients = [load.client for load in load_content(config) if load.client is not None]
    unprotected = _without_password(config, clients, env)
    if unprotected:
        raise PublishRefused(
            f"not published: {_count(unprotected, 'client')} without a password, and every "
            "journal must be protected",
            unprotected,
        )

    if commit_content:
        report.content_commit = commit_content_changes(
            git, content_root(config), message or "Update recaps"
        )
        if report.content_commit:
            _step(reporter, f"Committed content/ as {report.content_commit[:8]}")

    _step(reporter, "Building")
    report.build = build(config, reporter=reporter)
    if not report.build.ok:
        failed = [p for problems in report.build.failed.values() for p in problems]
        raise PublishRefused(
            f"not published: {_count(report.build.failed, 'client')} failed to build",
            failed,
            reported=reporter is not None,
        )
    sites = {client.slug: config.state.site_id(client.slug) for client in clients}
    exposed = verify_protected(site_root(config), clients, sites)
    if exposed:
        raise PublishRefused(
            "not published: these sites are not protected; run `recap build --force`", exposed
        )

    staging = config.state.root / "publish"
    orphans = stage(site_root(config), staging, set(sites.values()))
    for name in orphans:
        _warn(reporter, report, f"site/{name}/ belongs to no current client: not published")
    report.sites = [measure(staging / site_id, slug, site_id) for slug, site_id in sites.items()]
    report.total_bytes = _tree_size(staging)
    for warning in size_warnings(report.sites, report.total_bytes):
        _warn(reporter, report, warning)

    _step(reporter, f"Publishing to {report.remote} {report.branch}")
    report.commit, report.pushed = push_tree(
        git,
        staging,
        remote=report.remote,
        branch=report.branch,
        keep_history=config.publish.keep_history,
        cname=config.publish.cname,
    )
    shutil.rmtree(staging, ignore_errors=True)
    return report


def _step(reporter: PublishReporter | None, message: str) -> None:
    log.info(message)
    if reporter is not None:
        reporter.step(message)


def _warn(reporter: PublishReporter | None, report: PublishReport, message: str) -> None:
    log.warning(message)
    report.warnings.append(message)
    if reporter is not None:
        reporter.warn(message)


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"


def _without_password(
    config: SiteConfig, clients: list[Client], env: Mapping[str, str]
) -> list[Problem]:
    from generator.protection.keys import NoPasswordError, WeakPasswordError, require_password

    missing: list[Problem] = []
    for client in clients:
        try:
            require_password(config.state, client.slug, env)
        except (NoPasswordError, WeakPasswordError) as exc:
            missing.append(Problem(client.folder, str(exc)))
    return missing


def verify_protected(root: Path, clients: list[Client], sites: dict[str, str]) -> list[Problem]:
    """Problems for every client site that does not look encrypted.

    A protected site has `keyring.json`; its only pages are the unlock page (`index.html`)
    and `404.html`, neither naming the client; MkDocs' own plain pages and search index are
    absent (they live encrypted in the blobs).
    """
    problems: list[Problem] = []
    for client in clients:
        folder = root / sites[client.slug]
        where = f"site/{folder.name}/ ({client.slug})"
        if not folder.is_dir():
            problems.append(Problem(folder, f"{where} was not built"))
            continue
        if not (folder / "keyring.json").is_file():
            problems.append(Problem(folder, f"{where} has no keyring.json: it is not encrypted"))
            continue
        plain = [
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file()
            and p.relative_to(folder).parts[0] != "assets"
            and (
                (p.suffix == ".html" and p.relative_to(folder).as_posix() not in PLAIN_PAGES)
                or p.name in ("search_index.json", "sitemap.xml")
            )
        ]
        if plain:
            shown = ", ".join(sorted(plain)[:3]) + (" ..." if len(plain) > 3 else "")
            problems.append(Problem(folder, f"{where} has unencrypted pages: {shown}"))
        for page in PLAIN_PAGES:
            path = folder / page
            if path.is_file() and client.name.casefold() in _text(path).casefold():
                problems.append(Problem(path, f"{where}: {page} shows the client's name"))
    return problems


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")


def stage(root: Path, staging: Path, site_ids: set[str]) -> list[str]:
    """Hard-link what is published from `root` into a fresh `staging`; return orphan sites.

    Published: the current clients' sites and the shared, non-hidden files at the root.
    Left out: hidden files (build leftovers) and the site folders of former clients.
    """
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    orphans: list[str] = []
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if SITE_ID.match(entry.name) and entry.name not in site_ids:
                orphans.append(entry.name)
                continue
            shutil.copytree(
                entry,
                staging / entry.name,
                copy_function=link_or_copy,
                ignore=lambda _dir, names: [n for n in names if n.startswith(".")],
            )
        elif entry.is_file():
            link_or_copy(entry, staging / entry.name)
    return orphans


def measure(folder: Path, slug: str, site_id: str) -> SiteSize:
    """The size of one site, its file count and its largest file."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    sizes = {p: p.stat().st_size for p in files}
    largest = max(sizes, key=sizes.__getitem__, default=None)
    return SiteSize(
        slug=slug,
        site_id=site_id,
        bytes=sum(sizes.values()),
        files=len(files),
        largest=largest.relative_to(folder).as_posix() if largest else "",
        largest_bytes=sizes[largest] if largest else 0,
    )


def _tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def size_warnings(sites: list[SiteSize], total: int) -> list[str]:
    """Warnings before GitHub Pages' limits bite: 1 GB per site, 100 MB per file."""
    out: list[str] = []
    if total > SITE_LIMIT:
        out.append(
            f"the published sites total {_mb(total)}, over GitHub Pages' 1 GB limit: "
            "lower audio.bitrate_kbps, or move former clients out of content/"
        )
    elif total > SITE_WARNING:
        out.append(f"the published sites total {_mb(total)} of GitHub Pages' 1 GB limit")
    for site in sites:
        where = f"{site.slug}: site/{site.site_id}/{site.largest}"
        if site.largest_bytes > FILE_LIMIT:
            out.append(
                f"{where} is {_mb(site.largest_bytes)}; GitHub rejects files over 100 MB "
                "(split or re-encode the recording at a lower bitrate)"
            )
        elif site.largest_bytes > FILE_WARNING:
            out.append(
                f"{where} is {_mb(site.largest_bytes)}; GitHub warns from 50 MB "
                "and rejects files over 100 MB"
            )
    return out


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB"


class Git:
    """git commands in the project's repository, with errors turned into `RecapError`."""

    def __init__(self, repo: Path, env: Mapping[str, str]) -> None:
        self.repo = repo
        self.env = dict(env)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `git args...`; on failure (with `check`) raise `RecapError` with git's message."""
        done = subprocess.run(
            ["git", *args], cwd=self.repo, env=self.env, capture_output=True, text=True
        )
        if check and done.returncode != 0:
            raise RecapError(f"git {args[0]} failed: {_last_lines(done.stderr or done.stdout)}")
        return done

    def out(self, *args: str) -> str:
        """The stripped output of a git command that must succeed."""
        return self.run(*args).stdout.strip()


def _last_lines(text: str, n: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[-n:]) or "no message"


def _repository(project_dir: Path) -> Path:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=project_dir,
            capture_output=True,
            text=True,
        )
    except OSError as exc:
        raise RecapError("git is not installed: publishing needs it (https://git-scm.com)") from exc
    if done.returncode != 0:
        raise RecapError(
            f"{project_dir} is not a git repository: run `git init`, then add where to publish "
            "(a repository of its own, never this project's): "
            "`git remote add pages https://github.com/YOU/journals-site.git`"
        )
    return Path(done.stdout.strip())


def _identity(config: SiteConfig, env: Mapping[str, str]) -> dict[str, str]:
    """The environment for git, with a committer name when git has none configured."""
    out = dict(env)
    name = subprocess.run(
        ["git", "config", "user.name"], cwd=config.project_dir, capture_output=True, text=True
    ).stdout.strip()
    if not name and "GIT_COMMITTER_NAME" not in env:
        from email.utils import parseaddr

        address = parseaddr(config.email.sender or "")[1] or "recap@localhost"
        for role in ("AUTHOR", "COMMITTER"):
            out[f"GIT_{role}_NAME"] = config.branding.coach_name
            out[f"GIT_{role}_EMAIL"] = address
    return out


def _check_target(git: Git, remote: str, branch: str) -> None:
    remotes = git.out("remote").split()
    is_address = "/" in remote or ":" in remote or remote.endswith(".git")
    if remote not in remotes and not is_address:
        raise RecapError(
            f"no git remote named {remote!r}: add it with `git remote add {remote} URL`, "
            "or set publish.remote in site_config.yml (or pass --remote)"
        )
    current = git.run("symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
    if current == branch:
        raise RecapError(
            f"the checked-out branch is {branch!r}, the branch the sites are published to: "
            "switch to your main branch first"
        )


SHARED_ORIGIN = (
    "publish.base_url is on github.io, an address shared with every other GitHub Pages site "
    "of that account: a page of one of them could use a journal unlocked in the same browser. "
    "Use a domain of your own for the journals only (publish.cname; see the README)."
)


def _is_shared_origin(base_url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(base_url).hostname or "").lower()
    return host.endswith(".github.io")


def _refuse_content_repository(git: Git, remote: str, branch: str, content: Path) -> None:
    """Raise `RecapError` when `remote` is a repository that also holds `content/`.

    It does when a local branch is pushed there (its upstream), or when one of its branches
    other than the publish branch is a commit that has `content/` (known locally, that is,
    pushed from here).
    """
    folder = content.resolve().relative_to(Path(git.repo).resolve()).as_posix()
    holder = None
    fields = "--format=%(refname:short) %(upstream:remotename)"
    upstreams = git.out("for-each-ref", fields, "refs/heads")
    for line in upstreams.splitlines():
        local, _, upstream = line.partition(" ")
        if upstream == remote and local != branch:
            holder = f"your branch {local} is pushed to it"
    if holder is None:
        listed = git.run("ls-remote", "--heads", remote, check=False).stdout
        for line in listed.splitlines():
            sha, _, ref = line.partition("\t")
            name = ref.removeprefix("refs/heads/")
            has_content = git.run("cat-file", "-e", f"{sha}:{folder}", check=False)
            if name != branch and has_content.returncode == 0:
                holder = f"its branch {name} has {folder}/"
    if holder is not None:
        raise RecapError(
            f"not published: {remote} also holds your recaps ({holder}). GitHub Pages needs a "
            f"public repository on the free plan, and every recap, private note and recording "
            f"in it would be public. Publish to a repository of its own: create an empty one, "
            f"`git remote add pages URL`, and set publish.remote: pages in site_config.yml. "
            f"For a private host, set publish.allow_content_repository: true."
        )


def commit_content_changes(git: Git, content: Path, message: str) -> str | None:
    """Commit every pending change under `content/`; the new commit, or None if clean."""
    git.run("add", "--all", "--", str(content))
    staged = git.run("diff", "--cached", "--quiet", "--", str(content), check=False)
    if staged.returncode == 0:
        return None
    git.run("commit", "--quiet", "-m", message, "--", str(content))
    return git.out("rev-parse", "HEAD")


def push_tree(
    git: Git,
    tree: Path,
    *,
    remote: str,
    branch: str,
    keep_history: bool,
    cname: str | None,
    message: str = DEFAULT_MESSAGE,
) -> tuple[str, bool]:
    """Commit `tree` to `branch` with ghp-import and push it; return (remote tip, pushed).

    Nothing is pushed when the remote branch already holds the same tree.
    """
    ref = f"refs/heads/{branch}"
    listed = git.run("ls-remote", "--heads", remote, ref, check=False)
    if listed.returncode != 0:
        raise RecapError(f"cannot reach the git remote {remote!r}: {_last_lines(listed.stderr)}")
    published = listed.stdout.split()[0] if listed.stdout.strip() else None
    if published:
        git.run("fetch", "--quiet", "--no-tags", remote, ref)
        published = git.out("rev-parse", "FETCH_HEAD")
    # ghp-import parents its commit on the local branch: the remote's tip to keep history,
    # nothing for a single commit without history.
    if keep_history and published:
        git.run("update-ref", ref, published)
    else:
        git.run("update-ref", "-d", ref, check=False)

    command = [sys.executable, "-m", "ghp_import", str(tree), "--no-jekyll"]
    command += ["--message", message, "--remote", remote, "--branch", branch]
    if not keep_history:
        command.append("--no-history")
    if cname:
        command += ["--cname", cname]
    done = subprocess.run(command, cwd=git.repo, env=git.env, capture_output=True, text=True)
    made = git.run("rev-parse", "--verify", "-q", ref, check=False).stdout.strip()
    if done.returncode != 0 or not made:
        # git's own "No space left" dies inside ghp-import's pipe (a BrokenPipeError): the
        # free space says what happened.
        if shutil.disk_usage(git.repo).free < _tree_size(tree):
            raise RecapError(
                f"the disk is full ({git.repo}): free some space and publish again "
                "(the published branch is as it was)"
            )
        raise RecapError(f"ghp-import failed: {_last_lines(done.stderr or done.stdout)}")

    # Same tree: keep the remote's commit (and its date). Without history, a remote branch
    # that still has some (keep_history was on) is replaced by the single commit.
    squash = not keep_history and published and _has_parent(git, published)
    if published and not squash and _tree_of(git, made) == _tree_of(git, published):
        git.run("update-ref", ref, published)
        return published, False
    push = ["push", "--quiet", remote, f"{ref}:{ref}"]
    if not keep_history:
        push.insert(2, "--force")
    done = git.run(*push, check=False)
    if done.returncode != 0:
        raise RecapError(
            f"git push to {remote} {branch} failed: {_last_lines(done.stderr)}; nothing "
            "was published"
        )
    return made, True


def _has_parent(git: Git, commit: str) -> bool:
    return git.run("rev-parse", "--verify", "-q", f"{commit}^", check=False).returncode == 0


def _tree_of(git: Git, commit: str) -> str:
    return git.out("rev-parse", f"{commit}^{{tree}}")
