"""Dates written in article text, resolved against the article's publication date.

A briefing's timeline needs real calendar dates, but news text writes them relative to the day it was
published: "on Saturday", "yesterday", "December 10" (no year), "December 3 and 7, 2022". `find_dates`
returns each mention with its character span and the ISO date(s) it means, so a timeline entry can be
sorted and still cite the exact sentence it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from assistant.articles import MONTHS

_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAYS = _DAY + r"(?:\s*(?:,|and|&|-|–)\s*" + r"(\d{1,2})(?:st|nd|rd|th)?)?"
_YEAR = r"((?:19|20)\d{2})"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# Most specific first; a span taken by one pattern is not matched again by a later one.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")),
    ("mdy", re.compile(r"\b" + _MONTH + r"\s+" + _DAYS + r"(?:,?\s+" + _YEAR + r"|,?\s+(this|last|next) year)?\b")),
    ("dmy", re.compile(r"\b" + _DAYS + r"\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+" + _YEAR + r"|,?\s+(this|last|next) year)?\b")),
    ("my", re.compile(r"\b" + _MONTH + r",?\s+" + _YEAR + r"\b")),
    ("weekday", re.compile(r"\b(last|next|this|on|since|by|until)?\s*(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("relative", re.compile(r"\b(yesterday|today|tomorrow|tonight|this morning|this afternoon|this evening|last night)\b", re.I)),
]


@dataclass(frozen=True)
class DateMention:
    start: int  # offsets in the text searched
    end: int
    text: str  # as written, e.g. "on Saturday"
    dates: tuple[str, ...]  # ISO YYYY-MM-DD, or YYYY-MM when the text names only a month
    weekday: bool = False  # a day named by its weekday alone ("on Monday"), read as the last such day


# How a date names the calendar unit a question asks for: a year by its number, a month by its name, a time
# by the clock ("11:25am", "5 p.m.", "1625 UTC", noon).
_CLOCK = r"\b\d{1,2}:\d{2}|\b\d{1,2}(?:\.\d{2})?\s*[ap]\.?m\b|\b\d{4}\s*(?:GMT|UTC|hours)\b|\b(?:noon|midnight)\b"
# (any year from 1000, not only the timeline's 19xx and 20xx: "built in 1873")
_UNITS = {"year": re.compile(r"\b(?:1\d|20)\d{2}\b"), "month": re.compile(r"\b" + _MONTH + r"(?!\w)"),
          "time": re.compile(_CLOCK, re.I)}


def names_unit(unit: str | None, text: str) -> bool:
    """Whether a date as written names the calendar unit asked for: "2019" names a year and "last year" none;
    "in May" names a month and "two months later" none. A date names any other unit."""
    pattern = _UNITS.get(unit or "")
    return pattern is None or bool(pattern.search(text))


def _month(name: str) -> int:
    name = name.lower().rstrip(".")
    for full, n in MONTHS.items():
        if full.startswith(name[:3]):
            return n
    raise ValueError(name)


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year_for(month: int, day: int, published: date | None, hint: str | None) -> int | None:
    """The year of a month-day with no year: the one that puts it nearest the publication date (a January
    article's "December 28" is last year's, an August article's "October 31" this year's)."""
    if published is None:
        return None
    year = published.year + {"last": -1, "next": 1}.get((hint or "").lower(), 0)
    if hint is None:
        near = [(abs((d - published).days), y) for y in (year - 1, year, year + 1) if (d := _day(y, month, day))]
        if near:
            year = min(near)[1]
    return year


def find_dates(text: str, published: str | None) -> list[DateMention]:
    """Every date mention in text that resolves to a calendar date (relative ones need `published`)."""
    pub = date.fromisoformat(published) if published else None
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            dates = _resolve(kind, m, pub)
            if not dates:
                continue
            taken.append((m.start(), m.end()))
            alone = kind == "weekday" and (m[1] or "").lower() not in ("last", "next")
            out.append(DateMention(m.start(), m.end(), m.group().strip(), tuple(dates), alone))
    return sorted(out, key=lambda d: d.start)


def ahead(mention: DateMention, published: str | None) -> DateMention:
    """A weekday said of what is still to come ("is forecast to reach the coast on Monday"): the coming such
    day, not the last one. The day of publication stays itself."""
    if not mention.weekday or not published or mention.dates[0] == published:
        return mention
    day = date.fromisoformat(mention.dates[0]) + timedelta(days=7)
    return replace(mention, dates=(day.isoformat(),))


def asked_days(text: str) -> set[tuple[int | None, int, int]]:
    """The days a question names, as (year or None, month, day): "December 10" -> {(None, 12, 10)}."""
    out: set[tuple[int | None, int, int]] = set()
    for kind, pattern in _PATTERNS:
        if kind not in ("mdy", "dmy"):
            continue
        for m in pattern.finditer(text):
            month, d1, d2, year = (m[1], m[2], m[3], m[4]) if kind == "mdy" else (m[3], m[1], m[2], m[4])
            out |= {(int(year) if year else None, _month(month), int(d)) for d in (d1, d2) if d}
    return out


def reports_day(text: str, published: str | None, asked: set[tuple[int | None, int, int]]) -> bool:
    """Whether the text mentions one of the asked days (its relative dates resolved against `published`)."""
    for mention in find_dates(text, published):
        for d in mention.dates:
            if len(d) == 10 and any((y is None or y == int(d[:4])) and (m, dd) == (int(d[5:7]), int(d[8:]))
                                    for y, m, dd in asked):
                return True
    return False


def _resolve(kind: str, m: re.Match[str], pub: date | None) -> list[str]:
    if kind == "iso":
        d = _day(int(m[1]), int(m[2]), int(m[3]))
        return [d.isoformat()] if d else []
    if kind in ("mdy", "dmy"):
        if kind == "mdy":
            month, d1, d2, year, hint = m[1], m[2], m[3], m[4], m[5]
        else:
            d1, d2, month, year, hint = m[1], m[2], m[3], m[4], m[5]
        mon = _month(month)
        y = int(year) if year else _year_for(mon, int(d1), pub, hint)
        if y is None:
            return []
        days = [int(d1)] + ([int(d2)] if d2 else [])
        found = [d.isoformat() for d in (_day(y, mon, x) for x in days) if d]
        return found
    if kind == "my":
        return [f"{int(m[2]):04d}-{_month(m[1]):02d}"]
    if pub is None:
        return []
    if kind == "weekday":
        how = (m[1] or "").lower()
        wd = WEEKDAYS.index(m[2].lower())
        if how == "next":
            ahead = (wd - pub.weekday()) % 7 or 7
            return [(pub + timedelta(days=ahead)).isoformat()]
        # News writes past days by name: "on Saturday" in a Sunday paper is the day before. The same
        # weekday as publication means that day, unless the text says "last".
        back = (pub.weekday() - wd) % 7
        if how == "last" and back == 0:
            back = 7
        return [(pub - timedelta(days=back)).isoformat()]
    word = m[1].lower()
    shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(word, 0)
    return [(pub + timedelta(days=shift)).isoformat()]


def show_date(iso: str) -> str:
    """2022-12-10 -> 10 December 2022; 2020-11 -> November 2020."""
    parts = iso.split("-")
    month = [m for m, n in MONTHS.items() if n == int(parts[1])][0].capitalize() if len(parts) > 1 else ""
    if len(parts) == 3:
        return f"{int(parts[2])} {month} {parts[0]}"
    return f"{month} {parts[0]}" if month else parts[0]


def show_dates(dates: tuple[str, ...] | list[str]) -> str:
    """Several days of one month read as "3 and 7 December 2022"."""
    if len(dates) == 2 and len(dates[0]) == len(dates[1]) == 10 and dates[0][:7] == dates[1][:7]:
        return f"{int(dates[0][8:])} and {show_date(dates[1])}"
    return " and ".join(show_date(d) for d in dates)
