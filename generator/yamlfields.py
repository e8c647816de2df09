"""Read YAML mappings field by field, collecting a `Problem` for each bad value.

Both `site_config.yml` and the recaps' front matter go through `Fields`, so every message
has the same shape: file, line, field, what was expected and what was found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem

Key = tuple[str | int, ...]


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
    text: str, file: Path, problems: list[Problem], line_offset: int = 0
) -> tuple[Any, dict[Key, int]]:
    """Parse `text`; return the data and the line of every key (1-based), or None on error.

    The YAML error is reported, never swallowed, with the line it gives.
    """
    try:
        # One parse gives both the node tree (for line numbers) and the data.
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        # Where the broken construct began (an unclosed bracket's line) beats where the
        # parser gave up (often the end of the text).
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        last = max(len(text.rstrip().splitlines()) - 1, 0)  # "end of stream" → the last line
        line = min(mark.line, last) + 1 + line_offset if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        detail = f"{context}, {reason}" if context else reason
        problems.append(Problem(file, f"malformed YAML: {detail}", line=line))
        return None, {}
    lines: dict[Key, int] = {}
    if node is not None:
        _collect_lines(node, (), lines, line_offset)
    return data, lines


def _collect_lines(node: yaml.Node, key: Key, lines: dict[Key, int], offset: int) -> None:
    lines.setdefault(key, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*key, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1 + offset
            _collect_lines(value_node, child, lines, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*key, index), lines, offset)


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
        out = ""
        for part in (*self.prefix, *key):
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

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
        except (TypeError, ValueError):
            self.wrong(expected, value, key)
            return default

    def unknown(self, *, strict: bool) -> None:
        """Report every field that no `get_*` call read: a warning, or an error if strict."""
        for key in self.data:
            if key not in self.seen:
                self.error(
                    "unknown field (a typo?)",
                    str(key),
                    severity="error" if strict else "warning",
                )


def as_text(value: Any) -> str:
    """A non-empty string (numbers are accepted and turned into text)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(value)
    text = str(value).strip()
    if not text:
        raise ValueError(value)
    return text


def as_date(value: Any) -> dt.date:
    """A date: YAML's own date or datetime, or an ISO date string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()[:10])
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


def as_text_list(value: Any) -> list[str]:
    """A list of non-empty strings; a single string is taken as a list of one."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise TypeError(value)
    return [as_text(item) for item in value]


def one_of(*allowed: str) -> Callable[[Any], str]:
    """A converter accepting exactly one of the `allowed` words."""

    def convert(value: Any) -> str:
        text = as_text(value)
        if text not in allowed:
            raise ValueError(text)
        return text

    return convert
