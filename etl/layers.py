"""Normalised boundary layers: turn the pinned source files into clean GeoParquet, and
load them back fast.

Four layers, each written twice to the geodata cache (``get_settings().geodata_cache``):
``<name>.parquet`` with the full geometry (print, analysis) and ``<name>.web.parquet``
lightly simplified for the browser.

- ``outline``: Afghanistan (geoBoundaries ADM0).
- ``provinces``: 34 rows, ``adm1`` is the ISO 3166-2 code (pycountry) and ``name`` one
  canonical English name, whatever the source spells ("Ghanzi", "AF_KAN", "AF-BDN").
- ``districts``: 398 rows, ``district_id`` = ``"<adm1>/<ADM2 name as in the source>"``;
  each district belongs to the province it overlaps most (in an equal-area CRS), not to
  the province holding its representative point: slivers along shared edges put one
  district's point outside every province.
- ``countries``: Natural Earth 1:50m; ``iso_a3`` falls back to ADM0_A3 where ISO_A3 is
  -99 (France, Norway, Kosovo...). Features without geometry are skipped (and counted).

Geometries are made valid (never dropped) and in EPSG:4326. Building is
:func:`build_layers` (pure: source paths in, frames out); fetching and writing the cache
is ``naqsha.etl.boundaries``.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pycountry
import pyogrio
import shapely

from naqsha.errors import BoundariesMissing, GeodataError
from naqsha.geodata import MANIFEST
from naqsha.settings import get_settings

LAYERS = ("outline", "provinces", "districts", "countries")

#: Bump when the normalised columns or geometry treatment change: an older cache is then
#: rebuilt (from its kept source files) by ``ensure_boundaries``.
LAYERS_VERSION = 2

#: Albers equal-area centred on Afghanistan, for areas and overlaps in square metres.
AFG_EQUAL_AREA = (
    "+proj=aea +lat_0=33.5 +lon_0=66 +lat_1=30 +lat_2=37 +datum=WGS84 +units=m +no_defs"
)

#: Browser simplification tolerance, in degrees (0.002 deg is about 200 m here). Provinces
#: and districts use coverage simplification (Visvalingam-Whyatt on shared edges, so
#: neighbours stay gap-free), where the same number removes less: 0.005 drops ~40% of the
#: district vertices.
WEB_TOLERANCE = {"outline": 0.002, "provinces": 0.005, "districts": 0.005, "countries": 0.02}

#: pycountry's subdivision names, folded to ASCII, are mostly the common English
#: spellings (Helmand, Uruzgan, Nangarhar, Daykundi, Sar-e Pul); these are not.
ENGLISH_PROVINCE_NAMES = {"AF-PIA": "Paktia", "AF-PAN": "Panjshir"}


# --------------------------------------------------------------------------- manifest


def manifest() -> dict:
    """The pinned boundary sources (``geodata/manifest.json``), parsed."""
    return json.loads(Path(MANIFEST).read_text(encoding="utf-8"))


def citation() -> str:
    """The attribution line every map shows."""
    return (
        "Boundaries: geoBoundaries (Runfola, D. et al. 2020, geoBoundaries: A global database "
        "of political administrative boundaries, PLoS ONE 15(4): e0231866); districts: "
        "Afghanistan Information Management Services (AIMS); countries: Natural Earth."
    )


# ------------------------------------------------------------------------------ loading


def layer_path(name: str, web: bool = False, cache: Path | None = None) -> Path:
    if name not in LAYERS:
        raise ValueError(f"unknown boundary layer {name!r}; expected one of {', '.join(LAYERS)}")
    cache = Path(cache) if cache else get_settings().geodata_cache
    return cache / f"{name}{'.web' if web else ''}.parquet"


@functools.lru_cache(maxsize=32)
def _read_cached(path: str, mtime_ns: int) -> gpd.GeoDataFrame:
    return gpd.read_parquet(path)


def missing_message(cache: Path) -> str:
    return (
        f"The boundary layers are not built yet (looked in {cache}). Run `naqsha boundaries` "
        "to fetch the pinned source files and build them; on a machine without internet, "
        "first set NAQSHA_GEODATA_MIRROR to a folder holding copies of the files listed in "
        "geodata/manifest.json."
    )


def load_layer(name: str, web: bool = False) -> gpd.GeoDataFrame:
    """A normalised layer as a GeoDataFrame in EPSG:4326.

    ``web=True`` gives the lightly simplified geometry for the browser, ``web=False`` the
    full one. Read once per file version (cached on path and modification time); each call
    returns a copy the caller may change.
    """
    path = layer_path(name, web)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise BoundariesMissing(missing_message(path.parent)) from None
    return _read_cached(str(path), mtime).copy()


# ------------------------------------------------------------------------------ reading


@dataclass
class Notes:
    """What building a layer had to do, for ``naqsha boundaries status``."""

    by_layer: dict[str, list[str]] = field(default_factory=dict)
    source_features: dict[str, int] = field(default_factory=dict)

    def add(self, layer: str, text: str) -> None:
        self.by_layer.setdefault(layer, []).append(text)


def read_source(path: Path, layer: str, notes: Notes | None = None) -> gpd.GeoDataFrame:
    """Read one source GeoJSON in EPSG:4326, reprojecting when it declares another CRS.

    A file with no CRS is taken as EPSG:4326 (RFC 7946), unless its coordinates cannot
    be degrees.
    """
    notes = notes or Notes()
    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several DataSource/Field errors
        raise GeodataError(
            f"Could not read {path.name} (layer {layer}) as GeoJSON: {exc}. Replace the file "
            "with a good copy (run `naqsha boundaries` again, or fix the mirror copy)."
        ) from exc
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    elif gdf.crs.to_epsg() != 4326:
        notes.add(layer, f"reprojected from {gdf.crs.to_string()} to EPSG:4326")
        gdf = gdf.to_crs(4326)
    bounds = gdf.total_bounds
    if len(gdf) and gdf.geometry.notna().any() and (
        bounds[0] < -180.5 or bounds[2] > 180.5 or bounds[1] < -90.5 or bounds[3] > 90.5
    ):
        raise GeodataError(
            f"{path.name} (layer {layer}) has coordinates up to {bounds.round(1).tolist()}, "
            "which are not longitude/latitude, and the file declares no CRS. Use a file in "
            "EPSG:4326, or one whose GeoJSON 'crs' member names its projection."
        )
    return gdf


# ------------------------------------------------------------------------- geometry ops


def make_valid(geoms: gpd.GeoSeries, layer: str, notes: Notes) -> gpd.GeoSeries:
    """Valid polygonal geometries, one per input (nothing is dropped)."""
    values = geoms.values
    invalid = ~shapely.is_valid(np.asarray(values))
    if not invalid.any():
        return geoms
    fixed = shapely.make_valid(np.asarray(values), method="structure", keep_collapsed=False)
    fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
    empty = shapely.is_empty(fixed) & invalid
    if empty.any():
        raise GeodataError(
            f"Layer {layer}: {int(empty.sum())} geometries have no area left once made valid; "
            "the source file is damaged. Fetch it again with `naqsha boundaries`."
        )
    notes.add(layer, f"{int(invalid.sum())} invalid geometries made valid")
    return gpd.GeoSeries(fixed, index=geoms.index, crs=geoms.crs)


def _polygonal(geom):
    """The polygon part of ``make_valid``'s result (it may add stray lines or points)."""
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def simplify_for_web(gdf: gpd.GeoDataFrame, tolerance: float, coverage: bool) -> gpd.GeoDataFrame:
    """A lightly simplified copy; ``coverage=True`` keeps shared edges shared (no gaps
    between neighbouring provinces or districts)."""
    geoms = np.asarray(gdf.geometry.values)
    simplified = None
    if coverage:
        try:
            simplified = shapely.coverage_simplify(geoms, tolerance)
        except Exception:  # not a clean coverage: fall back to polygon-by-polygon
            simplified = None
    if simplified is None:
        simplified = shapely.simplify(geoms, tolerance, preserve_topology=True)
    bad = ~shapely.is_valid(simplified) | shapely.is_empty(simplified)
    if bad.any():  # rare: keep a valid geometry, the full one if need be
        repaired = shapely.make_valid(simplified[bad], method="structure", keep_collapsed=False)
        repaired = np.where(shapely.is_empty(repaired), geoms[bad], repaired)
        simplified[bad] = repaired
    out = gdf.copy()
    out["geometry"] = gpd.GeoSeries(simplified, index=gdf.index, crs=gdf.crs)
    return out


def _with_points(gdf: gpd.GeoDataFrame, area: bool = True) -> gpd.GeoDataFrame:
    """Add ``lon``/``lat`` of a point inside each geometry, and ``area_km2``."""
    points = shapely.point_on_surface(np.asarray(gdf.geometry.values))
    gdf["lon"] = shapely.get_x(points).round(6)
    gdf["lat"] = shapely.get_y(points).round(6)
    if area:
        gdf["area_km2"] = (gdf.geometry.to_crs(AFG_EQUAL_AREA).area / 1e6).round(2)
    return gdf


# ---------------------------------------------------------------------------- provinces


def _fold(text: str) -> str:
    """ASCII, lower case, no punctuation: 'Bāmyān Province' -> 'bamyan province'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1)
def province_names() -> dict[str, str]:
    """ISO 3166-2 code -> canonical English province name, for all of Afghanistan."""
    names = {}
    for sub in pycountry.subdivisions.get(country_code="AF"):
        name = sub.name.removesuffix(" Province")
        names[sub.code] = ENGLISH_PROVINCE_NAMES.get(sub.code, _ascii(name))
    return names


def province_code(source_name: str, source_iso: str | None) -> str | None:
    """The ISO 3166-2 code for a source province: its own code when that is a real one
    (``AF_KAN`` counts as ``AF-KAN``), else the code whose name matches (``Badakhshan``
    carries ``AF-BDN``; ISO says ``AF-BDS``)."""
    names = province_names()
    code = (source_iso or "").strip().upper().replace("_", "-")
    if code in names:
        return code
    wanted = _fold(source_name)
    for iso, name in names.items():
        pyname = pycountry.subdivisions.get(code=iso).name.removesuffix(" Province")
        if wanted in (_fold(name), _fold(pyname)):
            return iso
    from rapidfuzz import process

    best = process.extractOne(wanted, {iso: _fold(n) for iso, n in names.items()}, score_cutoff=85)
    return best[2] if best else None


def normalise_provinces(src: gpd.GeoDataFrame, notes: Notes) -> gpd.GeoDataFrame:
    names = province_names()
    codes = [province_code(n, i) for n, i in zip(src["shapeName"], src["shapeISO"])]
    unknown = [n for n, c in zip(src["shapeName"], codes) if c is None]
    if unknown:
        raise GeodataError(
            f"Province(s) {', '.join(map(repr, unknown))} match no ISO 3166-2 code for "
            "Afghanistan. If this is a new release, check its names; the mapping is "
            "naqsha.etl.layers.province_code."
        )
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes or len(codes) != len(names):
        raise GeodataError(
            f"The provinces file gives {len(set(codes))} distinct provinces for {len(codes)} "
            f"features (repeated: {', '.join(dupes) or 'none'}); Afghanistan has "
            f"{len(names)}. The file is not the expected ADM1 layer."
        )
    for code, sname, siso in zip(codes, src["shapeName"], src["shapeISO"]):
        if names[code] != sname or code != siso:
            notes.add("provinces", f"{sname} ({siso}) -> {names[code]} ({code})")
    out = gpd.GeoDataFrame(
        {
            "adm1": codes,
            "name": [names[c] for c in codes],
            "source_name": src["shapeName"].to_numpy(),
            "source_iso": src["shapeISO"].to_numpy(),
        },
        geometry=make_valid(src.geometry, "provinces", notes).values,
        crs=4326,
    )
    out = _with_points(out)
    return out.sort_values("adm1", ignore_index=True)[
        ["adm1", "name", "source_name", "source_iso", "area_km2", "lon", "lat", "geometry"]
    ]


# ---------------------------------------------------------------------------- districts


def assign_by_overlap(
    districts: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """For each district, the position (in ``provinces``) of the province it overlaps
    most, measured in an equal-area CRS, and the share of its area that lies there."""
    d = districts.geometry.to_crs(AFG_EQUAL_AREA).reset_index(drop=True)
    p = provinces.geometry.to_crs(AFG_EQUAL_AREA).reset_index(drop=True)
    left, right = p.sindex.query(d, predicate="intersects")
    overlap = shapely.area(shapely.intersection(d.values[left], p.values[right]))
    pairs = pd.DataFrame({"d": left, "p": right, "area": overlap})
    best = pairs.sort_values("area", ascending=False).drop_duplicates("d").set_index("d")
    orphans = sorted(set(range(len(d))) - set(best.index[best["area"] > 0]))
    if orphans:
        names = districts.iloc[orphans]["shapeName"].tolist()
        raise GeodataError(
            f"{len(orphans)} district(s) overlap no province ({', '.join(names[:10])}); the "
            "district and province files do not cover the same country."
        )
    best = best.sort_index()
    share = best["area"].to_numpy() / shapely.area(d.values)
    return best["p"].to_numpy(), share


def tidy_name(name: str) -> str:
    """Whitespace cleaned, spelling kept: the ADM2 file has 'Warduj\\n', 'Zanda  Jan\\n' and
    'Shekh  Ali', which would otherwise leak into district ids."""
    return " ".join(str(name).split())


def normalise_districts(
    src: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, notes: Notes
) -> gpd.GeoDataFrame:
    geometry = make_valid(src.geometry, "districts", notes)
    src = src.set_geometry(geometry.values).reset_index(drop=True)
    tidy = src["shapeName"].map(tidy_name)
    changed = src["shapeName"][tidy != src["shapeName"]]
    if len(changed):
        notes.add("districts", f"whitespace tidied in {len(changed)} names ({', '.join(map(repr, changed))})")
    src["shapeName"] = tidy
    which, share = assign_by_overlap(src, provinces)
    adm1 = provinces["adm1"].to_numpy()[which]
    out = gpd.GeoDataFrame(
        {
            "district_id": [f"{a}/{n}" for a, n in zip(adm1, src["shapeName"])],
            "adm2": src["shapeName"].to_numpy(),
            "name": src["shapeName"].to_numpy(),
            "adm1": adm1,
            "province": provinces["name"].to_numpy()[which],
            "shape_id": src["shapeID"].to_numpy(),
        },
        geometry=src.geometry.values,
        crs=4326,
    )
    repeated = out["district_id"][out["district_id"].duplicated()].tolist()
    if repeated:
        raise GeodataError(
            f"District ids are not unique: {', '.join(repeated)} (two districts of one "
            "province share an ADM2 name). The district id scheme needs revisiting for this "
            "release."
        )
    out = _with_points(out)
    inside = shapely.contains(
        np.asarray(provinces.geometry.values)[which], shapely.points(out["lon"], out["lat"])
    )
    if (~inside).any():
        nowhere = ~shapely.contains(provinces.geometry.union_all(), shapely.points(out["lon"], out["lat"]))
        notes.add(
            "districts",
            f"{int((~inside).sum())} district point(s) fall outside the province the district "
            f"overlaps most, {int(nowhere.sum())} outside every province "
            f"({', '.join(out['district_id'][~inside].head(8))}); assignment is by overlap",
        )
    weakest = int(np.argmin(share))
    notes.add(
        "districts",
        f"smallest share of a district inside its province: {share[weakest]:.1%} "
        f"({out['district_id'].iloc[weakest]})",
    )
    return out.sort_values("district_id", ignore_index=True)[
        ["district_id", "adm2", "name", "adm1", "province", "shape_id", "area_km2", "lon", "lat", "geometry"]
    ]


# ------------------------------------------------------------------ outline, countries


def normalise_outline(src: gpd.GeoDataFrame, notes: Notes) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(
        {
            "iso_a3": src.get("shapeISO", pd.Series(["AFG"] * len(src))).to_numpy(),
            "name": src.get("shapeName", pd.Series(["Afghanistan"] * len(src))).to_numpy(),
            "shape_id": src.get("shapeID", pd.Series([None] * len(src))).to_numpy(),
        },
        geometry=make_valid(src.geometry, "outline", notes).values,
        crs=4326,
    )
    return _with_points(out)[["iso_a3", "name", "shape_id", "area_km2", "lon", "lat", "geometry"]]


def _code(value) -> str | None:
    """Natural Earth writes a missing code as '-99' (or -99)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    value = str(value).strip()
    return None if value in ("", "-99", "-1") else value


def normalise_countries(src: gpd.GeoDataFrame, notes: Notes) -> gpd.GeoDataFrame:
    missing = src.geometry.isna() | src.geometry.is_empty
    if missing.any():
        notes.add(
            "countries",
            f"{int(missing.sum())} features without geometry skipped "
            f"({', '.join(src.loc[missing, 'NAME'].astype(str).head(6))}...)",
        )
    src = src[~missing].reset_index(drop=True)
    iso_a3 = [_code(i) or _code(a) for i, a in zip(src["ISO_A3"], src["ADM0_A3"])]
    fallback = sum(_code(i) is None for i in src["ISO_A3"])
    if fallback:
        notes.add("countries", f"{fallback} countries take iso_a3 from ADM0_A3 (ISO_A3 is -99)")
    iso_a2 = []
    for a2, a3 in zip(src["ISO_A2"], iso_a3):
        country = pycountry.countries.get(alpha_3=a3) if not _code(a2) else None
        iso_a2.append(_code(a2) or (country.alpha_2 if country else None))
    out = gpd.GeoDataFrame(
        {
            "iso_a3": iso_a3,
            "iso_a2": iso_a2,
            "name": src["NAME"].to_numpy(),
            "name_long": src["NAME_LONG"].to_numpy(),
            "formal_name": src["FORMAL_EN"].to_numpy(),
            "continent": src["CONTINENT"].to_numpy(),
            "subregion": src["SUBREGION"].to_numpy(),
        },
        geometry=make_valid(src.geometry, "countries", notes).values,
        crs=4326,
    )
    out = _with_points(out, area=False)
    return out.sort_values("iso_a3", ignore_index=True)


# ------------------------------------------------------------------------------- build


REQUIRED_FIELDS = {
    "outline": [],
    "provinces": ["shapeName", "shapeISO"],
    "districts": ["shapeName", "shapeID"],
    "countries": ["ISO_A3", "ADM0_A3", "ISO_A2", "NAME", "NAME_LONG", "FORMAL_EN", "CONTINENT", "SUBREGION"],
}


def _check_fields(gdf: gpd.GeoDataFrame, layer: str, path: Path) -> None:
    missing = [f for f in REQUIRED_FIELDS[layer] if f not in gdf.columns]
    if missing:
        raise GeodataError(
            f"{path.name} (layer {layer}) lacks the field(s) {', '.join(missing)}; it is not "
            "the file the manifest pins. Check NAQSHA_GEODATA_MIRROR or fetch it again."
        )


def build_layers(sources: dict[str, Path], notes: Notes | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Normalise the four source files into layers (full geometry, EPSG:4326).

    ``sources`` maps a layer name to its source GeoJSON. Raises GeodataError when a file
    cannot be used; writes nothing.
    """
    notes = notes if notes is not None else Notes()
    raw = {}
    for layer in LAYERS:
        raw[layer] = read_source(Path(sources[layer]), layer, notes)
        notes.source_features[layer] = len(raw[layer])
        _check_fields(raw[layer], layer, Path(sources[layer]))
    provinces = normalise_provinces(raw["provinces"], notes)
    return {
        "outline": normalise_outline(raw["outline"], notes),
        "provinces": provinces,
        "districts": normalise_districts(raw["districts"], provinces, notes),
        "countries": normalise_countries(raw["countries"], notes),
    }


def web_versions(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """The browser copies of built layers."""
    return {
        name: simplify_for_web(gdf, WEB_TOLERANCE[name], coverage=name in ("provinces", "districts"))
        for name, gdf in layers.items()
    }
