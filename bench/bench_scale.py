"""Scale: what a practice costs as it grows, in time, bytes and memory.

One client with 10, 50, 200 and 400 weekly sessions, and 1, 4, 10, 20 and 50 clients of 50
sessions (50 clients of 200 for peak memory), each built four times: the first build of the
new practice (which also derives every client's password key and compiles Material's
templates), a full build (`--force`: every page rendered, encrypted and written again),
a build with nothing changed, and one after a recap was edited. Each build runs in a fresh
Python process (as `recap build` does), timed around `build()`; its memory is the peak of
the sum of the resident sizes of the build process and its workers, sampled every 20 ms.
Bytes are those published in `site/`; a page is a session page's encrypted blob.

Baseline: `mkdocs build` (MkDocs' own build, Material) of the same pages with the same
settings, one process per client on the same number of workers; its whole-journal pages
hold their sessions' sections in Markdown (ours are filled from the rendered session pages).
In the row that is compared with it (20 x 50), every time is the best of three runs (the
full builds alternating with the baseline's; three no-change builds; three recaps edited).

    python bench/bench_scale.py            the whole table (about 4 minutes on 2 quiet cores)
    python bench/bench_scale.py --quick    a smaller table for development (under a minute)

Writes bench/results/scale.md (the table and the targets) and bench/results/scale.png.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
sys.path.insert(0, str(REPO))

from tests.scale_project import password, password_env, write_project  # noqa: E402

BUILD = """
import json, sys, time
from pathlib import Path
from generator.build import build
from generator.config import load_config
config = load_config(Path(sys.argv[1]) / "site_config.yml")
began = time.perf_counter()
result = build(config, force=sys.argv[2] == "force", jobs={jobs})
seconds = time.perf_counter() - began
assert result.ok, result.failed
print(json.dumps({{"seconds": seconds, "built": len(result.built)}}))
"""

BASELINE = """
import json, re, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

def demote(markdown):
    # Every ATX heading one level down, outside fenced code.
    out, fence = [], ""
    for line in markdown.splitlines():
        stripped = line.lstrip()
        if stripped[:3] in ("```", "~~~") and (not fence or stripped[:3] == fence):
            fence = "" if fence else stripped[:3]
        elif not fence and re.match(r"#{{1,5}}\\s", stripped) and len(line) - len(stripped) < 4:
            line = "#" + stripped
        out.append(line)
    return "\\n".join(out)


def whole_journal_in_markdown(docs):
    # The year pages as plain MkDocs must get them to show the same: each session's
    # sections in Markdown again (our build fills them in from the rendered session pages).
    from generator.whole_journal import PLACEHOLDER, SECTIONS_END, SECTIONS_START

    def sections(match):
        text = (docs / match.group(1)).read_text(encoding="utf-8")
        start = text.index(SECTIONS_START) + len(SECTIONS_START)
        return demote(text[start : text.index(SECTIONS_END)])

    for year in (docs / "journal").glob("*.md"):
        year.write_text(PLACEHOLDER.sub(sections, year.read_text(encoding="utf-8")))


def one(folder):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    build(load_config(str(Path(folder) / "mkdocs.yml")))

if __name__ == "__main__":
    from generator.config import load_config
    from generator.content import load_content
    from generator.mkdocs_site import write_mkdocs_config
    from generator.render import render_client
    config = load_config(Path(sys.argv[1]) / "site_config.yml")
    work = Path(tempfile.mkdtemp(dir=sys.argv[1]))
    folders = []
    for load in load_content(config):
        folder = work / load.slug
        journal = render_client(load.client, config.theme_dir(), folder / "docs")
        whole_journal_in_markdown(folder / "docs")
        write_mkdocs_config(journal, folder / "site", branding=config.branding,
                            theme_dir=config.theme_dir(), project_dir=config.project_dir)
        folders.append(str(folder))
    began = time.perf_counter()
    with ProcessPoolExecutor({jobs}) as pool:
        list(pool.map(one, folders))
    print(json.dumps({{"seconds": time.perf_counter() - began, "built": len(folders)}}))
"""


REPEATS = 3
"""Runs of each build in the row compared with plain MkDocs (20 x 50): the best of each is
kept (the machines are noisy, and noise only ever adds time)."""


@dataclass
class Row:
    """One line of the scale table."""

    clients: int
    sessions: int
    first: float = 0.0
    full: float = 0.0
    noop: float = 0.0
    edit: float = 0.0
    bytes: int = 0
    median_page: float = 0.0
    peak_mb: float = 0.0
    kept: int = 0
    """Bytes kept in `.recap/cache/` between builds (docs trees, plain sites, page cache)."""
    baseline: float | None = None


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    todo = [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in (Path("/proc") / str(current) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def _run(code: str, root: Path, mode: str) -> tuple[dict, int]:
    """Run `code` in a fresh Python; return its JSON answer and its peak tree memory."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(root), mode], stdout=subprocess.PIPE, env=env, text=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"build failed in {root}")
    return json.loads(out.strip().splitlines()[-1]), peak


def _site_bytes(root: Path) -> tuple[int, float]:
    """Total published bytes and the median encrypted session page."""
    from generator.config import load_config
    from generator.protection.blobs import SiteKeys
    from generator.protection.keys import load_secrets
    from generator.render import page_name

    config = load_config(root / "site_config.yml")
    total = sum(p.stat().st_size for p in (root / "site").rglob("*") if p.is_file())
    pages: list[int] = []
    for folder in sorted((root / "content").iterdir()):
        secrets = load_secrets(config.state, folder.name, os.environ)
        keys = SiteKeys.derive(secrets.content_key, secrets.site_id)
        blobs = root / "site" / secrets.site_id / "b"
        page_key = config.state.page_key(folder.name)
        for recap in (folder / "sessions").glob("*.md"):
            page = f"sessions/{page_name(page_key, recap.stem)}/index.html"
            pages.append((blobs / keys.blob_name(page)).stat().st_size)
    return total, statistics.median(pages)


def _disk_bytes(folder: Path) -> int:
    """The bytes of the files in `folder`, each file once (a hard link costs no disk)."""
    sizes = {}
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            sizes[stat.st_dev, stat.st_ino] = stat.st_size
    return sum(sizes.values())


def measure(clients: int, sessions: int, jobs: int, *, baseline: bool = False) -> Row:
    """Build a generated practice three ways and measure it."""
    row = Row(clients, sessions)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = Path(tmp) / "practice"
        for slug in write_project(root, clients, sessions):
            os.environ[password_env(slug)] = password(slug)
        code = BUILD.format(jobs=jobs)
        # The first build also derives each client's password key (PBKDF2, once per client
        # and password) and compiles Material's templates (once per practice).
        answer, peak = _run(code, root, "force")
        row.first = answer["seconds"]
        fulls: list[float] = []
        plain: list[float] = []
        for _ in range(REPEATS if baseline else 1):  # a ratio of two times: the best of each
            answer, full_peak = _run(code, root, "force")
            fulls.append(answer["seconds"])
            peak = max(peak, full_peak)
            if baseline:
                plain.append(_run(BASELINE.format(jobs=jobs), root, "")[0]["seconds"])
        row.full = min(fulls)
        row.baseline = min(plain) if plain else None
        row.peak_mb = peak / (1024 * 1024)
        repeats = REPEATS if baseline else 1
        row.noop = min(_run(code, root, "again")[0]["seconds"] for _ in range(repeats))
        recaps = sorted((root / "content" / "client-00" / "sessions").glob("*.md"))
        edits = []
        for recap in recaps[sessions // 2 : sessions // 2 + repeats]:
            recap.write_text(recap.read_text(encoding="utf-8") + "\nOne more line.\n")
            answer, _ = _run(code, root, "again")
            assert answer["built"] == 1, answer
            edits.append(answer["seconds"])
        row.edit = min(edits)
        row.bytes, row.median_page = _site_bytes(root)
        row.kept = _disk_bytes(root / ".recap" / "cache")
    print(f"   {_line(row)}", flush=True)
    return row


def unlock_to_home(sessions: int, jobs: int) -> dict:
    """Encrypted bytes a phone downloads (counted in chromium: `bench/phone_bytes.py`) from
    the unlock page to the journal's home page, by file, and what the first search adds."""
    from bench.phone_bytes import measure as downloads

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = Path(tmp) / "practice"
        [slug] = write_project(root, 1, sessions)
        os.environ[password_env(slug)] = password(slug)
        _run(BUILD.format(jobs=jobs), root, "force")
        return asdict(downloads(root, slug, password(slug), query="boundaries"))


def _kb(value: float) -> str:
    return f"{value / 1024:,.1f} KB" if value < 1024 * 1024 else f"{value / 1024**2:,.1f} MB"


def _files(sizes: dict[str, int], fetches: dict[str, int]) -> str:
    """`index.html 16.0 KB, keyring.json 0.9 KB (3 fetches)`."""
    return ", ".join(
        f"{name} {_kb(size)}" + (f" ({fetches[name]} fetches)" if fetches[name] > 1 else "")
        for name, size in sizes.items()
    )


def _line(row: Row) -> str:
    return (
        f"| {row.clients} x {row.sessions} | {row.first:.2f} s | {row.full:.2f} s "
        f"| {row.noop:.2f} s "
        f"| {row.edit:.2f} s | {_kb(row.bytes)} | {_kb(row.median_page)} | {row.peak_mb:.0f} MB "
        f"| {_kb(row.kept)} |"
    )


def table(rows: list[Row]) -> str:
    """The scale table in Markdown."""
    head = (
        "| clients x sessions | first build | full build | no change | one recap edited "
        "| published | median page | peak memory | kept for the next build |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
    )
    return head + "\n".join(_line(row) for row in rows) + "\n"


def targets(rows: list[Row], parts: dict) -> list[tuple[str, str, str, bool]]:
    """(figure, measured, target, met) for each of the issue's targets we measured."""
    by = {(r.clients, r.sessions): r for r in rows}
    found = []

    def add(name: str, value: str, target: str, met: bool) -> None:
        found.append((name, value, target, met))

    if (1, 400) in by and (1, 50) in by:
        ratio = by[1, 400].median_page / by[1, 50].median_page
        add(
            "median page, 400 sessions / 50 sessions", f"{ratio:.2f}x", "at most 1.3x", ratio <= 1.3
        )
    home = sum(parts["home"].values())
    add("encrypted bytes unlock to home, 60 sessions (chromium, phone)",
        f"{_kb(home)} ({_files(parts['home'], parts['home_fetches'])}); the first search "
        f"adds {_kb(sum(parts['first_search'].values()))} "
        f"({_files(parts['first_search'], parts['first_search_fetches'])})",
        "under 40 KB", home < 40 * 1024)  # fmt: skip
    if (4, 50) in by and (1, 50) in by:
        ratio = by[4, 50].bytes / by[1, 50].bytes
        add(
            "bytes of 4 clients / 1 client (50 sessions)",
            f"{ratio:.2f}x",
            "at most 2.0x",
            ratio <= 2,
        )
    if (1, 400) in by:
        edit = by[1, 400].edit
        add("one recap edited, 400-session client", f"{edit:.2f} s", "under 1.5 s", edit < 1.5)
    if (20, 50) in by:
        r = by[20, 50]
        add("one recap edited, 20 x 50", f"{r.edit:.2f} s, {r.edit / r.full:.1%} of full",
            "under 1.5 s and 10%", r.edit < 1.5 and r.edit / r.full < 0.1)  # fmt: skip
        add("no-change build, 20 x 50", f"{r.noop / r.full:.1%} of full", "under 3%",
            r.noop / r.full < 0.03)  # fmt: skip
        if r.baseline:
            ratio = r.full / r.baseline
            add("full build 20 x 50 / plain mkdocs-material",
                f"{ratio:.2f}x ({r.full:.1f} s / {r.baseline:.1f} s)", "at most 0.7x",
                ratio <= 0.7)  # fmt: skip
    if (50, 200) in by:
        peak = by[50, 200].peak_mb
        add("peak memory, full build 50 x 200", f"{peak:.0f} MB", "under 1 GB", peak < 1024)
    return found


def chart(rows: list[Row], path: Path) -> None:
    """Cost against size: build times and bytes against the number of sessions."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    one = [r for r in rows if r.clients == 1]
    many = [r for r in rows if r.sessions == 50]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for series, label, marker in ((one, "one client", "o"), (many, "clients x 50", "s")):
        x = [r.clients * r.sessions for r in series]
        left.plot(x, [r.full for r in series], marker=marker, label=f"full build, {label}")
        left.plot(x, [r.edit for r in series], marker=marker, ls="--",
                  label=f"one recap edited, {label}")  # fmt: skip
        right.plot(x, [r.median_page / 1024 for r in series], marker=marker,
                   label=f"median page (KB), {label}")  # fmt: skip
        left.plot(x, [r.noop for r in series], marker=marker, ls=":",
                  label=f"nothing changed, {label}")  # fmt: skip
    left.set(xscale="log", yscale="log", xlabel="sessions in the practice", ylabel="seconds")
    left.set_title("Build time")
    right.set(xscale="log", xlabel="sessions in the practice", ylabel="KB")
    right.set_ylim(bottom=0)
    for axis in (left.xaxis, left.yaxis, right.xaxis):
        axis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    right.set_title("Encrypted page a phone downloads")
    for axis in (left, right):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    """Run the scale table; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller table, for development")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    one = [10, 50, 200] if args.quick else [10, 50, 200, 400]
    many = [4, 10] if args.quick else [4, 10, 20, 50]
    load_before = os.getloadavg()[0]
    print("   " + table([]).splitlines()[0], flush=True)
    rows = [measure(1, n, args.jobs) for n in one]
    rows += [measure(c, 50, args.jobs, baseline=c == 20) for c in many]
    if not args.quick:
        rows.append(measure(50, 200, args.jobs))
    parts = unlock_to_home(60, args.jobs)
    found = targets(rows, parts)
    lines = ["| figure | measured | target | met |", "| --- | --- | --- | --- |"]
    lines += [f"| {n} | {v} | {t} | {'yes' if ok else 'NO'} |" for n, v, t, ok in found]
    load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    machine = f"{os.cpu_count()} cores, {load} (times grow with it; bytes do not)"
    baseline = next((r for r in rows if r.baseline), None)
    if baseline:  # no target of its own: a practice's first build happens once
        lines.append(
            f"\nThe first build of the new {baseline.clients} x {baseline.sessions} practice "
            f"(every client's password key derived, the templates compiled): "
            f"{baseline.first / baseline.baseline:.2f}x plain mkdocs-material."
        )
    report = table(rows) + "\n" + "\n".join(lines) + f"\n\nMeasured on {machine}.\n"
    print("\n" + report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    (RESULTS / f"scale{suffix}.md").write_text(report, encoding="utf-8")
    (RESULTS / f"scale{suffix}.json").write_text(
        json.dumps(
            {"rows": [asdict(r) for r in rows], "unlock_to_home": parts, "load": load}, indent=1
        )
        + "\n"
    )
    chart(rows, RESULTS / f"scale{suffix}.png")
    return 0 if all(ok for *_, ok in found) else 1


if __name__ == "__main__":
    sys.exit(main())
