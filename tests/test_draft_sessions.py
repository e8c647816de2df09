"""A scripted session (two espeak-ng voices) dropped in the inbox, through the real pipeline
(real audio, real Whisper tiny.en, real MkDocs build): the draft has who committed to what,
the coach's own promise only in `private:`, the discussion outlined with times; published, the
journal's transcript carries the speakers and nothing coach-only reaches the site."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator.build import build
from generator.content import load_client, split_front_matter
from generator.recordings import jobs
from generator.recordings.transcribe import Transcriber
from tests.coach import publish_draft
from tests.draft_score import Mention, kind_of, missed, missed_mentions, overlap, score
from tests.leakscan import assert_no_leaks
from tests.sessions import session

PRIVATE_ONLY = ["you promised it at", "add it under resources with its link", "your_promises"]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory):
    """The "issue" session through the pipeline, in a project of its own."""
    from tests.conftest import Project, write_fixture_content

    root = tmp_path_factory.mktemp("drafts") / "coach"
    project = Project(root)
    project.write("site_config.yml", "branding: {coach_name: Coach Testperson}\n")
    write_fixture_content(project)
    config = project.config()
    wav, truth = session("issue")
    inbox = config.inbox_dir / "ada-quill"
    inbox.mkdir(parents=True)
    source = shutil.copy(wav, inbox / "2026-11-20 session.wav")
    transcriber = Transcriber(config.transcription, project_dir=config.project_dir)
    job = jobs.run_job(config, jobs.open_job(config, Path(source)), transcriber)
    folder = config.project_dir / "content" / "ada-quill"
    path = folder / job.done["draft"]["path"]
    return project, config, folder, path, truth


def front_matter(path: Path) -> dict:
    return yaml.safe_load(split_front_matter(path.read_text(encoding="utf-8"))[0])


@pytest.mark.slow
def test_the_draft_has_who_committed_to_what(drafted) -> None:
    _, _, folder, path, truth = drafted
    load = load_client(folder)
    assert [p for p in load.problems if p.severity == "error"] == []
    front = front_matter(path)
    recap = next(r for r in load.client.recaps if r.path == path)
    new = [c.text for c in recap.commitments][-5:]
    wanted = truth.items["commitments"]
    assert missed(wanted, new) == [], new
    # The coach's "I'll send you the chapter on storytelling" is theirs, never the client's.
    promise = truth.items["coach_promises"][0]["text"]
    assert all(overlap(promise, c) < 0.5 for c in new), new
    assert any(overlap(promise, p) >= 0.5 for p in front["private"]["your_promises"])
    assert any("storytelling" in s for s in front["private"]["to_send"])
    # Two successes, two items.
    found, stray = score(truth.items["successes"], recap.successes)
    assert (found.found, found.truth, stray) == (2, 2, [])
    assert missed(truth.items["next_steps"], recap.next_steps) == []
    # The book named aloud is there; "What we discussed" is outlined with times.
    mentioned = [
        Mention(text, int(m) * 60 + int(s), kind_of(text))
        for m, s, text in re.findall(
            r"(?m)^- \*\*(\d+):(\d\d)\*\* (.+)$", recap.body.split("## Resources mentioned")[1]
        )
    ]
    assert missed_mentions(truth.items["resources"], mentioned) == [], mentioned
    outline = recap.body.split("## What we discussed", 1)[1].split("##")[0]
    assert len(re.findall(r"^- \*\*\d:\d\d\*\* \w", outline, re.M)) >= 1


@pytest.mark.slow
def test_the_transcript_names_the_speakers(drafted) -> None:
    _, _, folder, path, _ = drafted
    vtt = (folder / front_matter(path)["transcript"]).read_text(encoding="utf-8")
    assert vtt.count("<v Coach>") >= 5 and vtt.count("<v Client>") >= 5


@pytest.mark.slow
def test_published_nothing_coach_only_reaches_the_site(drafted) -> None:
    _, config, _, path, _ = drafted
    text = publish_draft(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    result = build(config, only=["ada-quill"], protect=False)
    assert not result.failed, result.failed
    preview = config.state.preview_dir / "ada-quill"
    # The journal's transcript (its captions file) carries who speaks.
    tracks = [p for p in preview.rglob("*.vtt") if "<v Coach>" in p.read_text("utf-8")]
    assert tracks and "<v Client>" in tracks[0].read_text("utf-8")
    assert_no_leaks(preview, PRIVATE_ONLY)
    # The preview is the journal before encryption: what the client could ever read.
    # Without the transcript on the page, the coach's promise is nowhere in the journal: it
    # lives in `private:` alone.
    path.write_text(re.sub(r"(?m)^transcript: .*\n", "", text), encoding="utf-8")
    result = build(config, only=["ada-quill"], protect=False)
    assert not result.failed, result.failed
    assert_no_leaks(preview, [*PRIVATE_ONLY, "chapter on storytelling"])
