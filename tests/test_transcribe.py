"""Real transcription of real speech with the bundled offline model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.config import TranscriptionSettings
from generator.transcribe import (
    ModelError,
    Segment,
    Transcriber,
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
    assert words(" ".join(line for line in vtt.splitlines()[1:] if "-->" not in line)) == words(
        REFERENCE
    )
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert set(data["segments"][0]) == {"start", "end", "text"}
    assert read_segments_json(tmp_path / "s.json").segments == transcript.segments


def test_vtt_cues_are_timestamped_and_safe() -> None:
    text = vtt_text([Segment(0.0, 3.5, "one --> two"), Segment(3725.25, 3727.0, "later")])
    assert text == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:03.500\none → two\n\n"
        "01:02:05.250 --> 01:02:07.000\nlater\n"
    )


def test_a_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    settings = TranscriptionSettings(model=str(tmp_path / "no-model"))
    with pytest.raises(ModelError, match=r"has no model\.bin at .*no-model"):
        Transcriber(settings).load()


def test_an_unknown_model_gives_a_clear_error() -> None:
    # An invalid size fails before any download is tried: no test touches the network.
    with pytest.raises(ModelError, match=r"Invalid model size 'large-v3-not-cached'.*bundled"):
        Transcriber(TranscriptionSettings(model="large-v3-not-cached")).load()
