"""`make bench`: who speaks when, over a sweep of espeak-ng voice pairs (tests/sessions.py).

Speaker separation was first tuned on the seven scripted sessions, and failed on the held-out
one. This bench measures how it generalises: each pair of `SWEEP` (16 short dialogues of
three topics, 60 to 110 s, turn-taking as in a session, across genders, accents, variants,
speeds and noise; never the held-out session's voices) goes through Whisper tiny.en (word
timestamps, speakers off) and then `speakers.label`, and the speaker error is measured on
the labelled words against the script's truth (the share of word time given to the wrong
speaker). Reported per pair, then the mean and the worst pair, then the held-out session
(checked last, never tuned on), and each voice alone (its own turns' words) kept as one
speaker. The labelling's CPU time is reported against the transcription's.

    .venv/bin/python bench/bench_speakers.py [PAIR ...]

Exit status 1 when the mean is 10% or more.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.config import TranscriptionSettings  # noqa: E402
from generator.recordings.audio import decode_voice  # noqa: E402
from generator.recordings.speakers import describe, label, share_wrong  # noqa: E402
from generator.recordings.transcribe import Transcriber  # noqa: E402
from tests.sessions import HELD_OUT, SCRIPTS, SWEEP, session  # noqa: E402

MEAN_LIMIT = 0.10


def measure(transcriber: Transcriber, name: str) -> tuple[float, list[int], float, float, str]:
    """(speaker error, speakers found for each voice alone, transcription CPU s, labelling
    CPU s, the speakers' talk) for one session."""
    wav, truth = session(name)
    samples = decode_voice(wav)
    began = time.process_time()
    words = transcriber.transcribe(samples).words
    heard = time.process_time() - began
    began = time.process_time()
    labelled = label(samples, words)
    labelling = time.process_time() - began
    wrong, total = share_wrong(labelled, truth.turns)
    alone = [len(describe(label(samples, truth.alone(words, v)))) for v in ("Coach", "Client")]
    return wrong / total, alone, heard, labelling, str(describe(labelled))


def main(names: list[str]) -> int:
    """Run the sweep (or the pairs named) and the held-out session; 1 when over the limit."""
    transcriber = Transcriber(TranscriptionSettings(speakers=False))
    pairs = names or list(SWEEP)
    errors, alone_ok, heard_cpu, label_cpu = [], 0, 0.0, 0.0
    print(f"## Speakers over a sweep of {len(pairs)} espeak-ng voice pairs (tiny.en words)")
    print(f"{'pair':8} {'length':>6} {'error':>6}  {'alone':5}  voices")
    for name in pairs:
        error, alone, heard, labelling = measure(transcriber, name)[:4]
        _, truth = session(name)
        errors.append(error)
        alone_ok += sum(n == 1 for n in alone)
        heard_cpu, label_cpu = heard_cpu + heard, label_cpu + labelling
        split = "" if alone == [1, 1] else " (a voice alone split)"
        print(f"{name:8} {truth.duration:5.0f}s {error:6.1%}  {alone!s:5}  {SWEEP[name].note}"
              f"{split}")  # fmt: skip
    mean, worst = statistics.mean(errors), max(errors)
    print(f"\nsweep: speaker error mean {mean:.1%}, worst pair {worst:.1%}, under 10% in "
          f"{sum(e < 0.10 for e in errors)} of {len(errors)} pairs; each voice alone kept as "
          f"one speaker: {alone_ok} of {2 * len(errors)}")  # fmt: skip
    if not names:
        error, alone, *_ = measure(transcriber, HELD_OUT)
        print(f"held-out session ({SCRIPTS[HELD_OUT].voices.coach} and "
              f"{SCRIPTS[HELD_OUT].voices.client}, never tuned on): speaker error {error:.1%}, "
              f"each voice alone {alone}")  # fmt: skip
    print(f"labelling CPU {label_cpu:.2f} s against transcription's {heard_cpu:.2f} s "
          f"({label_cpu / heard_cpu:.1%} more)")  # fmt: skip
    ok = mean < MEAN_LIMIT
    print("target (mean < 10%)", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
