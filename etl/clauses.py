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
from dataclasses import dataclass

MAX_TOKENS = 160
MAX_CLAUSE = 60

# Dotted abbreviations, numbers (1,200 / 12.5), words, single punctuation marks.
_TOKEN = re.compile(r"[^\W\d_]+(?:\.(?:[^\W\d_]\.)+)?|\d+(?:[.,]\d+)*|[^\w\s]")

_HARD = frozenset(";:?!–—()[]|\t_")
_AFTER_COMMA = frozenset("""and but while whereas although though which who whom whose when
because so yet saying calling offering adding claiming nor or where""".split())
_OPENERS = frozenset("while whereas although though but".split())
_RELATIVE_PREPS = frozenset("during in at of after before from under for by".split())


@dataclass(slots=True)
class Tok:
    start: int     # offset in the article text
    end: int
    text: str
    low: str       # lower case, curly apostrophe made straight
    clause: int = 0


def tokenize(text: str, base: int = 0) -> list[Tok]:
    """Tokens of ``text`` (offsets shifted by ``base``)."""
    low = text.lower().replace("’", "'").replace("‘", "'")
    if len(low) != len(text):  # a letter whose lower case is longer (rare): token by token
        return [Tok(base + m.start(), base + m.end(), m.group(), m.group().lower().replace("’", "'").replace("‘", "'"))
                for m in _TOKEN.finditer(text)]
    return [Tok(base + s, base + e, text[s:e], low[s:e]) for s, e in (m.span() for m in _TOKEN.finditer(text))]


def windows(toks: list[Tok], size: int = MAX_TOKENS) -> list[list[Tok]]:
    """Cut an over-long token list into windows, at punctuation where possible."""
    if len(toks) <= size:
        return [toks]
    out, i = [], 0
    while i < len(toks):
        j = min(len(toks), i + size)
        if j < len(toks):
            for k in range(j - 1, i + size // 2, -1):
                if toks[k].text in ".,;:!?":
                    j = k + 1
                    break
        out.append(toks[i:j])
        i = j
    return out


def assign_clauses(toks: list[Tok]) -> int:
    """Number the clauses of a token list in place; returns the number of clauses."""
    clause = 0
    length = 0
    n = len(toks)
    for i, t in enumerate(toks):
        boundary = False
        if t.text in _HARD or t.low in ("-", "--") and i > 0 and toks[i - 1].end < t.start and i + 1 < n and toks[i + 1].start > t.end:
            boundary = True  # a dash with spaces around it, not a hyphen
        elif t.text == "," and i + 1 < n:
            nxt = toks[i + 1].low
            if nxt in _AFTER_COMMA:
                boundary = True
            elif nxt in _RELATIVE_PREPS and i + 2 < n and toks[i + 2].low in ("which", "whom", "whose"):
                boundary = True
        elif t.low in _OPENERS and i > 0:
            boundary = True
        elif length >= MAX_CLAUSE:
            boundary = True
        if boundary:
            clause += 1
            length = 0
        t.clause = clause
        length += 1
    return clause + 1


_Cache = threading.local()  # per thread: .text and .spans of the last article


def sentence_tokens(text: str, start: int, end: int) -> list[list[Tok]]:
    """Tokens of ``text[start:end]`` in windows, clauses assigned.

    The last article's sentences are kept, so the role and claim extractors tokenize
    each sentence once. Callers must not modify the returned tokens."""
    if getattr(_Cache, "text", None) is not text:
        _Cache.text, _Cache.spans = text, {}
    hit = _Cache.spans.get((start, end))
    if hit is not None:
        return hit
    toks = tokenize(text[start:end], start)
    wins = windows(toks)
    for w in wins:
        assign_clauses(w)
    _Cache.spans[(start, end)] = wins
    return wins
