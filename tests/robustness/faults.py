"""Fault injection for the recordings pipeline: a real `recap watch` killed with SIGKILL.

`KillSoak` drops recordings into a scratch project, starts the watcher, kills its whole
process group (watcher and transcription worker) at random points of the jobs, checks after
every kill that no original is lost, and in the end that every recording was processed
exactly once. `make test` runs a few kills; `make soak` runs 50 and more (RECAP_SOAK_KILLS).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tests.speech import JFK, write_wav

PASSWORDS = {"jane-doe": "velvet tundra orchard pivot", "sam-lee": "copper lagoon whistle ember"}
STEPS = ("convert", "transcribe", "draft", "archive", "rebuild")


def make_project(root: Path, settle: float = 0.5) -> Path:
    """A project with two clients and their inbox folders."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site_config.yml").write_text(
        f"branding: {{coach_name: Test Coach}}\nwatch: {{settle_seconds: {settle}}}\n",
        encoding="utf-8",
    )
    for slug in PASSWORDS:
        (root / "content" / slug / "sessions").mkdir(parents=True)
        (root / "content" / slug / "client.yml").write_text(f"name: {slug}\n", "utf-8")
        (root / "inbox" / slug).mkdir(parents=True)
    return root


def recordings(count: int, folder: Path) -> list[Path]:
    """`count` distinct short recordings (the JFK clip, each with its own tail of noise)."""
    from faster_whisper.audio import decode_audio

    speech = decode_audio(str(JFK))
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    rng = np.random.default_rng(7)
    for number in range(count):
        tail = rng.normal(0, 0.001, 1600 + number).astype(np.float32)  # distinct bytes
        made.append(write_wav(folder / f"rec-{number:02d}.wav", np.concatenate([speech, tail])))
    return made


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Dropped:
    """One recording dropped into the inbox, and where it must end up."""

    client: str
    name: str
    digest: str


@dataclass
class KillSoak:
    """A watcher run again and again, killed at random points, on one project."""

    root: Path
    seed: int
    dropped: list[Dropped] = field(default_factory=list)
    kills: int = 0
    proc: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    # --- the watcher -------------------------------------------------------------------------

    def start(self) -> None:
        env = dict(os.environ)
        for slug, password in PASSWORDS.items():
            env["RECAP_PASSWORD_" + slug.upper().replace("-", "_")] = password
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "watch"],
            cwd=self.root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the watcher's whole process group (the watcher and its worker)."""
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):  # it may have ended on its own
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None
        self.kills += 1

    def stop(self) -> None:
        """Ctrl-C, as the coach stops it."""
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    @property
    def log(self) -> str:
        path = self.root / ".recap" / "recap.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def jobs(self) -> list[dict]:
        folder = self.root / ".recap" / "jobs"
        return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]

    # --- the faults ----------------------------------------------------------------------------

    def drop(self, sources: list[Path]) -> None:
        """Drop recordings into the clients' inboxes, in turn, with a date in each name."""
        for number, source in enumerate(sources, start=len(self.dropped)):
            client = list(PASSWORDS)[number % len(PASSWORDS)]
            name = f"2026-{1 + number // 28:02d}-{1 + number % 28:02d} session.wav"
            target = self.root / "inbox" / client / name
            staged = target.with_name(f".{name}.part")
            staged.write_bytes(source.read_bytes())
            os.replace(staged, target)  # complete when it appears, as a finished copy is
            self.dropped.append(Dropped(client, name, sha(source)))

    def run_until_killed(self, timeout: float = 120) -> str:
        """Start the watcher and kill it at a random point: after a random step, or at a
        random moment; returns where it was killed."""
        self.start()
        target = self.random.choice([*STEPS, "startup", "anytime"])
        began = time.monotonic()
        before = self._step_count(target)
        if target == "anytime":
            time.sleep(self.random.uniform(0.0, 8.0))
        elif target == "startup":
            time.sleep(self.random.uniform(0.0, 1.5))
        else:
            while self._step_count(target) == before and time.monotonic() - began < timeout:
                if self.finished():
                    break
                time.sleep(0.02)
            time.sleep(self.random.uniform(0.0, 0.4))
        self.kill()
        return target

    def _step_count(self, step: str) -> int:
        return len(re.findall(rf"job [0-9a-f]+: {step}\b", self.log))

    def finished(self) -> bool:
        jobs = self.jobs()
        return len(jobs) == len(self.dropped) and all(j["status"] != "active" for j in jobs)

    def run_to_the_end(self, timeout: float = 600) -> None:
        """Start the watcher and let it finish every job, then stop it with Ctrl-C."""
        self.start()
        deadline = time.monotonic() + timeout
        while not self.finished():
            assert time.monotonic() < deadline, f"jobs not finished:\n{self.log[-3000:]}"
            time.sleep(0.2)
        # The last rebuild runs after the last job is marked: wait for the build to settle.
        time.sleep(1.0)
        self.stop()

    # --- what must hold ------------------------------------------------------------------------

    def assert_nothing_lost(self) -> None:
        """Every dropped original is whole, in the inbox or in originals/, never elsewhere."""
        for item in self.dropped:
            places = [
                self.root / "inbox" / item.client / item.name,
                *(self.root / "content" / item.client / "originals").glob(
                    f"{Path(item.name).stem}*"
                ),
            ]
            found = [p for p in places if p.is_file() and sha(p) == item.digest]
            assert len(found) == 1, (item, [str(p) for p in places if p.exists()], self.kills)
        assert not list((self.root / ".recap" / "quarantine").glob("*")), self.log[-3000:]

    def assert_no_duplicate_draft(self) -> None:
        """At most one recap per recording (a draft that names its mp3)."""
        for client in PASSWORDS:
            sessions = self.root / "content" / client / "sessions"
            named = [
                m.group(1)
                for p in sessions.glob("*.md")
                for m in [re.search(r"recording: (\S+)", p.read_text("utf-8"))]
                if m
            ]
            assert len(named) == len(set(named)), (client, named)

    def assert_each_processed_once(self) -> None:
        """Every recording: one finished job, one draft, its mp3 and transcript, no leftovers."""
        jobs = self.jobs()
        assert sorted(j["status"] for j in jobs) == ["finished"] * len(self.dropped), jobs
        assert sorted(j["name"] for j in jobs) == sorted(d.name for d in self.dropped)
        for client in PASSWORDS:
            mine = [d for d in self.dropped if d.client == client]
            folder = self.root / "content" / client
            drafts = sorted(folder.glob("sessions/*.md"))
            assert len(drafts) == len(mine), (client, drafts)
            assert len(list(folder.glob("recordings/*.mp3"))) == len(mine)
            assert len(list(folder.glob("recordings/*.vtt"))) == len(mine)
            assert sorted(p.name for p in folder.glob("originals/*")) == sorted(
                d.name for d in mine
            )
            assert not list((self.root / "inbox" / client).iterdir())
        leftovers = [p for p in self.root.rglob(".*.tmp")] + list(self.root.rglob("*.tmp"))
        assert not leftovers, leftovers
        self.assert_nothing_lost()
        self.assert_no_duplicate_draft()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the worker, a build's pool), in MB."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", text, re.M)
        rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
        if rss and (status.parent.name == str(pid) or (ppid and ppid.group(1) == str(pid))):
            total += int(rss.group(1))
    return total / 1024


def rebuilds(log: str) -> list[str]:
    """The watcher's rebuild lines in `log` (which clients each rebuilt)."""
    return [line for line in log.splitlines() if ": rebuilt " in line]


def report(line: str) -> None:
    """A figure for `make soak`'s summary (RECAP_SOAK_REPORT names the file), and the output."""
    print(line)
    target = os.environ.get("RECAP_SOAK_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
