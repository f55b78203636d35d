"""Pass 2 of the geoparser: what the words around each name say.

- a unit word: "Ghazni province", "the city of Ghazni", "Jaghori and Malistan districts";
- a person's or an organisation's name around the place name: "Kabul Bank", "Herat
  Security Council", "Ahmad Farah" (the place is dropped);
- a state actor: "the Kabul government", "Islamabad insists", "the Kremlin" (metonymy);
- a dateline: "KABUL (Reuters) -", "Doha, Qatar –";
- a demonym is a country only before a territory noun ("Afghan soil").

Misspelt Afghan names are matched fuzzily only where a unit word says a province or a
district is meant, or in a list with other Afghan provinces or districts.
"""

from __future__ import annotations

import re

from naqsha.etl.gazetteer import Gazetteer
from naqsha.etl.spans import (CALENDAR, JOINABLE_GAP, LIST_GAP, SPATIAL_PREPOSITIONS, Doc,
                              Span, cue_kind, unit_of)

#: Words that may stand right before a place name without making it part of a person's
#: or an organisation's name.
ALLOWED_BEFORE = frozenset("""
north south east west northern southern eastern western central northeastern northwestern
southeastern southwestern greater upper lower downtown neighbouring neighboring restive
taliban nato isaf
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
TITLES = frozenset("mr mrs ms dr gen general minister president governor mullah haji".split())
SEAT_WORDS = frozenset("government regime administration officials authorities".split())
SEAT_BEFORE = frozenset("government regime administration".split())  # 'the government in Kabul'
#: 'the outskirts of X', 'in the west of X': parts of a town (the city, not the province).
CITY_PARTS = frozenset("""outskirts suburbs suburb centre center heart edge gates streets
downtown north south east west northeast northwest southeast southwest""".split())
DATELINE_END = re.compile(r"^\s*(?i:city\b)?\s*(?:,[^\n,]{2,40})?\s*(?:\(|_|–|—|-|:)")


def _list_end(doc: Doc, j: int) -> int:
    """The token after the last member of a list that starts right before token j
    ("Urzugan and Ghazni provinces": from after 'Urzugan' to 'provinces')."""
    tokens = doc.tokens
    after_conj = False
    for _ in range(24):  # a list of a dozen members at most: linear on any input
        if not (j < len(tokens) and j > 0 and doc.tok_sent[j] == doc.tok_sent[j - 1]):
            break
        gap = doc.gap(j - 1, j)
        if tokens[j].norm in ("and", "or") and gap.strip() in ("", ",") and not after_conj:
            j += 1
            after_conj = True
            continue
        if (LIST_GAP.match(gap) or (after_conj and not gap.strip())) and tokens[j].is_capitalised:
            after_conj = False
            k = j + 1
            while k < len(tokens) and doc.caps[k] and doc.joined(k - 1, k):
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
            return unit_of(cue_kind(gaz, doc.tokens[end]))
    return None


def read_context(doc: Doc, gaz: Gazetteer) -> None:
    """Mark each span with what its neighbours say (see the module docstring)."""
    in_span = {k for sp in doc.spans for k in range(sp.i, sp.j)}
    for sp in doc.spans:
        if sp.demonym is not None:
            _read_demonym(doc, gaz, sp)
            continue
        _read_neighbours(doc, gaz, sp, in_span)
        if sp.cue is None:
            sp.cue = _plural_list_cue(doc, gaz, sp.j) or _cue_before(doc, gaz, sp.i)
        if sp.key in gaz.stopnames and sp.cue is None:
            sp.stopname = True  # a place only where its province is named too
        if not sp.dropped:
            _mark_metonymy(doc, gaz, sp)
            sp.dateline = _is_dateline(doc, sp)
    _drop_surnames(doc)
    _carry_list_cue(doc, gaz)


def _carry_list_cue(doc: Doc, gaz: Gazetteer) -> None:
    """'the districts of Charkh and Baraki Barak': the plural unit word before a list
    says what every member is. One sweep over the spans."""
    tokens, spans = doc.tokens, doc.spans
    head = None  # the first member of the list the current span belongs to
    for a, b in zip(spans, spans[1:]):
        head = head if head is not None else a
        if not listed(doc, a, b):
            head = None
            continue
        if b.cue is None and a.cue in ("district", "province") and head.i >= 2 and (
                tokens[head.i - 1].norm == "of"
                and tokens[head.i - 2].norm in ("districts", "provinces")):
            b.cue = a.cue
            b.stopname = False


def listed(doc: Doc, a: Span, b: Span) -> bool:
    """Span b follows span a in a list: 'A and B', 'A, B', 'A, and B'."""
    if a.sent != b.sent or b.i - a.j > 1:
        return False
    if b.i == a.j + 1:
        return doc.tokens[a.j].norm in ("and", "or")
    return doc.gap(a.j - 1, b.i).strip() == ","


def _read_demonym(doc: Doc, gaz: Gazetteer, sp: Span) -> None:
    """'Afghan soil' is the country, 'the Afghan capital' its capital city, 'Afghans' and
    'the Afghan government' no place."""
    tokens = doc.tokens
    touching = sp.j < len(tokens) and doc.adjacent(sp.j - 1, sp.j)
    after = [t.norm for t in tokens[sp.j:sp.j + 2]] if touching else []
    capital = gaz.capitals.get(sp.demonym.adm0)
    if after[:1] == ["capital"] and capital:
        sp.demonym, sp.cands = None, [gaz.candidate(capital)]
        sp.j, sp.end, sp.resolution = sp.j + 1, tokens[sp.j].end, "capital"
    elif not any(w in TERRITORY_NOUNS for w in after):
        sp.dropped = "demonym"


def _read_neighbours(doc: Doc, gaz: Gazetteer, sp: Span, in_span: set) -> None:
    """The word right after a name (a unit, an organisation, a state office, another
    capitalised word of a longer name) and the capitalised word right before it (a
    first name: 'Ahmad Farah')."""
    tokens = doc.tokens
    nxt = sp.j if sp.j < len(tokens) and doc.adjacent(sp.j - 1, sp.j) else None
    prv = sp.i - 1 if sp.i > 0 and doc.adjacent(sp.i - 1, sp.i) else None
    headline = doc.headline[sp.sent]
    kind = cue_kind(gaz, tokens[nxt]) if nxt is not None else None
    if unit_of(kind):
        sp.cue = unit_of(kind)
    elif kind == "organisation" and doc.caps[nxt]:
        sp.dropped = "organisation"
    elif kind == "not_place":
        sp.dropped = "not a place"
    elif kind == "state":
        sp.metonymy = True
    elif (nxt is not None and kind is None and doc.caps[nxt] and not headline
          and tokens[nxt].norm not in CALENDAR and nxt not in in_span
          and not tokens[nxt].is_upper):
        sp.dropped = "part of a name"
    if (prv is not None and not sp.dropped and doc.caps[prv] and not headline
            and not doc.sentence_initial(prv) and tokens[prv].norm not in ALLOWED_BEFORE
            and prv not in in_span and cue_kind(gaz, tokens[prv]) is None):
        sp.dropped = "surname"


def _drop_surnames(doc: Doc) -> None:
    """A place name that the text uses as a surname ("Farooq Wardak") is that person
    again where it speaks or owns ("Wardak said", "Wardak's office", "Mr Wardak")."""
    surnames = {sp.key for sp in doc.spans if sp.dropped == "surname"}
    if not surnames:
        return
    tokens = doc.tokens
    for sp in doc.spans:
        if sp.dropped or sp.key not in surnames or sp.cue:
            continue
        after = tokens[sp.j].norm if sp.j < len(tokens) and doc.tok_sent[sp.j] == sp.sent else ""
        possessive = after == "s" and doc.gap(sp.j - 1, sp.j) in ("'", "’")
        titled = sp.i > 0 and tokens[sp.i - 1].norm in TITLES
        if after in SPEECH_VERBS or possessive or titled:
            sp.dropped = "surname"


def _cue_before(doc: Doc, gaz: Gazetteer, i: int) -> str | None:
    """The unit word before a name: 'the city of Ghazni', 'the province of Ghazni' ('the
    capital of Ghazni' is the province's capital: no cue for the name)."""
    if i >= 2 and doc.tokens[i - 1].norm == "of" and doc.tok_sent[i - 2] == doc.tok_sent[i]:
        if doc.tokens[i - 2].norm == "capital":  # 'the capital of Ghazni' is the province's
            return None
        if doc.tokens[i - 2].norm in CITY_PARTS and i >= 3 and doc.tokens[i - 3].norm == "the":
            return "city"  # 'the outskirts of Kunduz', 'in the west of Herat': the town
        return unit_of(cue_kind(gaz, doc.tokens[i - 2]))
    return None


def _mark_metonymy(doc: Doc, gaz: Gazetteer, sp: Span) -> None:
    """The name stands for an actor: a landmark ('the Kremlin'), the subject of a speech
    verb ('Washington said', 'Islamabad insists'), before a seat word ('the Kabul
    government', 'Kabul high officials'), or 'the government in Kabul'."""
    tokens = doc.tokens
    if any(c.metonymy for c in sp.cands):
        sp.metonymy = True
        return
    following = [t for k, t in enumerate(tokens[sp.j:sp.j + 3], sp.j)
                 if doc.tok_sent[k] == sp.sent]
    if following and following[0].norm in ("provinces", "districts") and touching_list(doc, sp):
        return  # 'in Kunduz and Helmand provinces, officials said': places in a list
    touching = doc.adjacent(sp.j - 1, sp.j)
    # _located ('officials in X said', 'clashes in Kunduz and Helmand have claimed') is
    # asked last: only a speech verb after the name makes it matter
    if following and following[0].norm in SPEECH_VERBS and touching and not _located(doc, sp):
        sp.metonymy = True
    elif (following and following[0].norm in ("has", "have", "had") and len(following) > 1
          and following[1].norm in SPEECH_VERBS and not _located(doc, sp)):
        sp.metonymy = True
    elif (len(following) > 1 and following[1].norm in SEAT_WORDS and touching
          and following[0].text.islower() and doc.adjacent(sp.j, sp.j + 1)
          and cue_kind(gaz, following[0]) is None):
        sp.metonymy = True  # 'Kabul ruling regime', 'Kabul high officials'
    before = [t.norm for t in tokens[max(0, sp.i - 2):sp.i]]
    cities = any(c.level == "city" for c in sp.cands)
    shadow = sp.i >= 3 and tokens[sp.i - 3].norm in ("shadow", "parallel", "provincial", "local")
    if cities and len(before) == 2 and before[1] == "in" and before[0] in SEAT_BEFORE and not shadow:
        sp.metonymy = True  # 'the government in Kabul' (not 'a shadow government in Ghazni')


def touching_list(doc: Doc, sp: Span) -> bool:
    """The name is the last member of a list ('Kunduz and Helmand', 'A, B and C') right
    before the next token."""
    k = sp.i - 1
    return k > 0 and doc.tok_sent[k] == sp.sent and (
        doc.tokens[k].norm in ("and", "or") or doc.gap(k, sp.i).strip() == ",") and doc.adjacent(sp.j - 1, sp.j)


def _located(doc: Doc, sp: Span) -> bool:
    """A spatial preposition governs the name, or the list it ends ('in Kunduz and
    Helmand', 'in Kunduz, Baghlan and Helmand'): a few tokens back at most."""
    tokens, k = doc.tokens, sp.i - 1
    for _ in range(8):
        if k < 0 or doc.tok_sent[k] != sp.sent:
            return False
        norm = tokens[k].norm
        if norm in SPATIAL_PREPOSITIONS:
            return True
        if norm in ("and", "or") or doc.caps[k] or norm in ("provinces", "districts"):
            k -= 1
            continue
        return False
    return False


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
        unit = unit_of(cue_kind(gaz, tok))
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
    queue = [sp for sp in doc.spans if not sp.dropped and _afghan_unit(sp)]
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


def _afghan_unit(sp: Span) -> bool:
    """The span names an Afghan province or district (its capital city may share the
    name), and nothing abroad."""
    units = [c for c in sp.cands if c.level in ("province", "district")]
    others = [c for c in sp.cands if c.level not in ("province", "district", "city")]
    return bool(units) and not others and all(c.adm0 == "AFG" for c in sp.cands)


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
    lone = i is not None and not (i > 0 and doc.caps[i - 1] and doc.adjacent(i - 1, i))
    if lone and doc.tok_sent[i] == sp.sent and doc.caps[i] and not doc.sentence_initial(i):
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
