"""Tokens and clauses of one sentence, for the role and claim rules.

A light, linear stand-in for a parser: tokens keep their offsets and punctuation (the
rules need commas, dashes, apostrophes and hyphens), and each token gets a clause
number. A clause ends at ``;``, ``:``, ``?``, ``!``, a dash, a comma followed by a
conjunction or a relative word (", and", ", but", ", which", ", during which"), and
before a subordinator that opens a contrasting clause ("while", "whereas", "although",
"but"). A bare comma does not end a clause, so a fronted phrase ("In Ghazni, the
districts came under attack") stays with its clause, and so does an apposition
("in Moscow, Russia, for a conference").

Very long sentences (a text without punctuation, a table) are cut into windows of at
most ``MAX_TOKENS`` tokens, and no clause is longer than ``MAX_CLAUSE`` tokens, so every
rule that scans a clause costs a bounded amount of work per token.
"""

from __future__ import annotations

import re
import threading
from itertools import repeat
from typing import NamedTuple

MAX_TOKENS = 160
MAX_CLAUSE = 60

# Dotted abbreviations, numbers (1,200 / 12.5), words, single punctuation marks.
_TOKEN = re.compile(r"[^\W\d_]+(?:\.(?:[^\W\d_]\.)+)?|\d+(?:[.,]\d+)*|[^\w\s]")

_HARD = frozenset(";:?!–—()[]|\t_")
_AFTER_COMMA = frozenset("""and but while whereas although though which who whom whose when
because so yet saying calling offering adding claiming nor or where""".split())
_OPENERS = frozenset("while whereas although though but".split())
_RELATIVE_PREPS = frozenset("during in at of after before from under for by".split())


class Tok(NamedTuple):
    start: int     # offset in the article text
    end: int
    text: str
    low: str       # lower case, curly apostrophe made straight
    clause: int = 0


# Tokens are the role and claim rules' hottest objects (hundreds per article), so they
# are immutable named tuples built column by column with C-level calls (map, zip,
# tuple.__new__ without Tok.__new__'s Python frame); the clause numbers are worked out
# on the columns first, so each token is made once, already numbered.


def _columns(text: str, base: int) -> tuple[list[int], list[int], list[str], list[str]]:
    """Starts (shifted by ``base``), ends, texts and lower-cased texts of the tokens."""
    matches = list(_TOKEN.finditer(text))
    words = list(map(re.Match.group, matches))
    low = text.lower().replace("’", "'").replace("‘", "'")
    if len(low) == len(text):
        lows = [low[s:e] for s, e in map(re.Match.span, matches)]
    else:  # a letter whose lower case is longer (rare): token by token
        lows = [w.lower().replace("’", "'").replace("‘", "'") for w in words]
    starts = [base + s for s in map(re.Match.start, matches)]
    ends = [base + e for e in map(re.Match.end, matches)]
    return starts, ends, words, lows


def _make(starts, ends, words, lows, clauses) -> list[Tok]:
    return list(map(tuple.__new__, repeat(Tok), zip(starts, ends, words, lows, clauses)))


def tokenize(text: str, base: int = 0) -> list[Tok]:
    """Tokens of ``text`` (offsets shifted by ``base``), all in clause 0."""
    starts, ends, words, lows = _columns(text, base)
    return _make(starts, ends, words, lows, repeat(0))


def _window_bounds(words: list[str], size: int = MAX_TOKENS) -> list[tuple[int, int]]:
    """Where to cut an over-long token list into windows, at punctuation where possible."""
    n = len(words)
    if n <= size:
        return [(0, n)]
    out, i = [], 0
    while i < n:
        j = min(n, i + size)
        if j < n:
            for k in range(j - 1, i + size // 2, -1):
                if words[k] in ".,;:!?":
                    j = k + 1
                    break
        out.append((i, j))
        i = j
    return out


def windows(toks: list[Tok], size: int = MAX_TOKENS) -> list[list[Tok]]:
    """Cut an over-long token list into windows, at punctuation where possible."""
    return [toks[i:j] for i, j in _window_bounds([t.text for t in toks], size)]


def _clause_numbers(starts: list[int], ends: list[int], words: list[str], lows: list[str]) -> list[int]:
    """The clause number of each token of one window (see the module docstring)."""
    out = []
    clause = 0
    length = 0
    n = len(words)
    for i in range(n):
        text, low = words[i], lows[i]
        boundary = False
        if text in _HARD or low in ("-", "--") and i > 0 and ends[i - 1] < starts[i] and i + 1 < n and starts[i + 1] > ends[i]:
            boundary = True  # a dash with spaces around it, not a hyphen
        elif text == "," and i + 1 < n:
            nxt = lows[i + 1]
            if nxt in _AFTER_COMMA:
                boundary = True
            elif nxt in _RELATIVE_PREPS and i + 2 < n and lows[i + 2] in ("which", "whom", "whose"):
                boundary = True
        elif low in _OPENERS and i > 0:
            boundary = True
        elif length >= MAX_CLAUSE:
            boundary = True
        if boundary:
            clause += 1
            length = 0
        out.append(clause)
        length += 1
    return out


def assign_clauses(toks: list[Tok]) -> list[Tok]:
    """The tokens of one window with their clause numbers."""
    cols = ([t.start for t in toks], [t.end for t in toks], [t.text for t in toks], [t.low for t in toks])
    return _make(*cols, _clause_numbers(*cols))


_Cache = threading.local()  # per thread: .text and .spans of the last article


def sentence_tokens(text: str, start: int, end: int) -> list[list[Tok]]:
    """Tokens of ``text[start:end]`` in windows, clauses assigned.

    The last article's sentences are kept, so the role and claim extractors tokenize
    each sentence once. Callers must not modify the returned lists."""
    if getattr(_Cache, "text", None) is not text:
        _Cache.text, _Cache.spans = text, {}
    hit = _Cache.spans.get((start, end))
    if hit is not None:
        return hit
    starts, ends, words, lows = _columns(text[start:end], start)
    wins = []
    for i, j in _window_bounds(words):
        cols = (starts[i:j], ends[i:j], words[i:j], lows[i:j])
        wins.append(_make(*cols, _clause_numbers(*cols)))
    _Cache.spans[(start, end)] = wins
    return wins
