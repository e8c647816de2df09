"""Real speech for the recordings tests and benchmarks: the JFK clip, alone or repeated."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

JFK = Path(__file__).parent / "fixtures" / "jfk.flac"
"""11 s of the 1961 inaugural address (public domain), as in faster-whisper's own tests."""
REFERENCE = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


def long_speech(path: Path, repeats: int = 4) -> Path:
    """The JFK clip `repeats` times with a second of silence after each, as a 16 kHz wav."""
    from faster_whisper.audio import decode_audio

    speech = decode_audio(str(JFK))
    pause = np.zeros(16000, dtype=np.float32)
    return write_wav(path, np.concatenate([np.concatenate([speech, pause])] * repeats))


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    """Float samples in [-1, 1] as a 16-bit mono wav."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path
