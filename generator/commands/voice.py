"""`recap voice enroll FILE`: remember the coach's voice, so drafts know who is the coach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from generator.commands.common import config_option, console, friendly_errors


@click.group("voice")
def voice_group() -> None:
    """The coach's voice, used to tell the coach from the client in recordings."""


@voice_group.command("enroll")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@config_option
@friendly_errors
def enroll_command(config: Any, file: Path) -> None:
    """Learn the coach's voice from FILE: 20 seconds or more of you alone, speaking as in a
    session. Kept in .recap/voice/coach.json (never published); run it again to replace it."""
    from generator.recordings.audio import decode_voice
    from generator.recordings.speakers import enroll

    profile = enroll(decode_voice(file), file.name)
    path = profile.save(config.project_dir / ".recap")
    console().print(
        f"[green]✓[/] your voice: {profile.seconds:.0f} s of speech from {file.name} → "
        f"{path.relative_to(config.project_dir)}; new recordings will name you Coach",
        highlight=False,
    )
