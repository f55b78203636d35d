"""Find and resolve the places an article mentions.

``geoparse(article, gazetteer)`` runs four small passes over the article's tokens:

1. ``find_spans``: the longest gazetteer names (token n-gram dictionary lookups, no regex
   per name), capitalised in the text; acronyms ("US", "UK") only in capitals.
2. ``read_context``: what the words around each name say: a unit word ("Ghazni
   province", "the city of Ghazni", "Jaghori and Malistan districts"), an organisation or
   a person ("Kabul Bank", "Herat Security Council", "Austin Scott Miller"), a state actor
   ("the Kabul government", "Islamabad insists": metonymy), a dateline ("KABUL (Reuters) -").
   Misspelt Afghan names are matched fuzzily only where a unit word says a province or
   district is meant.
3. ``choose``: one place per name (province, capital city or centre district; which of
   two districts of one name), from the unit word, the dateline and the rest of the
   document.
4. ``contained_places``: places no gazetteer holds ("the village of X", "X area", or a
   name after "in"/"near" where violence is reported), reported on the district or
   province the context puts them in, with their own text; never a new point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from naqsha.etl.gazetteer import Candidate, Gazetteer
from naqsha.etl.records import Article, GeoparseResult, Mention, Sentence
from naqsha.etl.text import Token, split_sentences, tokenize

#: Words that may stand right before a place name without making it part of a person's
#: or an organisation's name.
ALLOWED_BEFORE = frozenset("""
north south east west northern southern eastern western central northeastern northwestern
southeastern southwestern greater upper lower downtown neighbouring neighboring restive
taliban nato isaf
""".split())
CALENDAR = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december
""".split())
#: "Afghan territory", "Pakistani soil": a demonym names the country only before these.
TERRITORY_NOUNS = frozenset("""
territory territories soil land lands border borders airspace frontier side provinces
province districts cities villages countryside
""".split())
SPEECH_VERBS = frozenset("""
said says say insists insisted claims claimed denied denies denies wants wanted warned
warns accused accuses believes believed hopes hoped rejected rejects refused refuses urged
urges announced announces welcomed welcomes condemned condemns demanded demands responded
argues argued agreed agrees threatened threatens vowed vows
""".split())
SEAT_WORDS = frozenset("government regime administration officials authorities".split())
SEAT_BEFORE = frozenset("government regime administration".split())  # 'the government in Kabul'

SPATIAL_PREPOSITIONS = frozenset("in near from around outside at".split())
VIOLENCE_WORDS = re.compile(
    r"\b(kill|killed|killing|attack|attacked|attacks|clash|clashes|fighting|fought|bomb|"
    r"bombing|blast|explosion|ambush|ambushed|wounded|injured|dead|died|captured|seized|"
    r"overran|offensive|raid|airstrike|air strike|shelling|casualties|displac\w*|ransacked)\b",
    re.I,
)
LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and|or)?|and|or|&)\s*$")
JOINABLE_GAP = frozenset(("", "-", "'", "’", "‐", "‑"))
DATELINE_END = re.compile(r"^\s*(?:,[^\n,]{2,40})?\s*(?:\(|_|–|—|-|:)")


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

    def sentence_initial(self, k: int) -> bool:
        return k == 0 or self.tok_sent[k - 1] != self.tok_sent[k]


# ---------------------------------------------------------------------------- pass 1


def _token_sentences(tokens: list[Token], sentences: list[Sentence]) -> list[int]:
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
    n = len(doc.sentences)
    caps, words = [0] * n, [0] * n
    for t, s, cap in zip(doc.tokens, doc.tok_sent, doc.caps):
        if len(t.text) > 3:
            words[s] += 1
            caps[s] += cap
    out = []
    for k, sent in enumerate(doc.sentences):
        last = doc.text[sent.end - 1]
        out.append(last not in ".!?\"”’'" and words[k] >= 3 and caps[k] / words[k] >= 0.6)
    return out


def find_spans(doc: Doc, gaz: Gazetteer) -> list[Span]:
    """Longest gazetteer names (or demonyms) starting at capitalised tokens."""
    tokens, spans, n = doc.tokens, [], len(doc.tokens)
    i = 0
    caps = doc.caps
    while i < n:
        if not caps[i]:
            i += 1
            continue
        key, j, best = tokens[i].norm, i + 1, None
        while True:
            if key in gaz.names or key in gaz.demonyms:
                best = (j, key)
            if j >= n or doc.tok_sent[j] != doc.tok_sent[i] or doc.gap(j - 1, j).strip() not in JOINABLE_GAP:
                break
            longer = f"{key} {tokens[j].norm}"
            if longer not in gaz.prefixes:
                break
            key, j = longer, j + 1
        if best is None:
            i += 1
            continue
        j, key = best
        cands = [c for c in gaz.names.get(key, ()) if not c.upper_only or all(
            t.is_upper for t in tokens[i:j])]
        demonym = gaz.demonyms.get(key)
        if cands or demonym:
            spans.append(Span(i, j, tokens[i].start, tokens[j - 1].end, key, cands,
                              doc.tok_sent[i], demonym=None if cands else demonym))
        i = j
    return spans


# ---------------------------------------------------------------------------- pass 2


def _cue_kind(gaz: Gazetteer, token: Token) -> str | None:
    return gaz.cues.get(token.norm)


def _unit(kind: str | None) -> str | None:
    return kind[5:] if kind and kind.startswith("unit_") else None


def _list_end(doc: Doc, j: int) -> int:
    """The token after the last member of a list that starts right before token j
    ("Urzugan and Ghazni provinces": from after 'Urzugan' to 'provinces')."""
    tokens = doc.tokens
    while j < len(tokens) and j > 0 and doc.tok_sent[j] == doc.tok_sent[j - 1]:
        gap = doc.gap(j - 1, j)
        if tokens[j].norm in ("and", "or") and gap.strip() in ("", ","):
            j += 1
            continue
        if LIST_GAP.match(gap) and tokens[j].is_capitalised:
            k = j + 1
            while k < len(tokens) and tokens[k].is_capitalised and doc.gap(k - 1, k).strip() in JOINABLE_GAP and doc.tok_sent[k] == doc.tok_sent[j]:
                k += 1
            j = k
            continue
        break
    return j


def _plural_list_cue(doc: Doc, gaz: Gazetteer, j: int) -> str | None:
    end = _list_end(doc, j)
    if end != j and end < len(doc.tokens) and doc.tok_sent[end] == doc.tok_sent[j - 1]:
        word = doc.tokens[end].norm
        if word in ("provinces", "districts"):
            return _unit(_cue_kind(gaz, doc.tokens[end]))
    return None


def read_context(doc: Doc, gaz: Gazetteer) -> None:
    """Mark each span with what its neighbours say (see the module docstring)."""
    tokens = doc.tokens
    in_span = {k for sp in doc.spans for k in range(sp.i, sp.j)}
    for sp in doc.spans:
        nxt = sp.j if sp.j < len(tokens) and doc.adjacent(sp.j - 1, sp.j) else None
        prv = sp.i - 1 if sp.i > 0 and doc.adjacent(sp.i - 1, sp.i) else None
        headline = doc.headline[sp.sent]
        if sp.demonym is not None:
            after = [t.norm for t in tokens[sp.j:sp.j + 2]] if nxt is not None else []
            capital = gaz.capitals.get(sp.demonym.adm0)
            if after[:1] == ["capital"] and capital:  # 'the Afghan capital' is Kabul
                sp.demonym, sp.cands = None, [gaz.candidate(capital)]
                sp.j, sp.end, sp.resolution = sp.j + 1, tokens[sp.j].end, "capital"
            elif not any(w in TERRITORY_NOUNS for w in after):
                sp.dropped = "demonym"
            continue
        kind = _cue_kind(gaz, tokens[nxt]) if nxt is not None else None
        if _unit(kind):
            sp.cue = _unit(kind)
        elif kind == "organisation" and tokens[nxt].is_capitalised:
            sp.dropped = "organisation"
        elif kind == "not_place":
            sp.dropped = "not a place"
        elif kind == "state":
            sp.metonymy = True
        elif (nxt is not None and kind is None and tokens[nxt].is_capitalised and not headline
              and tokens[nxt].norm not in CALENDAR and nxt not in in_span
              and not tokens[nxt].is_upper):
            sp.dropped = "part of a name"
        if (prv is not None and not sp.dropped and tokens[prv].is_capitalised and not headline
                and not doc.sentence_initial(prv) and tokens[prv].norm not in ALLOWED_BEFORE
                and prv not in in_span and _cue_kind(gaz, tokens[prv]) is None):
            sp.dropped = "part of a name"
        if sp.cue is None:
            sp.cue = _plural_list_cue(doc, gaz, sp.j) or _cue_before(doc, gaz, sp.i)
        if sp.key in gaz.stopnames and sp.cue is None:
            sp.stopname = True  # a place only where its province is named too
        if not sp.dropped:
            _mark_metonymy(doc, gaz, sp)
            sp.dateline = _is_dateline(doc, sp)


def _cue_before(doc: Doc, gaz: Gazetteer, i: int) -> str | None:
    """'the city of Ghazni', 'Ghazni's capital' is not handled: 'city of X' and
    'province of X' only."""
    if i >= 2 and doc.tokens[i - 1].norm == "of" and doc.tok_sent[i - 2] == doc.tok_sent[i]:
        if doc.tokens[i - 2].norm == "capital":  # 'the capital of Ghazni' is the province's
            return None
        return _unit(_cue_kind(gaz, doc.tokens[i - 2]))
    return None


def _mark_metonymy(doc: Doc, gaz: Gazetteer, sp: Span) -> None:
    tokens = doc.tokens
    if any(c.metonymy for c in sp.cands):
        sp.metonymy = True
        return
    following = [t for k, t in enumerate(tokens[sp.j:sp.j + 3], sp.j) if doc.tok_sent[k] == sp.sent]
    located = sp.i > 0 and tokens[sp.i - 1].norm in SPATIAL_PREPOSITIONS  # 'officials in X said'
    if following and following[0].norm in SPEECH_VERBS and doc.adjacent(sp.j - 1, sp.j) and not located:
        sp.metonymy = True
    elif (following and following[0].norm in ("has", "have", "had") and len(following) > 1
          and following[1].norm in SPEECH_VERBS and not located):
        sp.metonymy = True
    elif len(following) > 1 and following[1].norm in SEAT_WORDS and following[0].text.islower() and doc.adjacent(sp.j - 1, sp.j):
        sp.metonymy = True  # 'Kabul ruling regime', 'Kabul high officials'
    before = [t.norm for t in tokens[max(0, sp.i - 2):sp.i]]
    cities = any(c.level == "city" for c in sp.cands)
    if cities and len(before) == 2 and before[1] == "in" and before[0] in SEAT_BEFORE:
        sp.metonymy = True  # 'the government in Kabul'


def _is_dateline(doc: Doc, sp: Span) -> bool:
    """'TEHRAN _', 'KABUL (Reuters) -', 'Doha, Qatar –' at the start of a line."""
    line_start = doc.text.rfind("\n", 0, sp.start) + 1
    if doc.text[line_start:sp.start].strip():
        return False
    return bool(DATELINE_END.match(doc.text[sp.end:sp.end + 60]))


def fuzzy_spans(doc: Doc, gaz: Gazetteer) -> list[Span]:
    """Unknown capitalised names that a unit word marks as a province or a district
    ("Urzugan and Ghazni provinces", "Jaghoory district"): matched fuzzily."""
    tokens, covered, out = doc.tokens, set(), []
    for sp in doc.spans:
        covered.update(range(sp.i, sp.j))
    for k, tok in enumerate(tokens):
        if tok.norm not in ("province", "provinces", "district", "districts"):
            continue
        unit = _unit(_cue_kind(gaz, tok))
        for i, j in _names_before(doc, k):
            for start in range(i, j):  # 'In Urzugan province': try 'In Urzugan', 'Urzugan'
                if covered & set(range(start, j)):
                    continue
                key = " ".join(t.norm for t in tokens[start:j])
                cands = [c for c in gaz.fuzzy(key) if c.level == unit]
                if len(cands) == 1:
                    out.append(Span(start, j, tokens[start].start, tokens[j - 1].end, key,
                                    cands, doc.tok_sent[start], cue=unit, resolution="fuzzy"))
                    covered.update(range(start, j))
                    break
    return out


def list_fuzzy_spans(doc: Doc, gaz: Gazetteer) -> list[Span]:
    """Unknown capitalised names listed with Afghan provinces or districts ("Ghazni,
    Urzugan and Zabul"): matched fuzzily to a unit of the same level."""
    tokens, out = doc.tokens, []
    covered = {k for sp in doc.spans for k in range(sp.i, sp.j)}
    queue = [sp for sp in doc.spans if not sp.dropped and sp.cands and all(
        c.adm0 == "AFG" and c.level in ("province", "district") for c in sp.cands
        if c.level != "city")]
    while queue:
        sp = queue.pop()
        levels = {c.level for c in sp.cands}
        level = "province" if "province" in levels else "district"
        for i, j in _list_neighbours(doc, sp):
            if covered & set(range(i, j)):
                continue
            key = " ".join(t.norm for t in tokens[i:j])
            cands = [c for c in gaz.fuzzy(key) if c.level == level]
            if len(cands) == 1:
                new = Span(i, j, tokens[i].start, tokens[j - 1].end, key, cands,
                           doc.tok_sent[i], resolution="fuzzy")
                out.append(new)
                queue.append(new)
                covered.update(range(i, j))
    return out


def _list_neighbours(doc: Doc, sp: Span) -> list[tuple[int, int]]:
    """The capitalised one-token names listed right after and right before a span."""
    tokens, n, out = doc.tokens, len(doc.tokens), []
    j = sp.j
    if j < n and tokens[j].norm in ("and", "or") and not doc.gap(j - 1, j).strip(" ,"):
        j += 1
    elif not (j < n and LIST_GAP.match(doc.gap(j - 1, j))):
        j = None
    if j is not None and j < n and doc.tok_sent[j] == sp.sent and doc.caps[j] and (
            j + 1 >= n or not doc.caps[j + 1] or not doc.adjacent(j, j + 1)):
        out.append((j, j + 1))
    i = sp.i - 1
    if i > 0 and tokens[i].norm in ("and", "or") and not doc.gap(i, i + 1).strip():
        i -= 1
    elif not (i >= 0 and LIST_GAP.match(doc.gap(i, i + 1)) and doc.gap(i, i + 1).strip()):
        i = None
    if i is not None and i >= 0 and doc.tok_sent[i] == sp.sent and doc.caps[i] and not (
            doc.sentence_initial(i)) and not (i > 0 and doc.caps[i - 1] and doc.adjacent(i - 1, i)):
        out.append((i, i + 1))
    return out


def _names_before(doc: Doc, k: int) -> list[tuple[int, int]]:
    """Token ranges of the capitalised names in the list that ends right before token k
    ("Urzugan and Ghazni provinces" -> Ghazni, Urzugan)."""
    tokens, s, names = doc.tokens, doc.tok_sent[k], []
    j = k
    while j > 0 and doc.tok_sent[j - 1] == s and tokens[j - 1].is_capitalised:
        if j == k and doc.gap(j - 1, j).strip():
            break
        i = j - 1
        while i > 0 and doc.tok_sent[i - 1] == s and tokens[i - 1].is_capitalised and (
                doc.gap(i - 1, i).strip() in JOINABLE_GAP):
            i -= 1
        names.append((i, j))
        p = i - 1
        if p < 0 or doc.tok_sent[p] != s:
            break
        if tokens[p].norm in ("and", "or") and not doc.gap(p, i).strip():
            if p == 0 or doc.gap(p - 1, p).strip() not in ("", ","):
                break
            j = p
        elif doc.gap(p, i).strip() == ",":
            j = i
        else:
            break
    return names


# ---------------------------------------------------------------------------- pass 3


@dataclass
class DocContext:
    """What the whole document says, for choosing between candidates."""

    adm1: set[str] = field(default_factory=set)           # Afghan provinces in play
    countries: set[str] = field(default_factory=set)
    unit_by_key: dict[str, str] = field(default_factory=dict)  # 'ghazni' -> 'province'
    afghan: bool = False


def _doc_context(doc: Doc) -> DocContext:
    ctx = DocContext()
    for sp in doc.spans:
        if sp.dropped or sp.stopname:
            continue
        if sp.cue in ("province", "city") and sp.key not in ctx.unit_by_key:
            ctx.unit_by_key[sp.key] = sp.cue
        levels = {c.level for c in sp.cands}
        for c in sp.cands:
            if c.adm0 == "AFG" or (sp.demonym and sp.demonym.adm0 == "AFG"):
                ctx.afghan = True
            if c.level == "country":
                ctx.countries.add(c.adm0)
            # a name that is only an Afghan unit (not also a foreign city) fixes its province
            if c.adm1 and (len(sp.cands) == 1 or levels <= {"province", "district", "city"} and len({x.adm1 for x in sp.cands if x.adm1}) == 1):
                ctx.adm1.add(c.adm1)
        if sp.demonym is not None and sp.demonym.adm0 == "AFG":
            ctx.afghan = True
    return ctx


def _by_level(cands: list[Candidate], level: str) -> list[Candidate]:
    return [c for c in cands if c.level == level]


def choose(sp: Span, ctx: DocContext) -> Candidate | None:
    """One place for a span (see the module docstring)."""
    if sp.demonym is not None:
        sp.resolution = "demonym"
        return sp.demonym
    cands = sp.cands
    wanted = sp.cue if sp.cue in ("province", "district", "city") else None
    if sp.dateline and _by_level(cands, "city"):
        wanted = "city"
    if wanted is None:
        wanted = _default_level(sp, ctx)
    pool = _by_level(cands, wanted) or cands
    best = _best_of(pool, ctx)
    if best is None:
        return None
    if best.level == "district" and not sp.cue and best.adm1 not in ctx.adm1 and not ctx.afghan:
        return None  # an Afghan district name in a text that is not about Afghanistan
    if sp.stopname and not (best.adm1 and best.adm0 == "AFG" and best.adm1 in ctx.adm1):
        return None  # 'Mary', 'Washer', 'Giro' alone are a name or a word
    if sp.dateline:
        sp.resolution = "dateline"
    elif best.match in ("alias", "alternate") and sp.resolution == "exact":
        sp.resolution = "alias"
    if best.match == "landmark":
        sp.resolution = "landmark"
    return best


def _default_level(sp: Span, ctx: DocContext) -> str:
    levels = {c.level for c in sp.cands}
    for level in ("country", "region"):
        if level in levels:
            return level
    said = ctx.unit_by_key.get(sp.key)
    if "province" in levels and "city" in levels and not any(
            c.adm0 == "AFG" for c in _by_level(sp.cands, "province")) and said != "province":
        return "city"  # 'Tehran', 'Qom': abroad, the city unless 'province' is said
    if "province" in levels:
        if said in ("province", "city"):
            return said
        cities = [c for c in _by_level(sp.cands, "city") if c.adm0 == "AFG"]
        if cities and max(c.population for c in cities) >= 1_000_000:
            return "city"  # the national capital: 'Kabul' alone is the city
        return "province"
    if "district" in levels:
        cities = [c for c in _by_level(sp.cands, "city") if c.adm0 == "AFG"]
        if cities and max(c.population for c in cities) >= 40_000:
            return "city"  # a provincial capital named like its district
        return "district"
    return "city"


def _best_of(pool: list[Candidate], ctx: DocContext) -> Candidate | None:
    if not pool:
        return None
    if len(pool) == 1:
        return pool[0]
    in_context = [c for c in pool if (c.adm1 and c.adm1 in ctx.adm1) or (
        c.level == "city" and c.adm0 in ctx.countries)]
    return max(in_context or pool, key=lambda c: (c.population, -len(c.key)))


# ---------------------------------------------------------------------------- pass 4


CONNECTORS = frozenset("e i ye y".split())  # Dari/Pashto ezafe: Dasht-e-Barchi, Pul-i-Charkhi


def contained_places(doc: Doc, gaz: Gazetteer, resolved: list[Span]) -> list[Span]:
    """Unknown places put on the Afghan unit the context names (module docstring)."""
    tokens, out = doc.tokens, []
    covered = {k for sp in doc.spans for k in range(sp.i, sp.j)}
    units = [sp for sp in resolved if sp.chosen and sp.chosen.adm0 == "AFG"
             and sp.chosen.level in ("district", "province", "city") and not sp.metonymy]
    k = 0
    while k < len(tokens):
        j = _name_run(doc, k) if doc.caps[k] else k + 1
        if _unknown_name(doc, gaz, covered, k, j):
            cue = _contained_cue(doc, gaz, k, j)
            unit = _context_unit(doc, units, k, cue) if cue else None
            if unit is not None:
                sp = Span(k, j, tokens[k].start, tokens[j - 1].end, tokens[k].norm,
                          [unit.chosen], doc.tok_sent[k], resolution="contained")
                sp.chosen = unit.chosen
                out.append(sp)
        k = j
    return out


def _name_run(doc: Doc, k: int) -> int:
    """The end of a hyphenated name starting at token k ("Dasht-e-Barchi"), else k + 1."""
    tokens, n, j = doc.tokens, len(doc.tokens), k + 1
    while j < n and doc.tok_sent[j] == doc.tok_sent[k] and doc.gap(j - 1, j) == "-":
        if tokens[j].norm in CONNECTORS and j + 1 < n and doc.gap(j, j + 1) in ("-", " ") and doc.caps[j + 1]:
            j += 2
        elif doc.caps[j]:
            j += 1
        else:
            break
    return j


def _unknown_name(doc: Doc, gaz: Gazetteer, covered: set, k: int, j: int) -> bool:
    """A capitalised name the gazetteer does not hold, not part of a longer name."""
    tokens, tok = doc.tokens, doc.tokens[k]
    if not doc.caps[k] or any(x in covered for x in range(k, j)) or doc.sentence_initial(k):
        return False
    if (j == k + 1 and len(tok.text) < 4) or tok.is_upper:
        return False
    key = " ".join(t.norm for t in tokens[k:j])
    if tok.norm in CALENDAR or tok.norm in gaz.cues or key in gaz.names or key in gaz.demonyms:
        return False
    if j < len(tokens) and doc.adjacent(j - 1, j) and doc.caps[j] and _unit(_cue_kind(gaz, tokens[j])) is None:
        return False  # 'Human Security Centre'
    if doc.adjacent(k - 1, k) and doc.caps[k - 1] and not doc.sentence_initial(k - 1):
        return False  # 'Rohullah Yakobi'
    return True


def _contained_cue(doc: Doc, gaz: Gazetteer, k: int, j: int) -> str | None:
    """Why an unknown name is a place: 'X village', 'the village of X', 'X area', 'X
    district' (a district newer than the boundaries), or 'in/near X' where the sentence
    reports violence."""
    tokens = doc.tokens
    nxt = tokens[j] if j < len(tokens) and doc.adjacent(j - 1, j) else None
    unit = _unit(_cue_kind(gaz, nxt)) if nxt is not None else None
    if unit in ("village", "area", "district"):
        return unit
    if k >= 2 and tokens[k - 1].norm == "of" and _unit(_cue_kind(gaz, tokens[k - 2])) in ("village", "area"):
        return "village"
    if tokens[k - 1].norm in SPATIAL_PREPOSITIONS:
        s = doc.sentences[doc.tok_sent[k]]
        if VIOLENCE_WORDS.search(doc.text, s.start, s.end):
            return "place"
    return None


def _context_unit(doc: Doc, units: list[Span], k: int, cue: str) -> Span | None:
    """The Afghan unit named in this sentence (a district first), else the latest one
    named in the three sentences before. An unknown district lies in a province."""
    if cue == "district":
        units = [u for u in units if u.chosen.level == "province"]
    s = doc.tok_sent[k]
    same = [u for u in units if u.sent == s]
    if same:
        return _smallest(same, first=True)
    before = [u for u in units if s - 3 <= u.sent < s]
    if not before:
        return None
    latest = max(u.sent for u in before)
    return _smallest([u for u in before if u.sent == latest], first=False)


def _smallest(units: list[Span], first: bool) -> Span:
    for level in ("district", "city", "province"):
        found = [u for u in units if u.chosen.level == level]
        if found:
            return found[0] if first else found[-1]
    return units[0]


# ------------------------------------------------------------------------------ main


def geoparse(article: Article, gazetteer: Gazetteer) -> GeoparseResult:
    """Sentences and resolved place mentions of one article."""
    text = article.text
    sentences = split_sentences(text)
    tokens = tokenize(text)
    tok_sent = _token_sentences(tokens, sentences)
    doc = Doc(text, tokens, sentences, tok_sent)
    if not tokens or not sentences:
        return GeoparseResult(sentences, [])
    doc.spans = find_spans(doc, gazetteer)
    read_context(doc, gazetteer)
    doc.spans += fuzzy_spans(doc, gazetteer)
    doc.spans += list_fuzzy_spans(doc, gazetteer)
    doc.spans.sort(key=lambda sp: sp.start)
    ctx = _doc_context(doc)
    resolved = []
    for sp in doc.spans:
        if sp.dropped:
            continue
        sp.chosen = choose(sp, ctx)
        if sp.chosen is not None:
            resolved.append(sp)
    resolved += contained_places(doc, gazetteer, resolved)
    resolved.sort(key=lambda sp: sp.start)
    mentions = [
        Mention(sp.start, sp.end, text[sp.start:sp.end], sp.chosen.place(), sp.resolution,
                sp.metonymy, sentences[sp.sent])
        for sp in resolved
    ]
    return GeoparseResult(sentences, mentions)
