"""`recap watch`: the inbox and the content, watched; recordings processed, sites rebuilt.

One event loop (this process) and one transcription worker (`worker`: a child process that
loads the Whisper model once). The loop takes watchdog's events, waits for inbox files to stop
growing, hands them to the worker, and rebuilds the clients whose content changed; it never
waits for a transcription. Jobs are resumable (`jobs`), so a watcher killed at any moment picks
up where it stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import multiprocessing as mp
import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from generator.config import CONFIG_NAME, SiteConfig, load_config
from generator.content import client_folders, content_root
from generator.errors import KEPT, RecapError
from generator.recordings.worker import add_log_file, worker_main

log = logging.getLogger(__name__)

REBUILD_DELAY = 0.2
"""Seconds of quiet after a content edit before rebuilding: an editor's save is a burst."""
DISK_RETRY = 10.0
"""Seconds before a job stopped by a full or read-only disk is tried again."""
BATCH_WAIT = 300.0
"""A client with recordings still queued is rebuilt once they are done (fifty recordings
dropped at once: one rebuild, not fifty), or after this many seconds of waiting."""
POLL = 0.25
IGNORED_NAMES = (".", "~", "#")
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".download", ".swp", ".swx", ".why.txt")


class WatchReporter(Protocol):
    """Receives what the watcher does (the CLI shows it; every event is also logged)."""

    def step(self, name: str, client: str, step: str) -> None:
        """A recording entered a step: convert, transcribe, draft, archive, rebuild."""

    def progress(self, name: str, done: float, total: float) -> None:
        """Seconds of a recording transcribed so far, of its total."""

    def job_done(self, name: str, client: str, status: str, note: str) -> None:
        """A recording's job ended: finished, quarantined or lost."""

    def quarantined(self, name: str, why: str) -> None:
        """A file was moved to quarantine."""

    def built(self, result: Any) -> None:
        """A rebuild finished (a `BuildResult`)."""

    def error(self, message: str) -> None:
        """Something went wrong that the watcher survives."""


@dataclass
class _Candidate:
    """An inbox file waiting for its size to settle."""

    size: int
    mtime: float
    since: float


class Watcher:
    """Watch one project until `stop` is set (or Ctrl-C)."""

    def __init__(self, config: SiteConfig, *, reporter: WatchReporter | None = None) -> None:
        self.config = config
        self.reporter = reporter
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.candidates: dict[Path, _Candidate] = {}
        self.in_flight: dict[str, str] = {}
        """Tasks handed to the worker, each with its client."""
        self.retry: dict[str, tuple[float, str]] = {}
        """Tasks stopped by a full or read-only disk: when to try again, and their client."""
        self.waiting_since: dict[str, float] = {}
        """Clients whose rebuild waits for their queued recordings, since when."""
        self.pending_build: set[str] | None = set()
        """Slugs to rebuild; None means every client."""
        self.last_edit = 0.0
        self.rebuild_jobs: dict[str, list[str]] = {}
        self.worker: Any = None
        self.reader: threading.Thread | None = None
        self.session = f"{os.getpid()}-{time.time_ns()}"
        """This run of the watcher: a job its own worker started before is a worker crash."""
        self.worker_outdated = False
        """The transcription settings changed: restart the worker once it is idle."""

    # The event loop --------------------------------------------------------------------

    def run(self, stop: threading.Event | None = None) -> None:
        """Watch until `stop` is set; raises `RecapError` if another watcher holds the project."""
        from watchdog.observers import Observer

        stop = stop or threading.Event()
        with recordings_lock(self.config), _log_file(self.config):
            log.info("watching %s", self.config.project_dir)
            self._make_inboxes()
            observer = Observer()
            handler = _Handler(self.events)
            # Only what matters: not site/ or .recap/, which every build churns.
            project = self.config.project_dir
            observer.schedule(handler, str(project), recursive=False)
            for folder in (self.config.inbox_dir, content_root(self.config), project / "themes"):
                if folder.is_dir():
                    observer.schedule(handler, str(folder), recursive=True)
            observer.start()
            self._start_worker()
            try:
                self._startup()
                while not stop.is_set():
                    self._drain(timeout=POLL)
                    self._check_worker()
                    self._settle()
                    self._maybe_build()
                    self._retry_due()
            finally:
                observer.stop()
                self._stop_worker()
                observer.join(timeout=2)
                log.info("stopped watching")

    def _make_inboxes(self) -> None:
        """`inbox/<slug>/` for every client: where to drop each one's recordings."""
        self.config.inbox_dir.mkdir(parents=True, exist_ok=True)
        for client in client_folders(self.config):
            (self.config.inbox_dir / client.name).mkdir(exist_ok=True)

    def _startup(self) -> None:
        from generator.recordings.jobs import unfinished_jobs

        claimed = set()
        for job in unfinished_jobs(self.config):
            claimed.add(Path(job.source))
            if job.next_step == "rebuild":
                self._job_ready(job.id, job.client)
            else:
                self._submit("job", job.id, job.client)
        now, root = time.monotonic(), self.config.project_dir
        for path in sorted(self.config.inbox_dir.rglob("*")):
            if path.is_file() and path not in claimed and not _ignored(path, root):
                self._candidate(path, now - self.config.watch.settle_seconds)
        self.pending_build = None  # a first build of every client, as `recap build` would
        self.last_edit = 0.0

    def _drain(self, timeout: float) -> None:
        try:
            kind, value = self.events.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            self._event(kind, value)
            try:
                kind, value = self.events.get_nowait()
            except queue.Empty:
                return

    def _event(self, kind: str, value: Any) -> None:
        if kind == "fs":
            self._file_event(Path(value))
        elif kind == "result":
            self._result(value)

    def _file_event(self, path: Path) -> None:
        config = self.config
        if _ignored(path, config.project_dir):
            return
        if path.is_relative_to(config.inbox_dir):
            if path.is_file() and f"path:{path}" not in self.in_flight:
                self._candidate(path, time.monotonic())
            return
        root = content_root(config)
        if path.is_relative_to(root):
            parts = path.relative_to(root).parts
            if len(parts) >= 2 and parts[1] == "originals":
                return  # never published: nothing to rebuild
            if parts:
                self._want_build(parts[0])
            return
        if path == config.project_dir / CONFIG_NAME:
            self._reload_config()
            self._want_build(None)
        elif path.is_relative_to(config.project_dir / "themes"):
            self._want_build(None)

    def _candidate(self, path: Path, since: float) -> None:
        try:
            stat = path.stat()
        except OSError:
            self.candidates.pop(path, None)
            return
        old = self.candidates.get(path)
        if old is None or (old.size, old.mtime) != (stat.st_size, stat.st_mtime):
            self.candidates[path] = _Candidate(stat.st_size, stat.st_mtime, since)

    def _settle(self) -> None:
        """Hand over the inbox files whose size and time have not changed for a while."""
        now = time.monotonic()
        for path, seen in list(self.candidates.items()):
            try:
                stat = path.stat()
            except OSError:
                del self.candidates[path]
                continue
            if (stat.st_size, stat.st_mtime) != (seen.size, seen.mtime):
                self.candidates[path] = _Candidate(stat.st_size, stat.st_mtime, now)
            elif now - seen.since >= self.config.watch.settle_seconds:
                del self.candidates[path]
                self._hand_over(path)

    def _hand_over(self, path: Path) -> None:
        from generator.recordings.jobs import UnknownClient, client_of, quarantine

        try:
            client = client_of(self.config, path)
        except UnknownClient as exc:
            self._quarantine(path, str(exc), quarantine)
            return
        self._submit("path", str(path), client)

    def _quarantine(self, path: Path, why: str, quarantine: Any) -> None:
        try:
            quarantine(self.config, path, why)
        except OSError as exc:
            self._error(f"cannot quarantine {path.name}: {exc}")
            return
        if self.reporter:
            self.reporter.quarantined(path.name, why)

    def _want_build(self, slug: str | None) -> None:
        self.last_edit = time.monotonic()
        if slug is None or self.pending_build is None:
            self.pending_build = None
        else:
            self.pending_build.add(slug)

    def _maybe_build(self) -> None:
        if self.pending_build is not None and not self.pending_build:
            return
        now = time.monotonic()
        if now - self.last_edit < REBUILD_DELAY:
            return
        busy = self._busy_clients(now)
        if not busy:
            only = None if self.pending_build is None else sorted(self.pending_build)
            self.pending_build = set()
            self.rebuild(only)
            return
        wanted = (
            {p.name for p in client_folders(self.config)}
            if self.pending_build is None
            else self.pending_build
        )
        self.pending_build = wanted & busy  # rebuilt once their recordings are done
        if wanted - busy:
            self.rebuild(sorted(wanted - busy))

    def _busy_clients(self, now: float) -> set[str]:
        """Clients with recordings queued or settling in the inbox (not waiting too long)."""
        busy = set(self.in_flight.values()) | {client for _, client in self.retry.values()}
        for path in self.candidates:
            parts = path.relative_to(self.config.inbox_dir).parts
            if len(parts) > 1:
                busy.add(parts[0])
        for slug in list(self.waiting_since):
            if slug not in busy:
                del self.waiting_since[slug]
        for slug in busy:
            self.waiting_since.setdefault(slug, now)
        return {s for s in busy if now - self.waiting_since[s] < BATCH_WAIT}

    def rebuild(self, only: list[str] | None) -> None:
        """Rebuild the given clients (None: all); a failure is reported, never raised."""
        from generator.build import build
        from generator.recordings.jobs import load_job, mark_rebuilt

        began = time.perf_counter()
        try:
            self._make_inboxes()  # a client added while watching gets its inbox folder too
            result = build(self.config, only=only)
        except Exception as exc:  # the watcher keeps running after a failed rebuild
            log.exception("rebuild failed")
            self._error(f"rebuild failed: {exc}")
            return
        log.info(
            "rebuilt %s in %.1f s: built %s, unchanged %s, failed %s",
            ", ".join(only) if only else "every client",
            time.perf_counter() - began,
            result.built,
            result.skipped,
            list(result.failed),
        )
        for slug, problems in result.failed.items():
            for problem in problems:
                log.warning("%s: %s", slug, problem)
            if any(problem.message.endswith(KEPT) for problem in problems):  # a disk trouble
                self.retry[f"build:{slug}"] = (time.monotonic() + DISK_RETRY, slug)
        for problem in result.warnings:  # the reporter shows them; the log file keeps them
            log.info("%s", problem)
        if self.reporter:
            self.reporter.built(result)
        for slug in only or list(self.rebuild_jobs):
            for job_id in self.rebuild_jobs.pop(slug, []):
                job = load_job(self.config, job_id)
                if job is not None:
                    mark_rebuilt(self.config, job)

    def _reload_config(self) -> None:
        path = self.config.project_dir / CONFIG_NAME
        try:
            config = load_config(path)
        except RecapError as exc:
            self._error(f"{CONFIG_NAME} has errors; keeping the previous settings:\n{exc}")
            return
        previous, self.config = self.config, config
        if (config.transcription, config.audio) != (previous.transcription, previous.audio):
            self.worker_outdated = True
            self._restart_outdated_worker()

    def _restart_outdated_worker(self) -> None:
        """New transcription settings take effect between jobs, never in the middle of one."""
        if self.worker_outdated and self.worker is not None and not self.in_flight:
            log.info("transcription settings changed: restarting the transcription worker")
            self._stop_worker()
            self._start_worker()
            self.worker_outdated = False

    def _error(self, message: str) -> None:
        log.error("%s", message)
        if self.reporter:
            self.reporter.error(message)

    # The transcription worker ----------------------------------------------------------

    def _start_worker(self) -> None:
        context = mp.get_context("spawn")
        self.tasks = context.Queue()
        self.results = context.Queue()
        self.worker = context.Process(
            target=worker_main,
            args=(self.config, self.tasks, self.results, self.session),
            name="recap-transcriber",
            daemon=True,
        )
        self.worker.start()
        self.reader = threading.Thread(target=self._read_results, daemon=True)
        self.reader.start()
        for item in sorted(self.in_flight):
            kind, value = item.split(":", 1)
            self.tasks.put((kind, value))

    def _stop_worker(self) -> None:
        if self.worker is None:
            return
        self.worker.terminate()  # a half-done job resumes on the next start
        self.worker.join(timeout=5)
        self.results.put(None)
        self.worker = None
        if self.reader is not None:
            self.reader.join(timeout=2)  # before the interpreter closes the queue under it

    def _check_worker(self) -> None:
        if self.worker is not None and not self.worker.is_alive():
            self._error(
                f"the transcription worker stopped (exit {self.worker.exitcode}); restarting"
            )
            self.results.put(None)
            self._start_worker()

    def _submit(self, kind: str, value: str, client: str) -> None:
        key = f"{kind}:{value}"
        if key not in self.in_flight:
            self.in_flight[key] = client
            self.tasks.put((kind, value))

    def _read_results(self) -> None:
        results = self.results
        while True:
            try:
                message = results.get()
            except (EOFError, OSError, TypeError, ValueError):
                # The queue closed under a blocked get (the watcher is exiting, or the worker
                # was terminated in the middle of a message): multiprocessing raises TypeError
                # or ValueError then, not EOFError.
                return
            if message is None:
                return
            self.events.put(("result", message))

    def _result(self, message: tuple[Any, ...]) -> None:
        kind, *rest = message
        reporter = self.reporter
        if kind == "step" and reporter:
            reporter.step(*rest)
        elif kind == "progress" and reporter:
            reporter.progress(*rest)
        elif kind == "quarantined" and reporter:
            reporter.quarantined(*rest)
        elif kind == "error":
            self._error(rest[0])
        elif kind == "finished":
            task, job_id, client, name, status, note = rest
            owner = self.in_flight.pop(task, None)
            if status == "waiting":  # a full or read-only disk: the job is kept, tried again
                self.retry[task] = (time.monotonic() + DISK_RETRY, owner or client)
            elif status == "active" and job_id:
                self._job_ready(job_id, client)
            elif reporter and name and status in ("finished", "lost", "failed"):
                reporter.job_done(name, client, status, note)
            self._restart_outdated_worker()

    def _retry_due(self) -> None:
        now = time.monotonic()
        for task, (when, client) in list(self.retry.items()):
            if now >= when:
                del self.retry[task]
                kind, value = task.split(":", 1)
                if kind == "build":
                    self._want_build(value)
                else:
                    self._submit(kind, value, client)

    def _job_ready(self, job_id: str, client: str) -> None:
        """A job waits only for its rebuild: rebuild its client, then it is finished."""
        self.rebuild_jobs.setdefault(client, []).append(job_id)
        self._want_build(client)
        if self.reporter:
            from generator.recordings.jobs import load_job

            job = load_job(self.config, job_id)
            if job is not None:
                self.reporter.step(job.name, client, "rebuild")
                self.reporter.job_done(job.name, client, "finished", job.done["draft"]["path"])


class _Handler:
    """Watchdog's events, reduced to paths, put on the event loop's queue.

    Both ends of a move count: the loop looks at each path and decides what it means.
    """

    def __init__(self, events: queue.Queue[tuple[str, Any]]) -> None:
        self.events = events

    def dispatch(self, event: Any) -> None:
        """Watchdog's entry point for every event."""
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self.events.put(("fs", os.fsdecode(path)))


def _ignored(path: Path, root: Path) -> bool:
    """Temp files, hidden files, editors' backups, and our own state (`.recap/`)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    if any(part.startswith(".") for part in parts):
        return True
    return path.name.startswith(IGNORED_NAMES) or path.name.endswith(IGNORED_SUFFIXES)


@contextlib.contextmanager
def recordings_lock(config: SiteConfig) -> Iterator[None]:
    """One recordings worker per project (`recap watch` or `recap transcribe`): two would
    work on the same jobs at once."""
    path = config.state.root / "watch.lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.close()
        raise RecapError(
            f"`recap watch` or `recap transcribe` is already running for {config.project_dir}: "
            "let it finish, or drop the recording into inbox/<client>/ for the watcher"
        ) from exc
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


@contextlib.contextmanager
def _log_file(config: SiteConfig) -> Iterator[None]:
    handler = add_log_file(config)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
