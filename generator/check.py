"""`recap check`: every problem in the content, all at once."""

from __future__ import annotations

from generator.config import Branding, SiteConfig
from generator.content import content_root, load_content
from generator.errors import Problem


def check(config: SiteConfig, *, strict: bool = False) -> list[Problem]:
    """Validate every client folder; return every problem (errors and warnings)."""
    root = content_root(config)
    if not root.is_dir():
        return [Problem(root, "no content folder: create it with one folder per client")]
    problems: list[Problem] = branding_problems(config)
    for load in load_content(config, strict=strict):
        problems.extend(load.problems)
    return problems


PLACEHOLDER_NAMES = {"Your Name", Branding.coach_name}
"""What `recap init` and the settings' default put in `branding.coach_name`."""


def branding_problems(config: SiteConfig) -> list[Problem]:
    """A warning while every journal and unlock page would still show a placeholder name."""
    name = config.branding.coach_name
    if name not in PLACEHOLDER_NAMES:
        return []
    file = config.project_dir / "site_config.yml"
    line = None
    if file.is_file():
        for number, text in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if text.strip().startswith("coach_name:"):
                line = number
    return [
        Problem(
            file,
            f"still {name!r}: every journal and its unlock page show it; set your own name",
            line=line,
            field="branding.coach_name",
            severity="warning",
        )
    ]
