"""What the speaker separation hears of a recording, per 20 ms frame: MFCCs (log-mel cepstra,
the shape of a voice's spectrum) and pitch (F0). numpy only, no model."""

from __future__ import annotations

import numpy as np

RATE = 16000
FRAME, HOP, FFT = 400, 320, 512
MELS, CEPSTRA = 40, 20
LOWEST_F0, HIGHEST_F0 = 70.0, 400.0
VOICED = 0.5
"""The least normalised autocorrelation at the pitch period for a frame to count as voiced."""


def mel_filters() -> np.ndarray:
    """A (MELS, FFT/2+1) triangular mel filter bank from 60 Hz to 7.6 kHz."""

    def mel(hz: np.ndarray) -> np.ndarray:
        return 2595 * np.log10(1 + hz / 700)

    edges = 700 * (
        10 ** (np.linspace(mel(np.array(60.0)), mel(np.array(7600.0)), MELS + 2) / 2595) - 1
    )
    bins = np.fft.rfftfreq(FFT, 1 / RATE)
    bank = np.zeros((MELS, bins.size))
    for i in range(MELS):
        low, mid, high = edges[i], edges[i + 1], edges[i + 2]
        bank[i] = np.clip(
            np.minimum((bins - low) / (mid - low), (high - bins) / (high - mid)), 0, None
        )
    return bank


def frame_features(
    samples: np.ndarray, keep: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per 20 ms frame: MFCCs 1..19 (log-mel cepstra without the loudness term) and log
    energy; only the frames `keep` marks (True) are computed, the others left at zero."""
    samples = np.asarray(samples, dtype=np.float32)
    if samples.size < FRAME:
        samples = np.pad(samples, (0, FRAME - samples.size))
    count = 1 + (samples.size - FRAME) // HOP
    cepstra = np.zeros((count, CEPSTRA - 1), dtype=np.float32)
    energy = np.zeros(count, dtype=np.float32)
    chosen = np.arange(count) if keep is None else np.flatnonzero(keep[:count])
    bank, window = mel_filters().T.astype(np.float32), np.hamming(FRAME).astype(np.float32)
    n = np.arange(MELS)
    dct = np.cos(np.pi / MELS * (n[None, :] + 0.5) * np.arange(CEPSTRA)[:, None]).T
    dct = dct.astype(np.float32)
    step = 20000  # frames at a time: an hour of audio never needs its whole spectrogram at once
    for a in range(0, chosen.size, step):
        frames = chosen[a : a + step]
        index = np.arange(FRAME)[None, :] + HOP * frames[:, None]
        bins = np.fft.rfft(samples[index] * window, FFT)
        spectrum = bins.real**2 + bins.imag**2
        cepstra[frames] = (np.log(spectrum @ bank + np.float32(1e-8)) @ dct)[:, 1:]
        energy[frames] = np.log(spectrum.sum(axis=1) + np.float32(1e-8))
    return cepstra, energy


def pitch(samples: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """Per 20 ms frame (as `frame_features`): log F0 in Hz of a 32 ms window, by the
    normalised autocorrelation of the signal at 8 kHz; NaN where unvoiced or not in `keep`.
    Of the periods within 90% of the best peak the shortest is taken (no octave drop)."""
    samples = np.asarray(samples, dtype=np.float32)
    count = 1 + max(samples.size - FRAME, 0) // HOP
    out = np.full(count, np.nan, dtype=np.float32)
    half = samples[: samples.size // 2 * 2]
    low = (half[0::2] + half[1::2]) / 2  # 8 kHz: enough for a voice's pitch, half the work
    size, rate = 256, RATE // 2
    low = np.pad(low, (size, size))
    shortest, longest = int(rate / HIGHEST_F0), int(rate / LOWEST_F0)
    lags = np.arange(longest + 2)
    unbias = (size / np.maximum(size - lags, 1)).astype(np.float32)
    chosen = np.arange(count) if keep is None else np.flatnonzero(keep[:count])
    for a in range(0, chosen.size, 20000):
        frames = chosen[a : a + 20000]
        # centred on the MFCC frame's middle (sample HOP*i + FRAME/2 at 16 kHz)
        starts = size + frames * (HOP // 2) + FRAME // 4 - size // 2
        window = low[np.arange(size)[None, :] + starts[:, None]]
        window = window - window.mean(1, keepdims=True)
        spectrum = np.fft.rfft(window, 512)  # 512 >= size + longest: no wrap-around
        r = np.fft.irfft(spectrum.real**2 + spectrum.imag**2, 512)[:, : longest + 2]
        r = r / (r[:, :1] + 1e-9) * unbias
        band = r[:, shortest : longest + 1]
        peak = (band[:, 1:-1] >= band[:, :-2]) & (band[:, 1:-1] >= band[:, 2:])
        height = np.where(peak, band[:, 1:-1], -1.0)
        best = height.max(1)
        period = shortest + 1 + np.argmax(height >= 0.9 * best[:, None], axis=1)
        voiced = best > VOICED
        out[frames[voiced]] = np.log(rate / period[voiced])
    return out
