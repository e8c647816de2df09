"""What every command shares: finding the project, the console, turning errors into messages."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator.errors import Problem, ProblemsError, RecapError, disk_trouble


def console(*, stderr: bool = True):
    """The rich console: stderr for progress and messages (so stdout stays for --json), or
    stdout for a command's own report (`recap brief`, `recap status`)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


class CoachDate(click.ParamType):
    """A date as the coach types it (`generator.dates`): 2026-11-25, 25/11/2026, 25 Nov 2026,
    today; the value is a `datetime.date`."""

    name = "date"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        import datetime as dt

        from generator.dates import DateError, parse_date

        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value), today=dt.date.today())
        except DateError as exc:
            self.fail(str(exc), param, ctx)


DATE = CoachDate()


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add `-c/--config PATH` and pass the loaded `SiteConfig` as `config`."""

    @click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="The project's site_config.yml (default: found from the current folder).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, config_path: Path | None, **kwargs: Any) -> Any:
        # Loaded here, outside the command's own friendly_errors: a mistake in
        # site_config.yml must read as a message too, never a traceback.
        kwargs["config"] = friendly_errors(load_project)(config_path)
        return func(*args, **kwargs)

    return wrapper


def load_project(config_path: Path | None, *, strict: bool = False):
    """Find and load the project's configuration, printing its warnings."""
    from generator.config import find_config, load_config

    path = find_config(Path.cwd(), config_path)
    warnings: list[Problem] = []
    config = load_config(path, strict=strict, warnings=warnings)
    show_problems(warnings, config.project_dir)
    return config


def show_problems(problems: list[Problem], base: Path | None = None) -> None:
    """Print problems, errors in red and warnings in yellow, one line each."""
    out = console()
    for problem in problems:
        style = "red" if problem.severity == "error" else "yellow"
        out.print(problem.format(base), style=style, markup=False, highlight=False)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our own exceptions into a message and exit 1: a coach never sees a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ProblemsError as exc:
            show_problems(exc.problems, Path.cwd())
            n = len([p for p in exc.problems if p.severity == "error"])
            raise click.ClickException(f"{n} problem{'s' if n != 1 else ''} found") from exc
        except RecapError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:  # a full disk, a read-only folder: the machine, not a bug
            trouble = disk_trouble(exc)
            if trouble is None:
                raise
            raise click.ClickException(trouble) from exc
        except KeyboardInterrupt:
            console().print("interrupted")
            sys.exit(130)

    return wrapper
