"""Recordings in, voice mp3s out: the one module that talks to ffmpeg's libraries (PyAV).

PyAV's wheels carry ffmpeg's libraries, libmp3lame included, so no system ffmpeg is needed.
Every format ffmpeg reads works: Zoom's m4a and mp4, a phone's m4a, wav, flac, ogg, webm, mp3.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from generator.errors import RecapError

log = logging.getLogger(__name__)

# The sample rates an mp3 can have; a voice bitrate sounds best at a modest rate.
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)


class AudioError(RecapError):
    """A file that cannot be read as audio: corrupt, truncated, empty or not audio at all."""


def _open_input(src: Path):
    import av

    try:
        container = av.open(str(src), mode="r")
    except FileNotFoundError as exc:
        raise AudioError(f"{src.name}: no such file") from exc
    except PermissionError as exc:
        raise AudioError(f"{src.name}: cannot be read (permission denied)") from exc
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise AudioError(f"{src.name}: not a recording ffmpeg can read ({exc})") from exc
    if not container.streams.audio:
        container.close()
        raise AudioError(f"{src.name}: has no audio track")
    return container


def _mp3_rate(source_rate: int, bitrate_kbps: int) -> int:
    """24 kHz for a voice bitrate (≤ 64 kbit/s), else 44.1 kHz; never above the source."""
    wanted = 24_000 if bitrate_kbps <= 64 else 44_100
    fitting = [rate for rate in MP3_RATES if rate <= min(wanted, source_rate or wanted)]
    return fitting[-1] if fitting else MP3_RATES[0]


def convert_to_mp3(src: Path, dst: Path, *, bitrate_kbps: int) -> float:
    """Convert `src` to a mono mp3 at `dst` and return its duration in seconds.

    The mp3 is written to a temp file next to `dst` and renamed into place, so `dst` is
    either absent or complete. Raises `AudioError` for a file that is not readable audio;
    `src` is only ever read.
    """
    import av

    container = _open_input(src)
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    samples = 0
    try:
        with container:
            stream = container.streams.audio[0]
            rate = _mp3_rate(stream.codec_context.sample_rate or 0, bitrate_kbps)
            with av.open(str(tmp), mode="w", format="mp3") as out:
                # LAME's quality 7 encodes twice as fast as its default and a voice at
                # 48 kbit/s sounds the same; the bitrate, not this, sets the file size.
                encoder = out.add_stream(
                    "libmp3lame", rate=rate, layout="mono", options={"compression_level": "7"}
                )
                encoder.bit_rate = bitrate_kbps * 1000
                to_mp3 = av.AudioResampler(format="s16p", layout="mono", rate=rate)
                try:
                    for frame in container.decode(stream):
                        frame.pts = None
                        samples += _encode(out, encoder, to_mp3.resample(frame))
                    samples += _encode(out, encoder, to_mp3.resample(None))
                    for packet in encoder.encode(None):
                        out.mux(packet)
                except (av.FFmpegError, ValueError) as exc:
                    raise AudioError(f"{src.name}: the audio is damaged ({exc})") from exc
        if samples == 0:
            raise AudioError(f"{src.name}: has no sound in it (zero length)")
        _fsync(tmp)
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    seconds = samples / rate
    log.info("converted %s → %s (%.1f s, %d kbit/s)", src.name, dst.name, seconds, bitrate_kbps)
    return seconds


WHISPER_RATE = 16_000
"""Whisper reads 16 kHz mono; a voice mp3 at a modest bitrate loses nothing at that rate."""


def shares_whisper_audio(bitrate_kbps: int) -> bool:
    """Whether the mp3 can be encoded from the samples Whisper reads (decoded only once)."""
    return bitrate_kbps <= 48


def decode_voice(src: Path):
    """The recording as mono float32 samples at 16 kHz (a numpy array): what Whisper reads.

    Raises `AudioError` for a file that is not readable audio; `src` is only ever read.
    """
    import av
    import numpy as np

    container = _open_input(src)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=WHISPER_RATE)
    fifo = av.AudioFifo()  # resampling large groups of frames, not each small one, is ~2× faster
    chunks = []

    def resample(frame) -> None:
        chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))

    with container:
        stream = container.streams.audio[0]
        try:
            for frame in container.decode(stream):
                frame.pts = None
                fifo.write(frame)
                if fifo.samples >= 500_000:
                    resample(fifo.read())
            if fifo.samples:
                resample(fifo.read())
            resample(None)
        except (av.FFmpegError, ValueError) as exc:
            raise AudioError(f"{src.name}: the audio is damaged ({exc})") from exc
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    if samples.size == 0:
        raise AudioError(f"{src.name}: has no sound in it (zero length)")
    return samples


def encode_mp3(samples, dst: Path, *, bitrate_kbps: int, rate: int = WHISPER_RATE) -> float:
    """Encode mono float32 `samples` at `rate` as an mp3 at `dst` (atomically); return seconds."""
    import av
    import numpy as np

    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with av.open(str(tmp), mode="w", format="mp3") as out:
            encoder = out.add_stream(
                "libmp3lame", rate=rate, layout="mono", options={"compression_level": "7"}
            )
            encoder.bit_rate = bitrate_kbps * 1000
            step = 1152 * 64
            for start in range(0, len(samples), step):
                chunk = np.ascontiguousarray(samples[start : start + step], dtype=np.float32)
                frame = av.AudioFrame.from_ndarray(
                    chunk.reshape(1, -1), format="fltp", layout="mono"
                )
                frame.sample_rate = rate
                for packet in encoder.encode(frame):
                    out.mux(packet)
            for packet in encoder.encode(None):
                out.mux(packet)
        _fsync(tmp)
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(samples) / rate


def _encode(out, encoder, frames) -> int:
    count = 0
    for frame in frames:
        count += frame.samples
        for packet in encoder.encode(frame):
            out.mux(packet)
    return count


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def duration(path: Path) -> float:
    """The length of a recording in seconds; raises `AudioError` when it cannot be read.

    The container's own figure is used when it has one (an mp3 written here carries it in
    its header); otherwise the audio is decoded and its samples counted.
    """
    import av

    container = _open_input(path)
    with container:
        stream = container.streams.audio[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration is not None:
            return container.duration / av.time_base
        try:
            samples = sum(frame.samples for frame in container.decode(stream))
        except (av.FFmpegError, ValueError) as exc:
            raise AudioError(f"{path.name}: the audio is damaged ({exc})") from exc
        rate = stream.codec_context.sample_rate or 1
        return samples / rate
