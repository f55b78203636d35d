"""Dates in news text, resolved against the article's publication date.

``find_date(text, published_from, published_to)`` returns the first date expression of a
clause as ``DateRef(date, precision, start, end)``, or None:

- weekdays ("on Friday", "Till Sunday", "last Tuesday"): the latest such day on or
  before the anchor (the earliest plausible publication day), precision ``day``;
- "yesterday", "today", "N days ago", "a couple of days ago" (``day`` / ``week``),
  "last week", "this week", "in recent weeks" (``week``/``month``), "last month",
  "this month" (``month``), "last year", "this year" (``year``);
- month names with or without a day ("November 9th", "Nov. 8 to 20", "9 November",
  "in February", "in February of this year", "in September 2020"): without a year,
  the year that puts the date nearest the anchor (a future date must be twice as close
  as the past one to win), precision
  ``day`` or ``month``;
- bare years ("in 2017"), precision ``year``.

When the publication date is only known within a wide range, relative day and week
references are degraded (``week`` -> ``month``) or dropped, so nothing claims a
precision the metadata cannot support. All patterns are anchored on a closed word list
and run over a capped span, so the cost is linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}
PRECISIONS = ("day", "week", "month", "year")

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_SMALL = r"(?:a\s+couple\s+of|couple\s+of|a\s+few|few|several|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    # Nov. 8 to 20 / November 8-20 / November 9th, 2018 / Nov 9
    ("md", re.compile(rf"\b(?P<mon>{_MONTH})\.?\s+(?P<day>{_DAY})(?:\s*(?:-|–|to|until|through)\s*(?P<day2>{_DAY}))?(?:,?\s+(?P<year>{_YEAR}))?\b")),
    # 9 November 2018 / 9th of November
    ("dm", re.compile(rf"\b(?P<day>{_DAY})\s+(?:of\s+)?(?P<mon>{_MONTH})\.?(?:,?\s+(?P<year>{_YEAR}))?\b")),
    # in February / in February of this year / in February last year / in September 2020
    ("m", re.compile(rf"\b(?i:in|since|by|during|from|until|till|early|late|mid|mid-)\s+(?i:early\s+|late\s+|mid-?)?(?P<mon>{_MONTH})\b(?:\s+(?P<rel>of\s+this\s+year|this\s+year|last\s+year|of\s+last\s+year|next\s+year))?(?:,?\s+(?P<year>{_YEAR}))?")),
    ("m_bare", re.compile(rf"\b(?P<mon>January|February|March|April|June|July|August|September|October|November|December)\s+(?P<year>{_YEAR})\b")),
    ("weekday", re.compile(r"\b(?P<rel>(?i:last|next|this|on|till|until|since|by)\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("ago", re.compile(rf"\b(?P<n>{_SMALL})\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b", re.I)),
    ("rel", re.compile(r"\b(?P<what>yesterday|today|tonight|last\s+night|this\s+morning|last\s+week|this\s+week|past\s+week|last\s+month|this\s+month|earlier\s+this\s+month|last\s+year|this\s+year|earlier\s+this\s+year|(?:in\s+)?recent\s+(?:days|weeks)|(?:the\s+)?(?:past|last)\s+few\s+(?:days|weeks))\b", re.I)),
    ("year", re.compile(rf"\b(?i:in|since|by|during|of|from|until|starting\s+in)\s+(?P<year>{_YEAR})\b")),
]

# Cheap pre-check: no date expression can match without one of these.
_ANY = re.compile(r"\b(?:" + _MONTH[3:-1] + r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
                  r"ago|yesterday|today|tonight|night|morning|week|weeks|month|year|days|19[5-9]\d|20[0-4]\d)\b", re.I)

_HINTS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
          "day", "ago", "week", "month", "year", "night", "morning", "19", "20")

_SMALL_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10}


@dataclass(frozen=True)
class DateRef:
    date: date
    precision: str
    start: int
    end: int


def _nearest_year(month: int, day: int, anchor: date) -> date | None:
    best = None
    for y in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        # News mostly reports the past: a future reading must be twice as close to win.
        delta = (d - anchor).days
        key = (delta * 2 if delta > 0 else -delta, d > anchor)
        if best is None or key < best[0]:
            best = (key, d)
    return best[1] if best else None


def _degrade(precision: str, uncertainty: int) -> str | None:
    """Coarsen a relative precision when the anchor itself is only known within a range."""
    order = list(PRECISIONS)
    i = order.index(precision)
    if uncertainty > 3 * 365:
        return None
    if uncertainty > 60:
        i = max(i, 3)
    elif uncertainty > 14:
        i = max(i, 2)
    elif uncertainty > 6 and i == 0:
        i = 0  # a day within a fortnight's range: keep it, the anchor is the earliest day
    return order[i]


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_date(text: str, published_from: date | None, published_to: date | None = None,
              max_chars: int = 1500) -> DateRef | None:
    """The first date expression in ``text`` resolved against the publication date."""
    text = text[:max_chars]
    low = text.lower()
    if not any(h in low for h in _HINTS) or not _ANY.search(text):
        return None
    anchor = published_from or published_to
    uncertainty = (published_to - published_from).days if published_from and published_to else 0
    found: list[DateRef] = []
    for kind, pat in _PATTERNS:
        for m in pat.finditer(text):
            ref = _resolve(kind, m, anchor, uncertainty)
            if ref is not None:
                found.append(ref)
                break  # first hit of each pattern is enough: we keep the earliest overall
    if not found:
        return None
    first = min(found, key=lambda r: (r.start, -(r.end - r.start)))
    # An overlapping, finer reading wins ("from Nov. 8 to 20": the days, not the month).
    for r in found:
        if r.start < first.end and r.end > first.start and PRECISIONS.index(r.precision) < PRECISIONS.index(first.precision):
            first = r
    return first


def _resolve(kind: str, m: re.Match, anchor: date | None, uncertainty: int) -> DateRef | None:
    s, e = m.start(), m.end()
    g = m.groupdict()
    if kind in ("md", "dm"):
        mon = MONTHS[g["mon"].lower().rstrip(".")]
        day = int(re.match(r"\d+", g["day"]).group())
        if g.get("year"):
            d = _safe_date(int(g["year"]), mon, day)
        elif anchor:
            d = _nearest_year(mon, day, anchor)
        else:
            return None
        if d is None:
            return None
        precision = "day"
        if g.get("day2"):
            day2 = int(re.match(r"\d+", g["day2"]).group())
            span = day2 - day
            if span < 0:
                return None
            precision = "day" if span == 0 else "week" if span <= 14 else "month"
        return DateRef(d, precision, s, e)
    if kind in ("m", "m_bare"):
        mon = MONTHS[g["mon"].lower()]
        if kind == "m" and g["mon"] == "May" and not (g.get("year") or g.get("rel")):
            pass  # "in May" is fine; bare "may" never reaches here (capitalised month required)
        rel = (g.get("rel") or "").lower()
        if g.get("year"):
            d = _safe_date(int(g["year"]), mon, 1)
        elif anchor is None:
            return None
        elif "last year" in rel:
            d = _safe_date(anchor.year - 1, mon, 1)
        elif "next year" in rel:
            d = _safe_date(anchor.year + 1, mon, 1)
        elif "this year" in rel:
            d = _safe_date(anchor.year, mon, 1)
        else:
            d = _nearest_year(mon, 1, anchor)
        if d is None:
            return None
        return DateRef(d, "month", s, e)
    if kind == "year":
        y = int(g["year"])
        if anchor and y > anchor.year + 1:
            return None
        return DateRef(date(y, 1, 1), "year", s, e)
    if anchor is None:
        return None
    if kind == "weekday":
        rel = (g.get("rel") or "").strip().lower()
        wd = WEEKDAYS[g["wd"].lower()]
        back = (anchor.weekday() - wd) % 7
        if rel == "next":
            d = anchor + timedelta(days=(wd - anchor.weekday()) % 7 or 7)
        elif rel == "last" and back == 0:
            d = anchor - timedelta(days=7)
        else:
            d = anchor - timedelta(days=back)
        p = _degrade("day", uncertainty)
        return DateRef(d, p, s, e) if p else None
    if kind == "ago":
        n_txt = g["n"].lower()
        vague = not n_txt[:1].isdigit() and n_txt not in _SMALL_WORDS
        n = int(n_txt) if n_txt.isdigit() else _SMALL_WORDS.get(n_txt, 2 if "couple" in n_txt else 3)
        unit = g["unit"].lower().rstrip("s")
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * n
        d = anchor - timedelta(days=days)
        base = {"day": "day", "week": "week", "month": "month", "year": "year"}[unit]
        if vague and base == "day":
            base = "week"
        p = _degrade(base, uncertainty)
        return DateRef(d, p, s, e) if p else None
    if kind == "rel":
        w = " ".join(g["what"].lower().split())
        if w in ("yesterday", "last night"):
            d, p = anchor - timedelta(days=1), "day"
        elif w in ("today", "tonight", "this morning"):
            d, p = anchor, "day"
        elif w in ("last week", "past week"):
            d, p = anchor - timedelta(days=7), "week"
        elif w == "this week":
            d, p = anchor, "week"
        elif "few days" in w or "recent days" in w:
            d, p = anchor - timedelta(days=3), "week"
        elif "weeks" in w:
            d, p = anchor - timedelta(days=14), "month"
        elif w == "last month":
            prev = anchor.replace(day=1) - timedelta(days=1)
            d, p = prev.replace(day=1), "month"
        elif "month" in w:
            d, p = anchor.replace(day=1), "month"
        elif w == "last year":
            d, p = date(anchor.year - 1, 1, 1), "year"
        else:
            d, p = date(anchor.year, 1, 1), "year"
        p = _degrade(p, uncertainty)
        return DateRef(d, p, s, e) if p else None
    return None
