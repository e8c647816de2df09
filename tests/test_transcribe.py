"""Real transcription of real speech with the bundled offline model."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from generator.config import TranscriptionSettings
from generator.recordings.transcribe import (
    CUE_SECONDS,
    ModelError,
    Segment,
    Transcriber,
    Word,
    cues,
    read_segments_json,
    vtt_text,
    write_segments_json,
    write_vtt,
)

JFK = Path(__file__).parent / "fixtures" / "jfk.flac"
REFERENCE = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber(TranscriptionSettings())


@pytest.mark.slow
def test_the_bundled_model_transcribes_real_speech(transcriber: Transcriber) -> None:
    seen: list[tuple[float, float]] = []
    transcript = transcriber.transcribe(
        JFK, progress=lambda done, total: seen.append((done, total))
    )
    assert words(transcript.text) == words(REFERENCE)
    assert transcript.duration == pytest.approx(11.0, abs=0.05)
    assert transcript.language == "en"
    assert transcript.segments[0].start == pytest.approx(0.0, abs=0.5)
    assert all(s.start < s.end <= 11.01 for s in transcript.segments)
    assert seen[-1] == (transcript.duration, transcript.duration)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.slow
def test_vtt_and_json_are_written_next_to_each_other(tmp_path: Path, transcriber) -> None:
    transcript = transcriber.transcribe(JFK)
    write_vtt(tmp_path / "s.vtt", transcript.segments)
    write_segments_json(tmp_path / "s.json", transcript)
    vtt = (tmp_path / "s.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:")
    said = " ".join(line for line in vtt.splitlines()[1:] if "-->" not in line)
    assert words(re.sub(r"<v [^>]+>", "", said)) == words(REFERENCE)
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    # One voice: a single speaker, the coach (no enrolled voice says otherwise).
    assert set(data["segments"][0]) == {"start", "end", "text", "speaker"}
    assert {s.speaker for s in transcript.segments} == {"Coach"}
    assert vtt.count("<v Coach>") == len(transcript.segments)
    again = read_segments_json(tmp_path / "s.json")
    assert (again.segments, again.words) == (transcript.segments, transcript.words)
    assert words(" ".join(w.text for w in again.words)) == words(REFERENCE)


def test_vtt_cues_are_timestamped_and_safe() -> None:
    text = vtt_text([Segment(0.0, 3.5, "one --> two"), Segment(3725.25, 3727.0, "later")])
    assert text == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:03.500\none → two\n\n"
        "01:02:05.250 --> 01:02:07.000\nlater\n"
    )


def test_cues_carry_their_speaker_as_a_voice_span() -> None:
    text = vtt_text([Segment(0.0, 2.0, "a <b> & c", "Coach"), Segment(2.5, 4.0, "yes", "Client")])
    assert text == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Coach>a &lt;b&gt; &amp; c\n\n"
        "00:00:02.500 --> 00:00:04.000\n<v Client>yes\n"
    )


def spoken(text: str, start: float = 0.0, step: float = 0.5, speaker=None) -> list[Word]:
    return [
        Word(start + i * step, start + i * step + step * 0.8, w, speaker)
        for i, w in enumerate(text.split())
    ]


def test_cues_end_at_sentence_ends_and_speaker_changes() -> None:
    said = spoken("How was it? Good. I swam", speaker="Coach")
    said = [*said[:3], *(replace(w, speaker="Client") for w in said[3:])]
    assert [(c.text, c.speaker) for c in cues(said)] == [
        ("How was it?", "Coach"),
        ("Good.", "Client"),
        ("I swam", "Client"),
    ]


def test_a_long_sentence_is_cut_at_its_longest_pause() -> None:
    said = [
        *spoken("one two three four five six", 0.0, 1.5),
        *spoken("seven eight nine.", 12.0, 1.5),
    ]
    assert [c.text for c in cues(said)] == ["one two three four five six", "seven eight nine."]
    assert all(c.end - c.start <= CUE_SECONDS for c in cues(spoken("word " * 60, 0.0, 1.0)))


def test_a_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    settings = TranscriptionSettings(model=str(tmp_path / "no-model"))
    with pytest.raises(ModelError, match=r"has no model\.bin at .*no-model"):
        Transcriber(settings).load()


def test_an_unknown_model_gives_a_clear_error() -> None:
    # An invalid size fails before any download is tried: no test touches the network.
    with pytest.raises(ModelError, match=r"Invalid model size 'large-v3-not-cached'.*bundled"):
        Transcriber(TranscriptionSettings(model="large-v3-not-cached")).load()
