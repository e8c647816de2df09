"""`recap check`: every problem in the content, all at once."""

from __future__ import annotations

from generator.config import SiteConfig
from generator.content import content_root, load_content
from generator.errors import Problem


def check(config: SiteConfig, *, strict: bool = False) -> list[Problem]:
    """Validate every client folder; return every problem (errors and warnings)."""
    root = content_root(config)
    if not root.is_dir():
        return [Problem(root, "no content folder: create it with one folder per client")]
    problems: list[Problem] = []
    for load in load_content(config, strict=strict):
        problems.extend(load.problems)
    return problems
