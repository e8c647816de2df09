"""Who speaks when, from the audio the pipeline already decodes: no model, no download.

1. The words (Whisper's word timestamps) are grouped into *pieces*: runs of words between
   pauses or sentence ends, at most `PIECE_SECONDS` long. A turn can change only between
   pieces (Whisper's word times often close the pause between two speakers' sentences).
2. Each piece gets a voice vector: the mean of the MFCCs (log-mel cepstra of 25 ms
   frames, numpy only) and of the pitch (log F0, by autocorrelation) of its louder voiced
   frames. Pitch tells a woman's voice from a man's where the cepstra alone hardly do.
3. The vectors are standardised and clustered (k-means, k = 1 to `MAX_SPEAKERS`, kept while
   a split separates the voices better than the last); then each piece is given again to
   the speaker whose frame-level Gaussian explains its frames best (short pieces too);
   pieces with too little sound take the speaker of their nearer neighbour.
   Two speakers less than `SAME_VOICE` nats a frame `apart` (one Gaussian each against one
   for both, plus each one's own means of a shared 8-Gaussian mixture against the mixture)
   are one voice split in two, and are merged (a long stretch of one voice drifts enough
   for k-means to split it; two voices do not merge). Last, each piece is given to the
   speaker whose adapted mixture (means and weights) explains it best.
   A sentence is one speaker's: a change of speaker inside it with no pause (where a long
   piece was cut) is undone.
4. Who is the coach: the cluster nearest the coach's enrolled voice (`recap voice enroll`,
   kept in `.recap/voice/coach.json`); without one, the speaker who asks the most questions
   and opens the session (coaches ask, clients answer).

The words come back with `speaker` set to `Coach`, `Client`, then `Speaker 3`, ...
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from generator.errors import RecapError
from generator.fs import write_atomic
from generator.recordings.acoustics import CEPSTRA, HOP, RATE, frame_features, pitch
from generator.recordings.transcribe import Word

log = logging.getLogger(__name__)

PAUSE = 0.25
"""A gap between two words at least this long (seconds) may be a change of speaker."""
PIECE_SECONDS = 4.0
SHORTEST = 0.7
"""Pieces shorter than this (seconds of words) take the speaker of their nearest neighbour."""
MAX_SPEAKERS = 4
FEWEST_PIECES = 8
"""With fewer pieces of speech than this (a short clip), one speaker: too few to split."""
SPLIT = 0.15
"""The least silhouette for a 2-way split to count as two voices rather than one."""
MORE = 0.10
"""How much a third (fourth) speaker must raise the silhouette to be kept (0.05 let a third
speaker into a two-women pair of the sweep once pitch was in the vectors)."""
PITCH_WEIGHT = 3.0
"""How much the pitch counts in a piece's standardised voice vector, against one cepstrum."""
SAME_VOICE = 0.75
"""Nats per frame: two speakers less than this `apart` are one voice. Chosen on the voice-pair
sweep (bench/bench_speakers.py): two voices 0.87-3.4 apart (one pair, a variant with two
accents, 0.38), one voice split by k-means 0.22-0.68; then checked on the held-out session
(1.08). A single Gaussian's gain alone left no such gap (two voices from 0.15 and 0.32, one
voice split up to 0.38)."""
MIXTURE_FRAMES = 6000
COACH, CLIENT = "Coach", "Client"
PROFILE = "voice/coach.json"
"""The coach's enrolled voice, under `.recap/`."""


class VoiceError(RecapError):
    """A voice profile cannot be made or read."""


@dataclass(frozen=True)
class VoiceProfile:
    """The mean voice vector of one speaker, as `recap voice enroll` measured it."""

    mean: list[float]
    seconds: float
    source: str

    def save(self, state_dir: Path) -> Path:
        """Write the profile to `<state_dir>/voice/coach.json`, atomically."""
        path = state_dir / PROFILE
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"mean": self.mean, "seconds": self.seconds, "source": self.source}
        write_atomic(path, json.dumps(data) + "\n")
        return path

    @classmethod
    def load(cls, state_dir: Path) -> VoiceProfile | None:
        """The enrolled profile, or None when there is none; `VoiceError` when damaged."""
        path = state_dir / PROFILE
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            profile = cls([float(x) for x in data["mean"]], float(data["seconds"]), data["source"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VoiceError(
                f"{path}: the coach's voice profile is damaged ({exc}); "
                "run `recap voice enroll FILE` again"
            ) from exc
        if len(profile.mean) != CEPSTRA - 1:
            raise VoiceError(f"{path}: a voice profile of another version; enroll again")
        return profile


@dataclass
class Piece:
    """A run of words between pauses: the unit a speaker is given to."""

    first: int
    last: int
    start: float
    end: float

    @property
    def seconds(self) -> float:
        """How long the piece lasts."""
        return self.end - self.start


def pieces(words: list[Word]) -> list[Piece]:
    """The words cut at pauses of `PAUSE` seconds and at sentence ends, and long runs at
    their longest pause."""
    out: list[Piece] = []

    def add(first: int, last: int) -> None:
        if words[last].end - words[first].start > PIECE_SECONDS and last > first:
            at = max(range(first + 1, last + 1), key=lambda i: words[i].start - words[i - 1].end)
            add(first, at - 1)
            add(at, last)
            return
        out.append(Piece(first, last, words[first].start, words[last].end))

    first = 0
    for i in range(1, len(words) + 1):
        if i == len(words) or _may_turn(words[i - 1], words[i]):
            if i > first:
                add(first, i - 1)
            first = i
    return out


def _may_turn(before: Word, after: Word) -> bool:
    """A turn may change between two words at a pause, or at a sentence's end: Whisper's
    word times often close the pause between two speakers' sentences."""
    return after.start - before.end >= PAUSE or before.text.endswith((".", "?", "!"))


def _loud(energy: np.ndarray) -> np.ndarray:
    """The frames of a stretch loud enough to carry its voice (not the gaps between words)."""
    return energy >= np.percentile(energy, 40) if energy.size else energy.astype(bool)


def _piece_frames(
    cepstra: np.ndarray, energy: np.ndarray, f0: np.ndarray, found: list[Piece]
) -> list[np.ndarray]:
    """Each piece's louder voiced frames: MFCCs 1..19 and log F0 (the last column)."""
    out = []
    for piece in found:
        a, b = int(piece.start * RATE / HOP), int(piece.end * RATE / HOP) + 1
        keep = _loud(energy[a:b]) & ~np.isnan(f0[a:b])
        out.append(np.column_stack([cepstra[a:b][keep], f0[a:b][keep]]))
    return out


def kmeans(points: np.ndarray, k: int, weights: np.ndarray, seed: int = 0) -> np.ndarray:
    """Weighted k-means (k-means++ starts, the best of a few): a cluster number per point."""
    rng = np.random.default_rng(seed)
    best, best_cost = np.zeros(len(points), dtype=int), np.inf
    for _ in range(4):
        centres = [points[rng.choice(len(points), p=weights / weights.sum())]]
        for _ in range(1, k):
            d = np.min([((points - c) ** 2).sum(1) for c in centres], axis=0) * weights
            centres.append(
                points[rng.choice(len(points), p=d / d.sum())] if d.sum() else centres[0]
            )
        c = np.array(centres)
        for _ in range(50):
            labels = np.argmin(((points[:, None, :] - c[None]) ** 2).sum(2), axis=1)
            new = np.array(
                [
                    np.average(points[labels == j], axis=0, weights=weights[labels == j])
                    if (labels == j).any()
                    else c[j]
                    for j in range(k)
                ]
            )
            if np.allclose(new, c):
                break
            c = new
        cost = (((points - c[labels]) ** 2).sum(1) * weights).sum()
        if cost < best_cost:
            best, best_cost = labels, cost
    return best


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """The mean silhouette of a clustering (how much nearer each point is to its own)."""
    distance = np.sqrt(((points[:, None, :] - points[None]) ** 2).sum(2))
    scores = []
    for i, label in enumerate(labels):
        own = labels == label
        if own.sum() < 2:
            scores.append(0.0)
            continue
        a = distance[i, own].sum() / (own.sum() - 1)
        b = min(distance[i, labels == other].mean() for other in set(labels) if other != label)
        scores.append((b - a) / max(a, b, 1e-9))
    return float(np.mean(scores))


def cluster(
    vectors: np.ndarray, weights: np.ndarray, max_speakers: int = MAX_SPEAKERS
) -> np.ndarray:
    """Cluster standardised voice vectors into as many speakers as the voices support.

    Two voices when a 2-way split has a silhouette of at least `SPLIT` (one voice split in
    two scores 0.07-0.18 on the scripted sessions, two voices 0.20-0.46); one more only when
    it raises the silhouette by `MORE` and leaves no speaker with under 8% of the speech.
    """
    if len(vectors) < FEWEST_PIECES:
        return np.zeros(len(vectors), dtype=int)
    best, best_score = np.zeros(len(vectors), dtype=int), SPLIT - MORE
    for k in range(2, min(max_speakers, len(vectors) // 2) + 1):
        labels = kmeans(vectors, k, weights)
        shares = np.bincount(labels, weights=weights, minlength=k) / weights.sum()
        score = silhouette(vectors, labels)
        if (k > 2 and shares.min() < 0.08) or score < best_score + MORE:
            break
        best, best_score = labels, score
    return best


def resegment(frames: list[np.ndarray], labels: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Refine the labels with one diagonal Gaussian per speaker over the frames themselves:
    each piece goes to the speaker whose Gaussian explains its frames best. Short pieces,
    whose mean vector is too noisy to cluster, are labelled here too."""
    if not any(len(f) and x >= 0 for f, x in zip(frames, labels, strict=True)):
        return labels
    normal = _normalised(frames, labels)
    for _ in range(rounds):
        models = []
        for k in sorted(set(int(x) for x in labels if x >= 0)):
            stacked = _frames_of(normal, labels, k)
            if len(stacked):
                models.append((k, stacked.mean(0), stacked.var(0) + 1e-2))
        new = labels.copy()
        for i, f in enumerate(normal):
            if len(f) >= 3:
                scores = [
                    float((-0.5 * ((f - mean) ** 2 / var + np.log(var))).sum(1).mean())
                    for _, mean, var in models
                ]
                new[i] = models[int(np.argmax(scores))][0]
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def _normalised(frames: list[np.ndarray], labels: np.ndarray) -> list[np.ndarray]:
    """Each piece's frames, scaled by the mean and spread of every labelled piece's frames."""
    every = np.concatenate([f for f, x in zip(frames, labels, strict=True) if len(f) and x >= 0])
    centre, scale = every.mean(0), every.std(0) + 1e-6
    return [(f - centre) / scale for f in frames]


def _frames_of(frames: list[np.ndarray], labels: np.ndarray, speaker: int) -> np.ndarray:
    """Every frame of the pieces labelled `speaker`, as one array (no rows when none)."""
    mine = [f for f, x in zip(frames, labels, strict=True) if x == speaker and len(f)]
    return np.concatenate(mine) if mine else np.zeros((0, frames[0].shape[1]))


def _posteriors(x: np.ndarray, weights: np.ndarray, means: np.ndarray, var: np.ndarray):
    """(frames, components): each component's share of each frame."""
    log_p = _mixture_log(x, weights, means, var)
    return np.exp(log_p - _log_sum(log_p)[:, None])


def _fit(frames: np.ndarray) -> float:
    """The log-likelihood of frames under their own diagonal Gaussian."""
    mean, var = frames.mean(0), frames.var(0) + 1e-2
    return float((-0.5 * ((frames - mean) ** 2 / var + np.log(var))).sum())


def voice_gain(a: np.ndarray, b: np.ndarray) -> float:
    """How much better two Gaussians explain two speakers' frames than one, per frame."""
    both = np.concatenate([a, b])
    return (_fit(a) + _fit(b) - _fit(both)) / len(both)


def _mixture_log(x: np.ndarray, weights: np.ndarray, means: np.ndarray, var: np.ndarray):
    """(frames, components): log of each diagonal component's weighted density at each frame."""
    inverse = 1 / var
    # einsum, not @: these products are small, and BLAS threads spinning for them cost more
    # CPU than the products themselves (on a machine busy with Whisper, several times more)
    square = (
        np.einsum("nd,kd->nk", x**2, inverse)
        - 2 * np.einsum("nd,kd->nk", x, means * inverse)
        + (means**2 * inverse).sum(1)
    )
    return np.log(weights)[None] - 0.5 * (np.log(2 * np.pi * var).sum(1)[None] + square)


def _log_sum(a: np.ndarray) -> np.ndarray:
    top = a.max(1, keepdims=True)
    return (top + np.log(np.exp(a - top).sum(1, keepdims=True)))[:, 0]


def adapted_gain(a: np.ndarray, b: np.ndarray, components: int = 8, rounds: int = 8) -> float:
    """How much better each speaker's own means explain their frames than a shared mixture
    of `components` Gaussians, per frame (a universal model with each speaker's means
    adapted to it, as speaker verification does). The mixture takes up what the sounds of
    speech vary by, so what is left is how the same sounds differ from one voice to the
    other (an accent, a vocal tract a little longer); a single Gaussian misses that."""
    both = np.concatenate([a, b])
    if len(both) < 4 * components:
        return 0.0
    weights, means, var = _mixture(both, components, rounds)
    shared = _log_sum(_mixture_log(both, weights, means, var)).sum()
    own = sum(
        _log_sum(_mixture_log(x, weights, _adapted(x, weights, means, var), var)).sum()
        for x in (a, b)
    )
    return float((own - shared) / len(both))


def _mixture(frames: np.ndarray, components: int = 8, rounds: int = 8):
    """A diagonal Gaussian mixture fitted to the frames (EM from seeded random frames; at
    most `MIXTURE_FRAMES` of them, evenly spread, so an hour costs what ten minutes do)."""
    frames = np.ascontiguousarray(frames[:: -(-len(frames) // MIXTURE_FRAMES)])
    rng = np.random.default_rng(0)
    means = frames[rng.choice(len(frames), components, replace=False)]
    var = np.tile(frames.var(0) + 1e-2, (components, 1))
    weights = np.full(components, 1 / components)
    for _ in range(rounds):
        p = _posteriors(frames, weights, means, var)
        n = p.sum(0) + 1e-6
        weights, means = n / n.sum(), np.einsum("nk,nd->kd", p, frames) / n[:, None]
        var = np.maximum(np.einsum("nk,nd->kd", p, frames**2) / n[:, None] - means**2, 0) + 1e-2
    return weights, means, var


def _adapted(x: np.ndarray, weights: np.ndarray, means: np.ndarray, var: np.ndarray):
    """The mixture's means moved towards one speaker's frames (MAP, relevance 16)."""
    p = _posteriors(x, weights, means, var)
    n = p.sum(0)
    seen = (n / (n + 16.0))[:, None]
    return seen * np.einsum("nk,nd->kd", p, x) / (n[:, None] + 1e-9) + (1 - seen) * means


def resegment_mixture(frames: list[np.ndarray], labels: np.ndarray, rounds: int = 2):
    """Give each piece again to the speaker whose adapted mixture explains its frames best
    (finer than one Gaussian each: short pieces at the start of a turn go right more often)."""
    speakers = sorted(set(int(x) for x in labels if x >= 0))
    known = [f for f, x in zip(frames, labels, strict=True) if len(f) and x >= 0]
    if len(speakers) < 2 or sum(len(f) for f in known) < 64:
        return labels
    normal = _normalised(frames, labels)
    weights, means, var = _mixture(
        np.concatenate([f for f, x in zip(normal, labels, strict=True) if len(f) and x >= 0])
    )
    for _ in range(rounds):
        models = {}
        for k in speakers:
            x = _frames_of(normal, labels, k)
            if len(x):
                n = _posteriors(x, weights, means, var).sum(0)
                seen = n / (n + 16.0)  # each speaker's own share of each sound, MAP as the means
                own = seen * n / len(x) + (1 - seen) * weights
                models[k] = (own / own.sum(), _adapted(x, weights, means, var))
        new = labels.copy()
        for i, f in enumerate(normal):
            if len(f) >= 3:
                new[i] = max(
                    models, key=lambda k: _log_sum(_mixture_log(f, *models[k], var)).mean()
                )
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def apart(a: np.ndarray, b: np.ndarray) -> float:
    """How far apart two speakers' voices are, in nats a frame: what one Gaussian each gains
    over one for both (a voice's overall sound, its pitch), plus what each one's own means of
    a shared mixture gain (the same sounds said differently)."""
    return voice_gain(a, b) + adapted_gain(a, b)


def merge_same_voice(frames: list[np.ndarray], labels: np.ndarray) -> np.ndarray:
    """Merge, closest pair first, speakers that are one voice (`SAME_VOICE` `apart`); then give the
    pieces again to the speakers left (`resegment`)."""
    normal = _normalised(frames, labels)
    labels = labels.copy()
    while True:
        speakers = sorted(set(int(x) for x in labels if x >= 0))
        if len(speakers) < 2:
            return labels
        mine = {k: _frames_of(normal, labels, k) for k in speakers}
        pairs = [(a, b) for i, a in enumerate(speakers) for b in speakers[i + 1 :]]
        usable = [(a, b) for a, b in pairs if len(mine[a]) > 1 and len(mine[b]) > 1]
        if not usable:
            return labels
        gains = {(a, b): apart(mine[a], mine[b]) for a, b in usable}
        a, b = min(gains, key=gains.__getitem__)
        gain = gains[a, b]
        if gain >= SAME_VOICE:
            log.info("speakers %d and %d: %.2f nats a frame apart, two voices", a, b, gain)
            return labels
        log.info("speakers %d and %d are one voice (%.2f nats a frame apart): merged", a, b, gain)
        labels[labels == b] = a
        if len(speakers) > 2:
            labels = resegment(frames, labels)


def label(
    samples: np.ndarray, words: list[Word], profile: VoiceProfile | None = None
) -> list[Word]:
    """The words with `speaker` set (see the module's docstring)."""
    if not words:
        return words
    found = pieces(words)
    speech = np.zeros(1 + len(samples) // HOP, dtype=bool)  # only the words' frames are needed
    for piece in found:
        speech[int(piece.start * RATE / HOP) : int(piece.end * RATE / HOP) + 2] = True
    cepstra, energy = frame_features(samples, speech)
    loud = np.zeros_like(speech)  # pitch only where `_piece_frames` will look
    for piece in found:
        a, b = int(piece.start * RATE / HOP), int(piece.end * RATE / HOP) + 1
        part = energy[a:b]
        loud[a : a + part.size] = _loud(part)
    f0 = pitch(samples, loud)[: len(cepstra)]
    frames = _piece_frames(cepstra, energy, f0, found)
    seconds = np.array([p.seconds for p in found])
    usable = np.array(
        [len(f) >= 8 and p.seconds >= SHORTEST for f, p in zip(frames, found, strict=True)]
    )
    labels = np.full(len(found), -1)
    vectors = np.array([f.mean(0) if len(f) else np.zeros(CEPSTRA) for f in frames])
    if usable.sum() >= 1:
        chosen = vectors[usable]
        spread = chosen.std(0)
        z = (chosen - chosen.mean(0)) / np.where(spread > 1e-9, spread, 1)
        z[:, -1] *= PITCH_WEIGHT
        labels[usable] = cluster(z, seconds[usable])
        if len(set(labels[usable])) > 1:
            labels = merge_same_voice(frames, resegment(frames, labels))
            labels = resegment_mixture(frames, labels)
    else:
        labels[:] = 0
    _fill_short(found, labels)
    # The enrolled profile is of the cepstra alone (pitch is not in it).
    names = _names(found, labels, vectors[:, : CEPSTRA - 1], words, profile)
    out = list(words)
    for piece, number in zip(found, labels, strict=True):
        for i in range(piece.first, piece.last + 1):
            out[i] = replace(words[i], speaker=names[int(number)])
    return whole_sentences(out)


def whole_sentences(words: list[Word]) -> list[Word]:
    """A sentence is one speaker's: where the speaker changes inside a sentence with no pause
    (where a long piece was cut), the rest of it takes the speaker who began it.
    ("I will cook at | home four evenings a week." was half the coach's.)"""
    out = list(words)
    opener = None
    for i, word in enumerate(out):
        if opener is None:
            opener = word.speaker
        elif word.speaker != opener and word.start - out[i - 1].end >= PAUSE:
            opener = word.speaker  # a real pause: a turn can change here (Whisper's "." or not)
        elif word.speaker != opener:
            out[i] = replace(word, speaker=opener)
        if word.text.endswith((".", "?", "!")):
            opener = None
    return out


def _fill_short(found: list[Piece], labels: np.ndarray) -> None:
    """A piece with no voice of its own takes the speaker of its nearer labelled neighbour."""
    known = [i for i in range(len(found)) if labels[i] >= 0]
    for i in range(len(found)):
        if labels[i] >= 0:
            continue
        before = max((j for j in known if j < i), default=None)
        after = min((j for j in known if j > i), default=None)
        gap_before = found[i].start - found[before].end if before is not None else np.inf
        gap_after = found[after].start - found[i].end if after is not None else np.inf
        labels[i] = labels[before] if gap_before <= gap_after else labels[after]


def _names(
    found: list[Piece],
    labels: np.ndarray,
    vectors: np.ndarray,
    words: list[Word],
    profile: VoiceProfile | None,
) -> dict[int, str]:
    clusters = sorted(set(int(x) for x in labels))
    if len(clusters) == 1:
        return {clusters[0]: CLIENT if profile and not _is_coach_voice(vectors, profile) else COACH}
    if profile is not None:
        coach = _nearest_to_profile(clusters, labels, vectors, profile)
        how = "the enrolled voice"
    else:
        coach = _asks_most(clusters, labels, found, words)
        how = "who asks the questions"
    talk = {
        c: sum(p.seconds for p, x in zip(found, labels, strict=True) if x == c) for c in clusters
    }
    others = sorted((c for c in clusters if c != coach), key=lambda c: -talk[c])
    names = {coach: COACH}
    for n, c in enumerate(others):
        names[c] = CLIENT if n == 0 else f"Speaker {n + 2}"
    log.info("%d speakers; the coach found by %s", len(clusters), how)
    return names


def _cluster_means(
    clusters: list[int], labels: np.ndarray, vectors: np.ndarray
) -> dict[int, np.ndarray]:
    return {c: np.nanmean(vectors[labels == c], axis=0) for c in clusters}


def _nearest_to_profile(
    clusters: list[int], labels: np.ndarray, vectors: np.ndarray, profile: VoiceProfile
) -> int:
    means = _cluster_means(clusters, labels, vectors)
    spread = np.nanstd(vectors, axis=0)
    scale = np.where(spread > 1e-9, spread, 1)
    target = np.array(profile.mean)
    return min(clusters, key=lambda c: float(np.nansum(((means[c] - target) / scale) ** 2)))


def _is_coach_voice(vectors: np.ndarray, profile: VoiceProfile) -> bool:
    mean, spread = np.nanmean(vectors, axis=0), np.nanstd(vectors, axis=0)
    z = (mean - np.array(profile.mean)) / np.where(spread > 1e-9, spread, 1)
    return float(np.sqrt(np.nanmean(z**2))) < 1.0


def _asks_most(
    clusters: list[int], labels: np.ndarray, found: list[Piece], words: list[Word]
) -> int:
    """Without a profile: coaches ask and clients answer; the opener breaks a tie."""
    score = dict.fromkeys(clusters, 0.0)
    talk = dict.fromkeys(clusters, 0.0)
    for piece, c in zip(found, labels, strict=True):
        text = " ".join(w.text for w in words[piece.first : piece.last + 1])
        score[int(c)] += text.count("?")
        talk[int(c)] += piece.seconds
    score[int(labels[0])] += 0.5
    total = sum(talk.values()) or 1.0
    # Clients talk more than coaches: a small nudge towards the quieter speaker.
    return max(clusters, key=lambda c: (score[c] - 2 * talk[c] / total, -talk[c]))


def enroll(samples: np.ndarray, source: str) -> VoiceProfile:
    """A profile of the one voice in `samples` (a recording of the coach alone)."""
    cepstra, energy = frame_features(samples)
    speech = energy > np.percentile(energy, 30)
    seconds = float(speech.sum() * HOP / RATE)
    if seconds < 10:
        raise VoiceError(
            f"{source}: only {seconds:.0f} s of speech; record at least 20 seconds of your voice"
        )
    # Stretches of about 3 s, like a session's pieces, each with its loud frames.
    step = int(3 * RATE / HOP)
    chosen = [
        cepstra[a : a + step][_loud(energy[a : a + step])] for a in range(0, len(cepstra), step)
    ]
    mean = np.concatenate([c for c in chosen if len(c)]).mean(0)
    return VoiceProfile([round(float(x), 5) for x in mean], round(seconds, 1), source)


def share_wrong(words: list[Word], truth: list[tuple[float, float, str]]) -> tuple[float, float]:
    """(seconds of words given to the wrong speaker, seconds of words), against `truth` turns
    (start, end, speaker); a word belongs to the turn nearest its middle."""
    wrong = total = 0.0
    for word in words:
        middle = (word.start + word.end) / 2
        turn = min(
            truth,
            key=lambda t: (
                0 if t[0] <= middle <= t[1] else min(abs(t[0] - middle), abs(t[1] - middle))
            ),
        )
        length = max(word.end - word.start, 0.0)
        total += length
        wrong += length if word.speaker != turn[2] else 0.0
    return wrong, total


def describe(words: list[Word]) -> dict[str, Any]:
    """Seconds of speech per speaker (for logs and the bench)."""
    talk: dict[str, float] = {}
    for word in words:
        talk[word.speaker or "?"] = talk.get(word.speaker or "?", 0.0) + word.end - word.start
    return {name: round(seconds, 1) for name, seconds in talk.items()}
