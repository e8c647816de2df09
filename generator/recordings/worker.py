"""The watcher's transcription worker: a child process that loads the Whisper model once and
runs recordings jobs as the watcher (`watch`) hands them over, reporting on a results queue.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from generator.config import SiteConfig
from generator.errors import disk_trouble


def add_log_file(config: SiteConfig) -> logging.Handler:
    """Send INFO and above from our modules to `.recap/recap.log`."""
    handler = logging.FileHandler(config.state.log_file, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for console in root.handlers:  # the console keeps the level `-v` chose
        if console.level == logging.NOTSET:
            console.setLevel(root.level)
    root.addHandler(handler)
    for name in ("generator", "faster_whisper"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
    return handler


def worker_main(config: SiteConfig, tasks: Any, results: Any, session: str = "") -> None:
    """The transcription worker: load the model once, then run jobs as they come.

    `session` names the watcher's run: a job this run's worker started before and that
    comes back is one the previous worker died on (a crash), not a watcher restart.
    """
    # Ctrl-C reaches the whole terminal's process group: the watcher stops this worker
    # itself (a half-done job resumes on the next start), so no traceback from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    add_log_file(config)
    from generator.recordings.transcribe import ModelError, Transcriber

    transcriber = Transcriber(config.transcription, project_dir=config.project_dir)
    try:
        transcriber.load()
    except ModelError as exc:
        results.put(("error", f"cannot transcribe: {exc}"))
        return
    while True:
        task = tasks.get()
        if task is None:
            return
        kind, value = task
        try:
            outcome = run_task(config, transcriber, kind, value, results, session)
        except Exception as exc:  # one bad recording must not end the worker
            trouble = disk_trouble(exc)
            if trouble:  # the job is kept as it is, to go on when the disk allows
                logging.getLogger(__name__).error("job waits: %s: %s", value, trouble)
                results.put(("error", f"{Path(value).name}: {trouble}; trying again shortly"))
                outcome = ("", "", "", "waiting", trouble)
            else:
                logging.getLogger(__name__).exception("job failed: %s", value)
                results.put(("error", f"{Path(value).name}: {exc}"))
                outcome = ("", "", "", "failed", str(exc))
        results.put(("finished", f"{kind}:{value}", *outcome))


MAX_CRASHES = 3
"""A recording the worker died on this many times is quarantined (a poison file)."""


def run_task(
    config: SiteConfig, transcriber: Any, kind: str, value: str, results: Any, session: str = ""
) -> tuple[str, str, str, str, str]:
    """Run one task (`job`: a job id to go on with; else an inbox file to start a job for).

    Returns (job id, client, recording name, status, note) for the watcher.
    """
    from generator.recordings import jobs
    from generator.recordings.audio import AudioError

    if kind == "job":
        job = jobs.load_job(config, value)
        if job is None or job.status != "active":
            return ("", "", "", "gone", "")
    else:
        path = Path(value)
        if not path.is_file():
            return ("", "", "", "gone", "")
        try:
            job = jobs.open_job(config, path)
        except (jobs.UnknownClient, jobs.DuplicateRecording, AudioError) as exc:
            jobs.quarantine(config, path, str(exc))
            results.put(("quarantined", path.name, str(exc)))
            return ("", "", path.name, "quarantined", str(exc))
    if session and job.runner == session:  # this run's previous worker died on it
        job.crashes += 1
    job.runner = session
    jobs.save_job(config, job)
    if job.crashes >= MAX_CRASHES and Path(job.source).is_file():
        why = f"the transcription worker stopped {job.crashes} times on it; see .recap/recap.log"
        jobs.quarantine(config, Path(job.source), why)
        job.status, job.note = "quarantined", why
        jobs.save_job(config, job)
        results.put(("quarantined", job.name, why))
        return (job.id, job.client, job.name, job.status, why)
    job = jobs.run_job(
        config,
        job,
        transcriber,
        progress=lambda done, total: results.put(("progress", job.name, done, total)),
        on_step=lambda j, step: results.put(("step", j.name, j.client, step)),
    )
    if job.status == "quarantined":
        results.put(("quarantined", job.name, job.note))
    return (job.id, job.client, job.name, job.status, job.note)


def _die_with_parent() -> None:
    """End this worker when the watcher dies, even by `kill -9`, so no job runs twice."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass
    parent = os.getppid()

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch_parent, daemon=True).start()
