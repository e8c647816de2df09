"""Dates as a coach types them: 2026-11-25, 25/11/2026, 25 Nov 2026, November 25, today.

A date is read when it can mean one day only. `03/04/2026` could be 3 April or 4 March, so
it is refused with both readings spelled out; every refusal shows a form that works.
"""

from __future__ import annotations

import datetime as dt
import re

EXAMPLE = "2026-11-25 or 25 November 2026"
"""The forms every message suggests."""

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        dt.date(2026, number, 1).strftime("%B").lower(),
        dt.date(2026, number, 1).strftime("%b").lower(),
    )
} | {"sept": 9}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?(?:\s+(\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")


class DateError(ValueError):
    """A date that cannot be read, or could be read two ways; the message says what to type.

    `reason` is the part after what was found, for messages that name the value themselves
    ("expected a date ..., found text ('03/04/2026'): " + reason).
    """

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{text!r} {reason}")
        self.reason = reason


def parse_date(text: str, *, today: dt.date | None = None) -> dt.date:
    """The one day `text` names; raises `DateError` with an example otherwise.

    A day and month without a year ("25 Nov") are taken in `today`'s year, and "today" and
    "yesterday" are understood, only when `today` is given (the command line, not a file).
    """
    raw = " ".join(text.strip().lower().split())
    if today is not None and raw in ("today", "yesterday"):
        return today if raw == "today" else today - dt.timedelta(days=1)
    if match := _ISO.match(raw):
        return _day(text, int(match[1]), int(match[2]), int(match[3]))
    if match := _NUMERIC.match(raw):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first > 12 or first == second:
            return _day(text, year, second, first)
        if second > 12:
            return _day(text, year, first, second)
        one, other = _day(text, year, second, first), _day(text, year, first, second)
        raise DateError(
            text,
            f"could be {_long(one)} or {_long(other)}: write {one.isoformat()} or "
            f"{other.isoformat()}",
        )
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        match = pattern.match(raw)
        if match and match[month_group] in _MONTHS:
            year = match[3] or (today.year if today else None)
            if year is None:
                raise DateError(text, f"has no year: write it like {EXAMPLE}")
            return _day(text, int(year), _MONTHS[match[month_group]], int(match[day_group]))
    raise DateError(text, f"is not a date: write it like {EXAMPLE}")


def _day(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(text, f"is not a day of the calendar ({exc})") from exc


def _long(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"
