"""Numbers in news text: digits and words, exact and approximate.

``parse_quantity(words)`` reads a short phrase ("around a dozen", "at least 30",
"dozens", "twenty-five", "1,200") into ``(value, approx)``. ``find_fatalities(text)``
finds the deaths a clause states ("around a dozen security personnel were killed" ->
``(12, True)``, "killing 30 civilians" -> ``(30, False)``).

Everything is linear in the input: the patterns are anchored on a small set of words,
phrases are capped in length and absurd values (more deaths than any single event in
the conflict, over ``MAX_FATALITIES``) are dropped rather than stored.
"""

from __future__ import annotations

import re

#: No single reported incident comes near this; anything above is a misparse.
MAX_FATALITIES = 5000

UNITS = {
    "zero": 0, "no": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
        "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000}
# Vague quantities: (value, approx). "dozens" means at least two dozen.
VAGUE = {
    "dozen": (12, False), "dozens": (24, True), "scores": (40, True), "score": (20, False),
    "hundreds": (200, True), "thousands": (2000, True), "couple": (2, True),
    "handful": (5, True), "several": (3, True), "few": (3, True),
}
HEDGES = frozenset("""about around approximately nearly almost roughly some at least over
more than up to estimated close upwards""".split())

_NUM = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d{1,7}(?:\.\d+)?$")
_WORD = re.compile(r"\d[\d,.]*|[a-z]+", re.I)


def parse_number_token(tok: str) -> float | None:
    """A single token as a number: "1,200", "30", "12.5", "twelve"; else None."""
    t = tok.lower().strip()
    if _NUM.match(t):
        try:
            return float(t.replace(",", ""))
        except ValueError:
            return None
    if t in UNITS and t not in ("a", "an", "no"):
        return float(UNITS[t])
    if t in TENS:
        return float(TENS[t])
    return None


def parse_quantity(phrase: str) -> tuple[int, bool] | None:
    """The quantity a short phrase states, as ``(value, approx)``, or None.

    "around a dozen" -> (12, True); "a dozen" -> (12, False); "dozens" -> (24, True);
    "at least 30" -> (30, True); "twenty-five" -> (25, False); "two hundred" -> (200, False).
    Only the first eight words are read.
    """
    words = [w.lower() for w in _WORD.findall(phrase[:120])][:8]
    if not words:
        return None
    approx = False
    value: float | None = None
    current = 0.0
    seen_number = False
    for i, w in enumerate(words):
        if w in HEDGES:
            approx = True
            continue
        if w in ("of", "and"):
            continue
        if w in VAGUE:
            v, a = VAGUE[w]
            mult = current if seen_number and current else 1
            value = (value or 0) + v * mult if w in ("dozen", "score") else v
            approx = approx or a
            current, seen_number = 0, False
            continue
        if w in SCALES and seen_number:
            current *= SCALES[w]
            continue
        n = parse_number_token(w)
        if n is not None:
            if w in UNITS or w in TENS:
                current += n
            else:
                current = n if not seen_number else current + n
            seen_number = True
            continue
        if w in ("a", "an") and i + 1 < len(words) and (words[i + 1] in VAGUE or words[i + 1] in HEDGES):
            continue
        break
    if seen_number:
        value = (value or 0) + current
    if value is None:
        return None
    return int(round(value)), approx


# --------------------------------------------------------------------- fatalities

_QTY = (r"(?:(?:about|around|approximately|nearly|almost|roughly|some|at\s+least|more\s+than|"
        r"over|up\s+to|an\s+estimated|close\s+to)\s+)?"
        r"(?:\d{1,3}(?:,\d{3})+|\d{1,5}|a\s+dozen|dozens|scores|hundreds|a\s+handful|"
        r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?|"
        r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
        r"fifteen|sixteen|seventeen|eighteen|nineteen)(?:\s+hundred)?(?:\s+dozen)?)")
# Up to six words between the number and the verb ("security personnel", "Afghan police
# officers", "members of the security forces").
_GAP = r"(?:\s+[A-Za-z][\w'’-]{0,20}){0,6}?"
_KILLED = r"(?:killed|dead|died|slain|massacred|executed|lost\s+their\s+lives|perished)"
_FAT_PATTERNS = [
    # "around a dozen security personnel were killed", "30 people died"
    re.compile(rf"\b(?P<q>{_QTY}){_GAP}\s+(?:(?:were|was|have\s+been|had\s+been|are|being|reportedly|also)\s+){{0,3}}{_KILLED}\b", re.I),
    # "killing 30 civilians", "killed at least 12 soldiers", "left 8 dead"
    re.compile(rf"\b(?:killing|killed|kill|kills|leaving|left)\s+(?P<q>{_QTY})\b(?!\s*(?:%|percent|per\s+cent|years?|months?|days?))", re.I),
    # "death toll rose to 40", "a death toll of 40"
    re.compile(rf"\bdeath\s+toll\s+(?:of|rose\s+to|climbed\s+to|reached|stood\s+at|at|is|was)\s+(?P<q>{_QTY})\b", re.I),
    # "40 deaths", "the deaths of 40"
    re.compile(rf"\b(?P<q>{_QTY})\s+(?:deaths|fatalities|bodies)\b", re.I),
]
_NOT_FATALITY_AFTER = re.compile(r"^\s*(?:%|percent|per\s+cent|years?|months?|weeks?|days?|hours?|districts?|provinces?|km|kilomet)", re.I)


def find_fatalities(text: str, max_chars: int = 2000) -> tuple[int, bool] | None:
    """The deaths a clause states, as ``(value, approx)``, or None.

    The largest stated figure wins when several are given; values above
    ``MAX_FATALITIES`` are discarded as misparses.
    """
    text = text[:max_chars]
    low = text.lower()
    if not any(w in low for w in ("kill", "dead", "died", "slain", "death", "lives", "massacre", "executed", "perished", "bodies", "fatalit")):
        return None
    best: tuple[int, bool] | None = None
    for pat in _FAT_PATTERNS:
        for m in pat.finditer(text):
            q = m.group("q")
            if _NOT_FATALITY_AFTER.match(text[m.end("q"):m.end("q") + 12]):
                continue
            parsed = parse_quantity(q.replace("-", " "))
            if not parsed:
                continue
            value, approx = parsed
            if value <= 0 or value > MAX_FATALITIES:
                continue
            if best is None or value > best[0]:
                best = (value, approx)
    return best
