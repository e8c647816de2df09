"""The coach's daily commands: `recap new`, `recap brief`, `recap status`, `recap email`."""

from __future__ import annotations

import datetime as dt
import json
import os

import click

from generator.commands.common import DATE, config_option, console, friendly_errors


def _day(value: dt.date | None) -> dt.date:
    return value or dt.date.today()


def today_option(func):
    """A hidden `--today DATE`: what "today" is, for scripts and tests."""
    return click.option("--today", "today", type=DATE, default=None, hidden=True)(func)


@click.command("new")
@click.argument("slug")
@click.option("--date", type=DATE, default=None, help="The session date (default: today).")
@click.option("--edit", is_flag=True, help="Open the new recap in $EDITOR.")
@config_option
@friendly_errors
def new_command(config, slug: str, date: dt.date | None, edit: bool) -> None:
    """Write the next recap of SLUG, with the commitments still open carried over."""
    from generator.brief import new_recap

    path = new_recap(config, slug, _day(date))
    shown = path.relative_to(config.project_dir)
    console().print(
        f"created {shown} (status: draft; set `status: published` when it is ready)",
        markup=False,
    )
    if edit:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        click.edit(filename=str(path), editor=editor)


@click.command("brief")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@today_option
@config_option
@friendly_errors
def brief_command(config, slug: str, as_json: bool, today: dt.date | None) -> None:
    """The pre-session brief of SLUG: latest recap, open commitments, recent successes."""
    from generator.brief import brief, load_one

    b = brief(load_one(config, slug), _day(today))
    if as_json:
        click.echo(json.dumps(b.to_json(), indent=2))
        return
    out = console(stderr=False)
    days = b.days_since_last_session
    if days is None:
        since = "no session yet"
    elif days == 0:
        since = "a session today"  # a recap of today's date, a draft of `recap new` too
    else:
        since = f"{days} day{'' if days == 1 else 's'} since the last session"
    out.print(f"[bold]{b.name}[/] · {since}")
    if b.latest:
        r = b.latest
        out.print(f"\n[bold]Latest recap[/] {r.date} · {r.title}", highlight=False)
        if r.focus:
            out.print(f"  focus: {', '.join(r.focus)}", markup=False)
        if r.highlight:
            out.print(f"  {r.highlight}", markup=False)
        for step in r.next_steps:
            out.print(f"  next: {step}", markup=False)
    if b.open_commitments:
        out.print(f"\n[bold]Open commitments[/] ({len(b.overdue)} overdue)")
        for c in b.open_commitments:
            due = f" (due {c.due})" if c.due else ""
            line = f"  • {c.text}{due}, since {c.since}"
            out.print(f"{line}  OVERDUE" if c.overdue else line, markup=False,
                      style="red" if c.overdue else None)  # fmt: skip
    else:
        out.print("\nNo open commitments.")
    if b.recent_successes:
        out.print("\n[bold]Recent successes[/]")
        for date, success in b.recent_successes:
            out.print(f"  ✓ {success} ({date})", markup=False)
    if b.drafts:
        out.print(f"\n[yellow]Drafts waiting:[/] {', '.join(d.path.name for d in b.drafts)}")


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@today_option
@config_option
@friendly_errors
def status_command(config, as_json: bool, today: dt.date | None) -> None:
    """One row per client: sessions, last session, open commitments, drafts, late recordings.

    "waiting" counts the recordings without a published recap; "late" ones are 48 hours old.
    """
    from generator.brief import status

    rows = status(config, _day(today))
    if as_json:
        click.echo(json.dumps([row.to_json() for row in rows], indent=2))
        return
    from rich.table import Table

    table = Table(title="Clients", title_justify="left")
    for column in ("client", "sessions", "last", "open", "drafts", "waiting"):
        table.add_column(column)
    for row in rows:
        if row.errors:
            table.add_row(row.slug, "[red]broken[/]", "", "", "", "")
            continue
        opened = str(row.open_commitments)
        if row.overdue_commitments:
            opened += f" [red]({row.overdue_commitments} overdue)[/]"
        waiting = f"{len(row.recordings)}" if row.recordings else ""
        if row.late:
            waiting = f"[red bold]{len(row.late)} late[/]" + (
                f" of {len(row.recordings)}" if len(row.recordings) > len(row.late) else ""
            )
        table.add_row(
            row.slug,
            str(row.sessions),
            str(row.last_session or ""),
            opened,
            str(len(row.drafts) or ""),
            waiting,
        )
    console(stderr=False).print(table)
    for row in rows:
        if row.errors:
            console().print(
                f"broken: {row.slug}: {row.errors} error{'s' if row.errors != 1 else ''}, "
                "not built nor published; run `recap check`",
                style="red",
                markup=False,
            )
        for recording in row.late:
            console().print(
                f"late: {row.slug}: {recording.path} (session {recording.session}) has no "
                "published recap after 48 hours",
                style="red",
                markup=False,
            )


@click.command("email")
@click.argument("slug")
@click.option("--session", type=DATE, default=None, help="The session's date (default: latest).")
@click.option("--dry-run", is_flag=True, help="Write an .eml file instead of sending.")
@config_option
@friendly_errors
def email_command(config, slug: str, session: dt.date | None, dry_run: bool) -> None:
    """Email SLUG that their recap is ready, with the link to their journal."""
    from generator.brief import load_one
    from generator.mail import send_recap_email

    sent = send_recap_email(
        config,
        load_one(config, slug),
        session=session,
        dry_run=dry_run,
        env=os.environ,
    )
    if sent.eml:
        shown = sent.eml.relative_to(config.project_dir)
        console().print(f"not sent (dry run): wrote {shown} for {sent.recipient}", markup=False)
    else:
        console().print(f"sent to {sent.recipient}: {sent.subject}", markup=False)
