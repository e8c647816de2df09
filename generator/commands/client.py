"""`recap client add` and `recap client password`: clients and their journal passwords."""

from __future__ import annotations

import click

from generator.commands.common import config_option, console, friendly_errors


@click.group("client")
def client_group() -> None:
    """Add clients and manage their journal passwords."""


def show_password(slug: str, password: str) -> None:
    """Print a new password once, with what the coach should do with it."""
    out = console()
    out.print(f"\nPassword for {slug}'s journal (shown once; write it down now):\n")
    click.echo(f"    {password}\n")
    out.print(
        "Give it to the client in person or by a channel other than the journal's link. "
        "Recap Journal does not keep it: if it is lost, set a new one with "
        f"`recap client password {slug}`. Back up .recap/ (the journal keys; see the README)."
    )


@client_group.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The client's name, shown in their journal.")
@click.option("--email", default=None, help="The client's email address (for `recap email`).")
@click.option(
    "--password", "typed", is_flag=True, help="Type a password instead of a generated one."
)
@config_option
@friendly_errors
def add_command(config, slug: str, name: str, email: str | None, typed: bool) -> None:
    """Create content/SLUG/ and print the new client's journal password once."""
    from generator.content import content_root
    from generator.keys import check_strength, set_password
    from generator.scaffold import add_client

    password = None
    if typed:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        check_strength(password)
    for path in add_client(content_root(config), slug, name, email=email):
        console().print(f"created {path.relative_to(config.project_dir)}")
    password = set_password(config.state, slug, password, iterations=config.protection.iterations)
    show_password(slug, password)


@client_group.command("password")
@click.argument("slug")
@click.option(
    "--type", "typed", is_flag=True, help="Type the new password instead of generating one."
)
@click.option(
    "--add",
    "keep_others",
    is_flag=True,
    help="Add a password and keep the existing ones (for example a coach's own password).",
)
@config_option
@friendly_errors
def password_command(config, slug: str, typed: bool, keep_others: bool) -> None:
    """Set (or add) a journal password for SLUG; the old one stops working on the next build.

    Only the client's key is re-wrapped: no content is re-encrypted, no page changes.
    """
    from generator.content import content_root
    from generator.errors import RecapError
    from generator.keys import check_strength, set_password

    if not (content_root(config) / slug / "client.yml").is_file():
        raise RecapError(f"no client {slug!r}: create it with `recap client add {slug} --name ...`")
    password = None
    if typed:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        check_strength(password)
    password = set_password(
        config.state,
        slug,
        password,
        iterations=config.protection.iterations,
        keep_others=keep_others,
    )
    show_password(slug, password)
    console().print("Run `recap build` (or `recap publish`) to put the new password in place.")
