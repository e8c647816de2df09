"""YAML mistakes a coach makes, explained in plain words at the line to change.

PyYAML's messages ("mapping values are not allowed in this context", "found character that
cannot start any token") name the parser's state, not the fix, and a parse stops at the first
one. `explain` turns the common mistakes into a message saying what to write instead, and
repairs the text the way the message says, so that the caller can parse again and report the
file's other problems too. The repaired text is only read for more messages: a file with a
YAML problem is never built.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

_KEY_VALUE = re.compile(
    r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[^\s:#'\"\[{][^:#]*?):[ \t]+(?P<value>.*)$"
)
_ITEM = re.compile(r"^(?P<lead>\s*-[ \t]+)(?P<value>.*)$")
_EMPTY_COLLECTION = re.compile(
    r"^(?P<key>\s*[^\s:#][^:#]*?):\s*(?P<empty>\[\s*\]|\{\s*\})\s*(#.*)?$"
)
_PLAIN_STARTERS = "@`%!&*"
_ITEM_FIELDS = ("text", "status", "due", "title", "url")
"""Fields of a list item written as a mapping (a commitment, a resource)."""


@dataclass(frozen=True)
class Explained:
    """One YAML mistake: the line to change (0-based), what to do, and the repaired text."""

    line: int
    message: str
    repaired: str | None
    """The text with this mistake fixed as the message says, or None when it cannot be."""
    certain: bool = True
    """False when the repair only drops the line to read on: the repaired text's fields are
    then not what the coach meant, only its other YAML mistakes are worth reporting."""


def tab_lines(text: str) -> list[int]:
    """The lines (0-based) indented with a tab, which YAML refuses."""
    return [
        number
        for number, line in enumerate(text.splitlines())
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]
    ]


def untab(text: str) -> str:
    """`text` with each tab of an indentation made two spaces."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.lstrip(" \t")
        out.append(line[: len(line) - len(body)].replace("\t", "  ") + body)
    return "".join(out)


TAB_MESSAGE = "this line starts with a tab: indent with spaces instead (YAML does not accept tabs)"


def explain(text: str, error: yaml.YAMLError) -> Explained:
    """What `error` means for a coach, at the line to change, with the text repaired."""
    lines = text.splitlines()
    if isinstance(error, yaml.reader.ReaderError):  # a control character: a NUL, a bell...
        where = text.count("\n", 0, max(text.find(chr(error.character)), 0))
        return Explained(
            where,
            f"this line holds a control character (#x{error.character:02x}) that YAML does "
            "not accept: delete it (it often comes from a copy and paste)",
            None,
            certain=False,
        )
    problem = getattr(error, "problem_mark", None)
    context = getattr(error, "context_mark", None)
    at = min(problem.line, max(len(lines) - 1, 0)) if problem else 0
    explainers = (
        _items_after_empty,
        _colon_in_text,
        _quoted_start,
        _unclosed_quote,
        _bracket,
        _odd_start,
    )
    for explainer in explainers:
        found = explainer(lines, at, context.line if context else None)
        if found is not None:
            return found
    reason = getattr(error, "problem", None) or str(error)
    # An unclosed bracket or quote is best shown where it opened, not where the parse ended.
    opened = context is not None and re.search(r"flow|quoted", str(error.context or ""))
    where = min(context.line if opened else at, max(len(lines) - 1, 0))
    # Read on without the line, for the file's other mistakes.
    return Explained(
        where,
        f"this line is not valid YAML ({reason}): check its indentation, and put text "
        "containing `: ` or ` #` in quotes",
        _replace(lines, where, "") if lines and lines[where].strip() else None,
        certain=False,
    )


def _replace(lines: list[str], number: int, new: str) -> str:
    return "\n".join([*lines[:number], new, *lines[number + 1 :]]) + "\n"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _items_after_empty(lines: list[str], at: int, _context: int | None) -> Explained | None:
    # `successes: []` then `- an item`: the list was closed before its items.
    if not lines[at].lstrip().startswith("-"):
        return None
    for number in range(at - 1, -1, -1):
        if not lines[number].strip() or lines[number].lstrip().startswith("#"):
            continue
        match = _EMPTY_COLLECTION.match(lines[number])
        if match is None:
            return None
        key = match["key"].strip()
        return Explained(
            number,
            f"`{key}: {match['empty']}` is an empty list, so the items below it cannot be "
            f"added: remove the `{match['empty']}` and keep `{key}:` with each item on its own "
            "line starting with `- `",
            _replace(lines, number, f"{match['key']}:"),
        )
    return None


def _colon_in_text(lines: list[str], at: int, _context: int | None) -> Explained | None:
    match = _KEY_VALUE.match(lines[at])
    if match is None:
        return None
    value = match["value"].rstrip()
    if value[:1] in "'\"[{|>" or not (": " in value or value.endswith(":")):
        return None
    lead, key = match["lead"], match["key"]
    if lead.strip() == "-" and key not in _ITEM_FIELDS:
        fixed = lead + _quote(f"{key}: {value}")  # `- Coffee with Dana: agreed: ...`
    else:
        fixed = f"{lead}{key}: {_quote(value)}"
    return Explained(
        at,
        f"text containing `: ` needs quotes: `{fixed.strip()}`",
        _replace(lines, at, fixed),
    )


def _quoted_start(lines: list[str], at: int, _context: int | None) -> Explained | None:
    # title: "Big" day → the quotes end before the text does.
    match = _KEY_VALUE.match(lines[at]) or _ITEM.match(lines[at])
    if match is None:
        return None
    value = match["value"].rstrip()
    quote = value[:1]
    if quote not in "'\"" or value.endswith(quote) or value.count(quote) < 2:
        return None
    prefix = f"{match['lead']}{match['key']}: " if "key" in match.groupdict() else match["lead"]
    fixed = prefix + "'" + value.replace("'", "''") + "'"
    return Explained(
        at,
        f"text that starts with a quote mark must be quoted as a whole: `{fixed.strip()}`",
        _replace(lines, at, fixed),
    )


def _unclosed_quote(lines: list[str], at: int, context: int | None) -> Explained | None:
    if context is None or context >= len(lines):
        return None
    match = _KEY_VALUE.match(lines[context]) or _ITEM.match(lines[context])
    if match is None:
        return None
    value = match["value"].rstrip()
    quote = value[:1]
    if quote not in "'\"" or (len(value) > 1 and value.endswith(quote)):
        return None
    return Explained(
        context,
        f"the quote mark {quote} opened on this line is never closed: add a {quote} at the "
        "end of the text",
        _replace(lines, context, lines[context].rstrip() + quote),
    )


def _bracket(lines: list[str], at: int, context: int | None) -> Explained | None:
    # title: [Draft] Goals, or a list `[a, b` never closed.
    for number in dict.fromkeys(n for n in (context, at) if n is not None and n < len(lines)):
        match = _KEY_VALUE.match(lines[number]) or _ITEM.match(lines[number])
        value = match["value"].rstrip() if match else ""
        closing = {"[": "]", "{": "}"}.get(value[:1])
        if match is not None and closing is not None:
            break
    else:
        return None
    prefix = f"{match['lead']}{match['key']}: " if "key" in match.groupdict() else match["lead"]
    fixed = prefix + _quote(value)
    return Explained(
        number,
        f"text starting with `{value[0]}` needs quotes: `{fixed.strip()}` (or, for a list, "
        f"close it with `{closing}`)",
        _replace(lines, number, fixed),
    )


def _odd_start(lines: list[str], at: int, _context: int | None) -> Explained | None:
    match = _KEY_VALUE.match(lines[at]) or _ITEM.match(lines[at])
    if match is None:
        return None
    value = match["value"].rstrip()
    if not value or value[0] not in _PLAIN_STARTERS:
        return None
    prefix = f"{match['lead']}{match['key']}: " if "key" in match.groupdict() else match["lead"]
    fixed = prefix + _quote(value)
    starter = "a backtick" if value[0] == "`" else f"`{value[0]}`"
    return Explained(
        at,
        f"text starting with {starter} needs quotes: `{fixed.strip()}`",
        _replace(lines, at, fixed),
    )
