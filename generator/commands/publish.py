"""`recap publish`: check, build and push the protected journals to the gh-pages branch."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.common import config_option, console, friendly_errors, show_problems
from generator.commands.journal import BuildReporter


class _PublishReporter(BuildReporter):
    """The build's per-client lines, plus one line per publishing step and warning."""

    def step(self, message: str) -> None:
        self.out.print(f"[bold]{message}[/]…")

    def warn(self, message: str) -> None:
        self.out.print(f"[yellow]warning:[/] {message}", markup=True, highlight=False)


@click.command("publish")
@click.option("--remote", metavar="NAME|URL", help="The git remote (default: publish.remote).")
@click.option("--branch", metavar="NAME", help="The branch (default: publish.branch, gh-pages).")
@click.option(
    "--commit", "commit_content", is_flag=True, help="Commit pending changes in content/ first."
)
@click.option("-m", "--message", metavar="TEXT", help="The message of the --commit content commit.")
@config_option
@friendly_errors
def publish_command(
    config, remote: str | None, branch: str | None, commit_content: bool, message: str | None
) -> None:
    """Check, build and push every client's protected journal to gh-pages."""
    from generator.publish import PublishRefused, publish

    try:
        report = publish(
            config,
            remote=remote,
            branch=branch,
            commit_content=commit_content,
            message=message,
            reporter=_PublishReporter(),
        )
    except PublishRefused as exc:
        if not exc.reported:
            show_problems(exc.problems, Path.cwd())
        raise click.ClickException(str(exc)) from exc

    from rich.table import Table

    base = (config.publish.base_url or "").rstrip("/")
    table = Table(title="Published journals", title_justify="left")
    for column in ("client", "size", "files", "largest file"):
        table.add_column(column, justify="left" if column == "client" else "right")
    for site in report.sites:
        largest = _mb(site.largest_bytes) if site.largest else ""
        table.add_row(site.slug, _mb(site.bytes), str(site.files), largest)
    out = console()
    out.print(table)
    out.print(f"Total {_mb(report.total_bytes)} (GitHub Pages allows 1 GB per site).")
    # Each link on a line of its own, never cut to the terminal's width: it is copied as is.
    out.print("\nEach client's link:" if base else "\nEach client's folder (set publish.base_url "
              "in site_config.yml to see the full links):")  # fmt: skip
    for site in report.sites:
        out.print(f"  {site.slug}:", markup=False)
        click.echo(f"    {base}/{site.site_id}/" if base else f"    site/{site.site_id}/", err=True)
    target = f"{report.remote} {report.branch}"
    if report.pushed:
        out.print(f"[green]Published[/] to {target} (commit {report.commit[:8]}).")
    else:
        out.print(f"Nothing changed: {target} already has this (commit {report.commit[:8]}).")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
