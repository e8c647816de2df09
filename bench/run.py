"""`make bench`: every benchmark in bench/, each in its own process, each reporting ratios
against a baseline measured in the same run (these machines are noisy: absolute times drift,
ratios hold).

    bench_build.py        a no-change rebuild and a one-recap rebuild against a full build
    bench_transcribe.py   the recordings pipeline against plain faster-whisper (≤ 10% more),
                          and faster-whisper settings compared (speed and word error rate)
    bench_drafts.py       the drafts on the scripted two-voice sessions: precision and recall per
                          section, speaker error, the pipeline against plain faster-whisper
    bench_speakers.py     who speaks when over a sweep of 16 espeak-ng voice pairs (speaker
                          error per pair, mean and worst) and the held-out session
    bench_audio_seek.py   play and seek on a protected 60-minute recording in chromium
    bench_watch.py        saving a recap → its site rebuilt by `recap watch`, against a
                          direct one-client build (target: under 2 s)
    bench_scale.py        the scale table: 1 client x 10..400 sessions, 1..50 clients x 50,
                          full / no-change / one-edit builds, bytes, pages, peak memory
                          (bench/results/scale.md and scale.png; the README's Scale table)

`python bench/run.py build transcribe` runs only those. Exit status 1 when any is over its limit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ARGS = {"transcribe": ["--repeats", "5"]}  # 5 interleaved runs: 2 are too noisy here


def main(names: list[str]) -> int:
    """Run the benchmarks named (default: all); return 1 if any failed or went over a limit."""
    failed = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if names and name not in names:
            continue
        print(f"\n== {name}", flush=True)
        code = subprocess.call([sys.executable, str(path), *ARGS.get(name, [])])
        if code:
            failed.append(name)
    if failed:
        print(f"\nover a limit or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
