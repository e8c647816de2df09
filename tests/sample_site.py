"""A small real journal site for the protection tests: MkDocs + Material, pages, search, an mp3.

The site is built by the real MkDocs (in a subprocess, so that MkDocs' global state and
warnings stay out of the test process). `NEEDLES` are its distinctive strings: none may
appear in the protected output.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

CLIENT_NAME = "Zephyrine Quillfeather"
SESSION_TITLE = "Marmalade Horizon Breakthrough"
BODY_WORD = "snorkelbanana"
OTHER_TITLE = "Quixotic Lanterns Review"
RESOURCE_URL = "https://example.org/vellichor-toolkit"
TRANSCRIPT_WORD = "glimmerwhistle"
SLUG = "zephyrine-quill"
NEEDLES = [
    CLIENT_NAME,
    "Zephyrine",
    "Quillfeather",
    SESSION_TITLE,
    "Marmalade",
    BODY_WORD,
    OTHER_TITLE,
    "Quixotic",
    RESOURCE_URL,
    "vellichor",
    TRANSCRIPT_WORD,
    SLUG,
    "marmalade-horizon",
    "quixotic-lanterns",
    "recording-one.mp3",
]
PRACTICE = "Practice Northstar"
COACH = "Coach Testperson"

MKDOCS_YML = f"""\
site_name: {PRACTICE}
docs_dir: docs
site_dir: plain
use_directory_urls: true
theme:
  name: material
  font: false
  language: en
  features: [navigation.instant, search.highlight]
plugins: [search]
nav:
  - Timeline: index.md
  - Sessions:
    - {SESSION_TITLE}: sessions/marmalade-horizon.md
    - {OTHER_TITLE}: sessions/quixotic-lanterns.md
  - Resources: resources.md
"""


def make_mp3(path: Path, seconds: float, *, bitrate: int = 48_000, rate: int = 22_050) -> Path:
    """Encode `seconds` of a 440 Hz sine wave as a mono CBR mp3 (libmp3lame through PyAV)."""
    import av
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mp3") as container:
        stream = container.add_stream("mp3", rate=rate)
        stream.bit_rate = bitrate
        stream.layout = "mono"
        frame_size = 1152
        total = int(seconds * rate)
        for start in range(0, total, frame_size):
            count = min(frame_size, total - start)
            t = (np.arange(start, start + count) / rate).astype(np.float32)
            wave = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(wave, format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def write_docs(root: Path, *, body_extra: str = "", mp3: Path | None = None) -> Path:
    """Write `mkdocs.yml` and `docs/` under `root`; return the mkdocs.yml path."""
    docs = root / "docs"
    pages = {
        "index.md": f"""
            # Journal of {CLIENT_NAME}

            Latest session: [{SESSION_TITLE}](sessions/marmalade-horizon.md)

            Also: [{OTHER_TITLE}](sessions/quixotic-lanterns.md)
            """,
        "sessions/marmalade-horizon.md": f"""
            # {SESSION_TITLE}

            We talked about the {BODY_WORD} plan for {CLIENT_NAME}. {body_extra}

            <audio controls preload="metadata" src="../../media/recording-one.mp3"></audio>

            [Transcript](../../media/recording-one.vtt)
            """,
        "sessions/quixotic-lanterns.md": f"""
            # {OTHER_TITLE}

            A second session, with its own words.
            """,
        "resources.md": f"""
            # Resources

            - [The toolkit]({RESOURCE_URL})
            """,
        "media/recording-one.vtt": f"""
            WEBVTT

            00:00.000 --> 00:02.000
            {TRANSCRIPT_WORD} said the coach
            """,
    }
    for name, text in pages.items():
        target = docs / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    audio = docs / "media" / "recording-one.mp3"
    if mp3 is not None:
        audio.write_bytes(mp3.read_bytes())
    else:
        make_mp3(audio, 40)
    config = root / "mkdocs.yml"
    config.write_text(MKDOCS_YML, encoding="utf-8")
    return config


def build_plain(root: Path, **kwargs) -> Path:
    """Write the docs and build them with MkDocs + Material; return the plain site folder."""
    config = write_docs(root, **kwargs)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config)],
        check=True,
        cwd=root,
        env=env,
    )
    plain = root / "plain"
    assert (plain / "index.html").is_file()
    return plain
