"""`recap client add|list|remove|password`: clients and their journal passwords."""

from __future__ import annotations

import os

import click

from generator.commands.common import config_option, console, friendly_errors


@click.group("client")
def client_group() -> None:
    """Add, list and archive clients; manage their journal passwords."""


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
    from generator.protection.keys import check_strength, set_password
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
    "adding",
    is_flag=True,
    help="Add a password (for example your own) and keep the others and the journal's key.",
)
@click.option(
    "--label",
    default="coach",
    show_default=True,
    help="With --add: whose password it is. An existing label's password is replaced (revoked).",
)
@click.option(
    "--remove", "removed", default=None, metavar="LABEL", help="Revoke the password under LABEL."
)
@config_option
@friendly_errors
def password_command(
    config, slug: str, typed: bool, adding: bool, label: str, removed: str | None
) -> None:
    """Set a new journal password for SLUG (revoking every old one), add one, or remove one.

    Setting or removing a password makes a new content key: the next build re-encrypts all of
    SLUG's journal at the same address, and the next publish uploads all of it again. The old
    password (and any saved copy of the old keyring) then opens nothing published after the
    change, and a device that remembered the old key is asked for the new password.
    `--add` (with a new `--label`) keeps the key: nothing is re-encrypted.
    """
    from generator.content import content_root
    from generator.errors import RecapError
    from generator.protection.keys import (
        check_strength,
        current_key_id,
        remove_password,
        set_password,
    )

    if not (content_root(config) / slug / "client.yml").is_file():
        raise RecapError(f"no client {slug!r}: create it with `recap client add {slug} --name ...`")
    if removed is not None and (adding or typed):
        raise click.UsageError("--remove cannot be combined with --add or --type")
    before = current_key_id(config.state, slug)
    if removed is not None:
        _with_old_passwords(config, slug, lambda: remove_password(config.state, slug, removed))
        console().print(f"Removed the password {removed!r} of {slug}.")
    else:
        password = None
        if typed:
            password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
            check_strength(password)
        password = _with_old_passwords(
            config,
            slug,
            lambda: set_password(
                config.state,
                slug,
                password,
                iterations=config.protection.iterations,
                label=label if adding else "client",
                keep_others=adding,
            ),
        )
        show_password(slug, password)
    if before is not None and current_key_id(config.state, slug) != before:
        console().print(
            f"{slug}'s journal has a new key: the next `recap build` re-encrypts all of it (same "
            "address), and the next `recap publish` uploads all of it again. Old passwords and "
            "saved copies of the old keyring open nothing published after that; devices that "
            "remembered the journal ask for the new password."
        )
    else:
        console().print("Run `recap build` (or `recap publish`) to put the new password in place.")


def _with_old_passwords(config, slug: str, change):
    """Run `change`; when it needs a new key but some kept passwords were set before revocation
    existed, ask for each of them once (to give it its KEK, `adopt_password`) and run it again.
    Without a terminal, or when one is not typed, the change is refused as before."""
    from generator.errors import RecapError
    from generator.protection.keys import BlindPasswordsError, adopt_password

    try:
        return change()
    except BlindPasswordsError as blind:
        console().print(
            f"The password(s) {', '.join(blind.labels)} of {slug} were set by an older version "
            "of Recap Journal: to keep them after this change, type each once (nothing else "
            "changes for them); press Enter to stop instead."
        )
        for kept in blind.labels:
            try:
                typed = click.prompt(
                    f"Current password {kept!r}", hide_input=True, default="", show_default=False
                )
            except click.Abort:
                raise blind from None
            if not typed:
                raise blind from None
            if not adopt_password(config.state, slug, kept, typed):
                raise RecapError(
                    f"that is not the current password {kept!r} of {slug}: nothing was changed"
                ) from None
        return change()


@client_group.command("list")
@config_option
@friendly_errors
def list_command(config) -> None:
    """Every client, one per line: sessions, drafts, passwords; then the archived ones."""
    from generator.content import content_root, load_content
    from generator.protection.keys import password_env, password_labels
    from generator.scaffold import archived_clients

    out = console(stderr=False)
    loads = load_content(config)
    for load in loads:
        passwords = password_labels(config.state, load.slug)
        if os.environ.get(password_env(load.slug)):
            passwords = [f"{password_env(load.slug)} (overrides the others)", *passwords]
        keys = f"passwords: {', '.join(passwords)}" if passwords else "NO PASSWORD"
        client = load.client
        if client is None:
            out.print(f"{load.slug}: content errors, run `recap check`; {keys}", markup=False)
            continue
        sessions = _count(len(client.published), "session")
        if client.published:
            sessions += f", last {client.published[-1].date.isoformat()}"
        drafts = f"; {_count(len(client.drafts), 'draft')}" if client.drafts else ""
        out.print(f"{client.slug} ({client.name}): {sessions}{drafts}; {keys}", markup=False)
    if not loads:
        out.print("No clients yet: add one with `recap client add SLUG --name NAME`.")
    archived = archived_clients(content_root(config))
    if archived:
        out.print(f"Archived (content/_archived/): {', '.join(archived)}", markup=False)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


@client_group.command("remove")
@click.argument("slug")
@config_option
@friendly_errors
def remove_command(config, slug: str) -> None:
    """Archive SLUG: its journal is no longer built nor published; nothing is deleted."""
    from generator.build import site_root
    from generator.content import content_root
    from generator.scaffold import archive_client

    moved = archive_client(content_root(config), config.state, site_root(config), slug)
    out = console()
    base = config.project_dir
    out.print(f"archived {slug}: nothing was deleted", markup=False)
    out.print(f"  recaps and recordings: {moved.content.relative_to(base)}/", markup=False)
    if moved.secrets is not None:
        out.print(f"  journal keys: {moved.secrets.relative_to(base)}/", markup=False)
    if moved.site is not None:
        out.print(f"  built journal: {moved.site.relative_to(base)}/", markup=False)
    back = f"move {moved.content.relative_to(base)}/ back to content/{slug}/"
    if moved.secrets is not None:
        back += f" and {moved.secrets.relative_to(base)}/ to .recap/clients/{slug}/"
    out.print(
        f"The next `recap publish` takes {slug}'s journal offline. To bring {slug} back, {back}.",
        markup=False,
    )


@click.command("link")
@click.argument("slug")
@click.option("--remove", "removing", is_flag=True, help="Revoke the link: it opens nothing more.")
@config_option
@friendly_errors
def link_command(config, slug: str, removing: bool) -> None:
    """Print a one-tap link to SLUG's journal: it carries a long random password.

    The password travels in the link's #fragment (browsers never send it to the server) and
    leaves the address bar as soon as the journal opens. Anyone holding the link can open the
    journal, so send it only where the client alone reads it. A new link revokes the previous
    one; `--remove` revokes it without a new one (both re-encrypt the journal at next build).
    """
    from generator.content import content_root
    from generator.errors import RecapError
    from generator.mail import journal_link
    from generator.protection.keys import (
        LINK_LABEL,
        new_link_password,
        password_env,
        password_labels,
        remove_password,
    )

    if not (content_root(config) / slug / "client.yml").is_file():
        raise RecapError(f"no client {slug!r}: create it with `recap client add {slug} --name ...`")
    out = console()
    if removing:
        _with_old_passwords(config, slug, lambda: remove_password(config.state, slug, LINK_LABEL))
        out.print(f"Revoked {slug}'s one-tap link. Run `recap publish` to put that in place.")
        return
    if os.environ.get(password_env(slug)):
        out.print(
            f"Note: {password_env(slug)} is set; while it is, builds use that password alone and "
            "the link opens nothing. Unset it before `recap publish`.",
            style="yellow",
        )
    replacing = LINK_LABEL in password_labels(config.state, slug)
    password = _with_old_passwords(
        config,
        slug,
        lambda: new_link_password(config.state, slug, iterations=config.protection.iterations),
    )
    try:
        address = journal_link(config, slug)
    except RecapError:
        address = f"<publish.base_url>/{config.state.site_id(slug)}/"
        out.print("No publish.base_url in site_config.yml: put your journals' address in front.")
    out.print(f"\nOne-tap link to {slug}'s journal (shown once):\n")
    click.echo(f"    {address}#k={password}\n")
    out.print(
        "It opens the journal on any device without typing a password and keeps it open there "
        "(like 'Remember me'). Anyone with the link can open the journal: send it only where "
        f"the client alone reads it. Revoke it with `recap link {slug} --remove`."
        + (" The previous link no longer works." if replacing else "")
        + " Run `recap publish` to put it in place."
    )
