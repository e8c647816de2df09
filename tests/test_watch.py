"""`recap watch` end to end, as a subprocess: a slow upload, a corrupt file, a kill -9."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.protection.keys import load_secrets
from generator.protection.protect import read_protected
from generator.render import page_name
from generator.state import State
from tests.coach import publish_draft
from tests.leakscan import assert_no_leaks
from tests.speech import JFK, long_speech

PASSWORD = "velvet tundra orchard pivot"
pytestmark = pytest.mark.slow


class Watch:
    """A `recap watch` subprocess on a scratch project."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "RECAP_PASSWORD_JANE_DOE": PASSWORD}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "watch"],
            cwd=self.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> str:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        output = self.proc.stdout.read().decode(errors="replace") if self.proc.stdout else ""
        self.proc = None
        return output

    @property
    def log(self) -> str:
        path = self.root / ".recap" / "recap.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def job_statuses(self) -> list[str]:
        jobs = (self.root / ".recap" / "jobs").glob("*.json")
        return sorted(json.loads(p.read_text(encoding="utf-8"))["status"] for p in jobs)

    def files(self, pattern: str) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.root.glob(pattern))


LOGS: list[Path] = []


def wait_for(condition: Callable[[], object], timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    log = LOGS[-1].read_text(encoding="utf-8") if LOGS and LOGS[-1].exists() else ""
    raise AssertionError(f"timed out waiting for {what}; the watcher's log:\n{log}")


@pytest.fixture
def watch(tmp_path: Path) -> Iterator[Watch]:
    (tmp_path / "site_config.yml").write_text(
        "branding: {coach_name: Test Coach}\nwatch: {settle_seconds: 1}\n", encoding="utf-8"
    )
    (tmp_path / "content" / "jane-doe" / "sessions").mkdir(parents=True)
    (tmp_path / "content" / "jane-doe" / "client.yml").write_text("name: Jane Doe\n", "utf-8")
    (tmp_path / "inbox" / "jane-doe").mkdir(parents=True)
    w = Watch(tmp_path)
    LOGS.append(tmp_path / ".recap" / "recap.log")
    yield w
    if w.proc is not None:
        os.killpg(w.proc.pid, signal.SIGKILL)


def upload_slowly(src: bytes, dst: Path, chunks: int = 8, pause: float = 0.3) -> None:
    """Write a file the way a slow upload does: in pieces, with pauses between them."""
    step = len(src) // chunks + 1
    with dst.open("wb") as handle:
        for start in range(0, len(src), step):
            handle.write(src[start : start + step])
            handle.flush()
            time.sleep(pause)


def site_dir(root: Path) -> Path:
    site_id = (root / ".recap" / "clients" / "jane-doe" / "site-id").read_text().strip()
    return root / "site" / site_id


def test_a_slow_upload_and_a_corrupt_file(watch: Watch) -> None:
    watch.start()
    wait_for(lambda: "rebuilt every client" in watch.log, what="the first build")
    upload_slowly(JFK.read_bytes(), watch.root / "inbox" / "jane-doe" / "2026-11-02.flac")
    (watch.root / "inbox" / "jane-doe" / "2026-11-09.m4a").write_bytes(b"not audio\n" * 500)
    wait_for(lambda: watch.files(".recap/quarantine/*.why.txt"), what="the quarantine")
    wait_for(
        lambda: (
            watch.files("content/jane-doe/originals/*") and "active" not in watch.job_statuses()
        ),
        what="the job to finish",
    )
    draft = watch.root / "content" / "jane-doe" / "sessions" / "2026-11-02-draft.md"
    assert watch.files("content/jane-doe/recordings/*") == [
        "content/jane-doe/recordings/2026-11-02.json",
        "content/jane-doe/recordings/2026-11-02.mp3",
        "content/jane-doe/recordings/2026-11-02.vtt",
    ]
    assert watch.files("content/jane-doe/sessions/*") == [str(draft.relative_to(watch.root))]
    vtt = (watch.root / "content/jane-doe/recordings/2026-11-02.vtt").read_text("utf-8")
    said = [re.sub(r"^<v [^>]+>", "", line) for line in vtt.splitlines()[1:] if "-->" not in line]
    assert "ask not what your country can do for you" in " ".join(" ".join(said).split())
    assert watch.files(".recap/quarantine/*") == [
        ".recap/quarantine/2026-11-09.m4a",
        ".recap/quarantine/2026-11-09.m4a.why.txt",
    ]
    assert watch.files("inbox/jane-doe/*") == []

    # The watcher carries on: publishing the draft rebuilds the site within seconds.
    built = site_dir(watch.root)
    wait_for(lambda: built.is_dir(), what="the site")
    before = watch.log.count("rebuilt jane-doe")
    saved = time.monotonic()
    draft.write_text(publish_draft(draft.read_text("utf-8")), encoding="utf-8")
    wait_for(lambda: watch.log.count("rebuilt jane-doe") > before, timeout=30, what="rebuild")
    assert time.monotonic() - saved < 10
    assert watch.proc.poll() is None
    # The published recap, its recording and transcript are in the site, and only encrypted.
    secrets = load_secrets(
        State(watch.root / ".recap"), "jane-doe", {"RECAP_PASSWORD_JANE_DOE": PASSWORD}
    )
    name = page_name(State(watch.root / ".recap").page_key("jane-doe"), "2026-11-02-draft")
    page = read_protected(built, f"sessions/{name}/index.html", secrets).decode()
    assert "your country can do for you" in page  # one cue: cues are cut where the voice changes
    assert '<audio controls preload="metadata"' in page
    assert read_protected(built, f"recordings/{name}.mp3", secrets)[:3] in (
        b"ID3",
        b"\xff\xfb",
    )
    assert_no_leaks(
        watch.root / "site",
        ["Jane Doe", "jane-doe", "fellow Americans", "your country", "2026-11-02"],
    )
    output = watch.stop()
    assert "quarantined 2026-11-09.m4a" in " ".join(output.split())
    assert "Traceback" not in watch.log


def test_kill_9_in_the_middle_of_a_job_and_a_restart_finish_it_once(watch: Watch) -> None:
    data = long_speech(watch.root / "long.wav", repeats=8).read_bytes()  # about 90 s
    watch.start()
    wait_for(lambda: "rebuilt every client" in watch.log, what="the first build")
    (watch.root / "inbox" / "jane-doe" / "2026-11-02-long.wav").write_bytes(data)
    wait_for(lambda: "job" in watch.log and ": transcribe" in watch.log, what="transcribing")
    time.sleep(1.0)
    assert watch.proc is not None
    os.killpg(watch.proc.pid, signal.SIGKILL)  # the watcher and its worker, mid-transcription
    watch.proc.wait()
    watch.proc = None
    [job_file] = (watch.root / ".recap" / "jobs").glob("*.json")
    assert json.loads(job_file.read_text())["status"] == "active"
    assert "transcribe" not in json.loads(job_file.read_text())["done"]

    watch.start()
    wait_for(
        lambda: json.loads(job_file.read_text())["status"] == "finished", what="the resumed job"
    )
    job = json.loads(job_file.read_text())
    assert job["attempts"] == 2
    assert watch.files("content/jane-doe/recordings/*") == [
        "content/jane-doe/recordings/2026-11-02.json",
        "content/jane-doe/recordings/2026-11-02.mp3",
        "content/jane-doe/recordings/2026-11-02.vtt",
    ]
    assert watch.files("content/jane-doe/sessions/*") == [
        "content/jane-doe/sessions/2026-11-02-draft.md"
    ]
    assert watch.files("content/jane-doe/originals/*") == [
        "content/jane-doe/originals/2026-11-02-long.wav"
    ]
    assert watch.log.count("drafted 2026-11-02-draft") == 1
    watch.stop()
