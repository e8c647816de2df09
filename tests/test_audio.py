"""mp3 conversion with PyAV: every inbox format in, a mono voice mp3 out, errors named."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from generator.recordings.audio import AudioError, convert_to_mp3, duration

JFK = Path(__file__).parent / "fixtures" / "jfk.flac"


def encode(path: Path, fmt: str, codec: str, rate: int = 44100, seconds: float = 2.0) -> Path:
    """A stereo tone in the given container and codec, made with PyAV for the test."""
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout="stereo")
        frame_size = stream.codec_context.frame_size or 1024
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="stereo",
                                      rate=rate)  # fmt: skip
        for start in range(0, len(tone), frame_size):
            chunk = np.vstack([tone[start : start + frame_size]] * 2)
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp",
                                               layout="stereo")  # fmt: skip
            frame.sample_rate = rate
            frame.pts = None
            for resampled in resampler.resample(frame):
                for packet in stream.encode(resampled):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def probe(path: Path) -> tuple[int, int, str]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        return stream.codec_context.channels, stream.codec_context.sample_rate, stream.codec.name


def test_flac_speech_becomes_a_mono_voice_mp3(tmp_path: Path) -> None:
    dst = tmp_path / "recordings" / "2026-11-02.mp3"
    seconds = convert_to_mp3(JFK, dst, bitrate_kbps=48)
    assert seconds == pytest.approx(11.0, abs=0.05)
    assert duration(dst) == pytest.approx(11.0, abs=0.1)
    assert probe(dst)[:2] == (1, 24000)
    assert probe(dst)[2].startswith("mp3")
    # 48 kbit/s: 11 s is about 66 kB, an hour about 21 MB.
    assert 55_000 < dst.stat().st_size < 75_000
    assert sorted(p.name for p in dst.parent.iterdir()) == ["2026-11-02.mp3"]


@pytest.mark.parametrize(
    ("suffix", "fmt", "codec"),
    [
        ("m4a", "ipod", "aac"),
        ("mp4", "mp4", "aac"),
        ("wav", "wav", "pcm_s16le"),
        ("flac", "flac", "flac"),
        ("ogg", "ogg", "libopus"),
        ("webm", "webm", "libopus"),
        ("mp3", "mp3", "libmp3lame"),
    ],
)
def test_every_inbox_format_converts(tmp_path: Path, suffix: str, fmt: str, codec: str) -> None:
    rate = 48000 if "opus" in codec else 44100
    src = encode(tmp_path / f"in.{suffix}", fmt, codec, rate=rate)
    dst = tmp_path / "out.mp3"
    seconds = convert_to_mp3(src, dst, bitrate_kbps=48)
    assert seconds == pytest.approx(2.0, abs=0.1)
    channels, sample_rate, _ = probe(dst)
    assert (channels, sample_rate) == (1, 24000)


def test_a_higher_bitrate_keeps_more_of_the_sound(tmp_path: Path) -> None:
    convert_to_mp3(JFK, tmp_path / "hi.mp3", bitrate_kbps=128)
    assert probe(tmp_path / "hi.mp3")[1] == 44100


@pytest.mark.parametrize(
    "payload",
    [b"", b"this is a text file, not a recording\n" * 50, JFK.read_bytes()[:4000]],
    ids=["empty", "text", "truncated"],
)
def test_a_file_that_is_not_audio_raises_audio_error(tmp_path: Path, payload: bytes) -> None:
    src = tmp_path / "session.m4a"
    src.write_bytes(payload)
    dst = tmp_path / "out" / "session.mp3"
    with pytest.raises(AudioError, match=r"^session\.m4a: "):
        convert_to_mp3(src, dst, bitrate_kbps=48)
    assert not dst.exists()
    assert not any(dst.parent.glob("*")) if dst.parent.exists() else True
    assert src.read_bytes() == payload  # the original is never touched


def test_a_missing_file_raises_audio_error(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file"):
        duration(tmp_path / "nope.mp3")
