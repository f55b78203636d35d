"""Text helpers for the geoparser: folding, tokens with offsets, sentences with offsets.

Everything here works on code-point offsets into the text as read, so a mention found
on tokens maps straight back to ``Article.text[start:end]``.

- ``fold(s)``: the matching key of a name: lower case, no diacritics, curly quotes and
  apostrophes dropped, hyphens and other punctuation turned into single spaces
  ("Sar-e-Pul" -> "sar e pul", "Afghanistan's" -> "afghanistan s", "KABUL" -> "kabul").
- ``tokenize(text)``: word tokens with offsets. Apostrophes and hyphens split words, so a
  possessive ("Afghanistan's") or a compound ("Moscow-led") leaves the name as a token of
  its own. Dotted abbreviations ("U.S.", "U.A.E.") stay one token.
- ``split_sentences(text)``: sentences with offsets; a line break always ends one
  (headlines, captions, datelines), and ". " ends one unless the word before the stop is
  an abbreviation ("Gen.", "Nov.", "U.S.").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import repeat
from typing import NamedTuple

from naqsha.etl.records import Sentence

# Letters that NFKD does not take apart into base letter + accent.
_SPECIAL_LETTERS = str.maketrans({
    "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss",
    "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ʿ": "", "ʾ": "", "’": "", "‘": "",
    "'": "", "`": "", "´": "", "ʼ": "",
})
_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=200_000)
def fold(s: str) -> str:
    """The matching key of a name (see the module docstring)."""
    s = s.translate(_SPECIAL_LETTERS)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub(" ", s).strip()


def fold_token(s: str) -> str:
    """Fold one token: like ``fold`` but an abbreviation's dots vanish ("U.S." -> "us")."""
    return fold(s.replace(".", ""))


class Token(NamedTuple):
    start: int
    end: int
    text: str
    norm: str  # folded

    @property
    def is_capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_upper(self) -> bool:
        """All capitals, two letters or more ("US", "KABUL", "U.S.")."""
        return len(self.text) > 1 and self.text.isupper()


# A dotted abbreviation (U.S., U.A.E.) or a run of letters and digits.
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+")


def tokenize(text: str) -> list[Token]:
    """Word tokens of ``text`` with their offsets."""
    # The geoparser's hottest loop (about a thousand tokens per article), so it is built
    # column by column with C-level calls (map over the matches, zip of the columns, and
    # tuple.__new__, which makes the same named tuple without Token.__new__'s Python
    # frame): about a third faster than a loop over the matches.
    matches = list(_TOKEN.finditer(text))
    words = list(map(re.Match.group, matches))
    # plain ASCII words (most of them) only need lower-casing
    norms = [w.lower() if w.isascii() and w.isalnum() else fold_token(w) for w in words]
    rows = zip(map(re.Match.start, matches), map(re.Match.end, matches), words, norms)
    return list(map(tuple.__new__, repeat(Token), rows))


# Words that end with a full stop without ending the sentence.
ABBREVIATIONS = frozenset("""
mr mrs ms dr gen lt col maj capt sgt cpl adm sen rep gov pres prof st no vs etc
jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp dept est approx
""".split())

_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_LINE_BREAK = re.compile(r"\n+")


#: Words that start sentences and hardly ever follow "U.S." inside one.
SENTENCE_STARTERS = frozenset("""
the a an he she it they we i this that these those but and in on at after before when
while however meanwhile there his her their its our
""".split())


_WORD_BEFORE_STOP = re.compile(r"([^\W\d_]+(?:\.[^\W\d_]+)*)$")
_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")


def _is_abbreviation(text: str, stop: int) -> bool:
    """True when the full stop at ``stop`` closes an abbreviation, not a sentence."""
    m = _WORD_BEFORE_STOP.search(text[max(0, stop - 20):stop])
    if not m:
        return False
    word = m.group(1)
    if "." in word:  # U.S., U.N.: the end of a sentence only before a sentence starter
        after = _NEXT_WORD.match(text[stop + 1:stop + 30])
        return not (after and after.group(1).lower() in SENTENCE_STARTERS)
    if len(word) == 1:  # an initial (J. Smith)
        return True
    return word.lower() in ABBREVIATIONS


def _spans(text: str, start: int, end: int):
    """Sentence spans inside one line."""
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        single_stop = text[m.start()] == "." and m.end() - m.start() == 1
        if single_stop and _is_abbreviation(text, m.start()):
            continue
        yield pos, m.end()
        pos = m.end()
    yield pos, end


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with code-point offsets, whitespace trimmed, none empty."""
    out: list[Sentence] = []
    line_start = 0
    breaks = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text)] + [(len(text), len(text))]
    for br_start, br_end in breaks:
        for s, e in _spans(text, line_start, br_start):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                out.append(Sentence(s, e))
        line_start = br_end
    return out
