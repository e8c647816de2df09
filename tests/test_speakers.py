"""Who speaks when: scripted two-voice sessions (espeak-ng) through real Whisper tiny.en."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from generator.config import TranscriptionSettings
from generator.recordings.speakers import (
    VoiceError,
    VoiceProfile,
    describe,
    enroll,
    label,
    share_wrong,
    whole_sentences,
)
from generator.recordings.transcribe import Transcriber, Transcript, Word, vtt_text
from tests.sessions import SWEEP, SWEEP_TESTS, TEST_SESSIONS, Truth, session
from tests.speech import write_wav


def samples_of(path: Path) -> np.ndarray:
    from faster_whisper.audio import decode_audio

    return decode_audio(str(path))


def only(samples: np.ndarray, truth: Truth, speaker: str) -> np.ndarray:
    """The turns of one speaker, back to back: a recording of that voice alone."""
    return np.concatenate(
        [samples[int(a * 16000) : int(b * 16000)] for a, b, who in truth.turns if who == speaker]
    )


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber(TranscriptionSettings())


@pytest.fixture(scope="module")
def heard(transcriber: Transcriber) -> dict[str, tuple[Transcript, Truth, np.ndarray]]:
    out = {}
    for name in TEST_SESSIONS:
        path, truth = session(name)
        samples = samples_of(path)
        out[name] = (transcriber.transcribe(samples), truth, samples)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", TEST_SESSIONS)
def test_each_voice_is_named_with_under_a_tenth_of_speech_wrong(name: str, heard) -> None:
    transcript, truth, _ = heard[name]
    wrong, total = share_wrong(transcript.words, truth.turns)
    assert total > 0.5 * sum(b - a for a, b, _ in truth.turns)
    assert wrong / total < 0.10, f"{wrong / total:.1%} of the speech given to the wrong speaker"
    vtt = vtt_text(transcript.segments)
    assert vtt.count("<v Coach>") >= 5 and vtt.count("<v Client>") >= 5
    assert {s.speaker for s in transcript.segments} == {"Coach", "Client"}
    assert all(s.end - s.start <= 12.0 for s in transcript.segments)
    # A cue is one sentence: only its last word ends one.
    for cue in transcript.segments:
        assert not any(w.endswith((".", "?", "!")) for w in cue.text.split()[:-1]), cue.text


@pytest.mark.slow
@pytest.mark.parametrize("name", SWEEP_TESTS)
def test_voice_pairs_of_the_sweep_are_told_apart(name: str, transcriber: Transcriber) -> None:
    # Pairs that the seven sessions never had (bench/bench_speakers.py runs all of them):
    # noise at 15 dB, two women, one accent with two male variants.
    path, truth = session(name)
    samples = samples_of(path)
    transcript = transcriber.transcribe(samples)
    wrong, total = share_wrong(transcript.words, truth.turns)
    assert wrong / total < 0.10, f"{SWEEP[name].note}: {wrong / total:.1%} wrong"
    assert {w.speaker for w in transcript.words} == {"Coach", "Client"}


def test_pitch_is_found_for_a_womans_and_a_mans_voice() -> None:
    from generator.recordings.acoustics import pitch

    time = np.arange(16000 * 2) / 16000
    for hz in (110.0, 210.0):
        # a voiced sound: a fundamental and its harmonics, as a vowel has
        tone = sum(np.sin(2 * np.pi * hz * n * time) / n for n in range(1, 8))
        found = np.exp(np.nanmedian(pitch(tone.astype(np.float32))))
        assert abs(found - hz) / hz < 0.04, (hz, found)
    silence = pitch(np.random.default_rng(0).normal(0, 0.01, 16000).astype(np.float32))
    assert np.isnan(silence).mean() > 0.9


def test_a_sentence_is_one_speakers_unless_a_pause_allows_a_turn() -> None:
    words = [
        Word(0.0, 0.3, "I", "Client"),
        Word(0.3, 0.6, "will", "Client"),
        Word(0.6, 0.9, "cook", "Client"),
        Word(0.9, 1.2, "at", "Client"),
        Word(1.2, 1.5, "home.", "Coach"),  # no pause: a long piece cut here, not a turn
        Word(2.0, 2.3, "There", "Coach"),
        Word(2.3, 2.6, "is", "Coach"),
        Word(3.0, 3.3, "a", "Client"),  # a pause: a turn may change, even mid-sentence
        Word(3.3, 3.6, "guide.", "Client"),
    ]
    assert [w.speaker for w in whole_sentences(words)] == [
        *["Client"] * 5,
        *["Coach"] * 2,
        *["Client"] * 2,
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name", TEST_SESSIONS)
@pytest.mark.parametrize("speaker", ["Coach", "Client"])
def test_one_voice_alone_is_one_speaker(name: str, speaker: str, heard) -> None:
    # k-means splits a long stretch of one voice in two (its sound drifts); the speakers
    # whose frames one Gaussian explains nearly as well as two are merged back into one.
    transcript, truth, samples = heard[name]
    alone = label(samples, truth.alone(transcript.words, speaker))
    assert len(describe(alone)) == 1, describe(alone)


@pytest.mark.slow
def test_the_enrolled_voice_decides_who_is_the_coach(tmp_path: Path, transcriber, heard) -> None:
    _, truth, samples = heard["issue"]
    # Enroll the *client's* voice as if it were the coach's: the names must follow the profile,
    # not the questions-asked fallback (which gets this session right on its own).
    enroll(only(samples, truth, "Client"), "client.wav").save(tmp_path / ".recap")
    swapped = Transcriber(TranscriptionSettings(), project_dir=tmp_path).transcribe(samples)
    wrong, total = share_wrong(swapped.words, truth.turns)
    assert wrong / total > 0.9
    enroll(only(samples, truth, "Coach"), "coach.wav").save(tmp_path / ".recap")
    right = Transcriber(TranscriptionSettings(), project_dir=tmp_path).transcribe(samples)
    wrong, total = share_wrong(right.words, truth.turns)
    assert wrong / total < 0.10


def test_recap_voice_enroll_keeps_the_profile_in_the_state_folder(project, cli) -> None:
    path, truth = session("issue")
    voice = write_wav(project.root / "me.wav", only(samples_of(path), truth, "Coach"))
    result = cli("voice", "enroll", str(voice))
    assert result.exit_code == 0, result.output
    assert "s of speech from me.wav → .recap/voice/coach.json" in result.output
    profile = VoiceProfile.load(project.root / ".recap")
    assert profile is not None and profile.source == "me.wav" and profile.seconds > 15


def test_enrolling_too_little_speech_or_a_damaged_profile_is_a_clear_error(project, cli) -> None:
    short = write_wav(project.root / "short.wav", np.zeros(16000 * 5, dtype=np.float32))
    result = cli("voice", "enroll", str(short))
    assert result.exit_code == 1
    assert "short.wav: only 0 s of speech; record at least 20 seconds of your voice" in (
        result.output
    )
    (project.root / ".recap" / "voice").mkdir(parents=True)
    (project.root / ".recap" / "voice" / "coach.json").write_text("{not json", "utf-8")
    with pytest.raises(VoiceError, match=r"coach\.json: the coach's voice profile is damaged"):
        VoiceProfile.load(project.root / ".recap")
    # A damaged profile never holds a recording up: the transcriber goes on without it.
    transcriber = Transcriber(TranscriptionSettings(), project_dir=project.root)
    assert transcriber.voice_profile() is None
