"""Put a source's province and district names on our layers.

Our district layer has the 398 AIMS districts of 2014 (geoBoundaries ADM2: "Jaghuri",
"Dihrawud", "Khost Wa Firing", "Reg(Khanshin)"); sources use Resolute Support's list of
407, UCDP's or the news' spellings ("Jaghori", "Dih Rawud", "Hilmand"). A name is
reconciled in this order, and every answer says how:

1. **province first**: the row's province (name, spelling variant or ISO code) narrows
   the candidates to its districts; a province we cannot place leaves the row unmatched
   (we never guess a district across the whole country when the source named a province
   we do not know);
2. **exact**: the same name once case, accents, hyphens, dots, apostrophes and spaces are
   folded ("Dih Rawud" = "Dihrawud", "Qala-i-Naw" = "Qala-I- Naw");
3. **alias**: the gazetteer's aliases and ``geodata/aliases.csv`` when present, the
   alternative name our layer gives in brackets ("Matun" for "Khost(Matun)"), and the
   name without the izafa ("Mazar-e Sharif" = "Mazari Sharif");
4. **merge**: "A and B", "A/B", "A & B" naming two of our districts;
5. **fuzzy**: rapidfuzz similarity of the folded names at or above ``threshold`` (80 by
   default) and clearly ahead of the runner-up.

Anything else is **unmatched**, with a reason (``unknown_province``, ``no_match``,
``ambiguous``, ``other_province``, ``merge_partial``, ``blank``) and the best suggestions.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd
from rapidfuzz import fuzz

DEFAULT_THRESHOLD = 80.0
MARGIN = 3.0  # a fuzzy winner must lead the next different district by this much

# Province spellings seen in district lists (SIGAR, UCDP, AIMS) that are NOT in
# geodata/aliases.csv: short or odd forms ("Khos", "Balk", "Aybak province") that are safe
# in a column of province names but not in running text, where the geoparser reads that
# table. The reconciler uses both. The first name of each group is only a label; a group
# attaches to the layer's province that uses one of its spellings.
LIST_ONLY_PROVINCE_SPELLINGS = [
    ["Badakhshan", "Badakhshon"],
    ["Badghis", "Badghiz"],
    ["Baghlan", "Baghlan-e Jadid"],
    ["Balkh", "Balk", "Mazar-e Sharif province"],
    ["Daykundi", "Daykondi"],
    ["Farah", "Farrah"],
    ["Faryab", "Faryob"],
    ["Ghazni", "Ghaznee"],
    ["Ghor", "Ghore"],
    ["Herat", "Herath"],
    ["Jowzjan", "Jouzjan"],
    ["Kabul", "Cabul"],
    ["Kandahar", "Kandhar", "Qandehar"],
    ["Kapisa", "Kapesa"],
    ["Khost", "Khos", "Khwost"],
    ["Kunar", "Kunarha"],
    ["Laghman", "Laghmaan"],
    ["Logar", "Loghar"],
    ["Nangarhar", "Nangahar"],
    ["Nimruz", "Nimroz", "Nimrouz"],
    ["Paktia", "Pakthia"],
    ["Paktika", "Paktica", "Paktyka"],
    ["Panjshir", "Panj Shir"],
    ["Parwan", "Perwan"],
    ["Samangan", "Samengan", "Aybak province"],
    ["Takhar", "Tahar", "Takhaar"],
    ["Uruzgan", "Uruzghan"],
    ["Zabul", "Zaboul"],
]

COUNTRY_NAMES = {"afghanistan", "afg", "af", "national", "nationwide", "country", "islamic republic of afghanistan"}

_SEPARATORS = re.compile(r"\s*(?:/|&|\+|;|,|\band\b)\s*", re.IGNORECASE)
_IZAFA = {"i", "e", "ye", "yi"}
_DROP_WORDS = {"district", "districts", "wuleswali", "woleswali", "uluswali", "province", "wilayat", "velayat"}


def fold(name: object) -> str:
    """Case, accents, hyphens, dots, apostrophes, brackets and spacing folded away."""
    text = unicodedata.normalize("NFKD", str(name or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[-_.,'’‘`ʼ()\[\]]+", " ", text)
    words = [w for w in text.split() if w not in _DROP_WORDS]
    return " ".join(words)


def squash(name: object) -> str:
    return fold(name).replace(" ", "")


def no_izafa(name: object) -> str:
    return "".join(w for w in fold(name).split() if w not in _IZAFA)


def _bracket_names(name: str) -> list[str]:
    """'Khost(Matun)' -> ['Khost', 'Matun']; names without brackets -> []."""
    m = re.match(r"\s*([^()]+?)\s*\(\s*([^()]+?)\s*\)\s*$", str(name))
    return [m.group(1), m.group(2)] if m else []


@dataclass
class Match:
    """How one source name landed on our layer (or why it did not)."""

    name_original: str
    level: str                       # district, province or country
    place_key: str | None = None
    adm1: str | None = None
    name: str | None = None          # our name
    how: str = "unmatched"           # exact, alias, fuzzy, merge, unmatched
    score: float | None = None
    detail: str = ""
    reason: str | None = None        # for unmatched rows
    suggestions: list[str] = field(default_factory=list)
    parts: list["Match"] = field(default_factory=list)  # for merges

    @property
    def matched(self) -> bool:
        return self.how != "unmatched"


@dataclass(frozen=True)
class _Entry:
    place_key: str
    adm1: str
    name: str


class Reconciler:
    """Reconcile names against a district table with columns district_id, adm2, adm1 and
    province (the ``districts`` layer); extra aliases are ``(alias, place_key)`` pairs."""

    def __init__(self, districts: pd.DataFrame, aliases: list[tuple[str, str]] | None = None,
                 threshold: float = DEFAULT_THRESHOLD):
        self.threshold = threshold
        self.districts: list[_Entry] = []
        self.province_names: dict[str, str] = {}     # code -> our province name
        for row in districts.itertuples(index=False):
            name = " ".join(str(row.adm2).split())
            self.districts.append(_Entry(str(row.district_id), str(row.adm1), name))
            self.province_names.setdefault(str(row.adm1), " ".join(str(row.province).split()))
        self.by_province: dict[str, list[_Entry]] = {}
        for e in self.districts:
            self.by_province.setdefault(e.adm1, []).append(e)
        self._by_key = {e.place_key: e for e in self.districts}
        # province spellings -> code
        self.province_index: dict[str, str] = {}
        for code, pname in self.province_names.items():
            self.province_index[squash(pname)] = code
            self.province_index[squash(code)] = code
            self.province_index[squash(code.split("-")[-1])] = code
            for group in LIST_ONLY_PROVINCE_SPELLINGS:
                if squash(pname) in {squash(g) for g in group}:
                    for g in group:
                        self.province_index.setdefault(squash(g), code)
        for alias, key in table_aliases():
            if key in self.province_names:
                self.province_index.setdefault(squash(alias), key)
        # district aliases: place_key -> list of (alias key, what)
        self.alias_keys: dict[str, list[tuple[str, str]]] = {}
        for e in self.districts:
            keys = []
            for alt in _bracket_names(e.name):
                keys.append((squash(alt), f"the name in brackets of our {e.name!r}"))
            keys.append((no_izafa(e.name), "the same name without the izafa (-i-/-e-)"))
            for alt in _bracket_names(e.name):
                keys.append((no_izafa(alt), f"the name in brackets of our {e.name!r}"))
            self.alias_keys[e.place_key] = keys
        for alias, key in aliases or ():
            if key in self._by_key:
                self.alias_keys[key].append((squash(alias), f"alias {alias!r}"))
                self.alias_keys[key].append((no_izafa(alias), f"alias {alias!r}"))
            elif key in self.province_names:
                self.province_index.setdefault(squash(alias), key)

    # --- provinces --------------------------------------------------------------------
    def province(self, name: object) -> Match:
        original = "" if name is None or (isinstance(name, float) and pd.isna(name)) else str(name)
        m = Match(original, "province")
        if not original.strip():
            m.reason, m.detail = "blank", "no province name"
            return m
        key = squash(original)
        code = self.province_index.get(key)
        if code:
            ours = self.province_names[code]
            m.how = "exact" if key in (squash(ours), squash(code)) else "alias"
            m.place_key, m.adm1, m.name = code, code, ours
            m.detail = f"{original!r} = {ours} ({code})" if m.how == "alias" else ""
            return m
        scored = sorted(
            ((max(fuzz.ratio(key, k), fuzz.ratio(fold(original), fold(k))), c) for k, c in self.province_index.items()),
            reverse=True,
        )
        best: dict[str, float] = {}
        for s, c in scored:
            best.setdefault(c, s)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        top_code, top = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        if top >= self.threshold and top - runner >= MARGIN:
            m.how, m.score = "fuzzy", round(top, 1)
            m.place_key, m.adm1, m.name = top_code, top_code, self.province_names[top_code]
            m.detail = f"{original!r} ~ {m.name} (score {m.score:.0f})"
            return m
        m.reason = "unknown_province"
        m.suggestions = [f"{self.province_names[c]} ({c}, {s:.0f})" for c, s in ranked[:3]]
        m.detail = f"province {original!r} not recognised"
        return m

    # --- districts --------------------------------------------------------------------
    def district(self, name: object, province: object = None) -> Match:
        original = "" if name is None or (isinstance(name, float) and pd.isna(name)) else str(name)
        if not original.strip():
            return Match(original, "district", reason="blank", detail="no district name")
        has_province = province is not None and not (isinstance(province, float) and pd.isna(province)) \
            and str(province).strip() != ""
        scope = None
        if has_province:
            pm = self.province(province)
            if not pm.matched:
                m = Match(original, "district", reason="unknown_province", detail=pm.detail,
                          suggestions=pm.suggestions)
                return m
            scope = pm.adm1
        candidates = self.by_province.get(scope, []) if scope else self.districts
        m = self._exact_or_alias(original, candidates)
        if m is not None:
            return m
        parts = [p for p in _SEPARATORS.split(original) if p.strip()]
        if len(parts) > 1:
            merged = self._merge(original, parts, candidates)
            if merged is not None:
                return merged
        m = self._fuzzy(original, candidates)
        if m.matched or not scope:
            return m
        # nothing in the named province: is it a district of another province?
        elsewhere = self._exact_or_alias(original, self.districts)
        if elsewhere is not None and elsewhere.matched:
            m.reason = "other_province"
            m.detail = (f"{original!r} is not a district of {self.province_names[scope]} in our layer; "
                        f"it is one of {self.province_names[elsewhere.adm1]} ({elsewhere.place_key})")
            m.suggestions = [f"{elsewhere.name} ({elsewhere.place_key}, other province)"] + m.suggestions[:2]
        return m

    def _exact_or_alias(self, original: str, candidates: list[_Entry]) -> Match | None:
        key, folded = squash(original), fold(original)
        hits = [e for e in candidates if squash(e.name) == key]
        how, detail = "exact", ""
        if not hits:
            hits = []
            for e in candidates:
                for alias_key, what in self.alias_keys[e.place_key]:
                    if alias_key and alias_key in (key, no_izafa(original)):
                        hits.append(e)
                        detail = what
                        break
            how = "alias"
        if not hits:
            return None
        if len({e.place_key for e in hits}) > 1:
            return Match(original, "district", reason="ambiguous",
                         detail=f"{original!r} names a district in several provinces; give the province",
                         suggestions=[f"{e.name} ({e.place_key})" for e in hits])
        e = hits[0]
        return Match(original, "district", e.place_key, e.adm1, e.name, how, None,
                     detail if how == "alias" else ("" if folded == fold(e.name) else "same name ignoring spaces/hyphens"))

    def _merge(self, original: str, parts: list[str], candidates: list[_Entry]) -> Match | None:
        matches = []
        for p in parts:
            pm = self._exact_or_alias(p, candidates)
            if pm is None:
                pm = self._fuzzy(p, candidates)
            matches.append(pm)
        if all(pm.matched for pm in matches) and len({pm.place_key for pm in matches}) == len(matches):
            return Match(original, "district", how="merge", parts=matches,
                         detail="one source row for " + " + ".join(f"{pm.name} ({pm.how})" for pm in matches))
        if any(pm.matched for pm in matches):
            bad = [pm for pm in matches if not pm.matched]
            return Match(original, "district", reason="merge_partial",
                         detail="names several districts, but not all are ours: "
                                + ", ".join(repr(pm.name_original) for pm in bad),
                         suggestions=[s for pm in bad for s in pm.suggestions[:2]])
        return None

    def _fuzzy(self, original: str, candidates: list[_Entry]) -> Match:
        folded, key = fold(original), squash(original)
        best: dict[str, float] = {}
        for e in candidates:
            names = [e.name] + _bracket_names(e.name)
            s = max(max(fuzz.ratio(folded, fold(n)), fuzz.ratio(key, squash(n)),
                        fuzz.token_sort_ratio(folded, fold(n))) for n in names)
            best[e.place_key] = max(best.get(e.place_key, 0.0), s)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        m = Match(original, "district")
        if not ranked:
            m.reason, m.detail = "no_match", "no district to compare with"
            return m
        top_key, top = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        m.suggestions = [f"{self._by_key[k].name} ({k}, {s:.0f})" for k, s in ranked[:3]]
        if top >= self.threshold and top - runner >= MARGIN:
            e = self._by_key[top_key]
            m.place_key, m.adm1, m.name, m.how, m.score = e.place_key, e.adm1, e.name, "fuzzy", round(top, 1)
            m.detail = f"{original!r} ~ {e.name} (score {top:.0f})"
            m.suggestions = []
        elif top >= self.threshold:
            m.reason = "ambiguous"
            m.detail = f"{original!r} is as close to {self._by_key[ranked[1][0]].name} as to {self._by_key[top_key].name}"
        else:
            m.reason = "no_match"
            m.detail = f"no district close to {original!r} (best score {top:.0f} < {self.threshold:.0f})"
        return m

    # --- any level --------------------------------------------------------------------
    def place(self, level: str, district: object = None, province: object = None) -> Match:
        if level == "country":
            text = str(district or province or "Afghanistan")
            if fold(text) in COUNTRY_NAMES or not text.strip():
                return Match(text, "country", "AFG", None, "Afghanistan", "exact")
            return Match(text, "country", reason="no_match", detail=f"{text!r} is not Afghanistan")
        if level == "province":
            return self.province(province if province not in (None, "") else district)
        return self.district(district, province)


def table_aliases() -> list[tuple[str, str]]:
    """(alias, place_key) pairs for Afghan provinces and districts from the reviewed
    table geodata/aliases.csv, which ships with the package."""
    text = resources.files("naqsha.geodata").joinpath("aliases.csv").read_text("utf-8-sig")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return [(row["alias"], row["key"]) for row in csv.DictReader(lines)
            if row.get("alias") and (row.get("key") or "").startswith("AF-")]


def default_aliases() -> list[tuple[str, str]]:
    """(alias, place_key) pairs from geodata/aliases.csv and, when it can be loaded, the
    gazetteer (which needs the boundary cache; without it, brackets, izafa and fuzzy
    matching still apply)."""
    pairs = table_aliases()
    try:
        from naqsha.etl import gazetteer  # written by another engineer; optional here

        gz = gazetteer.load_gazetteer()
        pairs.extend(_gazetteer_pairs(gz))
    except Exception:  # noqa: BLE001 - the gazetteer is an optional help, never a blocker
        pass
    return pairs


def _gazetteer_pairs(gz) -> list[tuple[str, str]]:
    """Names of our provinces and districts the gazetteer knows (its ``names`` index of
    name key -> candidates; exact names and reviewed aliases only, not GeoNames'
    alternate names of towns)."""
    names = getattr(gz, "names", None)
    if isinstance(names, dict):
        pairs = []
        for key, candidates in names.items():
            for c in candidates:
                place_key = str(getattr(c, "key", "") or "")
                if place_key.startswith("AF-") and getattr(c, "match", "exact") in ("exact", "alias"):
                    pairs.append((key, place_key))
        return pairs
    frame = gz if isinstance(gz, pd.DataFrame) else None
    if not isinstance(frame, pd.DataFrame):
        return []
    cols = set(frame.columns)
    name_col = next((c for c in ("alias", "name_variant", "variant", "name") if c in cols), None)
    key_col = next((c for c in ("place_key", "key") if c in cols), None)
    if not name_col or not key_col:
        return []
    sub = frame[frame[key_col].astype(str).str.startswith("AF-")]
    return list(zip(sub[name_col].astype(str), sub[key_col].astype(str)))


def load_districts() -> pd.DataFrame:
    """Our district layer's attribute table (district_id, adm2, adm1, province)."""
    from naqsha.etl.layers import load_layer

    layer = load_layer("districts")
    return pd.DataFrame(layer.drop(columns="geometry", errors="ignore"))[["district_id", "adm2", "adm1", "province"]]


def default_reconciler(threshold: float = DEFAULT_THRESHOLD) -> Reconciler:
    return Reconciler(load_districts(), default_aliases(), threshold=threshold)
