"""The `recap` command: a thin click group over the library; heavy modules load lazily."""

from __future__ import annotations

import importlib
import logging

import click

from generator import __version__

# name → (module, command object): imported only when that command runs, so `recap --help`
# is instant and the Whisper stack loads only for the recordings commands.
COMMANDS = {
    "init": ("generator.commands.journal", "init_command"),
    "check": ("generator.commands.journal", "check_command"),
    "build": ("generator.commands.journal", "build_command"),
    "serve": ("generator.commands.journal", "serve_command"),
    "client": ("generator.commands.client", "client_group"),
    "link": ("generator.commands.client", "link_command"),
    "status": ("generator.commands.workflow", "status_command"),
    "new": ("generator.commands.workflow", "new_command"),
    "brief": ("generator.commands.workflow", "brief_command"),
    "email": ("generator.commands.workflow", "email_command"),
    "publish": ("generator.commands.publish", "publish_command"),
    "watch": ("generator.commands.watch", "watch_command"),
    "transcribe": ("generator.commands.watch", "transcribe_command"),
    "voice": ("generator.commands.voice", "voice_group"),
}

SUMMARIES = {
    "init": "Create a new Recap Journal project.",
    "check": "Validate every client's content.",
    "build": "Build each client's protected journal.",
    "serve": "Build and serve the journals on 127.0.0.1.",
    "client": "Add clients and manage their passwords.",
    "link": "A one-tap link to a client's journal (a password in the link).",
    "status": "One row per client: sessions, drafts, what is late.",
    "new": "Write the next recap from the template.",
    "brief": "The pre-session brief for a client.",
    "email": "Email a client that their recap is ready.",
    "publish": "Check, build and push the sites to gh-pages.",
    "watch": "Watch the inbox: convert, transcribe, draft, rebuild.",
    "transcribe": "Convert and transcribe one recording now.",
    "voice": "Enroll your voice, so drafts tell you from the client.",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, SUMMARIES[name]) for name in COMMANDS])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recap")
@click.option("-v", "--verbose", is_flag=True, help="Show debug logging.")
def main(verbose: bool) -> None:
    """Recap Journal: session recaps in Markdown, one protected journal site per client."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # MkDocs logs every page at INFO; the build reports progress itself.
    logging.getLogger("mkdocs").setLevel(logging.DEBUG if verbose else logging.ERROR)


if __name__ == "__main__":
    main()
