"""The coach's safety net: no typo, leftover or date slip reaches a client unnoticed.

Each case is run through the CLI, as a coach would meet it, with its exact message.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from generator.config import builtin_themes_dir
from generator.content import load_client
from generator.dates import DateError, parse_date
from generator.recordings.audio import encode_mp3
from generator.recordings.draft import write_draft
from generator.recordings.transcribe import Segment
from generator.render import render_client

SESSION = [
    Segment(0.0, 6.0, "I managed to walk every morning before work."),
    Segment(6.0, 12.0, "This week I'll call my sister about the move."),
]


def watcher_draft(project, slug: str = "ben-marsh", day: str = "2026-04-20"):
    """A real draft from the watcher's drafting code, with its recording and transcript."""
    folder = project.root / "content" / slug
    encode_mp3(np.zeros(16000, dtype=np.float32), folder / f"recordings/{day}.mp3", bitrate_kbps=48)
    project.write(f"content/{slug}/recordings/{day}.vtt", "WEBVTT\n")
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
    result = cli("check")
    assert result.exit_code == 1
    where = "content/ben-marsh/sessions/2026-04-20-draft.md"
    assert result.output.splitlines() == [
        f"{where}: warning: published, but the file name ends in '-draft', which the page's "
        "address shows: rename it (for example to 2026-04-20.md)",
        f"{where}:{title}: error: field 'title': published, but the title 'Session of 20 April "
        "2026 (draft)' still says it is a draft: give the session its own title",
        f'{where}:{note}: error: published, but the note "Drafted from the recording…" is for '
        "you, not the client: delete the lines starting with `>` at the top",
        "Error: 2 errors, 1 warning",
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
        # A client added while watching gets its inbox with the rebuild that follows.
        project.write("content/cleo-park/client.yml", "name: Cleo Park\n")
        while not (project.root / "inbox/cleo-park").is_dir() and time.monotonic() < deadline:
            time.sleep(0.2)
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
    inboxes = sorted(p.name for p in (project.root / "inbox").iterdir())
    assert inboxes == ["ada-quill", "ben-marsh", "cleo-park"]


JFK = Path(__file__).parent / "fixtures" / "jfk.flac"


@pytest.mark.slow
def test_a_recording_for_a_day_with_a_recap_is_attached_to_it(project, cli, tmp_path):
    assert cli("new", "ben-marsh", "--date", "2026-04-20").exit_code == 0
    recap = project.root / "content/ben-marsh/sessions/2026-04-20-session.md"
    written = recap.read_text(encoding="utf-8").replace(
        "title: Session 2", "title: Trust and pace  # the coach's own title"
    )
    recap.write_text(written + "\nThe coach's own words.\n", encoding="utf-8")
    original = tmp_path / "zoom_0.flac"
    shutil.copy(JFK, original)

    result = cli("transcribe", str(original), "--client", "ben-marsh", "--date", "2026-04-20")

    assert result.exit_code == 0, result.output
    folder = project.root / "content" / "ben-marsh"
    assert "✓ attached to your recap content/ben-marsh/sessions/2026-04-20-session.md" in (
        result.output
    )
    assert (
        "  what the transcript suggests: "
        "content/ben-marsh/sessions/2026-04-20-session.suggestions.md"
    ) in result.output
    assert f"  {original} is where it was; a copy is in {folder}/originals/zoom_0.flac" in (
        result.output
    )
    assert original.read_bytes() == JFK.read_bytes()  # the coach's file stays
    assert sorted(p.name for p in (folder / "sessions").iterdir()) == [
        "2026-04-01.md",
        "2026-04-20-session.md",
        "2026-04-20-session.suggestions.md",
    ]
    after = recap.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in written.splitlines()]
    assert added[:2] == [
        "recording: recordings/2026-04-20.mp3",
        "transcript: recordings/2026-04-20.vtt",
    ]
    assert re.fullmatch(r"duration: \d+\.\d", added[2]) and float(added[2][10:]) > 10
    assert after.startswith(written.split("\n---\n")[0])  # the coach's fields untouched
    assert after.endswith("\nThe coach's own words.\n")
    suggestions = (folder / "sessions/2026-04-20-session.suggestions.md").read_text("utf-8")
    assert suggestions.startswith("# Suggestions from the recording of 20 April 2026\n")
    assert "\n## Commitments heard\n" in suggestions
    assert cli("check").exit_code == 0


def test_two_recaps_on_one_date_are_flagged(project, cli):
    project.recap("ben-marsh", "2026-04-01-again", "date: 2026-04-01\ntitle: Another")
    result = cli("check")
    assert result.exit_code == 0
    assert (
        "content/ben-marsh/sessions/2026-04-01.md: warning: field 'date': 2 recaps dated "
        "2026-04-01 (2026-04-01-again.md, 2026-04-01.md): if they are one session, merge them "
        "into one file and delete the other; two sessions on one day can stay"
    ) in result.output


def test_started_defaults_to_the_first_session(project, cli):
    assert cli("client", "add", "cleo-park", "--name", "Cleo Park").exit_code == 0
    client_yml = (project.root / "content/cleo-park/client.yml").read_text(encoding="utf-8")
    assert "\nstarted:" not in client_yml
    project.recap("cleo-park", "2026-11-04", "date: 2026-11-04\ntitle: First")
    project.recap("cleo-park", "2026-11-18", "date: 2026-11-18\ntitle: Second")
    load = load_client(project.root / "content" / "cleo-park")
    docs = project.root / "docs"
    render_client(load.client, builtin_themes_dir() / "default", docs)
    index = (docs / "index.md").read_text(encoding="utf-8")
    assert 'data-start="2026-11-04">' in index
    assert "since 4 November 2026" in index


def test_a_new_recap_can_be_filled_in_and_published_as_a_coach_would(project, cli):
    assert cli("new", "ben-marsh", "--date", "2026-04-20").exit_code == 0
    path = project.root / "content/ben-marsh/sessions/2026-04-20-session.md"
    text = path.read_text(encoding="utf-8")
    # Items typed on the lines below the fields, as the comments say.
    for field, item in [
        ("successes:", "  - Ran 5 km on Tuesday"),
        ("commitments:", "  - Call Dana: about the move"),
        ("next_steps:", "  - Review the running log"),
    ]:
        line = next(line for line in text.splitlines() if line.startswith(field))
        text = text.replace(line, f"{line}\n{item}")
    text = text.replace("  Notes for next time:", "  Notes for next time: ask about PRIVATE-NOTE")
    text = text.replace("status: draft", "status: Published")
    path.write_text(text, encoding="utf-8")

    result = cli("check")

    where = "content/ben-marsh/sessions/2026-04-20-session.md"
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{where}:9: error: field 'commitments[0]': text containing `: ` needs quotes: "
        '`- "Call Dana: about the move"`',
        f"{where}:17: error: published, but the placeholder _What you talked about: the "
        "client's words, the turning points._ is still there: replace it or delete it",
        f"{where}:21: error: published, but the placeholder _What the client realised or "
        "decided._ is still there: replace it or delete it",
        "Error: 3 errors",
    ]
    text = text.replace("- Call Dana: about the move", '- "Call Dana: about the move"')
    text = text.replace("_What you talked about: the client's words, the turning points._", "Hi.")
    path.write_text(text.replace("_What the client realised or decided._", "Pace."), "utf-8")
    assert cli("check").output == "All content is valid.\n"
    [recap] = [r for r in load_client(path.parents[1]).client.recaps if r.path == path]
    assert recap.published and recap.successes == ["Ran 5 km on Tuesday"]
    assert recap.commitments[0].text == "Call Dana: about the move"
    assert "PRIVATE-NOTE" not in repr(recap)  # private: is never loaded, so never published


def test_the_readme_shows_what_recap_new_writes(project, cli):
    project.write("content/jane-doe/client.yml", "name: Jane Doe\n")
    project.recap(
        "jane-doe",
        "2026-11-02",
        "date: 2026-11-02\ntitle: One\ncommitments:\n"
        "  - {text: 'Screens off by 22:30', due: 2026-11-09}",
    )
    for day in ("09", "16"):
        project.recap("jane-doe", f"2026-11-{day}", f"date: 2026-11-{day}\ntitle: T{day}")
    assert cli("new", "jane-doe", "--date", "2026-11-20").exit_code == 0
    written = (project.root / "content/jane-doe/sessions/2026-11-20-session.md").read_text("utf-8")
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("What `recap new jane-doe` writes")[1].split("```markdown\n")[1]
    assert shown.split("```")[0] == written


def test_client_list_and_remove_archive_without_deleting(project, cli):
    assert cli("build").exit_code == 0
    state = project.config().state
    site_id = state.site_id("ben-marsh")
    listed = cli("client", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        "ada-quill (Ada Quillfeather): 2 sessions, last 2026-03-16; 1 draft; passwords: "
        "RECAP_PASSWORD_ADA_QUILL (overrides the others)",
        "ben-marsh (Ben Marsh): 1 session, last 2026-04-01; passwords: "
        "RECAP_PASSWORD_BEN_MARSH (overrides the others)",
    ]

    result = cli("client", "remove", "ben-marsh")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "archived ben-marsh: nothing was deleted",
        "  recaps and recordings: content/_archived/ben-marsh/",
        "  journal keys: .recap/_archived/ben-marsh/keys/",
        "  built journal: .recap/_archived/ben-marsh/site/",
        "The next `recap publish` takes ben-marsh's journal offline. To bring ben-marsh back, "
        "move content/_archived/ben-marsh/ back to content/ben-marsh/ and "
        ".recap/_archived/ben-marsh/keys/ to .recap/clients/ben-marsh/.",
    ]
    archive = project.root / "content/_archived/ben-marsh"
    assert (archive / "sessions/2026-04-01.md").read_text().startswith("---\ndate: 2026-04-01")
    keys = project.root / ".recap/_archived/ben-marsh/keys"
    assert (keys / "site-id").read_text().strip() == site_id
    assert not (project.root / "site" / site_id).exists()
    assert cli("client", "list").output.splitlines()[1:] == [
        "Archived (content/_archived/): ben-marsh"
    ]
    assert cli("check").exit_code == 0 and cli("build").exit_code == 0
    assert cli("client", "remove", "ben-marsh").output == (
        "Error: no client 'ben-marsh' (no content/ben-marsh/client.yml)\n"
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-11-25", dt.date(2026, 11, 25)),
        ("2026/11/25", dt.date(2026, 11, 25)),
        ("25/11/2026", dt.date(2026, 11, 25)),
        ("11/25/2026", dt.date(2026, 11, 25)),
        ("25.11.2026", dt.date(2026, 11, 25)),
        ("5/5/2026", dt.date(2026, 5, 5)),
        ("25 November 2026", dt.date(2026, 11, 25)),
        ("25 nov 2026", dt.date(2026, 11, 25)),
        ("November 25, 2026", dt.date(2026, 11, 25)),
        ("Nov 25th", dt.date(2026, 11, 25)),  # this year, on the command line
        ("today", dt.date(2026, 11, 30)),
        ("yesterday", dt.date(2026, 11, 29)),
    ],
)
def test_dates_as_a_coach_types_them(typed, expected):
    assert parse_date(typed, today=dt.date(2026, 11, 30)) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("03/04/2026", "'03/04/2026' could be 3 April 2026 or 4 March 2026: write 2026-04-03 "
         "or 2026-03-04"),
        ("31/02/2026", "'31/02/2026' is not a day of the calendar (day is out of range for "
         "month)"),
        ("next tuesday", "'next tuesday' is not a date: write it like 2026-11-25 or 25 "
         "November 2026"),
    ],
)  # fmt: skip
def test_a_date_that_is_not_one_day_is_refused_with_an_example(typed, message):
    with pytest.raises(DateError) as caught:
        parse_date(typed, today=dt.date(2026, 11, 30))
    assert str(caught.value) == message


def test_dates_on_the_command_line_and_in_recaps(project, cli):
    assert cli("new", "ben-marsh", "--date", "25/11/2026").exit_code == 0
    assert (project.root / "content/ben-marsh/sessions/2026-11-25-session.md").is_file()
    refused = cli("new", "ben-marsh", "--date", "03/04/2026")
    assert refused.exit_code == 2
    assert refused.output.splitlines()[-1] == (
        "Error: Invalid value for '--date': '03/04/2026' could be 3 April 2026 or 4 March "
        "2026: write 2026-04-03 or 2026-03-04"
    )
    project.recap("ben-marsh", "2026-04-20", "date: 20 April 2026\ntitle: T\nstatus: PUBLISHED")
    project.recap("ben-marsh", "2026-04-27", "date: 04/05/2026\ntitle: T")
    result = cli("check")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "content/ben-marsh/sessions/2026-04-27.md:2: error: field 'date': expected a date like "
        "2026-11-02, found text ('04/05/2026'), which could be 4 May 2026 or 5 April 2026: "
        "write 2026-05-04 or 2026-04-05",
        "Error: 1 error",
    ]


def test_a_mistake_in_site_config_is_a_message_for_every_command(project, cli):
    project.write("site_config.yml", "branding:\n  coach_name: A\nbranding:\n  coach_name: B\n")
    for command in (["build"], ["email", "ada-quill"], ["client", "list"], ["new", "ada-quill"]):
        result = cli(*command)
        assert result.exit_code == 1, command
        assert result.output == (
            "site_config.yml:3: error: field 'branding': appears twice (first on line 1): keep "
            "one\nError: 1 problem found\n"
        )


def test_a_published_recap_dated_after_today_is_flagged(project, cli):
    later = dt.date.today() + dt.timedelta(days=365)
    project.recap("ben-marsh", later.isoformat(), f"date: {later}\ntitle: Slipped")
    result = cli("check")
    assert result.exit_code == 0
    assert (
        f"content/ben-marsh/sessions/{later}.md: warning: field 'date': published, but dated "
        f"{later}, which is after today ({dt.date.today()}): a slip of the year or month?"
    ) in result.output


def test_started_after_the_first_session_is_flagged(project, cli):
    # What `recap client add` used to write: the day the client was added.
    project.write("content/ben-marsh/client.yml", "name: Ben Marsh\nstarted: 2026-11-25\n")
    result = cli("check")
    assert result.exit_code == 0
    assert (
        "content/ben-marsh/client.yml: warning: field 'started': started (2026-11-25) is after "
        "the first session (2026-04-01), so the journal would count from the wrong day: remove "
        "`started:` to count from the first session, or correct it"
    ) in result.output
