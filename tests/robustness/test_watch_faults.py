"""The watcher killed with SIGKILL at random points of its jobs, again and again.

Every recording ends processed exactly once (one finished job, one draft, its mp3 and
transcript), no original is ever lost, no draft is written twice. `make test` runs a few
kills; `make soak` runs RECAP_SOAK_KILLS of them (50 by default there). RECAP_SOAK_SEED
replays a run.
"""

from __future__ import annotations

import os
import random
import time

import pytest

from tests.robustness.faults import (
    PASSWORDS,
    KillSoak,
    make_project,
    rebuilds,
    recordings,
    report,
    rss_mb,
)

pytestmark = pytest.mark.slow


def test_the_watcher_killed_at_random_points_loses_nothing(tmp_path):
    kills = int(os.environ.get("RECAP_SOAK_KILLS", "4"))
    seed = int(os.environ.get("RECAP_SOAK_SEED", random.randrange(1_000_000)))
    print(f"RECAP_SOAK_SEED={seed} RECAP_SOAK_KILLS={kills}")
    soak = KillSoak(make_project(tmp_path / "coach"), seed)
    sources = iter(recordings(2 + kills // 2, tmp_path / "sources"))
    soak.drop([next(sources), next(sources)])
    where = []
    for _ in range(kills):
        if soak.finished():  # more work for the next kills
            soak.drop([s for s in [next(sources, None)] if s])
        where.append(soak.run_until_killed())
        soak.assert_nothing_lost()
        soak.assert_no_duplicate_draft()
    soak.run_to_the_end()
    soak.assert_each_processed_once()
    report(
        f"watcher: {soak.kills} kills ({', '.join(sorted(set(where)))}); "
        f"{len(soak.dropped)} recordings processed exactly once; 0 originals lost"
    )


class NotToBeRun:
    """A transcriber that must not be reached (or stops the job where the test says)."""

    def transcribe(self, *args, **kwargs):
        raise RuntimeError("the transcriber was reached")


def test_only_worker_crashes_count_against_a_recording(tmp_path):
    import queue

    from generator.config import load_config
    from generator.recordings import jobs
    from generator.recordings.worker import run_task

    root = make_project(tmp_path / "coach")
    config = load_config(root / "site_config.yml")
    [source] = recordings(1, tmp_path / "sources")
    dropped = root / "inbox" / "jane-doe" / "2026-01-01 session.wav"
    dropped.write_bytes(source.read_bytes())
    job = jobs.open_job(config, dropped)
    job.runner, job.crashes = "watcher-1", 2
    jobs.save_job(config, job)
    # A restarted watcher (another run) resumes the job: the kill was not the recording's fault.
    with pytest.raises(RuntimeError, match="transcriber was reached"):
        run_task(config, NotToBeRun(), "job", job.id, queue.Queue(), "watcher-2")
    assert (jobs.load_job(config, job.id).crashes, jobs.load_job(config, job.id).runner) == (
        2,
        "watcher-2",
    )
    # The same run's worker died on it (a third time): a poison file, quarantined with a note.
    outcome = run_task(config, NotToBeRun(), "job", job.id, queue.Queue(), "watcher-2")
    assert outcome[3] == "quarantined"
    assert "the transcription worker stopped 3 times on it" in outcome[4]
    [note] = (root / ".recap" / "quarantine").glob("*.why.txt")
    assert "stopped 3 times" in note.read_text("utf-8")
    assert not dropped.exists()


def test_a_batch_of_recordings_is_processed_with_one_rebuild_per_client(tmp_path):
    count = int(os.environ.get("RECAP_SOAK_BATCH", "6"))
    soak = KillSoak(make_project(tmp_path / "coach"), seed=0)
    sources = recordings(count, tmp_path / "sources")
    soak.start()
    wait(lambda: rebuilds(soak.log), "the first build")
    mark = len(soak.log)
    soak.drop(sources)  # all at once
    memory: list[tuple[int, float]] = []
    deadline = time.monotonic() + 120 + 20 * count
    while not soak.finished():
        assert time.monotonic() < deadline, soak.log[-3000:]
        done = sum(j["status"] == "finished" for j in soak.jobs())
        memory.append((done, rss_mb(soak.proc.pid)))
        time.sleep(0.5)
    # And once all are done (on a fast machine the batch can finish between two samples).
    memory.append((count, rss_mb(soak.proc.pid)))
    wait(lambda: {c for line in rebuilds(soak.log[mark:]) for c in PASSWORDS if c in line}
         == set(PASSWORDS), "the batch's rebuild")  # fmt: skip
    soak.stop()
    soak.assert_each_processed_once()
    after = rebuilds(soak.log[mark:])
    for client in PASSWORDS:
        assert sum(client in line for line in after) == 1, after
    # Memory: what the watcher and its worker hold once a quarter of the jobs are done,
    # against the most they hold until the end (a leak per recording would show here).
    settled = [rss for done, rss in memory if done >= count // 4]
    report(
        f"batch: {count} recordings at once, one rebuild per client; watcher and worker "
        f"memory {settled[0]:.0f} MB → at most {max(settled):.0f} MB"
    )
    assert max(settled) - settled[0] < 150


def wait(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_recap_edited_while_the_watcher_rebuilds_ends_in_the_site(tmp_path):
    from generator.protection.keys import load_secrets
    from generator.protection.protect import read_protected
    from generator.state import State

    seed = int(os.environ.get("RECAP_SOAK_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    print(f"RECAP_SOAK_SEED={seed}")
    soak = KillSoak(make_project(tmp_path / "coach"), seed)
    recap = soak.root / "content" / "jane-doe" / "sessions" / "2026-03-02.md"
    recap.write_text("---\ndate: 2026-03-02\ntitle: Kickoff\n---\n\nEDIT-0\n", "utf-8")
    edits = int(os.environ.get("RECAP_SOAK_EDITS", "8"))
    soak.start()
    try:
        wait(lambda: rebuilds(soak.log), "the first build")
        for number in range(1, edits + 1):  # saves landing before, during and after rebuilds
            time.sleep(rng.uniform(0.0, 1.5))
            recap.write_text(
                f"---\ndate: 2026-03-02\ntitle: Kickoff\n---\n\nEDIT-{number}\n", "utf-8"
            )
        state = State(soak.root / ".recap")
        secrets = load_secrets(
            state, "jane-doe", {"RECAP_PASSWORD_JANE_DOE": PASSWORDS["jane-doe"]}
        )
        site = soak.root / "site" / state.site_id("jane-doe")

        def shows_last() -> bool:
            try:
                page = read_protected(site, "index.html", secrets).decode()
            except Exception:  # between two swaps: look again
                return False
            return f"EDIT-{edits}" in page  # the timeline shows the recap's first sentence

        wait(shows_last, "the last edit in the site", timeout=90)
    finally:
        soak.stop()
    assert "Traceback" not in soak.log
