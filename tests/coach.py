"""What a coach does to a watcher draft before publishing it, for the tests that publish one."""

from __future__ import annotations

import re


def publish_draft(text: str, title: str = "Our first session") -> str:
    """The draft edited as a coach would: its own title, the drafted note, placeholders and the
    suggestions section removed, and `status: published`.

    Written from the draft's visible markers rather than with `generator.leftovers`, so that a
    change to the draft's format that the safety net misses still fails the tests that use it.
    """
    text = text.replace("status: draft", "status: published", 1)
    text = re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1)
    text = re.sub(r"(?ms)^#{1,6} Suggestions from the transcript$.*", "", text)
    kept = [
        line
        for line in text.splitlines()
        if not line.startswith(">") and not re.fullmatch(r"_[^_]+\._", line.strip())
    ]
    return "\n".join(kept).rstrip() + "\n"
