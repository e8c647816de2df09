"""Recording jobs: dates from file names, resuming after a crash, one job per recording."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from generator.config import TranscriptionSettings, load_config
from generator.content import load_client
from generator.recordings import jobs
from generator.recordings.transcribe import Transcriber

JFK = Path(__file__).parent / "fixtures" / "jfk.flac"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2026-11-02 Jane.m4a", dt.date(2026, 11, 2)),
        ("session_2026_11_02.wav", dt.date(2026, 11, 2)),
        ("20261102_150412.m4a", dt.date(2026, 11, 2)),
        ("Recording 20261102.mp3", dt.date(2026, 11, 2)),
        ("GMT20261102-120000_Recording.m4a", dt.date(2026, 11, 2)),
        ("audio1102-2026-13-45.m4a", None),  # no valid date: the file's time
        ("call-123456789.m4a", None),
    ],
)
def test_session_date_from_the_file_name(tmp_path: Path, name: str, expected) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    stamp = dt.datetime(2025, 3, 4, 12, 0).timestamp()
    os.utime(path, (stamp, stamp))
    assert jobs.session_date(path) == (expected or dt.date(2025, 3, 4))


def test_zoom_names_are_utc_turned_local(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    import time

    time.tzset()
    try:
        path = tmp_path / "GMT20261103-030000_Recording.m4a"
        path.write_bytes(b"x")
        assert jobs.session_date(path) == dt.date(2026, 11, 2)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.fixture
def config(tmp_path: Path):
    (tmp_path / "site_config.yml").write_text("branding: {coach_name: Test}\n", "utf-8")
    (tmp_path / "content" / "jane-doe").mkdir(parents=True)
    (tmp_path / "content" / "jane-doe" / "client.yml").write_text("name: Jane Doe\n", "utf-8")
    (tmp_path / "inbox" / "jane-doe").mkdir(parents=True)
    return load_config(tmp_path / "site_config.yml")


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber(TranscriptionSettings())


def drop(config, name: str = "2026-11-02 session.flac", data: bytes | None = None) -> Path:
    path = config.inbox_dir / "jane-doe" / name
    if data is None:
        shutil.copy(JFK, path)
    else:
        path.write_bytes(data)
    return path


def client_files(config) -> list[str]:
    folder = config.project_dir / "content" / "jane-doe"
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.slow
def test_a_job_runs_every_step_and_moves_the_original_last(config, transcriber) -> None:
    source = drop(config)
    job = jobs.open_job(config, source)
    rebuilt: list[str] = []
    job = jobs.run_job(config, job, transcriber, rebuild=rebuilt.append)
    assert rebuilt == ["jane-doe"]
    assert job.status == "finished" and list(job.done) == list(jobs.STEPS)
    assert client_files(config) == [
        "client.yml",
        "originals/2026-11-02 session.flac",
        "recordings/2026-11-02.json",
        "recordings/2026-11-02.mp3",
        "recordings/2026-11-02.vtt",
        "sessions/2026-11-02-draft.md",
    ]
    assert not source.exists()
    recorded = json.loads(jobs.job_file(config, job.id).read_text("utf-8"))
    assert recorded["status"] == "finished"
    assert recorded["done"]["draft"]["path"] == "sessions/2026-11-02-draft.md"
    assert load_client(config.project_dir / "content" / "jane-doe").problems == []


@pytest.mark.slow
def test_the_same_recording_dropped_twice_is_one_job(config, transcriber) -> None:
    job = jobs.run_job(config, jobs.open_job(config, drop(config)), transcriber)
    again = drop(config, "copy.flac")
    with pytest.raises(jobs.DuplicateRecording, match="already processed"):
        jobs.open_job(config, again)
    assert jobs.recording_id(again) == job.id


class Crash(Exception):
    """Stands for a kill in the middle of a step."""


class CrashingTranscriber:
    """A fake that dies mid-transcription, the moment a kill would hit."""

    def transcribe(self, audio, progress=None):
        raise Crash


@pytest.mark.slow
def test_a_crash_resumes_at_the_first_unfinished_step(config, transcriber) -> None:
    job = jobs.open_job(config, drop(config))
    with pytest.raises(Crash):
        jobs.run_job(config, job, CrashingTranscriber())
    # The mp3 was written (atomically) but not recorded: a restart finds it and keeps it.
    mp3 = config.project_dir / "content" / "jane-doe" / "recordings" / "2026-11-02.mp3"
    assert mp3.is_file() and "convert" not in jobs.load_job(config, job.id).done
    made = mp3.stat().st_mtime_ns
    [resumed] = jobs.unfinished_jobs(config)
    resumed = jobs.run_job(config, resumed, transcriber)
    assert mp3.stat().st_mtime_ns == made
    assert resumed.next_step == "rebuild" and resumed.attempts == 2

    # A crash after the draft was written but before it was recorded: no second draft; and the
    # temp file of a kill in the middle of writing a recap of that date is cleared.
    del resumed.done["draft"], resumed.done["archive"]
    jobs.save_job(config, resumed)
    sessions = config.project_dir / "content" / "jane-doe" / "sessions"
    (sessions / ".2026-11-02-draft.md.k1ll3d.tmp").write_text("half a dra", "utf-8")
    jobs.run_job(config, resumed, transcriber)
    assert [p for p in client_files(config) if p.startswith("sessions/")] == [
        "sessions/2026-11-02-draft.md"
    ]


@pytest.mark.parametrize(
    "data", [b"not audio at all\n" * 100, JFK.read_bytes()[:3000]], ids=["text", "truncated"]
)
def test_an_unreadable_recording_is_quarantined_with_a_note(config, transcriber, data) -> None:
    source = drop(config, "2026-11-02.m4a", data)
    job = jobs.run_job(config, jobs.open_job(config, source), transcriber)
    assert job.status == "quarantined"
    quarantined = config.state.quarantine_dir / "2026-11-02.m4a"
    assert quarantined.read_bytes() == data
    why = (config.state.quarantine_dir / "2026-11-02.m4a.why.txt").read_text("utf-8")
    assert "Why: 2026-11-02.m4a: " in why
    assert client_files(config) == ["client.yml"]


def test_a_recording_for_an_unknown_client_is_refused(config) -> None:
    folder = config.inbox_dir / "nobody"
    folder.mkdir()
    shutil.copy(JFK, folder / "a.flac")
    with pytest.raises(jobs.UnknownClient, match="there is no client 'nobody'"):
        jobs.open_job(config, folder / "a.flac")
    shutil.copy(JFK, config.inbox_dir / "b.flac")
    with pytest.raises(jobs.UnknownClient, match="directly in the inbox"):
        jobs.open_job(config, config.inbox_dir / "b.flac")


def test_transcribe_refuses_while_the_watcher_runs(project, cli) -> None:
    """`recap transcribe` refuses, and records no job, while `recap watch` holds the project."""
    from generator.recordings.watch import recordings_lock

    recording = project.root / "2026-11-02.flac"
    recording.write_bytes((Path(__file__).parent / "fixtures" / "jfk.flac").read_bytes())
    with recordings_lock(project.config()):
        result = cli("transcribe", str(recording), "--client", "ben-marsh")
    assert result.exit_code == 1
    assert "`recap watch` or `recap transcribe` is already running" in result.output
    assert not list((project.root / ".recap" / "jobs").glob("*.json"))
    assert recording.is_file()
