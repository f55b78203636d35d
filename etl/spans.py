"""Pass 1 of the geoparser: the article as tokens and sentences (``Doc``), and the
stretches of tokens that name a gazetteer place (``Span``), found by token n-gram
dictionary lookups: the longest name wins, its first token capitalised in the text, an
acronym ("US", "UK") only in capitals.

Also the word lists and small helpers the later passes share."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import compress

from naqsha.etl.gazetteer import Candidate, Gazetteer
from naqsha.etl.records import Sentence
from naqsha.etl.text import Token

CALENDAR = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december
""".split())
SPATIAL_PREPOSITIONS = frozenset("in near from around outside at".split())
LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and|or)?|and|or|&)\s*$")
JOINABLE_GAP = frozenset(("", "-", "'", "’", "‐", "‑"))


@dataclass
class Span:
    """A stretch of tokens [i, j) that names a place, and what the context says of it."""

    i: int
    j: int
    start: int
    end: int
    key: str
    cands: list[Candidate]
    sent: int
    demonym: Candidate | None = None
    cue: str | None = None          # province, district, city, village, area
    dateline: bool = False
    stopname: bool = False          # also a common word or name: needs its province in the text
    metonymy: bool = False
    dropped: str | None = None      # why this is not a place (organisation, name, ...)
    chosen: Candidate | None = None
    resolution: str = "exact"
    within: "Span | None" = None    # 'X, a village in Y district': the unit Y said to hold X
    within_unit: str | None = None  # the unit word that said so (village, city, area, district)


@dataclass
class Doc:
    """An article being parsed: text, tokens, sentences and what was found so far."""

    text: str
    tokens: list[Token]
    sentences: list[Sentence]
    tok_sent: list[int]
    spans: list[Span] = field(default_factory=list)
    caps: list[bool] = field(default_factory=list)      # token starts with a capital
    headline: list[bool] = field(default_factory=list)  # by sentence

    def __post_init__(self):
        self.caps = [t.text[0].isupper() for t in self.tokens]
        self.headline = _headlines(self)

    def gap(self, a: int, b: int) -> str:
        """The text between tokens a and b (b = a + 1)."""
        return self.text[self.tokens[a].end:self.tokens[b].start]

    def adjacent(self, a: int, b: int) -> bool:
        """Tokens a and b are neighbours in one sentence, separated by spaces only."""
        if a < 0 or b >= len(self.tokens) or self.tok_sent[a] != self.tok_sent[b]:
            return False
        g = self.gap(a, b)
        return g.strip() == "" and "\n" not in g

    def joined(self, a: int, b: int) -> bool:
        """Tokens a and b can belong to one name: same sentence, only a space, a hyphen or
        an apostrophe between them."""
        return self.tok_sent[a] == self.tok_sent[b] and self.gap(a, b).strip() in JOINABLE_GAP

    def sentence_initial(self, k: int) -> bool:
        return k == 0 or self.tok_sent[k - 1] != self.tok_sent[k]


def cue_kind(gaz: Gazetteer, token: Token) -> str | None:
    """The kind of cue word a token is (name_cues.csv), or None."""
    return gaz.cues.get(token.norm)


def unit_of(kind: str | None) -> str | None:
    """'unit_province' -> 'province'; None for other kinds."""
    return kind[5:] if kind and kind.startswith("unit_") else None


def token_sentences(tokens: list[Token], sentences: list[Sentence]) -> list[int]:
    """The index of the sentence each token is in (one sweep; both are in text order)."""
    out, k, last = [], 0, len(sentences) - 1
    for t in tokens:
        while k < last and t.start >= sentences[k + 1].start:
            k += 1
        out.append(k)
    return out


def _headlines(doc: "Doc") -> list[bool]:
    """Title-case lines without a final stop (headlines): there a capitalised word says
    nothing about names."""
    out = []
    for k, sent in enumerate(doc.sentences):
        if doc.text[sent.end - 1] in ".!?\"”’'":
            out.append(False)  # most sentences: their tokens need no counting
            continue
        # the sentence's tokens (tok_sent is in text order) longer than three letters
        lo, hi = bisect_left(doc.tok_sent, k), bisect_right(doc.tok_sent, k)
        long = [cap for t, cap in zip(doc.tokens[lo:hi], doc.caps[lo:hi]) if len(t.text) > 3]
        out.append(len(long) >= 3 and sum(long) / len(long) >= 0.6)
    return out


def find_spans(doc: Doc, gaz: Gazetteer) -> list[Span]:
    """Longest gazetteer names (or demonyms) starting at capitalised tokens."""
    tokens, spans, n = doc.tokens, [], len(doc.tokens)
    done = 0  # tokens before this are inside a name already found
    for i in compress(range(n), doc.caps):  # names start at capitalised tokens only
        if i < done:
            continue
        key, j, best = tokens[i].norm, i + 1, None
        while True:
            if key in gaz.names or key in gaz.demonyms:
                best = (j, key)
            if j >= n or not doc.joined(j - 1, j):
                break
            longer = f"{key} {tokens[j].norm}"
            if longer not in gaz.prefixes:
                break
            key, j = longer, j + 1
        if best is None:
            continue
        j, key = best
        cands = [c for c in gaz.names.get(key, ()) if not c.upper_only or all(
            t.is_upper for t in tokens[i:j])]
        demonym = gaz.demonyms.get(key)
        if cands or demonym:
            spans.append(Span(i, j, tokens[i].start, tokens[j - 1].end, key, cands,
                              doc.tok_sent[i], demonym=None if cands else demonym))
        done = j
    return spans
