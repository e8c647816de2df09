"""Read YAML mappings field by field, collecting a `Problem` for each bad value.

Both `site_config.yml` and the recaps' front matter go through `Fields`, so every message
has the same shape: file, line, field, what was expected and what was found.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator.dates import DateError, parse_date
from generator.errors import Problem
from generator.yamlexplain import TAB_MESSAGE, explain, tab_lines, untab

Key = tuple[str | int, ...]

MAX_DEPTH = 32
"""The deepest nesting of lists and mappings read (site_config.yml's `limits.yaml_depth`)."""
MAX_VALUES = 10_000
"""The most values one document may hold, aliases expanded (`limits.yaml_values`)."""

_MAX_EXPLAINED = 20
"""YAML mistakes reported per file before giving up on reading past them."""

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: ~10× faster


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """SafeLoader whose impossible dates (2026-13-45) stay text, for a field-level message."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def parse_yaml(
    text: str,
    file: Path,
    problems: list[Problem],
    line_offset: int = 0,
    *,
    max_depth: int = MAX_DEPTH,
    max_values: int = MAX_VALUES,
) -> tuple[Any, dict[Key, int]]:
    """Parse `text`; return the data and the line of every key (1-based).

    Every YAML mistake is reported, never swallowed, in plain words at the line to change
    (`yamlexplain`). When the mistakes found can be repaired as their messages say, the data
    of the repaired text is returned so that the caller reports the file's other problems
    too (the file has errors all the same); otherwise (None, {}). A document nested deeper
    than `max_depth` or holding more than `max_values` values once its aliases are expanded
    (a "billion laughs" bomb of a few hundred bytes) is refused before it is built.
    """
    found = [Problem(file, TAB_MESSAGE, line=n + 1 + line_offset) for n in tab_lines(text)]
    if found:
        text = untab(text)
    certain = True
    for _ in range(_MAX_EXPLAINED):
        try:
            too_big = _over_limits(text, max_depth, max_values)
            if too_big is not None:
                message, line = too_big
                found.append(Problem(file, message, line=line + 1 + line_offset))
                certain = False
                break
            node, data = _parse(text)
            break
        except yaml.YAMLError as exc:
            if "exceeded maximum nesting depth" in str(exc):  # libyaml's own limit, past ours
                mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
                line = mark.line + 1 + line_offset if mark else None
                found.append(Problem(file, _too_deep(max_depth), line=line))
                certain = False
                break
            explained = explain(text, exc)
            found.append(Problem(file, explained.message, line=explained.line + 1 + line_offset))
            certain = certain and explained.certain
            if explained.repaired is None or explained.repaired == text:
                certain = False
                break
            text = explained.repaired
    else:
        certain = False
    problems.extend(sorted(found, key=lambda p: p.line or 0))
    if not certain:
        return None, {}
    lines: dict[Key, int] = {}
    if node is not None:
        duplicates: list[Problem] = []
        _collect_lines(node, (), lines, line_offset, (file, duplicates))
        if duplicates:
            once: dict[int | None, Problem] = {}  # a mapping repeated by an alias: once
            for problem in duplicates:
                once.setdefault(problem.line, problem)
            problems.extend(once.values())
            return None, {}
    return data, lines


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    # One parse gives both the node tree (for line numbers) and the data.
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _over_limits(text: str, max_depth: int, max_values: int) -> tuple[str, int] | None:
    """The first limit `text` passes, as (message, 0-based line), or None.

    Reads the event stream, not the tree: libyaml builds a tree recursively (a few thousand
    `[` crash it) and an alias repeats a whole subtree, so both are measured before any tree
    is built, stopping at the first event past a limit.
    """
    sizes: dict[str, tuple[int, int]] = {}  # anchor → (values, levels) of what it names
    open_: list[list[Any]] = []  # per open list or mapping: [anchor, values, levels below]
    total = 0
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                open_.append([event.anchor, 1, 0])
                added, levels = 1, len(open_)
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, values, below = open_.pop()
                if anchor:
                    sizes[anchor] = (values, below + 1)
                if open_:
                    open_[-1][1] += values
                    open_[-1][2] = max(open_[-1][2], below + 1)
                continue
            elif isinstance(event, yaml.AliasEvent | yaml.ScalarEvent):
                values, below = sizes.get(event.anchor, (1, 0))
                if isinstance(event, yaml.ScalarEvent) and event.anchor:
                    sizes[event.anchor] = (1, 0)
                    values, below = 1, 0
                added, levels = values, len(open_) + below
                if open_:
                    open_[-1][1] += values
                    open_[-1][2] = max(open_[-1][2], below)
            else:
                continue
            total += added
            line = event.start_mark.line
            if levels > max_depth:
                return _too_deep(max_depth), line
            if total > max_values:
                return (
                    f"more than {max_values} values once aliases (*name) are expanded "
                    "(the limit is limits.yaml_values in site_config.yml)",
                    line,
                )
    finally:
        loader.dispose()
    return None


def _too_deep(max_depth: int) -> str:
    return (
        f"lists and mappings nested more than {max_depth} levels deep "
        "(the limit is limits.yaml_depth in site_config.yml)"
    )


def _collect_lines(
    node: yaml.Node,
    key: Key,
    lines: dict[Key, int],
    offset: int,
    duplicates: tuple[Path, list[Problem]],
) -> None:
    lines.setdefault(key, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            name = str(key_node.value)
            child = (*key, name)
            line = key_node.start_mark.line + 1 + offset
            if name in first and name != "<<":
                message = f"appears twice (first on line {first[name]}): keep one"
                file, found = duplicates
                found.append(Problem(file, message, line=line, field=dotted(child)))
            first.setdefault(name, line)
            lines[child] = line
            _collect_lines(value_node, child, lines, offset, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*key, index), lines, offset, duplicates)


def dotted(key: Key) -> str:
    """The name of a nested field for messages: `commitments[2].due`."""
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def describe(value: Any) -> str:
    """How a found value is named in a message: its YAML type and a short repr."""
    names = {
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a mapping",
        dt.date: "a date",
        dt.datetime: "a date and time",
        type(None): "nothing",
    }
    name = names.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{name} ({shown})" if value is not None else name


class Fields:
    """A YAML mapping being read: each `get_*` validates one field and records problems."""

    def __init__(
        self,
        data: dict[str, Any],
        file: Path,
        lines: dict[Key, int],
        problems: list[Problem],
        prefix: Key = (),
    ) -> None:
        self.data = data
        self.file = file
        self.lines = lines
        self.problems = problems
        self.prefix = prefix
        self.seen: set[str] = set()

    def line(self, *key: str | int) -> int | None:
        """The line of a (nested) key, or of the nearest parent that has one."""
        full: Key = (*self.prefix, *key)
        while full:
            if full in self.lines:
                return self.lines[full]
            full = full[:-1]
        return self.lines.get(())

    def name(self, *key: str | int) -> str:
        """The dotted name of a field for messages: `commitments[2].due`."""
        return dotted((*self.prefix, *key))

    def error(self, message: str, *key: str | int, severity: str = "error") -> None:
        """Record a problem about the field `key`."""
        self.problems.append(
            Problem(
                self.file,
                message,
                line=self.line(*key),
                field=self.name(*key) if key or self.prefix else None,
                severity=severity,  # type: ignore[arg-type]
            )
        )

    def wrong(self, expected: str, found: Any, *key: str | int) -> None:
        """Record 'expected X, found Y' for the field `key`."""
        self.error(f"expected {expected}, found {describe(found)}", *key)

    def has(self, key: str) -> bool:
        """Whether the mapping has `key` (and mark it as read)."""
        self.seen.add(key)
        return key in self.data and self.data[key] is not None

    def get(
        self,
        key: str,
        convert: Callable[[Any], Any],
        expected: str,
        *,
        required: bool = False,
        default: Any = None,
    ) -> Any:
        """Read `key` through `convert` (which raises ValueError/TypeError on a bad value)."""
        if not self.has(key):
            if required:
                self.error(f"required field is missing (expected {expected})", key)
            return default
        value = self.data[key]
        try:
            return convert(value)
        except DateError as exc:  # with why, and how to write it
            self.error(f"expected {expected}, found {describe(value)}, which {exc.reason}", key)
            return default
        except (TypeError, ValueError):
            self.wrong(expected, value, key)
            return default

    def unknown(self, *, strict: bool) -> None:
        """Report every field that no `get_*` call read.

        A field close to a known one (`comitments`, `Title`) is an error: its content would
        silently be missing from the journal. Any other is a warning, or an error if strict.
        """
        known = sorted(self.seen)
        for key in self.data:
            if key in self.seen:
                continue
            near = difflib.get_close_matches(_field_form(key), known, n=1, cutoff=0.75)
            if near:
                message = f"unknown field: did you mean `{near[0]}`? (as written, it is ignored)"
            else:
                message = f"unknown field, ignored (a typo? the fields are {', '.join(known)})"
            self.error(message, str(key), severity="error" if strict or near else "warning")

    def get_texts(self, key: str, expected: str) -> list[str]:
        """Read a list of text (one text is a list of one), each bad item reported at its line.

        `- Coffee with Dana: agreed to meet` is YAML for a field, not text: the message says
        to put it in quotes.
        """
        if not self.has(key):
            return []
        value = self.data[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.wrong(expected, value, key)
            return []
        texts = []
        for index, item in enumerate(value):
            try:
                texts.append(as_text(item))
            except (TypeError, ValueError):
                self.wrong_item(item, "text", key, index)
        return texts

    def wrong_item(self, item: Any, expected: str, *key: str | int) -> None:
        """Report a bad list item; one read as a field because of a `: ` gets the quoting fix."""
        if isinstance(item, dict) and len(item) == 1:
            [(name, rest)] = item.items()
            if isinstance(name, str) and isinstance(rest, str | int | float | type(None)):
                text = f"{name}: {rest}" if rest is not None else f"{name}:"
                quoted = json.dumps(text, ensure_ascii=False)
                self.error(f"text containing `: ` needs quotes: `- {quoted}`", *key)
                return
        self.wrong(expected, item, *key)


def _field_form(key: object) -> str:
    return re.sub(r"[\s-]+", "_", str(key).strip().lower())


def as_text(value: Any) -> str:
    """A non-empty string (numbers are accepted and turned into text)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(value)
    text = str(value).strip()
    if not text:
        raise ValueError(value)
    return text


def as_date(value: Any) -> dt.date:
    """A date: YAML's own date or datetime, or text naming one day (`parse_date`)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except DateError:
            if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", value.strip()):  # a date and time
                return dt.date.fromisoformat(value.strip()[:10])
            raise
    raise TypeError(value)


def as_int(value: Any) -> int:
    """A whole number (not true/false)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(value)
    return value


def as_bool(value: Any) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise TypeError(value)
    return value


def one_of(*allowed: str) -> Callable[[Any], str]:
    """A converter accepting one of the `allowed` words, in any case (`Published`)."""

    def convert(value: Any) -> str:
        text = as_text(value)
        for word in allowed:
            if text.casefold() == word.casefold():
                return word
        raise ValueError(text)

    return convert
