"""Pass 3 of the geoparser: one place per name.

A province, its capital city or its centre district (Ghazni, Kandahar, Herat); which of
two districts of one name (Arghandab in Kandahar or Zabul); which city of one name: the
unit word, the dateline and the rest of the document (the provinces it names, the
countries it names) decide. A bare name shared by a district and its town ("in
Tarinkot", "militia from Pul-i-Khumri") is the town; "Tarinkot district", a list with
other districts ("Sangin and Kajaki") or a plural unit word make it the district. A
province's name stays the province unless "the city of X", "X city", a dateline or "the
outskirts/west of X" says the town.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from naqsha.etl.gazetteer import Candidate
from naqsha.etl.spans import Doc, Span

@dataclass
class DocContext:
    """What the whole document says, for choosing between candidates."""

    adm1: set[str] = field(default_factory=set)           # Afghan provinces in play
    countries: set[str] = field(default_factory=set)
    unit_by_key: dict[str, str] = field(default_factory=dict)  # 'ghazni' -> 'province'
    afghan: bool = False


def doc_context(doc: Doc) -> DocContext:
    ctx = DocContext()
    for sp in doc.spans:
        if sp.dropped or sp.stopname or sp.within is not None:
            continue  # 'Khanabad, a village in Sayedabad': not the homonym's province
        if sp.cue in ("province", "city") and sp.key not in ctx.unit_by_key:
            ctx.unit_by_key[sp.key] = sp.cue
        levels = {c.level for c in sp.cands}
        for c in sp.cands:
            if c.adm0 == "AFG" or (sp.demonym and sp.demonym.adm0 == "AFG"):
                ctx.afghan = True
            if c.level == "country":
                ctx.countries.add(c.adm0)
            # a name that is only one Afghan unit (or a province and its centre) fixes
            # the province in play
            provinces = {x.adm1 for x in sp.cands if x.adm1}
            if c.adm1 and (len(sp.cands) == 1 or (
                    levels <= {"province", "district", "city"} and len(provinces) == 1)):
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
    elif best.match == "locality":
        sp.resolution = "contained"
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
        if any(_is_town(c, sp.cands) for c in cities):
            return "city"  # the town of its district ('in Tarinkot', 'from Pul-i-Khumri')
        if cities and max(c.population for c in cities) >= 40_000:
            return "city"  # a provincial capital named like its district
        return "district"
    return "city"


def _is_town(city: Candidate, cands: list[Candidate]) -> bool:
    """The city lies in a district of the same name among the candidates."""
    return bool(city.adm2) and any(
        c.level == "district" and c.adm1 == city.adm1 and c.adm2 == city.adm2 for c in cands)


def _best_of(pool: list[Candidate], ctx: DocContext) -> Candidate | None:
    if not pool:
        return None
    if len(pool) == 1:
        return pool[0]
    in_context = [c for c in pool if (c.adm1 and c.adm1 in ctx.adm1) or (
        c.level == "city" and c.adm0 in ctx.countries)]
    return max(in_context or pool, key=lambda c: (c.population, -len(c.key)))


def harmonise_lists(doc: Doc) -> None:
    """Places listed together are units of one level: 'Sangin and Kajaki fell' names two
    districts, so the town of Sangin gives way to its district when a listed neighbour is
    a district (and no unit word chose the town)."""
    from naqsha.etl.name_context import listed

    spans = [sp for sp in doc.spans if not sp.dropped and sp.chosen is not None]
    for a, b in zip(spans, spans[1:]):
        if not listed(doc, a, b):
            continue
        for town, other in ((a, b), (b, a)):
            if (town.chosen.level == "city" and town.cue is None and other.chosen.level == "district"
                    and town.chosen.adm0 == "AFG"):
                districts = [c for c in town.cands if c.level == "district"
                             and c.adm1 == town.chosen.adm1 and c.adm2 == town.chosen.adm2]
                if districts:
                    town.chosen = districts[0]
