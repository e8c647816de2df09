"""`recap init`, `recap check`, `recap build` and `recap serve`."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.common import (
    config_option,
    console,
    friendly_errors,
    load_project,
    show_problems,
)


@click.command("init")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--coach", default="Your Name", help="Your name, shown on every journal.")
@click.option("--practice", default="", help="Your practice's name (the sites' title).")
@friendly_errors
def init_command(folder: Path, coach: str, practice: str) -> None:
    """Create a new Recap Journal project in FOLDER, ready to build."""
    from generator.commands.client import show_password
    from generator.config import load_config
    from generator.protection.keys import set_password
    from generator.scaffold import init_project

    created = init_project(folder, coach=coach, practice=practice)
    out = console()
    for path in created:
        out.print(f"created {path}")
    config = load_config(folder / "site_config.yml")
    password = set_password(config.state, "demo-client", iterations=config.protection.iterations)
    show_password("demo-client", password)
    out.print(f"\nNext: cd {folder} && recap build && recap serve", markup=False)


@click.command("check")
@click.option("--strict", is_flag=True, help="Treat unknown fields as errors.")
@click.option(
    "-c", "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None
)
@friendly_errors
def check_command(strict: bool, config_path: Path | None) -> None:
    """Validate every client's content and report every problem at once."""
    from generator.check import check
    from generator.errors import errors_in

    config = load_project(config_path, strict=strict)
    problems = check(config, strict=strict)
    show_problems(problems, Path.cwd())
    errors = errors_in(problems)
    warnings = len(problems) - len(errors)
    if errors:
        raise click.ClickException(
            f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
            + (f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")
        )
    console().print(
        "[green]All content is valid[/]"
        + (f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else "")
        + "."
    )


class BuildReporter:
    """Prints one line per client as it finishes, with its time."""

    def __init__(self) -> None:
        self.out = console()

    def started(self, slugs: list[str]) -> None:
        if slugs:
            self.out.print(f"Building {len(slugs)} client{'s' if len(slugs) != 1 else ''}…")

    def finished(self, outcome) -> None:
        if outcome.status == "built":
            self.out.print(f"  [green]✓[/] {outcome.slug}  built in {outcome.seconds:.1f} s")
            for warning in outcome.warnings:
                self.out.print(f"    warning: {warning}", style="yellow", markup=False)
        elif outcome.status == "unchanged":
            self.out.print(f"  [dim]· {outcome.slug}  unchanged[/]")
        else:
            self.out.print(f"  [red]✗ {outcome.slug}  not built[/]")
            for problem in outcome.problems:
                self.out.print(f"    {problem.format(Path.cwd())}", style="red", markup=False)


@click.command("build")
@click.option("--client", "clients", multiple=True, metavar="SLUG", help="Build only this client.")
@click.option("--force", is_flag=True, help="Rebuild even the clients that did not change.")
@config_option
@friendly_errors
def build_command(config, clients: tuple[str, ...], force: bool) -> None:
    """Build each client's protected journal into site/<id>/."""
    from rich.table import Table

    from generator.build import build

    result = build(config, only=list(clients) or None, reporter=BuildReporter(), force=force)
    show_problems(result.warnings, Path.cwd())
    table = Table(title="Journals", title_justify="left")
    for column in ("client", "status", "site"):
        table.add_column(column)
    for outcome in result.outcomes:
        site = ""
        if outcome.site is not None:
            site = str(outcome.site.relative_to(config.project_dir)) + "/"
        colour = {"built": "green", "unchanged": "dim", "failed": "red"}[outcome.status]
        table.add_row(outcome.slug, f"[{colour}]{outcome.status}[/]", site)
    console().print(table)
    if not result.ok:
        n = len(result.failed)
        raise click.ClickException(f"{n} client{'s' if n != 1 else ''} not built (see above)")


@click.command("serve")
@click.option("--port", default=8000, show_default=True, help="The port on 127.0.0.1.")
@click.option(
    "--preview",
    is_flag=True,
    help="Serve unprotected previews (no password), built into .recap/preview/.",
)
@click.option("--no-build", is_flag=True, help="Serve what is built without building first.")
@config_option
@friendly_errors
def serve_command(config, port: int, preview: bool, no_build: bool) -> None:
    """Build and serve the journals on 127.0.0.1 (this machine only)."""
    from generator.build import build, client_output, site_root
    from generator.content import load_content
    from generator.serve import serve

    out = console()
    if not no_build:
        result = build(config, reporter=BuildReporter(), protect=not preview)
        show_problems(result.warnings, Path.cwd())
        if not result.ok:
            out.print("[yellow]Some clients were not built; serving the others.[/]")
    root = config.state.preview_dir if preview else site_root(config)
    if not root.is_dir():
        raise click.ClickException(f"nothing built in {root}: run `recap build` first")
    with serve(root, port) as address:
        out.print(f"Serving {'unprotected previews' if preview else 'protected journals'}:")
        for load in load_content(config):
            folder = client_output(config, load.slug, protect=not preview)
            if folder.is_dir():
                name = load.client.name if load.client else load.slug
                out.print(f"  {name}: {address}{folder.name}/", markup=False)
        out.print("Press Ctrl+C to stop.")
        try:
            import threading

            threading.Event().wait()
        except KeyboardInterrupt:
            out.print("stopped")
