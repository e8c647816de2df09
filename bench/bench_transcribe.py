"""`make bench`: the recordings pipeline against plain faster-whisper, and faster settings.

1. The real-time factor (seconds of work per second of audio) of the whole pipeline
   (hash, convert to mp3, transcribe, write VTT + JSON, draft, archive: `jobs.run_job`)
   against plain `WhisperModel.transcribe` on the same audio, in the same run, with the same
   settings, runs interleaved, medians compared. The pipeline must add no more than 10%
   (it also times every word and tells the speakers apart: `bench_drafts.py` splits that cost).
   On a busy machine the A/B ratio is noisy; "outside" (the pipeline's time beyond its own
   transcription: hashing, the mp3 not hidden by the thread, files, draft) is not.
2. Settings compared on plain faster-whisper (compute type, beam size, VAD, batched
   inference): real-time factor and word error rate against the reference text.

    .venv/bin/python bench/bench_transcribe.py [--repeats 5] [--quick]

The test speech is ../shared/audio/jfk.flac (11 s), alone and repeated 4 times with
pauses (~48 s), so that VAD and batching have something to work on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.config import TranscriptionSettings, load_config  # noqa: E402
from generator.recordings.transcribe import Transcriber, model_location  # noqa: E402
from tests.speech import JFK, REFERENCE, long_speech  # noqa: E402

LONG_REPEATS = 4
LIMIT = 1.10


@dataclass(frozen=True)
class Setting:
    """One way of running faster-whisper."""

    compute_type: str = "int8"
    beam_size: int = 1
    vad: bool = False
    batch_size: int = 0

    @property
    def label(self) -> str:
        batch = f" batched×{self.batch_size}" if self.batch_size else ""
        return (
            f"{self.compute_type:8} beam {self.beam_size} vad {'on ' if self.vad else 'off'}{batch}"
        )


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level edit distance over the reference's length."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1] / max(len(ref), 1)


def audio_seconds(path: Path) -> float:
    from generator.recordings.audio import duration

    return duration(path)


class Plain:
    """faster-whisper as its README shows it: a model, `transcribe`, the segments read."""

    def __init__(self, setting: Setting) -> None:
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        location = model_location(TranscriptionSettings())
        self.model = WhisperModel(location, device="cpu", compute_type=setting.compute_type)
        self.pipeline = BatchedInferencePipeline(self.model) if setting.batch_size else None
        self.setting = setting

    def run(self, path: Path) -> tuple[float, str]:
        s = self.setting
        began = time.perf_counter()
        if self.pipeline is not None:
            segments, _ = self.pipeline.transcribe(
                str(path), language="en", beam_size=s.beam_size, batch_size=s.batch_size
            )
        else:
            segments, _ = self.model.transcribe(
                str(path), language="en", beam_size=s.beam_size, vad_filter=s.vad
            )
        text = " ".join(segment.text for segment in segments)
        return time.perf_counter() - began, text


class Pipeline:
    """The whole job pipeline in a scratch project, a fresh job (new bytes) each run."""

    def __init__(self, setting: Setting, work: Path) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        (work / "site_config.yml").write_text("branding: {coach_name: Bench}\n", "utf-8")
        (work / "content" / "bench").mkdir(parents=True, exist_ok=True)
        (work / "content" / "bench" / "client.yml").write_text("name: Bench\n", "utf-8")
        base = load_config(work / "site_config.yml")
        self.config = replace(
            base,
            transcription=replace(
                base.transcription,
                compute_type=setting.compute_type,
                beam_size=setting.beam_size,
                vad=setting.vad,
            ),
        )
        self.transcriber = Transcriber(self.config.transcription, batch_size=setting.batch_size)
        self.transcriber.load()
        self.count = 0

    def run(self, path: Path) -> tuple[float, str]:
        from generator.recordings import jobs
        from generator.recordings.transcribe import read_segments_json

        self.count += 1
        inbox = self.config.inbox_dir / "bench"
        inbox.mkdir(parents=True, exist_ok=True)
        day = dt.date(2026, 1, 1) + dt.timedelta(days=self.count)  # fresh output names
        source = inbox / f"{day.isoformat()}{path.suffix}"
        shutil.copy(path, source)
        # The same bytes each run: forget the last job so this one is not "already processed".
        jobs.job_file(self.config, jobs.recording_id(source)).unlink(missing_ok=True)
        began = time.perf_counter()
        job = jobs.open_job(self.config, source)
        job = jobs.run_job(self.config, job, self.transcriber)
        seconds = time.perf_counter() - began
        folder = jobs.client_folder(self.config, "bench")
        text = read_segments_json(folder / job.segments).text
        self.last_transcription = job.done["transcribe"]["seconds"]
        self.last_job = job
        return seconds, text


def compare_pipeline(setting: Setting, clips: dict[str, Path], repeats: int, work: Path) -> bool:
    print(f"\n## Pipeline vs plain faster-whisper ({setting.label.strip()}), {repeats} runs each")
    print(f"{'audio':10} {'plain RTF':>10} {'pipeline RTF':>13} {'ratio':>7} {'outside':>8}  words")
    plain, pipeline = Plain(setting), Pipeline(setting, work / "pipeline")
    ok = True
    for name, path in clips.items():
        length = audio_seconds(path)
        plain.run(path), pipeline.run(path)  # warm both up
        plain_times, pipe_times, outside = [], [], []
        for _ in range(repeats):
            seconds, plain_text = plain.run(path)
            plain_times.append(seconds)
            seconds, pipe_text = pipeline.run(path)
            pipe_times.append(seconds)
            outside.append((seconds - pipeline.last_transcription) / pipeline.last_transcription)
        p, q = statistics.median(plain_times), statistics.median(pipe_times)
        same = "same" if words(plain_text) == words(pipe_text) else "DIFFERENT"
        ok &= q / p <= LIMIT and same == "same"
        extra = statistics.median(outside)
        print(f"{name:10} {p / length:10.4f} {q / length:13.4f} {q / p:7.3f} {extra:8.1%}  {same}")
    print(f"pipeline overhead {'within' if ok else 'OVER'} the {LIMIT - 1:.0%} limit")
    print("(outside: the pipeline's time beyond its own transcription, robust to a busy CPU)")
    return ok


def compare_settings(settings: list[Setting], clips: dict[str, Path], repeats: int) -> None:
    print(f"\n## Settings on plain faster-whisper (median of {repeats}; WER vs the reference)")
    header = "".join(f" {name + ' RTF':>12} {name + ' WER':>10}" for name in clips)
    print(f"{'setting':34}{header}")
    for setting in settings:
        plain = Plain(setting)
        cells = []
        for name, path in clips.items():
            length = audio_seconds(path)
            reference = REFERENCE if name == "jfk" else " ".join([REFERENCE] * LONG_REPEATS)
            plain.run(path)
            runs = [plain.run(path) for _ in range(repeats)]
            seconds = statistics.median(t for t, _ in runs)
            cells.append(f" {seconds / length:12.4f} {wer(reference, runs[-1][1]):10.1%}")
        print(f"{setting.label:34}{''.join(cells)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer settings and runs")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="compare the pipeline batched (VAD on)"
    )
    parser.add_argument("--no-settings", action="store_true", help="the pipeline check only")
    args = parser.parse_args()
    repeats = 2 if args.quick else args.repeats
    with tempfile.TemporaryDirectory(prefix="recap-bench-") as tmp:
        work = Path(tmp)
        clips = {"jfk": JFK, "long": long_speech(work / "long.wav", LONG_REPEATS)}
        default = TranscriptionSettings()
        batch = getattr(default, "batch_size", 0) if args.batch_size is None else args.batch_size
        vad = default.vad or bool(batch)
        current = Setting(default.compute_type, default.beam_size, vad, batch)
        ok = compare_pipeline(current, clips, repeats, work)
        settings = [
            Setting("float32", 5, False),
            Setting("int8", 5, False),
            Setting("int8", 1, False),
            Setting("int8", 1, True),
            Setting("int8", 5, True),
            Setting("int8", 1, True, batch_size=8),
            Setting("int8", 5, True, batch_size=8),
        ]
        if args.quick:
            settings = settings[1:4]
        if not args.no_settings:
            compare_settings(settings, clips, max(1, repeats // 2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
