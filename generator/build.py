"""The build: load → validate → render each client → MkDocs → protect → swap in atomically.

`build()` reads top to bottom. Each client that changed is built in its own process (MkDocs
keeps global state; processes keep clients apart and use every core); an unchanged client is
skipped by its input hash; a client with errors is reported and left as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import stat as stat_module
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from generator import __version__
from generator.config import SiteConfig, resolve
from generator.content import ClientLoad, client_folders, load_client, load_content
from generator.errors import Problem, RecapError, disk_trouble, errors_in
from generator.fs import replace_dir, write_atomic
from generator.model import Client
from generator.state import DamagedState


@dataclass(frozen=True)
class ClientOutcome:
    """What happened to one client in a build."""

    slug: str
    status: str  # built | unchanged | failed
    site: Path | None = None
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages_rendered: int = 0
    """Pages rendered in this build; the others came unchanged from the page cache."""


@dataclass
class BuildResult:
    """Every client's outcome, in the order of the content folder."""

    outcomes: list[ClientOutcome] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """The content's warnings (`recap check`'s), for the coach to see at every build."""

    @property
    def built(self) -> list[str]:
        """Slugs rebuilt in this run."""
        return [o.slug for o in self.outcomes if o.status == "built"]

    @property
    def skipped(self) -> list[str]:
        """Slugs left as they were because nothing changed."""
        return [o.slug for o in self.outcomes if o.status == "unchanged"]

    @property
    def failed(self) -> dict[str, list[Problem]]:
        """Slugs not built, with why."""
        return {o.slug: o.problems for o in self.outcomes if o.status == "failed"}

    @property
    def ok(self) -> bool:
        """No client failed."""
        return not self.failed


class Reporter(Protocol):
    """Receives progress from `build` (the CLI shows it; the watcher logs it)."""

    def started(self, slugs: list[str]) -> None:
        """The clients about to be built."""

    def finished(self, outcome: ClientOutcome) -> None:
        """One client is done (built, unchanged or failed)."""


@dataclass(frozen=True)
class _Task:
    """Everything a worker process needs to build one client."""

    config: SiteConfig
    client: Client
    protect: bool
    output: Path
    work_root: Path
    changed: dict[Path, dt.datetime]
    force: bool = False
    warnings: list[Problem] = field(default_factory=list)
    """The loader's warnings, remembered with the input hash (replayed while unchanged)."""


def site_root(config: SiteConfig) -> Path:
    """The absolute folder the protected sites go to."""
    return resolve(config, config.site_dir)


def client_output(config: SiteConfig, slug: str, *, protect: bool = True) -> Path:
    """Where a client's site goes: `site/<id>/`, or an unprotected preview in `.recap/`."""
    if protect:
        return site_root(config) / config.state.site_id(slug)
    return config.state.preview_dir / slug


def build(
    config: SiteConfig,
    *,
    only: Iterable[str] | None = None,
    reporter: Reporter | None = None,
    protect: bool = True,
    force: bool = False,
    jobs: int | None = None,
) -> BuildResult:
    """Build every client's journal (or those in `only`); never raises for content errors.

    `protect=False` builds unprotected previews into `.recap/preview/` for `recap serve
    --preview`; the public `site/` folder only ever receives protected sites.
    """
    folders = client_folders(config)
    wanted = list(only) if only else None
    missing: list[str] = []
    if wanted:
        folders = [folder for folder in folders if folder.name in wanted]
        missing = [slug for slug in wanted if slug not in {f.name for f in folders}]
    _restore_swapped_sites(config, [folder.name for folder in folders], protect)
    result = BuildResult()
    if missing:  # reported as the loader reports them
        loads = load_content(config, only=missing)
        result.outcomes += [o for o in (_precheck(config, ld, protect) for ld in loads) if o]
    work_root = config.state.root / "tmp"
    from generator.history import last_changed

    recap_files = {folder: _recap_files(folder) for folder in folders}
    todo: list[tuple[Path, Path, dict[Path, dt.datetime], str]] = []
    tasks: list[_Task] = []
    with _Builds(jobs, len(folders)) as builds:
        if force or any(_edited(config, f, files, protect) for f, files in recap_files.items()):
            builds.prepare(config)  # likely work: the workers start loading now
        # When each recap last changed, from git: shown on its page, so part of the input
        # hash (of every recap, drafts too: known before any recap is read).
        changed = last_changed(
            config.project_dir, [p for files in recap_files.values() for p in files]
        )
        common = common_inputs(config, protect=protect)
        for folder in folders:
            slug = folder.name
            try:
                output = client_output(config, slug, protect=protect)
            except DamagedState as exc:  # this client alone: the others still build
                result.outcomes.append(
                    ClientOutcome(slug, "failed", problems=[Problem(folder, str(exc))])
                )
                continue
            dates = {p: changed[p] for p in recap_files[folder] if p in changed}
            # Unchanged inputs and output: not even read (a no-change build hashes files only).
            digest = input_hash(config, folder, protect=protect, changed=dates, common=common)
            saved = None if force else _current(config, slug, digest, output, protect)
            if saved is not None:
                result.warnings += saved
                result.outcomes.append(ClientOutcome(slug, "unchanged", output))
                continue
            todo.append((folder, output, dates, digest))
            builds.prepare(config)  # a worker loads the engine meanwhile

        # Each client goes to a worker as soon as it is read: the first ones build while the
        # others are still being read.
        for folder, output, dates, digest in todo:
            keys_before = _state_inputs(config, folder.name, protect)
            load = load_client(folder, limits=config.limits)
            warnings = [p for p in load.problems if p.severity == "warning"]
            result.warnings += warnings
            outcome = _precheck(config, load, protect)
            if outcome is not None:
                result.outcomes.append(outcome)
                continue
            assert load.client is not None
            if _state_inputs(config, folder.name, protect) != keys_before:  # a key made
                digest = input_hash(config, folder, protect=protect, changed=dates, common=common)
            published = {r.path: dates[r.path] for r in load.client.published if r.path in dates}
            task = _Task(
                config, load.client, protect, output, work_root, published, force, warnings
            )
            builds.submit(task, digest)
            tasks.append(task)

        settled = list(result.outcomes)  # failed or unchanged before any work
        if reporter:
            reporter.started([task.client.slug for task in tasks])
        for outcome in builds.outcomes():
            result.outcomes.append(outcome)
            if reporter:
                reporter.finished(outcome)
    if protect:
        from generator.engine import write_shared_assets

        write_shared_assets(site_root(config), config.theme_dir())
    if protect and tasks and _site_root_stale(config, common):
        from generator.protection.protect import write_site_root

        write_site_root(
            site_root(config),
            config.branding,
            config.theme_dir(),
            project_dir=config.project_dir,
        )
        write_atomic(config.state.cache_dir / "site-root", common.hex(), sync=False)
    order = {slug: i for i, slug in enumerate([f.name for f in folders] + missing)}
    result.outcomes.sort(key=lambda o: order.get(o.slug, len(order)))
    if reporter:
        for outcome in settled:
            reporter.finished(outcome)
    _empty_trash(work_root / TRASH)  # after the build: its workers need the machine more
    return result


def _site_root_stale(config: SiteConfig, common: bytes) -> bool:
    """Whether the site root's own pages (`index.html`, `404.html`: the branding and the
    theme only) are missing or were written from other settings than `common`'s."""
    root = site_root(config)
    if not all((root / name).is_file() for name in ("index.html", "404.html")):
        return True
    try:
        return (config.state.cache_dir / "site-root").read_text(encoding="ascii") != common.hex()
    except OSError:
        return True


def _restore_swapped_sites(config: SiteConfig, slugs: list[str], protect: bool) -> None:
    """A build killed between the two renames of a swap left a client's site as
    `.<id>.old`: it is put back first, so the previous site is served until the new one is
    done. (Only sites of these clients that have an id already: nothing is made here.) A build
    killed while writing a client's build number left its temp file: it is cleared."""
    from generator.fs import restore_swapped

    for slug in slugs:
        if not protect:
            restore_swapped(config.state.preview_dir / slug)
            continue
        for stale in (config.state.root / "clients" / slug).glob(".build-number.*.tmp"):
            stale.unlink(missing_ok=True)
        if (config.state.root / "clients" / slug / "site-id").is_file():
            with contextlib.suppress(RecapError):  # a damaged id is reported by the precheck
                restore_swapped(site_root(config) / config.state.site_id(slug))


def _precheck(config: SiteConfig, load: ClientLoad, protect: bool) -> ClientOutcome | None:
    """A failed outcome for a client that cannot be built, or None when it can."""
    if not load.ok:
        return ClientOutcome(load.slug, "failed", problems=errors_in(load.problems))
    try:
        config.state.page_key(load.slug)  # created now, so the input hash is stable
    except DamagedState as exc:
        return ClientOutcome(load.slug, "failed", problems=[Problem(load.folder, str(exc))])
    if protect:
        from generator.protection.keys import (
            NoPasswordError,
            WeakPasswordError,
            content_key,
            require_password,
        )

        try:
            require_password(config.state, load.slug, os.environ)
            content_key(config.state, load.slug)  # created now, so the input hash is stable
            config.state.site_id(load.slug)
        except (NoPasswordError, WeakPasswordError, DamagedState) as exc:
            return ClientOutcome(load.slug, "failed", problems=[Problem(load.folder, str(exc))])
    return None


class _Builds:
    """Client builds in a pool of worker processes, each started as soon as it is submitted."""

    def __init__(self, jobs: int | None, most: int) -> None:
        self.workers = max(1, min(jobs or os.cpu_count() or 1, most))
        self.pool: ProcessPoolExecutor | None = None
        self.futures: dict = {}

    def __enter__(self) -> _Builds:
        return self

    def __exit__(self, *exc) -> None:
        # Ctrl-C goes to the parent alone: the builds under way finish, as `with` would. It
        # is held back until the pool is shut down: a shutdown cut short leaves a worker (one
        # still loading the engine, say) waiting for work, and the process with it at exit.
        if self.pool is not None:
            held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                self.pool.shutdown(wait=True)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def prepare(self, config: SiteConfig) -> ProcessPoolExecutor:
        """Start the workers (once): they load MkDocs and Material (`_worker_start`) while
        the clients are still being read; return the pool."""
        if self.pool is None:
            # Ctrl-C is held back while the workers are forked (all at the first job): a
            # worker forked but not yet counted by the pool would wait for work forever, and
            # the build with it.
            held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                compiled = config.state.cache_dir / "templates"
                self.pool = ProcessPoolExecutor(
                    self.workers, initializer=_worker_start, initargs=(config.theme_dir(), compiled)
                )
                self.pool.submit(_ready)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return self.pool

    def submit(self, task: _Task, digest: str) -> None:
        """Build `task`'s client in a worker; remember `digest` when it is built."""
        self.futures[self.prepare(task.config).submit(build_client, task)] = (task, digest)

    def outcomes(self) -> Iterable[ClientOutcome]:
        """Each build's outcome, as it finishes."""
        for future in as_completed(self.futures):
            task, digest = self.futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # a crash in a worker must not stop the other clients
                problem = Problem(task.client.folder, f"build failed: {disk_trouble(exc) or exc}")
                outcome = ClientOutcome(task.client.slug, "failed", problems=[problem])
            if outcome.status == "built":
                _remember(task, digest)
            yield outcome


def _worker_start(theme_dir: Path, compiled: Path) -> None:
    """A worker's start: Ctrl-C goes to the parent alone (no traceback from each worker),
    and the engine is loaded before the worker takes its first client."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # (held back at the fork)
    from generator.mkdocs_site import warm_up

    warm_up(theme_dir, compiled)


def _ready() -> None:
    """Nothing: the job that starts the workers."""


def build_client(task: _Task) -> ClientOutcome:
    """Build one client's site in a temp folder and swap it in (runs in a worker process)."""
    from generator.mkdocs_site import build_site
    from generator.render import render_client, with_page_names

    config = task.config
    client = with_page_names(task.client, config.state.page_key(task.client.slug))
    began = time.perf_counter()
    task.work_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{client.slug}-", dir=task.work_root))
    kept = contextlib.ExitStack()
    steps, done = work, False
    try:
        # The docs tree and the plain site: in the folder kept from the last build, if free.
        steps = kept.enter_context(_kept_folder(config, client.slug, task)) or work
        journal = render_client(
            client,
            config.theme_dir(),
            steps / "docs",
            language=config.branding.language,
            changed=task.changed,
            duration_of=_duration_of,
        )
        plain = steps / "plain"
        pages = build_site(
            journal,
            plain,
            branding=config.branding,
            theme_dir=config.theme_dir(),
            project_dir=config.project_dir,
            cache_dir=config.state.cache_dir
            / "pages"
            / _cache_file(config, client.slug, task.protect).stem,
            use_cache=not task.force,
            shared=task.protect,
            templates_dir=config.state.cache_dir / "templates",
        )
        finished = plain
        if task.protect:
            from generator.protection.keys import load_secrets
            from generator.protection.protect import protect_site

            finished = work / "protected"
            number = config.state.client_dir(client.slug) / "build-number"
            floor, floor_digest = _last_build(number)
            protected = protect_site(
                plain,
                finished,
                secrets=load_secrets(
                    config.state,
                    client.slug,
                    os.environ,
                    iterations=config.protection.iterations,
                ),
                branding=config.branding,
                theme_dir=config.theme_dir(),
                reuse_from=task.output if task.output.is_dir() else None,
                project_dir=config.project_dir,
                manifest=config.state.cache_dir / f"{client.slug}.blobs.json",
                build_floor=floor,
                floor_digest=floor_digest,
            )
        task.output.parent.mkdir(parents=True, exist_ok=True)
        staged = task.output.with_name(f".{task.output.name}.new")
        if staged.exists():
            shutil.rmtree(staged)
        os.replace(finished, staged)
        replace_dir(staged, task.output, trash=task.work_root / TRASH)
        if task.protect:
            # Never down, even when site/ is deleted: browsers refuse an older build. Kept only
            # once the site is in place, so a build that fails leaves `.recap/` as it was (the
            # next build still goes past the number in the site it replaces).
            write_atomic(number, f"{protected.build} {protected.inventory}\n")
        done = True
    except RecapError as exc:
        problem = Problem(client.folder, str(exc))
        return ClientOutcome(client.slug, "failed", problems=[problem])
    finally:
        if not done and steps != work:  # stopped half way: the next build starts afresh
            _discard(steps, task.work_root / TRASH)
        kept.close()
        _discard(work, task.work_root / TRASH)
    seconds = time.perf_counter() - began
    return ClientOutcome(
        client.slug,
        "built",
        task.output,
        seconds,
        warnings=pages.warnings,
        pages_rendered=pages.rendered,
    )


@contextlib.contextmanager
def _kept_folder(config: SiteConfig, slug: str, task: _Task):
    """The client's work folder kept from build to build (its docs tree and plain site, in
    `.recap/cache/work/`), so that an edit writes only the files it changes; None when
    another build of the same client holds it (that build then works in a temp folder), and
    for a preview (its plain site is what it publishes). A `--force` build empties it first:
    a full build starts from nothing."""
    import fcntl

    if not task.protect:
        yield None
        return
    folder = config.state.cache_dir / "work" / _cache_file(config, slug, task.protect).stem
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(f"{folder.name}.lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield None
            return
        if task.force and folder.exists():
            _discard(folder, task.work_root / TRASH)
        folder.mkdir(exist_ok=True)
        yield folder


TRASH = ".trash"
"""Where a client's finished work folder goes, to be deleted off the critical path."""


def _discard(work: Path, trash: Path) -> None:
    """Move a finished work folder (some thousand small files) to the trash: deleting it is
    left to the end of the build, in the background (`_empty_trash`), so that no build
    waits."""
    try:
        trash.mkdir(parents=True, exist_ok=True)
        # A name of its own: a kept folder of the same name may still be being deleted.
        os.replace(work, tempfile.mkdtemp(prefix=f"{work.name}.", dir=trash))
    except OSError:
        shutil.rmtree(work, ignore_errors=True)


_DELETING: list[subprocess.Popen] = []
"""The trash deletions under way (kept, so that each is reaped once done)."""


def _empty_trash(trash: Path) -> None:
    """Delete the work folders left by builds (this one's included) in the background, in a
    process of its own at the lowest priority (`nice rm -rf`: a thread deleting thousands of
    files slowed the build it shared Python and the disk with), or a thread where there is
    no `rm`. What is left when a deletion stops is deleted after the next build."""
    _DELETING[:] = [process for process in _DELETING if process.poll() is None]  # reaped
    folders = [str(folder) for folder in trash.iterdir()] if trash.is_dir() else []
    if not folders:
        return
    try:
        process = subprocess.Popen(
            ["nice", "-n", "19", "rm", "-rf", "--", *folders],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped by a Ctrl-C meant for the build
        )
        _DELETING.append(process)
    except OSError:

        def empty() -> None:
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)

        threading.Thread(target=empty, name="recap-trash", daemon=True).start()


def _last_build(number: Path) -> tuple[int, str]:
    """The last build number of a client and the fingerprint of its files (0 when none)."""
    try:
        count, _, files = number.read_text(encoding="ascii").strip().partition(" ")
        return int(count), files
    except (OSError, ValueError):
        return 0, ""


def _duration_of(path: Path) -> float | None:
    from generator.recordings.audio import AudioError, duration

    try:
        return duration(path)
    except AudioError:
        return None


def common_inputs(config: SiteConfig, *, protect: bool = True) -> bytes:
    """The digest of what every client's site is made from (versions, the settings, the
    theme, the logo), read once per build for `input_hash`."""
    from generator.engine import engine_version

    # The engine's version too: a page names Material's assets, shared at the site root.
    h = hashlib.sha256(f"recap-journal {__version__} protect={protect} layout=4\n".encode())
    h.update(engine_version().encode())
    config_file = config.project_dir / "site_config.yml"
    files = [config_file] if config_file.exists() else []
    files += sorted(p for p in config.theme_dir().rglob("*") if p.is_file())
    if config.branding.logo:
        files.append(config.project_dir / config.branding.logo)
    _hash_files(h, files)
    return h.digest()


def input_hash(
    config: SiteConfig,
    folder: Path,
    *,
    protect: bool = True,
    changed: dict[Path, dt.datetime] | None = None,
    common: bytes | None = None,
) -> str:
    """A hash of everything the site of the client in `folder` is made from; equal hashes
    mean equal sites. Computed from the files alone, before any recap is parsed.

    Recordings are hashed by size and mtime (they are large and never edited in place);
    recaps, the theme, the config and the client's secrets by content. `common`: the
    `common_inputs` of this build, when known.
    """
    h = hashlib.sha256(common or common_inputs(config, protect=protect))
    for path, when in sorted((changed or {}).items()):
        h.update(f"{path}\0{when.isoformat()}\n".encode())
    files = sorted(p for p in folder.rglob("*") if p.is_file() and _is_input(p, folder))
    files += _state_inputs(config, folder.name, protect)
    if protect:
        from generator.state import password_env

        env = os.environ.get(password_env(folder.name), "")
        h.update(hashlib.sha256(env.encode()).digest())
    _hash_files(h, files)
    return h.hexdigest()


def _hash_files(h, files: list[Path]) -> None:
    for path in files:
        h.update(str(path).encode() + b"\0")
        if path.suffix.lower() in {".mp3", ".m4a", ".wav", ".flac", ".ogg", ".webm", ".mp4"}:
            stat = path.stat()
            h.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        else:
            h.update(hashlib.sha256(path.read_bytes()).digest())


def _edited(config: SiteConfig, folder: Path, recaps: list[Path], protect: bool) -> bool:
    """Whether a recap or the `client.yml` of the client in `folder` is newer than its last
    build (or it has none): a hint to start the workers early, not the test of a change
    (`input_hash` is)."""
    try:
        built = _cache_file(config, folder.name, protect).stat().st_mtime_ns
    except OSError:
        return True
    files = [*recaps, folder / "client.yml"]
    return any(path.stat().st_mtime_ns > built for path in files if path.exists())


def _state_inputs(config: SiteConfig, slug: str, protect: bool) -> list[Path]:
    """The files of the client's state in `.recap/` that `input_hash` reads, those that exist:
    the page key (it names the session pages) and, for a protected site, the stored content
    key and keyring (the env password's cached entry is derived from the env password, which
    `input_hash` hashes itself: the cache appearing is not a change)."""
    folder = config.state.root / "clients" / slug
    names = ("page-key", "content-key", "keyring.json") if protect else ("page-key",)
    return [folder / name for name in names if (folder / name).exists()]


def _is_input(path: Path, folder: Path) -> bool:
    """Files of the client folder a site is made from (originals are never published)."""
    relative = path.relative_to(folder)
    return relative.parts[0] != "originals" and not path.name.startswith(".")


def output_fingerprint(folder: Path) -> str:
    """Names, sizes and mtimes of a built site: any change by hand alters it."""
    if not folder.is_dir():
        return ""
    found = []
    for parent, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(parent, name)
            stat = os.lstat(path)
            if stat_module.S_ISREG(stat.st_mode):
                found.append(
                    f"{os.path.relpath(path, folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                )
    return hashlib.sha256("".join(sorted(found)).encode()).hexdigest()


def _cache_file(config: SiteConfig, slug: str, protect: bool) -> Path:
    return config.state.cache_dir / f"{slug}{'' if protect else '.preview'}.json"


def _recap_files(folder: Path) -> list[Path]:
    """The recap files of a client folder, as the loader finds them."""
    sessions = folder / "sessions"
    return sorted(sessions.glob("*.md")) if sessions.is_dir() else []


def _current(
    config: SiteConfig, slug: str, digest: str, output: Path, protect: bool
) -> list[Problem] | None:
    """The warnings of the last build when it had these inputs and its output is untouched;
    None when the client must be built."""
    cache = _cache_file(config, slug, protect)
    try:
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved.get("input") != digest or saved.get("output") != output_fingerprint(output):
            return None
        return [
            Problem(Path(w["file"]), w["message"], w.get("line"), w.get("field"), "warning")
            for w in saved.get("warnings", [])
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _remember(task: _Task, digest: str) -> None:
    warnings = [
        {"file": str(w.file), "message": w.message, "line": w.line, "field": w.field}
        for w in task.warnings
    ]
    record = {"input": digest, "output": output_fingerprint(task.output), "warnings": warnings}
    cache = _cache_file(task.config, task.client.slug, task.protect)
    # Not synced: a record lost or cut short in a crash only means that client builds again.
    write_atomic(cache, json.dumps(record, indent=1) + "\n", sync=False)
