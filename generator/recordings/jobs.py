"""Recording jobs: one dropped recording carried through convert → transcribe → draft →
archive → rebuild, resumable after a crash at any moment.

A job is `.recap/jobs/<id>.json`, its id a hash of the recording's bytes, so the same file
dropped twice is one job. Each step writes its output atomically and records itself in the
job file before the next step starts; a restart resumes at the first unfinished step, and a
step that finds its output already complete (written just before a crash) records it and
moves on. The original is only read until its mp3 and transcript are safely written; then it
is moved to `content/<slug>/originals/`, which the build never publishes. A recording that
cannot be read goes to `.recap/quarantine/` with a `.why.txt` note.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generator.config import SiteConfig
from generator.content import SLUG, SUGGESTIONS_SUFFIX, content_root
from generator.errors import RecapError
from generator.fs import write_atomic
from generator.recordings.audio import (
    AudioError,
    convert_to_mp3,
    decode_voice,
    duration,
    encode_mp3,
    shares_whisper_audio,
)

log = logging.getLogger(__name__)

STEPS = ("convert", "transcribe", "draft", "archive", "rebuild")
ORIGINALS = "originals"
"""The client subfolder the originals are moved to; the build skips it (never published)."""
RECORDINGS = "recordings"

ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})[-_.](\d{2})(?!\d)")
ZOOM_GMT = re.compile(r"GMT(\d{8})-(\d{6})")
COMPACT_DATE = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")

Progress = Callable[[float, float], None]
OnStep = Callable[["Job", str], None]


class UnknownClient(RecapError):
    """A recording outside `inbox/<client-slug>/` or for a client that does not exist."""


class JobLost(RecapError):
    """The original went missing before its mp3 was made."""


class DuplicateRecording(RecapError):
    """The same recording (same bytes) was already processed."""


@dataclass
class Job:
    """One recording on its way from the inbox to a draft recap."""

    id: str
    client: str
    source: str
    """Where the original was dropped (absolute path)."""
    name: str
    """The original's file name."""
    date: str
    """The session date, ISO."""
    stem: str
    """The name of the mp3, transcript and segments in `content/<slug>/recordings/`."""
    created: str = ""
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each finished step with what it produced."""
    status: str = "active"
    """active, finished, quarantined or lost."""
    attempts: int = 0
    crashes: int = 0
    """How often the transcription worker died while running this job (the watcher itself
    being killed does not count: that is not the recording's fault)."""
    runner: str = ""
    """The watcher run whose worker last started this job."""
    note: str = ""
    keep_source: bool = False
    """Copy the original to `originals/` and leave it where it was (`recap transcribe`: the
    coach's own folder), instead of moving it out of the inbox."""

    @property
    def session_date(self) -> dt.date:
        """The session date as a date."""
        return dt.date.fromisoformat(self.date)

    @property
    def next_step(self) -> str | None:
        """The first step not done yet (None when every step is done)."""
        return next((step for step in STEPS if step not in self.done), None)

    @property
    def mp3(self) -> str:
        """The mp3's path relative to the client folder."""
        return f"{RECORDINGS}/{self.stem}.mp3"

    @property
    def vtt(self) -> str:
        """The WebVTT transcript's path relative to the client folder."""
        return f"{RECORDINGS}/{self.stem}.vtt"

    @property
    def segments(self) -> str:
        """The JSON segments' path relative to the client folder."""
        return f"{RECORDINGS}/{self.stem}.json"


def session_date(path: Path) -> dt.date:
    """The session date from a file name (2026-11-02, 20261102, Zoom's GMT20261102-150000),
    else the day the file was last modified.

    Zoom's names are in UTC: they are turned into the local date.
    """
    name = path.name
    zoom = ZOOM_GMT.search(name)
    if zoom:
        try:
            stamp = dt.datetime.strptime("".join(zoom.groups()), "%Y%m%d%H%M%S")
            return stamp.replace(tzinfo=dt.timezone.utc).astimezone().date()
        except ValueError:
            pass
    for pattern in (ISO_DATE, COMPACT_DATE):
        for match in pattern.finditer(name):
            try:
                found = dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                continue
            if 2000 <= found.year <= 2100:
                return found
    return dt.date.fromtimestamp(path.stat().st_mtime)


def recording_id(path: Path) -> str:
    """The job id of a recording: a hash of its bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:24]


def job_file(config: SiteConfig, job_id: str) -> Path:
    """Where a job is recorded."""
    return config.state.jobs_dir / f"{job_id}.json"


def save_job(config: SiteConfig, job: Job) -> None:
    """Record a job atomically."""
    write_atomic(job_file(config, job.id), json.dumps(asdict(job), indent=1) + "\n")


def load_job(config: SiteConfig, job_id: str) -> Job | None:
    """A recorded job, or None when there is none (or its file is unreadable)."""
    try:
        data = json.loads(job_file(config, job_id).read_text(encoding="utf-8"))
        return Job(**data)
    except (OSError, ValueError, TypeError):
        return None


def unfinished_jobs(config: SiteConfig) -> list[Job]:
    """Active jobs, oldest first: what a restarted watcher resumes."""
    folder = config.state.jobs_dir
    jobs = [load_job(config, p.stem) for p in folder.glob("*.json")] if folder.is_dir() else []
    return sorted((j for j in jobs if j and j.status == "active"), key=lambda j: j.created)


def client_folder(config: SiteConfig, slug: str) -> Path:
    """The client's content folder."""
    return content_root(config) / slug


def client_of(config: SiteConfig, path: Path) -> str:
    """The client a dropped file belongs to: `inbox/<slug>/...`; raises `UnknownClient`."""
    try:
        relative = path.resolve().relative_to(config.inbox_dir.resolve())
    except ValueError as exc:
        raise UnknownClient(f"{path.name} is not in the inbox ({config.inbox_dir})") from exc
    if len(relative.parts) < 2:
        raise UnknownClient(f"{path.name} is directly in the inbox: put it in inbox/<client-slug>/")
    return check_client(config, relative.parts[0])


def check_client(config: SiteConfig, slug: str) -> str:
    """`slug` when it names a client folder with a client.yml; raises `UnknownClient`."""
    if not SLUG.match(slug) or not (client_folder(config, slug) / "client.yml").is_file():
        raise UnknownClient(f"there is no client {slug!r} (no content/{slug}/client.yml)")
    return slug


def open_job(
    config: SiteConfig,
    source: Path,
    *,
    client: str | None = None,
    date: dt.date | None = None,
    keep_source: bool = False,
) -> Job:
    """The job of a recording: the recorded one if these bytes were seen, else a new one.

    Raises `UnknownClient`, `AudioError` when the file cannot be read, and
    `DuplicateRecording` when these bytes were already processed from another file.
    """
    slug = check_client(config, client) if client else client_of(config, source)
    try:
        job_id = recording_id(source)
    except OSError as exc:
        raise AudioError(f"{source.name}: cannot be read ({exc.strerror})") from exc
    job = load_job(config, job_id)
    if job is not None and job.status == "active" and "archive" not in job.done:
        if Path(job.source) != source and Path(job.source).exists():
            raise DuplicateRecording(f"{source.name} is a copy of {job.name}, already queued")
        job.source = str(source)  # moved within the inbox before its mp3 was made
        return job
    if job is not None and job.status in ("active", "finished"):
        draft = job.done.get("draft", {}).get("path", "?")
        raise DuplicateRecording(
            f"{source.name} is the same recording as {job.name}, already processed "
            f"into {draft}; nothing was done"
        )
    when = date or session_date(source)
    job = Job(
        id=job_id,
        client=slug,
        source=str(source),
        name=source.name,
        date=when.isoformat(),
        stem=_free_stem(config, slug, when, job_id),
        created=dt.datetime.now().isoformat(timespec="seconds"),
        keep_source=keep_source,
    )
    save_job(config, job)
    log.info("job %s: %s for %s, session of %s", job.id[:8], job.name, slug, job.date)
    return job


def _free_stem(config: SiteConfig, slug: str, date: dt.date, job_id: str) -> str:
    """`<date>` for the first recording of a day, `<date>-<id>` for the next ones."""
    recordings = client_folder(config, slug) / RECORDINGS
    claimed = {j.stem for j in unfinished_jobs(config) if j.client == slug}
    stem = date.isoformat()
    if stem in claimed or any(recordings.glob(f"{stem}.*")):
        stem = f"{stem}-{job_id[:6]}"
    return stem


def quarantine(config: SiteConfig, path: Path, why: str) -> Path:
    """Move an unreadable recording to `.recap/quarantine/` with a `.why.txt` note."""
    folder = config.state.quarantine_dir
    folder.mkdir(parents=True, exist_ok=True)
    target = _unique(folder / path.name)
    _move(path, target)
    note = (
        f"{path.name} was moved here from {path.parent} on "
        f"{dt.datetime.now().isoformat(timespec='seconds')}.\n\nWhy: {why}\n\n"
        "Fix it and drop it into inbox/<client-slug>/ again, or delete it.\n"
    )
    write_atomic(target.with_name(target.name + ".why.txt"), note)
    log.warning("quarantined %s: %s", path.name, why)
    return target


def run_job(
    config: SiteConfig,
    job: Job,
    transcriber: Any,
    *,
    progress: Progress | None = None,
    on_step: OnStep | None = None,
    rebuild: Callable[[str], Any] | None = None,
    quarantine_unreadable: bool = True,
) -> Job:
    """Carry a job through its unfinished steps and return it.

    The rebuild step runs only when `rebuild(slug)` is given (the watcher rebuilds in its own
    process and calls `mark_rebuilt`). A recording that turns out unreadable is quarantined
    (the job's status says so), or with `quarantine_unreadable=False` left where it is while
    `AudioError` is raised; a missing model raises `ModelError` with the job left active, to
    resume once the model is there.
    """
    folder = client_folder(config, job.client)
    job.attempts += 1
    save_job(config, job)
    _remove_stale_temp_files(folder, job)
    try:
        if "convert" not in job.done or "transcribe" not in job.done:
            _convert_and_transcribe(config, job, folder, transcriber, progress, on_step)
        if "draft" not in job.done:
            _step(on_step, job, "draft")
            _draft(config, job, folder)
        if "archive" not in job.done:
            _step(on_step, job, "archive")
            _archive(config, job, folder)
    except AudioError as exc:
        _give_up(config, job, folder, str(exc), quarantine_unreadable)
        if not quarantine_unreadable:
            raise
        return job
    except JobLost as exc:
        job.status, job.note = "lost", str(exc)
        save_job(config, job)
        log.error("job %s: %s", job.id[:8], exc)
        return job
    if rebuild is not None and "rebuild" not in job.done:
        _step(on_step, job, "rebuild")
        rebuild(job.client)
        mark_rebuilt(config, job)
    return job


def mark_rebuilt(config: SiteConfig, job: Job) -> None:
    """Record that the client's site was rebuilt with this job's draft: the job is done."""
    job.done["rebuild"] = {"at": _now()}
    job.status = "finished"
    save_job(config, job)
    log.info("job %s finished: %s", job.id[:8], job.done.get("draft", {}).get("path"))


def _step(on_step: OnStep | None, job: Job, step: str) -> None:
    log.info("job %s: %s", job.id[:8], step)
    if on_step:
        on_step(job, step)


def _record(config: SiteConfig, job: Job, step: str, **result: Any) -> None:
    job.done[step] = {"at": _now(), **result}
    save_job(config, job)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _convert_and_transcribe(
    config: SiteConfig,
    job: Job,
    folder: Path,
    transcriber: Any,
    progress: Progress | None,
    on_step: OnStep | None,
) -> None:
    """Convert and transcribe, side by side when both are due.

    The mp3 is encoded in a thread while Whisper reads the original (ctranslate2 and ffmpeg
    release the GIL), so the pipeline costs about what transcription alone costs. The job
    file still records convert before transcribe, so resuming stays in step order.
    """
    from generator.recordings.transcribe import read_segments_json, write_segments_json, write_vtt

    mp3, vtt, segments = folder / job.mp3, folder / job.vtt, folder / job.segments
    source = Path(job.source)
    if "convert" not in job.done and mp3.is_file():
        seconds = _readable_duration(mp3)
        if seconds is not None:
            _record(config, job, "convert", path=job.mp3, duration=seconds)
    if "transcribe" not in job.done and vtt.is_file() and segments.is_file():
        try:
            read_segments_json(segments)
            _record(config, job, "transcribe", path=job.vtt, segments=job.segments)
        except (OSError, ValueError, KeyError):
            pass
    need_mp3, need_text = "convert" not in job.done, "transcribe" not in job.done
    if not need_mp3 and not need_text:
        return
    if need_mp3 and not source.is_file():
        raise JobLost(f"the original {source} is gone before its mp3 was made")
    converted: dict[str, Any] = {}
    worker = None
    bitrate = config.audio.bitrate_kbps
    # A voice mp3 is encoded from the very samples Whisper reads: the recording is decoded once.
    audio: Any = source if source.is_file() else mp3
    if need_mp3 and need_text and shares_whisper_audio(bitrate):
        audio = decode_voice(source)
    if need_mp3:
        _step(on_step, job, "convert")

        def convert() -> None:
            try:
                if isinstance(audio, Path):
                    converted["duration"] = convert_to_mp3(source, mp3, bitrate_kbps=bitrate)
                else:
                    converted["duration"] = encode_mp3(audio, mp3, bitrate_kbps=bitrate)
            except BaseException as exc:
                converted["error"] = exc

        worker = threading.Thread(target=convert, name=f"mp3-{job.id[:8]}", daemon=True)
        worker.start()
    transcript = None
    try:
        if need_text:
            _step(on_step, job, "transcribe")
            transcript = transcriber.transcribe(audio, progress=progress)
    finally:
        if worker is not None:
            worker.join()
    if "error" in converted:
        raise converted["error"]
    if need_mp3:
        _record(config, job, "convert", path=job.mp3, duration=converted["duration"])
    if transcript is not None:
        write_vtt(vtt, transcript.segments)
        write_segments_json(segments, transcript)
        _record(config, job, "transcribe", path=job.vtt, segments=job.segments,
                seconds=round(transcript.seconds, 2))  # fmt: skip


def _remove_stale_temp_files(folder: Path, job: Job) -> None:
    """Temp files a killed run left behind (the watcher's lock says no one else writes).

    Besides the media, the draft step writes recaps of the session's date (a new draft, or the
    coach's recap a recording is attached to): their temp files are `.<date>….md.<random>.tmp`.
    """
    for relative in (job.mp3, job.vtt, job.segments):
        target = folder / relative
        for stale in target.parent.glob(f".{target.name}.*.tmp"):
            stale.unlink(missing_ok=True)
    for stale in (folder / "sessions").glob(f".{job.session_date.isoformat()}*.md.*.tmp"):
        stale.unlink(missing_ok=True)


def _readable_duration(path: Path) -> float | None:
    try:
        return duration(path)
    except AudioError:
        return None


def _draft(config: SiteConfig, job: Job, folder: Path) -> None:
    from generator.recordings.attach import attach_recording, recap_for_date, suggestions_text
    from generator.recordings.draft import extract, find_draft, write_draft
    from generator.recordings.transcribe import read_segments_json

    existing = find_draft(folder, job.mp3)
    written = recap_for_date(folder, job.session_date) if existing is None else None
    if written is not None:
        # The coach wrote this session's recap already: the recording joins it.
        segments = read_segments_json(folder / job.segments).segments
        beside = attach_recording(
            written,
            recording=job.mp3,
            transcript=job.vtt,
            duration=job.done["convert"]["duration"],
            suggestions=suggestions_text(
                job.session_date, extract(segments), recap=written.name, original_name=job.name
            ),
        )
        log.info("job %s: attached to %s, suggestions in %s", job.id[:8], written.name, beside.name)
        path, suggestions = str(written.relative_to(folder)), str(beside.relative_to(folder))
        _record(config, job, "draft", path=path, attached=True, suggestions=suggestions)
        return
    if existing is not None and existing.with_name(existing.stem + SUGGESTIONS_SUFFIX).exists():
        # Attached before a crash, not yet recorded.
        beside = existing.with_name(existing.stem + SUGGESTIONS_SUFFIX)
        path, suggestions = str(existing.relative_to(folder)), str(beside.relative_to(folder))
        _record(config, job, "draft", path=path, attached=True, suggestions=suggestions)
        return
    if existing is None:
        transcript = read_segments_json(folder / job.segments)
        existing = write_draft(
            folder,
            date=job.session_date,
            recording=job.mp3,
            transcript=job.vtt,
            duration=job.done["convert"]["duration"],
            segments=transcript.segments,
            original_name=job.name,
        )
    _record(config, job, "draft", path=str(existing.relative_to(folder)))


def _archive(config: SiteConfig, job: Job, folder: Path) -> None:
    source = Path(job.source)
    target = folder / ORIGINALS / job.name
    if source.is_file():
        if target.exists():
            target = _unique(target, job.id[:6])
        target.parent.mkdir(parents=True, exist_ok=True)
        _move(source, target, copy=job.keep_source)
    elif not target.exists():
        log.warning("job %s: the original %s is gone; nothing to archive", job.id[:8], source)
        _record(config, job, "archive", path=None)
        return
    _record(config, job, "archive", path=str(target.relative_to(folder)))


def _give_up(config: SiteConfig, job: Job, folder: Path, why: str, move: bool) -> None:
    """Quarantine an unreadable original, removing what this job made of it."""
    for relative in (job.mp3, job.vtt, job.segments):  # named after this job alone
        (folder / relative).unlink(missing_ok=True)
    source = Path(job.source)
    if move and source.is_file():
        quarantine(config, source, why)
    job.status, job.note = "quarantined", why
    save_job(config, job)


def _unique(path: Path, tag: str | None = None) -> Path:
    if not path.exists():
        return path
    if tag and not path.with_name(f"{path.stem}-{tag}{path.suffix}").exists():
        return path.with_name(f"{path.stem}-{tag}{path.suffix}")
    for number in range(2, 10_000):
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(path)


def _move(source: Path, target: Path, *, copy: bool = False) -> None:
    """Rename, or copy-then-rename-then-delete across file systems (never a half file).

    With `copy`, the source stays where it is and the target is a complete copy.
    """
    if not copy:
        try:
            os.replace(source, target)
            return
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
    staged = target.with_name(f".{target.name}.{int(time.time())}.tmp")
    try:
        shutil.copy2(source, staged)
        with staged.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staged, target)
    except BaseException:  # a full disk: no half copy left beside the original
        staged.unlink(missing_ok=True)
        raise
    if not copy:
        source.unlink()
