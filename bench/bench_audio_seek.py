"""Time to playable for a protected 60-minute recording, in Debian's chromium.

    .venv/bin/python bench/bench_audio_seek.py [--minutes 60] [--runs 3]

Makes a mono 48 kbit/s mp3 (about 21 MB for an hour; cached in bench/results/), builds the
sample journal around it with MkDocs + Material, protects it, serves it on 127.0.0.1 (once with
Range support like GitHub Pages, once without like Python's http.server) and measures, in a
fresh browser context each run:

- unlock: submit of the password (PBKDF2, 600,000 iterations) to the decrypted home page;
- play: `play()` to the `playing` event at 0:00, from a page that has not touched the audio;
- seek: setting `currentTime` to 3/4 of the recording to `playing` there.

Prints a table and writes bench/results/audio_seek.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.config import Branding, builtin_themes_dir  # noqa: E402
from generator.protection import keys  # noqa: E402
from generator.protection.protect import protect_site, write_site_root  # noqa: E402
from generator.state import State  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402
from tests.sample_site import CLIENT_NAME, SESSION_TITLE, build_plain, make_mp3  # noqa: E402

PASSWORD = "velvet tundra orchard pivot"
RESULTS = ROOT / "bench" / "results"

MEASURE = """async (target) => {
  const audio = document.querySelector("audio");
  audio.muted = true;
  const when = (name) => new Promise((resolve, reject) => {
    audio.addEventListener(name, resolve, {once: true});
    audio.addEventListener("error", () => reject(audio.error && audio.error.message), {once: true});
  });
  let began = performance.now();
  const playing = when("playing");
  await audio.play();
  await playing;
  const play = performance.now() - began;
  audio.pause();
  const duration = audio.duration;
  began = performance.now();
  const seeked = when("seeked");
  audio.currentTime = duration * target;
  await seeked;
  const playingAgain = when("playing");
  await audio.play();
  await playingAgain;
  const seek = performance.now() - began;
  return {play_ms: play, seek_ms: seek, duration_s: duration, at_s: audio.currentTime};
}"""


def mp3_of(minutes: int) -> Path:
    path = RESULTS / f"sine-{minutes}min-48k.mp3"
    if not path.exists():
        began = time.perf_counter()
        make_mp3(path.with_suffix(".part.mp3"), minutes * 60)
        path.with_suffix(".part.mp3").rename(path)
        print(f"made {path.name} in {time.perf_counter() - began:.0f} s")
    return path


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    mp3 = mp3_of(args.minutes)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        plain = build_plain(work / "journal", mp3=mp3)
        state = State(work / ".recap")
        keys.set_password(state, "bench", PASSWORD)
        secrets = keys.load_secrets(state, "bench", {})
        branding = Branding()
        theme = builtin_themes_dir() / "default"
        began = time.perf_counter()
        report = protect_site(
            plain, work / "site" / secrets.site_id, secrets=secrets, branding=branding,
            theme_dir=theme,
        )  # fmt: skip
        protect_seconds = time.perf_counter() - began
        write_site_root(work / "site", branding, theme)
        results: dict[str, object] = {
            "mp3_bytes": mp3.stat().st_size,
            "minutes": args.minutes,
            "protect_seconds": round(protect_seconds, 3),
            "protect_report": repr(report),
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            for ranges in (True, False):
                label = "host-ranges" if ranges else "host-ignores-ranges"
                runs = []
                with serve_folder(work / "site", prefix="/repo/", ranges=ranges) as base:
                    for _ in range(args.runs):
                        context = browser.new_context()
                        page = context.new_page()
                        page.set_default_timeout(60_000)
                        page.goto(f"{base}{secrets.site_id}/")
                        page.fill("#password", PASSWORD)
                        began = time.perf_counter()
                        page.click("button[type=submit]")
                        page.wait_for_selector(f"h1:has-text('Journal of {CLIENT_NAME}')")
                        unlock = time.perf_counter() - began
                        page.click(f"text={SESSION_TITLE} >> nth=-1")
                        page.wait_for_selector("audio")
                        figures = page.evaluate(MEASURE, 0.75)
                        figures["unlock_ms"] = unlock * 1000
                        runs.append(figures)
                        context.close()
                results[label] = runs
                print(f"{label}:")
                for key in ("unlock_ms", "play_ms", "seek_ms"):
                    values = [r[key] for r in runs]
                    print(f"  {key:10} median {statistics.median(values):7.0f}  "
                          f"all {', '.join(f'{v:.0f}' for v in values)}")  # fmt: skip
                print(
                    f"  duration {runs[0]['duration_s']:.0f} s, seeked to {runs[0]['at_s']:.0f} s"
                )
            browser.close()
    (RESULTS / "audio_seek.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"mp3 {results['mp3_bytes'] / 1e6:.1f} MB, protected in {protect_seconds:.2f} s")


if __name__ == "__main__":
    main()
