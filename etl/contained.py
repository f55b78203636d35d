"""Pass 4 of the geoparser: places no gazetteer holds.

"the village of X", "X village", "X area", "X district" (newer than the boundaries), or a
name after "in"/"near" in a sentence that reports violence: reported on the Afghan
district, city or province the context names (same sentence, else the three before), with
the unknown name as the mention's text and that unit's precision. Never a new point;
without such a unit, nothing.

``find_containers`` / ``apply_containers``: a gazetteer name that the text itself puts
inside another unit ("Khanabad, a village in Sayedabad district of Wardak", "Sangin, a
town in Helmand province", "Khanabad village in Sayedabad"): the candidate inside that
unit wins over a homonym elsewhere; when none of the name's candidates lies inside, the
name is reported on the unit, as 'contained'.
"""

from __future__ import annotations

import re
from itertools import compress

from naqsha.etl.gazetteer import Gazetteer
from naqsha.etl.spans import CALENDAR, SPATIAL_PREPOSITIONS, Doc, Span, cue_kind, unit_of

VIOLENCE_WORDS = re.compile(
    r"\b(kill|killed|killing|attack|attacked|attacks|clash|clashes|fighting|fought|bomb|"
    r"bombing|blast|explosion|ambush|ambushed|wounded|injured|dead|died|captured|seized|"
    r"overran|offensive|raid|airstrike|air strike|shelling|casualties|displac\w*|ransacked)\b",
    re.I,
)

CONNECTORS = frozenset("e i ye y".split())  # Dari/Pashto ezafe: Dasht-e-Barchi, Pul-i-Charkhi


def contained_places(doc: Doc, gaz: Gazetteer, resolved: list[Span]) -> list[Span]:
    """Unknown places put on the Afghan unit the context names (module docstring)."""
    tokens, out = doc.tokens, []
    covered = {k for sp in doc.spans for k in range(sp.i, sp.j)}
    units = [sp for sp in resolved if sp.chosen and sp.chosen.adm0 == "AFG"
             and sp.chosen.level in ("district", "province", "city") and not sp.metonymy]
    unit_at = {sp.i: sp for sp in units}
    done = 0  # tokens before this belong to a name already read
    for k in compress(range(len(tokens)), doc.caps):  # names start at capitalised tokens
        if k < done:
            continue
        j = _name_run(doc, gaz, k)
        if _unknown_name(doc, gaz, covered, k, j) or (
                doc.sentence_initial(k) and doc.text[tokens[j - 1].end:tokens[j - 1].end + 1] == ","
                and _unknown_name(doc, gaz, covered, k, j, initial=True)
                and apposition(doc, gaz, j, doc.tok_sent[k], None) is not None):
            cue = _contained_cue(doc, gaz, k, j) if not doc.sentence_initial(k) else None
            if cue == "place" and " " in doc.text[tokens[k].start:tokens[j - 1].end]:
                cue = None  # two capitalised words after 'in' are as often a name
            unit = None
            app = apposition(doc, gaz, j, doc.tok_sent[k], cue)
            if app is not None:  # 'Hotqol, a village in Jaghori district'
                holder = unit_at.get(app[1])
                if holder is not None:
                    unit = _possessed(doc, unit_at, holder)
                    unit = unit if unit in units else holder
                cue = cue or app[0]
            if unit is None and cue:
                unit = _context_unit(doc, units, k, cue)
            if unit is not None:
                sp = Span(k, j, tokens[k].start, tokens[j - 1].end, tokens[k].norm,
                          [unit.chosen], doc.tok_sent[k], resolution="contained")
                sp.chosen = unit.chosen
                out.append(sp)
        done = j
    return out


def _name_run(doc: Doc, gaz: Gazetteer, k: int) -> int:
    """The end of the capitalised name starting at token k: "Dasht-e-Barchi", "Sufi Abad"
    (a cue word such as "Area" or "Village" ends it)."""
    tokens, n, j = doc.tokens, len(doc.tokens), k + 1
    while j < n and doc.tok_sent[j] == doc.tok_sent[k] and doc.gap(j - 1, j) in ("-", " "):
        connector = tokens[j].norm in CONNECTORS and j + 1 < n
        if connector and doc.gap(j, j + 1) in ("-", " ") and doc.caps[j + 1]:
            j += 2
        elif doc.caps[j] and cue_kind(gaz, tokens[j]) is None:
            j += 1
        else:
            break
    return j


def _unknown_name(doc: Doc, gaz: Gazetteer, covered: set, k: int, j: int,
                  initial: bool = False) -> bool:
    """A capitalised name the gazetteer does not hold, not part of a longer name (at the
    start of a sentence only when ``initial``)."""
    tokens, tok = doc.tokens, doc.tokens[k]
    if not doc.caps[k] or any(x in covered for x in range(k, j)) or (
            doc.sentence_initial(k) and not initial):
        return False
    if (j == k + 1 and len(tok.text) < 4) or tok.is_upper:
        return False
    key = " ".join(t.norm for t in tokens[k:j])
    if tok.norm in CALENDAR or tok.norm in gaz.cues or key in gaz.names or key in gaz.demonyms:
        return False
    followed = j < len(tokens) and doc.adjacent(j - 1, j) and doc.caps[j]
    if followed and unit_of(cue_kind(gaz, tokens[j])) is None:
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
    unit = unit_of(cue_kind(gaz, nxt)) if nxt is not None else None
    if unit in ("village", "area", "district"):
        return unit
    before = unit_of(cue_kind(gaz, tokens[k - 2])) if k >= 2 else None
    if tokens[k - 1].norm == "of" and before in ("village", "area"):
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


# ------------------------------------------------------------------ appositions

ARTICLES = frozenset("a an the".split())
#: Words allowed between the preposition and the container: "in the remote north of".
CONTAINER_SKIP = frozenset("""the northern southern eastern western central northeastern
northwestern southeastern southwestern restive volatile neighbouring neighboring remote
province district""".split())


def find_containers(doc: Doc, gaz: Gazetteer) -> None:
    """Mark each span that the text places inside another one (module docstring):
    ", a [small] village|town|city|area|district in|of Y", or "X village in Y" / "the
    village of X in Y". Bounded: a few tokens after each span."""
    starts = {sp.i: sp for sp in doc.spans if not sp.dropped and sp.demonym is None}
    for sp in doc.spans:
        if sp.dropped or sp.demonym is not None:
            continue
        found = apposition(doc, gaz, sp.j, sp.sent, sp.cue)
        if found is None:
            continue
        unit, k = found
        holder = starts.get(k)
        if holder is not None and holder is not sp:
            sp.within, sp.within_unit = _possessed(doc, starts, holder), unit


def apposition(doc: Doc, gaz: Gazetteer, k: int, sent: int, cue: str | None):
    """Read ", a [small] village|town|city|area|district in|of [the] ..." (or, after a
    name with a village/area cue, "[village] in ...") from token ``k``: (unit, index of
    the token after the preposition) or None."""
    tokens, n, unit = doc.tokens, len(doc.tokens), None
    comma = k < n and doc.text[tokens[k - 1].end:tokens[k - 1].end + 1] == ","
    if comma and doc.tok_sent[k] == sent and doc.gap(k - 1, k).strip() == ",":
        if tokens[k].norm in ARTICLES:
            k += 1
        elif tokens[k].norm not in CONTAINER_SKIP:
            return None
        for _ in range(3):  # 'a small mountain village': up to two words before the unit
            if k >= n or doc.tok_sent[k] != sent or doc.caps[k]:
                break
            unit = unit_of(cue_kind(gaz, tokens[k]))
            if unit is not None:
                break
            k += 1
        if unit not in ("village", "city", "area", "district") or tokens[k].norm.endswith("s"):
            return None  # 'Logar, the districts of Charkh and ...' is a list, not a container
        k += 1
    elif cue in ("village", "area", "district"):
        if k < n and unit_of(cue_kind(gaz, tokens[k])) == cue:
            k += 1  # 'Khanabad village in ...', 'Nawa district of Ghazni'
        unit = cue
    else:
        return None
    if not (k < n and doc.tok_sent[k] == sent and tokens[k].norm in ("in", "of")):
        return None
    k += 1
    for _ in range(4):
        if k < n and doc.tok_sent[k] == sent and tokens[k].norm in CONTAINER_SKIP:
            k += 1
    return (unit, k) if k < n and doc.tok_sent[k] == sent else None


def _possessed(doc: Doc, starts: dict, holder):
    """'in Wardak's Sayedabad district': the unit after the possessive, the smaller one."""
    j = holder.j
    if j + 1 < len(doc.tokens) and doc.tokens[j].norm == "s" and doc.gap(j - 1, j) in ("'", "’"):
        inner = starts.get(j + 1)
        if inner is not None and inner.sent == holder.sent:
            return inner
    return holder


def _inside(c, unit) -> bool:
    """Candidate ``c`` lies in the unit (a country, province, district, or a city's
    district)."""
    if unit.level == "country":
        return c.adm0 == unit.adm0 and c.level != "country"
    if unit.level == "province":
        return c.adm1 == unit.adm1 and c.level in ("district", "city")
    if unit.level in ("district", "city"):
        return c.level == "city" and c.adm1 == unit.adm1 and bool(c.adm2) and c.adm2 == unit.adm2
    return False


_PREFERRED = {"city": ("city", "district"), "village": ("city", "district"),
              "area": ("district", "city"), "district": ("district", "city")}


def apply_containers(doc: Doc) -> None:
    """Resolve the spans ``find_containers`` marked, once every span has its place."""
    for sp in doc.spans:
        holder = sp.within
        if holder is None or sp.dropped or holder.chosen is None or holder.metonymy:
            continue
        unit = holder.chosen
        inside = [c for c in sp.cands if _inside(c, unit)]
        if inside:
            for level in _PREFERRED[sp.within_unit]:
                pool = [c for c in inside if c.level == level]
                if pool:
                    best = max(pool, key=lambda c: c.population)
                    break
            else:
                best = max(inside, key=lambda c: c.population)
            sp.chosen = best
            sp.resolution = "alias" if best.match in ("alias", "alternate") else "exact"
        elif unit.adm0 == "AFG" and unit.level in ("province", "district", "city"):
            sp.chosen, sp.resolution = unit, "contained"
            sp.metonymy = False
