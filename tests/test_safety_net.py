"""The coach's safety net: no typo, leftover or date slip reaches a client unnoticed.

Each case is run through the CLI, as a coach would meet it, with its exact message.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

from generator.draft import write_draft
from generator.transcribe import Segment

SESSION = [
    Segment(0.0, 6.0, "I managed to walk every morning before work."),
    Segment(6.0, 12.0, "This week I'll call my sister about the move."),
]


def watcher_draft(project, slug: str = "ben-marsh", day: str = "2026-04-20"):
    """A real draft from the watcher's drafting code, with its recording and transcript."""
    folder = project.root / "content" / slug
    for suffix in (".mp3", ".vtt"):
        project.write(f"content/{slug}/recordings/{day}{suffix}", "x")
    return write_draft(
        folder,
        date=dt.date.fromisoformat(day),
        recording=f"recordings/{day}.mp3",
        transcript=f"recordings/{day}.vtt",
        duration=754.0,
        segments=SESSION,
        original_name="GMT20260420-150000.m4a",
    )


def test_a_published_draft_with_its_leftovers_is_refused_with_what_to_remove(project, cli):
    path = watcher_draft(project)
    text = path.read_text(encoding="utf-8").replace("status: draft", "status: published")
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    title = lines.index("title: Session of 20 April 2026 (draft)") + 1
    note = next(n for n, line in enumerate(lines, 1) if line.startswith("> **Drafted from"))
    placeholder = lines.index("_What the session was about, in a few sentences._") + 1
    section = lines.index("## Suggestions from the transcript") + 1
    result = cli("check")
    assert result.exit_code == 1
    where = "content/ben-marsh/sessions/2026-04-20-draft.md"
    assert result.output.splitlines() == [
        f"{where}:{title}: error: field 'title': published, but the title 'Session of 20 April "
        "2026 (draft)' still says it is a draft: give the session its own title",
        f'{where}:{note}: error: published, but the note "Drafted from the recording…" is for '
        "you, not the client: delete the lines starting with `>` at the top",
        f"{where}:{placeholder}: error: published, but the placeholder _What the session was "
        "about, in a few sentences._ is still there: replace it or delete it",
        f'{where}:{section}: error: published, but the section "Suggestions from the '
        'transcript" is for you, not the client: delete it, from its heading to the end of '
        "the file",
        "Error: 4 errors",
    ]


def test_a_draft_kept_as_draft_passes(project, cli):
    watcher_draft(project)
    result = cli("check")
    assert result.exit_code == 0, result.output


def test_unknown_fields_are_shown_by_build_too(project, cli):
    project.recap("ben-marsh", "2026-04-20", "date: 2026-04-20\ntitle: T\nmood: great")
    result = cli("build")
    assert result.exit_code == 0, result.output
    assert (
        "content/ben-marsh/sessions/2026-04-20.md:4: warning: field 'mood': unknown field, "
        "ignored (a typo? the fields are"
    ) in result.output


def test_watch_makes_an_inbox_per_client_shows_warnings_and_stops_cleanly_on_ctrl_c(project):
    project.recap("ben-marsh", "2026-04-20", "date: 2026-04-20\ntitle: T\nmood: great")
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "watch"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 120
        output = b""
        while b"unknown field" not in output and time.monotonic() < deadline:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            output += chunk
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    text = (output + rest).decode()
    assert proc.returncode == 0, text
    assert "field 'mood': unknown field, ignored" in text
    assert text.rstrip().endswith("stopped")
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert sorted(p.name for p in (project.root / "inbox").iterdir()) == ["ada-quill", "ben-marsh"]
