"""`recap watch` and `recap transcribe`: the recordings commands, with rich progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from generator.commands.common import DATE, config_option, console, friendly_errors
from generator.errors import RecapError


def _progress(out: Any):
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=out,
        transient=True,
    )


class ConsoleReporter:
    """Shows the watcher's work: one line per event, a bar with ETA while transcribing."""

    def __init__(self, out: Any, progress: Any, base: Path) -> None:
        self.out = out
        self.bars = progress
        self.base = base
        self.tasks: dict[str, Any] = {}

    def step(self, name: str, client: str, step: str) -> None:
        """A recording entered a step."""
        if step == "transcribe":
            self.tasks[name] = self.bars.add_task(f"transcribing {name}", total=None)
        else:
            self._close(name)
            self.out.print(f"[dim]{client}[/] {name}: {step}")

    def progress(self, name: str, done: float, total: float) -> None:
        """Seconds transcribed of the total."""
        task = self.tasks.get(name)
        if task is not None:
            self.bars.update(task, completed=done, total=total or None)

    def job_done(self, name: str, client: str, status: str, note: str) -> None:
        """A recording's job ended."""
        self._close(name)
        if status == "finished":
            self.out.print(f"[green]✓[/] {client} {name}: draft ready in {note}")
        else:
            self.out.print(f"[red]✗[/] {client} {name}: {status} {note}", markup=True)

    def quarantined(self, name: str, why: str) -> None:
        """A file went to quarantine."""
        self._close(name)
        self.out.print(f"[yellow]quarantined[/] {name}: {why}", highlight=False)

    def built(self, result: Any) -> None:
        """A rebuild finished."""
        if result.built:
            self.out.print(f"[green]rebuilt[/] {', '.join(result.built)}")
        for problem in result.warnings:
            self.out.print(problem.format(self.base), style="yellow", markup=False)
        for slug, problems in result.failed.items():
            self.out.print(f"[red]not built[/] {slug}:", highlight=False)
            for problem in problems:
                self.out.print(f"  {problem.format(self.base)}", markup=False, highlight=False)

    def error(self, message: str) -> None:
        """A survived failure."""
        self.out.print(f"[red]error[/] {message}", highlight=False)

    def _close(self, name: str) -> None:
        task = self.tasks.pop(name, None)
        if task is not None:
            self.bars.remove_task(task)


@click.command("watch")
@config_option
@friendly_errors
def watch_command(config: Any) -> None:
    """Watch inbox/<client>/ for recordings and content/ for edits; Ctrl-C stops.

    Each recording becomes an mp3, a transcript and a draft recap, then the client's site is
    rebuilt. Progress is logged to .recap/recap.log.
    """
    from generator.recordings.watch import Watcher

    out = console()
    with _progress(out) as bars:
        reporter = ConsoleReporter(out, bars, config.project_dir)
        inbox = config.inbox_dir.relative_to(config.project_dir)
        out.print(f"Watching {inbox}/<client>/ and content/ (Ctrl-C to stop)")
        try:
            Watcher(config, reporter=reporter).run()
        except KeyboardInterrupt:
            out.print("stopped")


@click.command("transcribe")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--client", "slug", required=True, help="The client's slug (content/<slug>/).")
@click.option(
    "--date",
    "session",
    type=DATE,
    default=None,
    help="The session date (default: from the file name, else its modification time).",
)
@config_option
@friendly_errors
def transcribe_command(config: Any, file: Path, slug: str, session: dt.date | None) -> None:
    """Convert, transcribe and draft one recording now, then rebuild the client's site.

    FILE stays where it is; a copy is kept in content/<client>/originals/. When the session
    already has a recap, the recording is attached to it instead of a new draft.
    """
    from generator.build import build
    from generator.recordings.jobs import open_job, run_job
    from generator.recordings.transcribe import Transcriber
    from generator.recordings.watch import recordings_lock

    out = console()
    with recordings_lock(config):
        when = session
        job = open_job(config, file.resolve(), client=slug, date=when, keep_source=True)
        transcriber = Transcriber(config.transcription, project_dir=config.project_dir)
        with _progress(out) as bars:
            task = bars.add_task(f"transcribing {file.name}", total=None)
            job = run_job(
                config,
                job,
                transcriber,
                quarantine_unreadable=False,
                progress=lambda done, total: bars.update(task, completed=done, total=total),
                on_step=lambda _job, step: out.print(f"{file.name}: {step}"),
                rebuild=lambda client: _report_build(build(config, only=[client]), out),
            )
    if job.status not in ("finished", "active"):
        raise RecapError(f"{file.name}: {job.note}")
    folder = config.project_dir / config.content_dir / slug
    done, base = job.done["draft"], config.project_dir
    if done.get("attached"):
        recap = (folder / done["path"]).relative_to(base)
        beside = (folder / done["suggestions"]).relative_to(base)
        out.print(f"[green]✓[/] attached to your recap {recap}", highlight=False)
        out.print(f"  what the transcript suggests: {beside}", highlight=False)
    else:
        out.print(f"[green]✓[/] draft: {folder / done['path']}", highlight=False)
    archived = job.done.get("archive", {}).get("path")
    if archived:
        out.print(f"  {file} is where it was; a copy is in {folder / archived}", highlight=False)
    click.echo(str(folder / done["path"]))


def _report_build(result: Any, out: Any) -> None:
    for problem in result.warnings:
        out.print(str(problem), style="yellow", markup=False, highlight=False)
    for slug, problems in result.failed.items():
        out.print(f"[yellow]site not rebuilt[/] {slug}:", highlight=False)
        for problem in problems:
            out.print(f"  {problem}", markup=False, highlight=False)
