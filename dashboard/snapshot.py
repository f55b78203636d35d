"""Report-quality map snapshots: one rendering function for ``naqsha snapshot`` and the
dashboard's download button, so the same filters give the same picture.

    from naqsha.dashboard.snapshot import render_snapshot
    png = render_snapshot(StoreReader(), "violence", Filters(), "png", page="A4",
                          orientation="landscape", dpi=200)

Maps (:data:`MAPS`):

- ``violence``: reports of violence where they happened, drawn by precision: a circle for
  a town or city (area proportional to the fatalities reported there), a hatched district
  for an event known only to its district, a dashed province outline for an event known
  only to its province. Events known only to the country are counted in a note.
- ``venues``: where talks were reported to take place, sized by the number of articles;
  venues abroad (Doha, Moscow, Islamabad ...) on a regional panel beside the country map.
- ``control``: control claims. District- and province-level claims as a choropleth by
  who is said to control the place; national claims (most of them) as figure cards, one
  per source and publication day.

Formats (:data:`FORMATS`): ``png``, ``svg`` and ``pdf`` (matplotlib, Agg, page sized) and
``html`` (a self-contained interactive pydeck page that needs no network).

A filter that matches nothing is not an error: the snapshot is the base map with a note
saying that nothing matched and which filters to widen. An unknown map, format, page or
orientation raises :class:`naqsha.errors.SnapshotError`.

Output is deterministic: the same store and arguments give identical SVG/PDF/HTML bytes
and identical PNG pixels (no timestamps, fixed SVG hash salt).
"""

from __future__ import annotations

import functools
import html
import threading
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

# Imported here, not on first render, so that a render's time is the render's (the
# benchmark reports import time separately). geopandas' plotting imports pyplot anyway;
# nothing here selects a pyplot backend: snapshots draw on their own Agg canvas.
import matplotlib.legend  # noqa: F401
import matplotlib.patheffects  # noqa: F401
import matplotlib.pyplot  # noqa: F401
import matplotlib.backends.backend_agg  # noqa: F401
import matplotlib.figure  # noqa: F401

from naqsha.atomic import write_bytes_atomic
from naqsha.errors import SnapshotError
from naqsha.etl import layers as _layers  # noqa: F401  (boundary loading, imported up front)
from naqsha.filters import Filters, filter_claims, filter_events, outlet_label

from . import cartography as carto

MAPS = ("violence", "venues", "control")
_RENDER_LOCK = threading.RLock()
MAX_CLAIM_LABELS = 15
FORMATS = ("png", "svg", "pdf", "html")
TITLES = {
    "violence": "Violence reported in Afghanistan",
    "venues": "Where Afghan peace talks were reported",
    "control": "Territorial control claims, by source",
}
ROLE_OF_MAP = {"violence": "violence", "venues": "negotiation", "control": "control"}

# Colours: ColorBrewer-like, readable in greyscale print and by colour-blind readers.
VIOLENCE = "#b2182b"
VENUE = "#2857a4"
POINT_FACE = (0.40, 0.0, 0.05, 0.82)   # town/city circles: darker than any district fill
POINT_EDGE = "#67000d"
LAND = "#fbfaf7"
NEIGHBOURS = "#e6e4df"
WATER = "#dfe9f2"
PROVINCE_EDGE = "#7a7a7a"
DISTRICT_EDGE = "#c4c4c4"
TEXT = "#222222"
MUTED = "#666666"
SUBJECT_COLOURS = {
    "government": "#2166ac",
    "taliban": "#b2182b",
    "insurgents": "#b2182b",
    "contested": "#f1a340",
    "isis": "#542788",
    "islamic state": "#542788",
}
OTHER_SUBJECT = "#8c8c8c"

EVENT_COLUMNS = ["event_id", "doc_id", "role", "place_key", "level", "adm0", "adm1", "adm2", "name",
                 "lat", "lon", "precision", "event_date", "fatalities", "fatalities_approx", "outlet",
                 "published"]
CLAIM_COLUMNS = ["claim_id", "doc_id", "subject", "metric", "value", "unit", "of_total", "scope",
                 "attributed_to", "as_of", "text", "derived", "outlet", "published"]


# --------------------------------------------------------------------------- checks
def format_for_path(path: str | Path) -> str:
    """The snapshot format implied by a file name's extension (.png .svg .pdf .html)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "htm":
        suffix = "html"
    if suffix not in FORMATS:
        raise SnapshotError(
            f"cannot tell the snapshot format from {str(path)!r}: give the output file one of "
            f"the extensions {', '.join('.' + f for f in FORMATS)}"
        )
    return suffix


def _check(map_name: str, fmt: str, dpi: int) -> str:
    if map_name not in MAPS:
        raise SnapshotError(f"unknown map {map_name!r}; choose one of: {', '.join(MAPS)}")
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in FORMATS:
        raise SnapshotError(f"unknown snapshot format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if not isinstance(dpi, int) or not 50 <= dpi <= 600:
        raise SnapshotError(f"dpi must be a whole number from 50 to 600 (got {dpi!r}); 200 suits print")
    return fmt


# --------------------------------------------------------------------------- boundaries
def _layers_module():
    from naqsha.etl import layers

    return layers


def _first(frame, names):
    for n in names:
        if n in frame.columns:
            return n
    return None


def _cache_key() -> str:
    """The boundary cache folder and its layers' modification times: a rebuilt cache is
    picked up by a running dashboard."""
    from naqsha.settings import get_settings

    cache = get_settings().geodata_cache
    stamps = []
    for name in ("provinces", "districts", "countries"):
        try:
            stamps.append(str((cache / f"{name}.parquet").stat().st_mtime_ns))
        except OSError:
            stamps.append("-")
    return f"{cache}|{'|'.join(stamps)}"


@functools.lru_cache(maxsize=16)
def _layer(name: str, web: bool, cache_key: str, crs: str | None):
    """A boundary layer, normalised to columns ``code``/``name`` (provinces: ISO 3166-2;
    districts: the place key ``AF-XXX/Name``; countries: ADM0_A3), optionally projected.
    Cached per process (the dashboard renders many snapshots)."""
    gdf = _layers_module().load_layer(name, web=web)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].copy()
    if name == "provinces":
        code = _first(gdf, ["adm1", "place_key", "iso", "code", "shapeISO"])
        label = _first(gdf, ["name", "province", "shapeName"])
        gdf["code"] = gdf[code].astype(str).str.replace("_", "-", regex=False)
        gdf["label"] = gdf[label].astype(str)
    elif name == "districts":
        key = _first(gdf, ["district_id", "place_key", "key", "code"])
        label = _first(gdf, ["name", "adm2", "district", "shapeName"])
        if key is not None:
            gdf["code"] = gdf[key].astype(str)
        else:
            adm1 = _first(gdf, ["adm1", "province"])
            gdf["code"] = gdf[adm1].astype(str) + "/" + gdf[label].astype(str)
        gdf["label"] = gdf[label].astype(str)
        gdf["province"] = gdf["code"].str.slice(0, 6)
    elif name == "countries":
        code = _first(gdf, ["iso_a3", "ADM0_A3", "adm0_a3", "code"])
        label = _first(gdf, ["NAME", "name", "ADMIN"])
        gdf["code"] = gdf[code].astype(str)
        gdf["label"] = gdf[label].astype(str)
    else:
        gdf["code"] = "AFG"
        gdf["label"] = "Afghanistan"
    keep = ["code", "label"] + (["province"] if name == "districts" else [])
    gdf = gdf[keep + ["geometry"]].reset_index(drop=True)
    if crs:
        gdf = gdf.to_crs(crs)
    return gdf


def layer(name: str, *, web: bool = False, crs: str | None = None):
    """Boundary layer ``name`` (provinces, districts, countries, outline), normalised and
    cached; raises the layers module's BoundariesMissing when ``naqsha boundaries`` has
    not been run."""
    return _layer(name, web, _cache_key(), crs).copy()


@functools.lru_cache(maxsize=8)
def _countries_near(bounds: tuple, cache_key: str):
    """Natural Earth countries clipped to a lon/lat box (for neighbours and the region)."""
    import shapely

    world = _layer("countries", False, cache_key, None)
    box = shapely.box(*bounds)
    near = world[world.intersects(box)].copy()
    near["geometry"] = near.geometry.intersection(box)
    return near[~near.geometry.is_empty].reset_index(drop=True)


def boundary_citation() -> str:
    """The boundary citation from the geodata manifest (via naqsha.etl.layers)."""
    layers = _layers_module()
    try:
        text = layers.citation()
    except TypeError:
        text = layers.citation(["provinces", "districts", "countries"])
    if isinstance(text, (list, tuple)):
        text = " ".join(dict.fromkeys(text))
    return str(text)


# --------------------------------------------------------------------------- data
def _day(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


@dataclass
class SnapshotData:
    """What one snapshot shows, computed once for static and HTML output."""

    map_name: str
    filters: Filters
    title: str
    subtitle: str
    places: pd.DataFrame = field(default_factory=pd.DataFrame)   # events aggregated by place
    claims: pd.DataFrame = field(default_factory=pd.DataFrame)   # filtered claims
    outlets: list[str] = field(default_factory=list)
    n_items: int = 0
    n_docs: int = 0
    notes: list[str] = field(default_factory=list)
    empty_note: str | None = None


def _event_days(ev: pd.DataFrame) -> pd.Series:
    when = pd.to_datetime(ev["event_date"], errors="coerce")
    return when.where(when.notna(), pd.to_datetime(ev["published"], errors="coerce"))


def aggregate_places(ev: pd.DataFrame) -> pd.DataFrame:
    """Events grouped by place: how many events and articles, the fatalities reported
    (sum where stated; NaN when no article states a number), first and last day."""
    cols = ["place_key", "level", "precision", "adm0", "adm1", "adm2", "name", "lat", "lon", "n_events",
            "n_docs", "fatalities", "approx", "first", "last", "outlets"]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    ev = ev.assign(_day=_event_days(ev),
                   _fat=pd.to_numeric(ev["fatalities"], errors="coerce").astype(float),
                   _approx=ev["fatalities_approx"].astype("boolean").fillna(False).astype(bool))
    g = ev.groupby("place_key", sort=True)
    out = g.agg(level=("level", "first"), precision=("precision", "min"), adm0=("adm0", "first"),
                adm1=("adm1", "first"), adm2=("adm2", "first"), name=("name", "first"), lat=("lat", "first"),
                lon=("lon", "first"), n_events=("doc_id", "size"), n_docs=("doc_id", "nunique"),
                approx=("_approx", "any"), first=("_day", "min"), last=("_day", "max"))
    out["fatalities"] = g["_fat"].sum(min_count=1)
    outlets = ev[["place_key", "outlet"]].drop_duplicates()
    outlets = outlets.assign(_outlet=outlet_label(outlets["outlet"].astype(object)))
    outlets = outlets[["place_key", "_outlet"]].drop_duplicates().sort_values(["place_key", "_outlet"])
    out["outlets"] = outlets.groupby("place_key")["_outlet"].agg(tuple)
    out = out.reset_index()
    return out[cols]


def _date_phrase(first, last) -> str:
    first, last = _day(first), _day(last)
    if first is None and last is None:
        return "dates not stated"
    if first == last or last is None:
        return f"{first:%d %b %Y}"
    return f"{first:%d %b %Y} to {last:%d %b %Y}"


def _read(reader, name: str, columns: list[str]) -> pd.DataFrame:
    from naqsha import schema

    have = [c for c in columns if c in schema.table(name).names]
    frame = reader.read(name, columns=have) if reader.has(name) else reader.read(name)
    return pd.DataFrame(frame)[have] if len(frame.columns) else frame


def _outlets(series: pd.Series) -> list[str]:
    """The distinct outlet labels of a column (unique first: cheap on 100k rows)."""
    return sorted(set(outlet_label(pd.Series(series.unique(), dtype=object))))


def _none_match(filters: Filters, what: str) -> str:
    hint = ("Widen the filters: remove the province or source filter or extend the date range"
            if filters != Filters() else "The store holds none: run `naqsha etl` on a corpus that reports them")
    return f"Nothing to show: no {what} match these filters ({filters.describe()}). {hint}."


def _province_names(codes) -> list[str]:
    try:
        names = dict(zip(*layer("provinces")[["code", "label"]].T.values))
    except Exception:  # noqa: BLE001 - a title never fails a snapshot; boundaries raise later
        names = {}
    return [names.get(c, c) for c in codes]


def map_title(map_name: str, filters: Filters) -> str:
    """The map's title, naming the provinces and the one source when the filters pick them:
    'Violence reported in Ghazni province', 'Control claims citing Resolute Support'."""
    where = ""
    if filters.provinces:
        names = _province_names(filters.provinces)
        where = (" in " + ", ".join(names[:3]) + (" and others" if len(names) > 3 else "")
                 + (" province" if len(names) == 1 else " provinces"))
    if map_name == "violence":
        title = "Violence reported " + (where.strip() if where else "in Afghanistan")
    elif map_name == "venues":
        title = "Where Afghan peace talks were reported" + (f" (Afghan venues{where})" if where else "")
    else:
        title = "Territorial control claims" + (where or "")
        if len(filters.cited) == 1:
            title += f" citing {filters.cited[0]}"
        if len(filters.outlets) == 1:
            title += f", as reported by {filters.outlets[0]}"
        elif not filters.cited:
            title += ", by source"
    return title


def prepare(reader, map_name: str, filters: Filters) -> SnapshotData:
    """Read the store and compute what the map shows (no drawing)."""
    title = map_title(map_name, filters)
    if map_name == "control":
        claims = filter_claims(_read(reader, "claims", CLAIM_COLUMNS), filters)
        claims = claims.sort_values(["published", "outlet", "claim_id"], na_position="last", kind="stable")
        outlets = _outlets(claims["outlet"]) if len(claims) else []
        data = SnapshotData(map_name, filters, title, "", claims=claims.reset_index(drop=True),
                            outlets=outlets, n_items=len(claims), n_docs=claims["doc_id"].nunique())
        what = "control claims"
        days = pd.to_datetime(claims["published"], errors="coerce")
    else:
        events = _read(reader, "events", EVENT_COLUMNS)
        role = ROLE_OF_MAP[map_name]
        ev = filter_events(events, filters)
        ev = ev[ev["role"] == role]
        outlets = _outlets(ev["outlet"]) if len(ev) else []
        data = SnapshotData(map_name, filters, title, "", places=aggregate_places(ev), outlets=outlets,
                            n_items=len(ev), n_docs=ev["doc_id"].nunique())
        what = "reports of violence" if map_name == "violence" else "reports of talks"
        days = _event_days(ev) if len(ev) else pd.Series([], dtype="datetime64[ns]")
    if filters.date_from or filters.date_to:
        span = f"{filters.date_from or 'the start'} to {filters.date_to or 'the end'}"
    elif len(days.dropna()):
        span = _date_phrase(days.min(), days.max())
    else:
        span = "all dates"
    counts = f"{data.n_items:,} {what} from {data.n_docs:,} article{'s' if data.n_docs != 1 else ''}"
    data.subtitle = f"{counts}, {span}  ·  Filters: {filters.describe()}"
    if data.n_items == 0:
        data.empty_note = _none_match(filters, what)
    return data


def attribution(data: SnapshotData) -> str:
    outlets = data.outlets
    shown = ", ".join(outlets[:8]) + (f" and {len(outlets) - 8} more" if len(outlets) > 8 else "")
    sources = (f"Sources: {shown} ({data.n_docs:,} article{'s' if data.n_docs != 1 else ''}), extracted by naqsha."
               if outlets else None)
    sources = sources or \
        "Sources: none match the filters."
    cite = boundary_citation()
    cite = cite if cite.lower().startswith("boundaries") else f"Boundaries: {cite}"
    return f"{sources}  {cite}"


# --------------------------------------------------------------------------- static maps
@dataclass
class _Layout:
    main: tuple
    side: tuple | None
    inset: tuple | None
    title_y: float
    attrib_y: float
    wrap: int


def _layout(figsize, map_name: str) -> _Layout:
    w, h = figsize
    landscape = w > h
    if landscape:
        main = (0.015, 0.085, 0.64, 0.80)
        if map_name == "venues":
            return _Layout(main, (0.675, 0.085, 0.31, 0.40), (0.675, 0.50, 0.31, 0.385), 0.965, 0.012, 190)
        return _Layout(main, (0.675, 0.085, 0.31, 0.80), None, 0.965, 0.012, 190)
    main = (0.03, 0.40, 0.94, 0.50)
    if map_name == "venues":
        return _Layout(main, (0.03, 0.065, 0.45, 0.32), (0.51, 0.085, 0.46, 0.30), 0.975, 0.01, 135)
    return _Layout(main, (0.03, 0.065, 0.94, 0.32), None, 0.975, 0.01, 135)


def count_classes(counts: pd.Series) -> list[tuple[int, float, float]]:
    """Up to four classes of report counts, (low, high, fill alpha), with nice bounds
    spaced evenly on a log scale, e.g. 1 | 2-10 | 11-100 | 101 or more."""
    top = int(max(counts.max(), 1)) if len(counts) else 1
    uppers = [1] if top > 1 else []
    for k in (1, 2):
        edge = int(carto.nice_length(top ** (k / 3)))
        if uppers and uppers[-1] < edge < top:
            uppers.append(edge)
    bounds, lo = [], 1
    for hi in uppers:
        bounds.append((lo, hi))
        lo = hi + 1
    bounds.append((lo, np.inf if top > lo else lo))
    alphas = np.linspace(0.10, 0.55, len(bounds)) if len(bounds) > 1 else [0.15]
    return [(a, b, round(float(al), 3)) for (a, b), al in zip(bounds, alphas)]


def _fat_scale(places: pd.DataFrame) -> float:
    """Points^2 of marker area per fatality: the largest circle about 30 pt across."""
    fmax = float(places["fatalities"].max()) if len(places) and places["fatalities"].notna().any() else 50.0
    return 500.0 / max(fmax, 10.0)


def _size_keys(fmax: float) -> list[int]:
    top = carto.nice_length(max(fmax, 1))
    keys = sorted({int(top), int(carto.nice_length(top / 4)), int(carto.nice_length(top / 20))} - {0})
    return keys[-3:]


def _draw_base(ax, bounds, provinces, districts, countries, show_districts, selected=()):
    ax.set_facecolor(WATER)
    countries.plot(ax=ax, facecolor=NEIGHBOURS, edgecolor="#b9b6ae", linewidth=0.5, zorder=1)
    provinces.plot(ax=ax, facecolor=LAND, edgecolor="none", zorder=2)
    if selected:
        provinces[~provinces["code"].isin(selected)].plot(ax=ax, facecolor="#efede7", edgecolor="none", zorder=2.5)
    if show_districts is not None and len(show_districts):
        districts[districts["code"].isin(show_districts)].plot(
            ax=ax, facecolor="none", edgecolor=DISTRICT_EDGE, linewidth=0.35, zorder=3)
    provinces.plot(ax=ax, facecolor="none", edgecolor=PROVINCE_EDGE, linewidth=0.6, zorder=6)
    provinces.dissolve().boundary.plot(ax=ax, color="#444444", linewidth=1.0, zorder=7)
    if selected:
        provinces[provinces["code"].isin(selected)].boundary.plot(ax=ax, color="#222222", linewidth=1.4, zorder=7)
    x0, y0, x1, y1 = fit_bounds(bounds, ax)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_autoscale_on(False)  # later layers must not move the frame (labels are placed in it)
    ax.apply_aspect()
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.6)


def fit_bounds(bounds, ax, ratio: float = 1.0):
    """Grow ``bounds`` (x0, y0, x1, y1) around their centre to the axes' shape, so the map
    fills its frame at one scale (``ratio`` = y units per x unit on paper)."""
    x0, y0, x1, y1 = bounds
    pos = ax.get_position()
    fw, fh = ax.figure.get_size_inches()
    box = (pos.height * fh) / (pos.width * fw)
    w, h = x1 - x0, (y1 - y0) * ratio
    if h / w < box:
        h = w * box
    else:
        w = h / box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - w / 2, cy - h / ratio / 2, cx + w / 2, cy + h / ratio / 2


def _block_markers(ax, placer, x, y, sizes):
    """Keep labels off the circles: each marker's inscribed square becomes a blocked box."""
    from matplotlib.transforms import Bbox

    px = ax.transData.transform(np.column_stack([x, y]))
    half = np.sqrt(np.broadcast_to(np.asarray(sizes, dtype=float), (len(px),))) / 2 * ax.figure.dpi / 72 * 0.8
    for (cx, cy), r in zip(px, half):
        placer.block(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))


def _neighbour_labels(ax, countries, placer, cache_key):
    """Neighbouring country names, in the part of each country inside the frame."""
    import shapely

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for label, x, y in _neighbour_points(countries, (round(x0), round(y0), round(x1), round(y1)), cache_key):
        placer.place(x, y, label, offsets=((0, 0),), fontsize=7.5, color="#8f8b82", fontstyle="italic", zorder=8)


_NEIGHBOUR_POINTS: dict = {}


def _neighbour_points(countries, bounds, cache_key) -> list[tuple[str, float, float]]:
    """(NAME, x, y) inside the part of each neighbour within the frame, when that part is
    big enough to hold a name; cached per frame (the same pages recur)."""
    import shapely

    key = (cache_key, bounds)
    if key not in _NEIGHBOUR_POINTS:
        frame = shapely.box(*bounds)
        out = []
        for code, label, geom in zip(countries["code"], countries["label"], countries.geometry):
            if code == "AFG":
                continue
            part = geom.intersection(frame)
            if part.is_empty or part.area < 0.03 * frame.area:
                continue
            pt = part.representative_point()
            out.append((str(label).upper(), pt.x, pt.y))
        _NEIGHBOUR_POINTS.clear() if len(_NEIGHBOUR_POINTS) > 32 else None
        _NEIGHBOUR_POINTS[key] = out
    return _NEIGHBOUR_POINTS[key]


def _province_labels(ax, provinces, placer, fontsize):
    order = provinces.assign(_a=provinces.geometry.area).sort_values(["_a", "code"], ascending=[False, True])
    for _, row in order.iterrows():
        pt = row.geometry.representative_point()
        small = fontsize * (0.85 if row["_a"] < 6e9 else 1.0)
        placer.place(pt.x, pt.y, row["label"], offsets=((0, 0), (0, 5), (0, -5), (6, 0), (-6, 0)),
                     fontsize=small, color="#555555", zorder=8,
                     halo=2.2)


def _project_points(places: pd.DataFrame, crs) -> tuple[np.ndarray, np.ndarray]:
    t = _transformer(crs)
    x, y = t.transform(places["lon"].astype(float).to_numpy(), places["lat"].astype(float).to_numpy())
    return np.asarray(x), np.asarray(y)


@functools.lru_cache(maxsize=4)
def _transformer(crs: str):
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def _split_by_precision(places: pd.DataFrame, provinces, districts):
    """(points, district rows joined to polygons, province rows joined, unplaced rows)."""
    if places.empty:
        e = places
        return e, e, e, e, e
    in_afg = places["adm0"].fillna("AFG").eq("AFG")
    afg = places[in_afg]
    pts = afg[afg["precision"].le(2) & afg["lat"].notna() & afg["lon"].notna()]
    dist = afg[afg["level"].eq("district")].merge(districts[["code", "geometry"]], left_on="place_key",
                                                  right_on="code", how="left")
    prov = afg[afg["level"].eq("province")].merge(provinces[["code", "geometry"]], left_on="adm1",
                                                  right_on="code", how="left")
    # an area whose polygon is not in the boundary layer is drawn at its point, as a square
    lost = pd.concat([dist[dist["geometry"].isna()], prov[prov["geometry"].isna()]])
    dist = dist[dist["geometry"].notna()]
    prov = prov[prov["geometry"].notna()]
    placed = set(pts["place_key"]) | set(dist["place_key"]) | set(prov["place_key"])
    rest = afg[~afg["place_key"].isin(placed)]
    return pts, dist, prov, pd.concat([rest, places[~in_afg]]), lost


def _merged(frame, crs):
    """All polygons of ``frame`` as one multipolygon (one path to hatch: a hatch per
    district is slow at print resolution, and the pixels are the same)."""
    import geopandas as gpd
    import shapely

    parts = shapely.get_parts(np.asarray(frame["geometry"].values, dtype=object))
    return gpd.GeoSeries([shapely.multipolygons(parts)], crs=crs)


def _gdf(frame, crs):
    import geopandas as gpd

    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)


def _violence(ax, side, data: SnapshotData, provinces, districts, placer, fontsize, legend_size):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    places = data.places
    out = _split_by_precision(places, provinces, districts) if len(places) else None
    handles = []
    scale = _fat_scale(places)
    classes = count_classes(out[1]["n_events"] if out is not None and len(out[1]) else pd.Series([1]))
    if out is not None:
        pts, dist, prov, rest, lost = out
        if len(dist):
            which = np.searchsorted([hi for _, hi, _ in classes], dist["n_events"].to_numpy(), side="left")
            for k, (_, _, alpha) in enumerate(classes):
                part = dist[which == k]
                if len(part):
                    _merged(part, districts.crs).plot(ax=ax, facecolor=(0.70, 0.09, 0.17, alpha), edgecolor="none",
                                                      zorder=4)
            _merged(dist, districts.crs).plot(ax=ax, facecolor="none", edgecolor=VIOLENCE, hatch="////",
                                              linewidth=0.8, zorder=4.1)
        if len(prov):
            _merged(prov, provinces.crs).plot(ax=ax, facecolor=(0.70, 0.09, 0.17, 0.05), edgecolor=POINT_EDGE,
                                           linewidth=1.6, linestyle=(0, (4, 2)), zorder=7.5)
        if len(pts):
            x, y = _project_points(pts, districts.crs)
            fat = pts["fatalities"].to_numpy(dtype=float)
            known = ~np.isnan(fat)
            order = np.argsort(-np.where(known, fat, 0), kind="stable")
            sizes = np.where(known, 12 + np.nan_to_num(fat) * scale, 22)
            face = [POINT_FACE if k else "white" for k in known]
            edge = ["white" if k else POINT_EDGE for k in known]
            ax.scatter(x[order], y[order], s=sizes[order], c=[face[i] for i in order],
                       edgecolors=[edge[i] for i in order],
                       linewidths=0.9, zorder=10)
            _block_markers(ax, placer, x, y, sizes)
        if len(lost):
            x, y = _project_points(lost.dropna(subset=["lat", "lon"]), districts.crs)
            ax.scatter(x, y, s=30, marker="s", facecolor="none", edgecolor=VIOLENCE, linewidths=0.9, zorder=10)
        # labels: the places with most fatalities (then most reports) first
        lab = pd.concat([pts.assign(_kind="point"), dist.assign(_kind="district"), prov.assign(_kind="province")])
        lab = lab.assign(_f=lab["fatalities"].fillna(0)).sort_values(["_f", "n_events", "place_key"],
                                                                     ascending=[False, False, True])
        for _, row in lab.head(18).iterrows():
            if row["_kind"] == "point":
                x, y = _project_points(row.to_frame().T, districts.crs)
                r = math.sqrt(12 + (row["_f"] or 0) * scale) / 2
                offs = carto.point_offsets(r)
                x, y = float(x[0]), float(y[0])
            else:
                pt = row["geometry"].representative_point()
                x, y, offs = pt.x, pt.y, ((0, 0), (0, 6), (0, -6))
            fat = f", {int(row['fatalities']):,}{'+' if row['approx'] else ''} killed" if pd.notna(row["fatalities"]) else ""
            kind = " province" if row["_kind"] == "province" else ""
            placer.place(x, y, f"{row['name']}{kind}{fat}", offsets=offs, fontsize=fontsize, color="#5a0d16",
                         fontweight="bold", zorder=12, halo=2.2)
        n_rest = int(rest["n_events"].sum()) if len(rest) else 0
        if n_rest:
            where = ", ".join(sorted(set(rest["name"].astype(str)))[:4])
            data.notes.append(f"{n_rest} report{'s' if n_rest != 1 else ''} located only to a country or "
                              f"region ({where}) {'are' if n_rest != 1 else 'is'} not drawn.")
        if len(lost):
            data.notes.append(f"{len(lost)} district/province place(s) without a matching boundary are drawn "
                              "as squares at their centre.")
        fmax = float(pts["fatalities"].max()) if len(pts) and pts["fatalities"].notna().any() else 10
    else:
        fmax = 10
    handles.append(Line2D([], [], linestyle="none", marker="o", markersize=math.sqrt(22), markerfacecolor="white",
                          markeredgecolor=POINT_EDGE, label="Town or city, fatalities not stated"))
    for k in _size_keys(fmax):
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=math.sqrt(12 + k * scale),
                              markerfacecolor=POINT_FACE, markeredgecolor="white",
                              label=f"Town or city, {k} killed"))
    for lo, hi, alpha in classes:
        n = f"{lo:,}" if lo == hi else (f"{lo:,} or more" if hi == np.inf else f"{lo:,}–{hi:,}")
        handles.append(Patch(facecolor=(0.70, 0.09, 0.17, alpha), edgecolor=VIOLENCE, hatch="////",
                             label=f"Known only to its district: {n} report{'s' if hi > 1 else ''}"))
    handles.append(Patch(facecolor=(0.70, 0.09, 0.17, 0.05), edgecolor=POINT_EDGE, linestyle=(0, (4, 2)),
                         linewidth=1.4, label="Known only to its province"))
    _legend(side, handles, "Reports of violence", legend_size)
    data.notes.insert(0, "Circle area is proportional to the deaths reported at a town or city, summed over "
                         "all reports; places are drawn only as precisely as the articles locate them.")
    if len(places) and places["fatalities"].notna().any():
        drawn = places[places["precision"].le(4) & places["adm0"].fillna("AFG").eq("AFG")]
        top = drawn[drawn["fatalities"].notna()].sort_values(["fatalities", "place_key"], ascending=[False, True])
        lines = [f"{r['name']} {int(r['fatalities']):,}{'+' if r['approx'] else ''} ({r['n_events']:,} report"
                 f"{'s' if r['n_events'] != 1 else ''}, {_date_phrase(r['first'], r['last'])})"
                 for _, r in top.head(6).iterrows()]
        data.notes.insert(1, "Most deaths reported: " + "; ".join(lines) + ".")


def _legend(side, handles, title, size, extra=None, loc="upper left", anchor=(0.0, 1.0)):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    base = [
        Patch(facecolor=LAND, edgecolor=PROVINCE_EDGE, linewidth=0.6, label="Province boundary"),
        Patch(facecolor=LAND, edgecolor=DISTRICT_EDGE, linewidth=0.6, label="District boundary (where relevant)"),
        Patch(facecolor=NEIGHBOURS, edgecolor="#b9b6ae", linewidth=0.5, label="Neighbouring country"),
    ]
    leg = side.legend(handles=handles + base, title=title, loc=loc, bbox_to_anchor=anchor, frameon=False,
                      fontsize=size, title_fontsize=size + 1, alignment="left", labelspacing=0.9,
                      handlelength=2.0, handleheight=1.3, borderaxespad=0.0)
    leg._legend_box.align = "left"
    return leg


def _notes_text(side, data: SnapshotData, y, size, wrap_width):
    notes = list(data.notes)
    if not notes:
        return
    body = "\n".join(carto.wrap("• " + n, wrap_width) for n in notes)
    side.text(0.0, y, body, transform=side.transAxes, va="top", ha="left", fontsize=size - 0.5, color=MUTED,
              linespacing=1.35)


def _venue_scale(places: pd.DataFrame) -> float:
    """Points^2 of marker area per article: the busiest venue about 26 pt across."""
    nmax = float(places["n_docs"].max()) if len(places) else 1.0
    return 520.0 / max(nmax, 5.0)


def _venue_size(n, scale):
    return 16 + scale * np.asarray(n, dtype=float)


def _venues(ax, side, inset, data: SnapshotData, provinces, districts, placer, fontsize, legend_size,
            wrap_width, cache_key):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    places = data.places
    handles = []
    vscale = _venue_scale(places)
    abroad = places[places["adm0"].notna() & places["adm0"].ne("AFG")] if len(places) else places
    home = places.drop(abroad.index) if len(places) else places
    if len(home):
        pts, dist, prov, rest, lost = _split_by_precision(home, provinces, districts)
        if len(dist):
            _merged(dist, districts.crs).plot(ax=ax, facecolor=(0.16, 0.34, 0.64, 0.12), edgecolor=VENUE,
                                           hatch="////", linewidth=0.8, zorder=4)
        if len(prov):
            _merged(prov, provinces.crs).plot(ax=ax, facecolor=(0.16, 0.34, 0.64, 0.05), edgecolor=VENUE,
                                           linewidth=1.6, linestyle=(0, (4, 2)), zorder=7.5)
        allpts = pd.concat([pts, lost]) if len(lost) else pts
        if len(allpts):
            x, y = _project_points(allpts, districts.crs)
            ax.scatter(x, y, s=_venue_size(allpts["n_docs"], vscale), color=(0.16, 0.34, 0.64, 0.6), edgecolors=VENUE,
                       linewidths=0.9, zorder=10)
            _block_markers(ax, placer, x, y, _venue_size(allpts["n_docs"], vscale))
            order = allpts.assign(_x=x, _y=y).sort_values(["n_docs", "place_key"], ascending=[False, True])
            for _, row in order.head(15).iterrows():
                r = math.sqrt(float(_venue_size(row["n_docs"], vscale))) / 2
                placer.place(row["_x"], row["_y"], f"{row['name']} ({row['n_docs']})", offsets=carto.point_offsets(r),
                             fontsize=fontsize, color="#14305e", fontweight="bold", zorder=12, halo=2.2)
        areas = pd.concat([dist, prov])
        areas = areas.sort_values(["n_docs", "place_key"], ascending=[False, True]) if len(areas) else areas
        for _, row in areas.head(10).iterrows():
            pt = row["geometry"].representative_point()
            placer.place(pt.x, pt.y, f"{row['name']} ({row['n_docs']})", offsets=((0, 0), (0, 6)),
                         fontsize=fontsize, color="#14305e", fontweight="bold", zorder=12, halo=2.2)
        n_rest = int(rest["n_events"].sum()) if len(rest) else 0
        if n_rest:
            data.notes.append(f"{n_rest} report(s) placed only at country level (Afghanistan) are not drawn.")
    _region(inset, abroad, vscale, placer_fontsize=fontsize, cache_key=cache_key)
    if len(abroad):
        lines = []
        for _, row in abroad.sort_values(["n_docs", "name"], ascending=[False, True]).head(10).iterrows():
            lines.append(f"{row['name']}: {row['n_docs']} article{'s' if row['n_docs'] != 1 else ''}, "
                         f"{_date_phrase(row['first'], row['last'])}")
        if len(abroad) > 10:
            lines.append(f"… and {len(abroad) - 10} more")
        data.notes.insert(0, "Venues abroad: " + "; ".join(lines) + ".")
    nmax = int(places["n_docs"].max()) if len(places) else 1
    for k in sorted({1, int(carto.nice_length(max(nmax / 4, 1))), int(carto.nice_length(max(nmax, 1)))}):
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=math.sqrt(float(_venue_size(k, vscale))),
                              markerfacecolor=(0.16, 0.34, 0.64, 0.6), markeredgecolor=VENUE,
                              label=f"Venue (town or city), {k} article{'s' if k > 1 else ''}"))
    handles.append(Patch(facecolor=(0.16, 0.34, 0.64, 0.12), edgecolor=VENUE, hatch="////",
                         label="Venue known only to its district"))
    handles.append(Patch(facecolor=(0.16, 0.34, 0.64, 0.10), edgecolor=VENUE, hatch="...", linewidth=0.9,
                         label="Venue known only to its country (regional panel)"))
    return _legend(side, handles, "Reported talks (number of articles)", legend_size)


REGION_DEFAULT = (30.0, 18.0, 82.0, 58.0)  # lon/lat: Doha, Moscow, Tehran, Islamabad, Tashkent


def region_bounds(abroad: pd.DataFrame) -> tuple[float, float, float, float]:
    """Lon/lat box of the regional panel: Doha to Moscow to Tashkent at least, grown to
    every venue abroad (Beijing, Geneva, Washington ...)."""
    x0, y0, x1, y1 = REGION_DEFAULT
    pts = abroad.dropna(subset=["lat", "lon"]) if len(abroad) else abroad
    if len(pts):
        x0 = min(x0, float(pts["lon"].min()) - 4)
        x1 = max(x1, float(pts["lon"].max()) + 4)
        y0 = min(y0, float(pts["lat"].min()) - 3)
        y1 = max(y1, float(pts["lat"].max()) + 3)
    return max(x0, -180), max(y0, -85), min(x1, 180), min(y1, 85)


def _region(inset, abroad: pd.DataFrame, vscale: float, *, placer_fontsize, cache_key):
    """The regional panel (lon/lat, aspect corrected at its mid latitude)."""
    from matplotlib.lines import Line2D

    x0, y0, x1, y1 = region_bounds(abroad)
    pts = abroad.dropna(subset=["lat", "lon"]) if len(abroad) else abroad
    mid = (y0 + y1) / 2
    ratio = 1 / math.cos(math.radians(mid))
    x0, y0, x1, y1 = fit_bounds((x0, y0, x1, y1), inset, ratio)
    world = _countries_near((round(x0 - 1), round(y0 - 1), round(x1 + 1), round(y1 + 1)), cache_key)
    inset.set_facecolor(WATER)
    world.plot(ax=inset, facecolor=NEIGHBOURS, edgecolor="#b9b6ae", linewidth=0.4, zorder=1)
    world[world["code"].eq("AFG")].plot(ax=inset, facecolor=LAND, edgecolor="#444444", linewidth=0.8, zorder=2)
    if len(abroad):
        countries = abroad[abroad["level"].eq("country")]
        if len(countries):
            world[world["code"].isin(countries["adm0"])].plot(ax=inset, facecolor=(0.16, 0.34, 0.64, 0.10),
                                                              edgecolor=VENUE, hatch="...", linewidth=0.9,
                                                              zorder=3)
        cities = pts[~pts["level"].eq("country")] if len(pts) else pts
        if len(cities):
            inset.scatter(cities["lon"].astype(float), cities["lat"].astype(float), s=_venue_size(cities["n_docs"], vscale),
                          color=(0.16, 0.34, 0.64, 0.6), edgecolors=VENUE, linewidths=0.9, zorder=10)
    inset.set_xlim(x0, x1)
    inset.set_ylim(y0, y1)
    inset.set_aspect(ratio, adjustable="box")
    inset.set_autoscale_on(False)
    inset.apply_aspect()
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.6)
    inset.set_title("Venues abroad (regional view)", fontsize=placer_fontsize + 1.5, loc="left", color=TEXT, pad=3)
    renderer = inset.figure.canvas.get_renderer()
    placer = carto.LabelPlacer(inset, renderer)
    carto.draw_scale_bar(inset, 1 / (111.32 * math.cos(math.radians(mid))), loc=(0.04, 0.05), fraction=0.25,
                         fontsize=placer_fontsize - 1)
    frame = inset.get_window_extent(renderer)
    from matplotlib.transforms import Bbox

    placer.block(Bbox.from_bounds(frame.x0, frame.y0, 0.32 * frame.width, 0.16 * frame.height))
    labelled = []
    if len(pts):
        for _, row in pts.sort_values(["n_docs", "place_key"], ascending=[False, True]).iterrows():
            r = math.sqrt(float(_venue_size(row["n_docs"], vscale))) / 2
            art = placer.place(float(row["lon"]), float(row["lat"]), f"{row['name']} ({row['n_docs']})",
                               offsets=carto.point_offsets(r), fontsize=placer_fontsize, color="#14305e",
                               fontweight="bold", zorder=12, halo=2.2)
            labelled.append(art is not None)
    # Afghanistan's label, for orientation
    afg = world[world["code"].eq("AFG")]
    if len(afg):
        pt = afg.geometry.iloc[0].representative_point()
        placer.place(pt.x, pt.y, "AFGHANISTAN", offsets=((0, 0), (0, -8)), fontsize=placer_fontsize - 1,
                     color="#444444", zorder=11, halo=2.2)
    if not len(abroad):
        inset.text(0.5, 0.06, "No venues abroad match the filters", transform=inset.transAxes, ha="center",
                   fontsize=placer_fontsize, color=MUTED, zorder=20, bbox=dict(fc="white", ec="none", alpha=0.8))


def claim_phrase(row) -> str:
    """One line for a claim: 'government: 55% of 407 districts (as of 2018)'."""
    metric, value, total = row.get("metric"), row.get("value"), row.get("of_total")
    subject = str(row.get("subject") or "?")
    v = f"{float(value):g}" if value is not None and pd.notna(value) else None
    total = int(total) if total is not None and pd.notna(total) else None
    if metric == "district_share" and v is not None:
        what = f"{v}% of {total} districts" if total else f"{v}% of districts"
    elif metric == "population_share" and v is not None:
        what = f"{v}% of the population"
    elif metric == "territory_share" and v is not None:
        what = f"{v}% of the territory"
    elif metric == "district_count" and v is not None:
        what = f"{v} districts" + (f" of {total}" if total else "")
    else:
        text = " ".join(str(row.get("text") or "").split())
        what = "“" + (text[:90] + "…" if len(text) > 90 else text) + "”"
    as_of = row.get("as_of")
    when = f" (as of {as_of})" if as_of is not None and pd.notna(as_of) and str(as_of) else ""
    if metric == "qualitative" or v is None:
        return f"{subject}: {what}{when}"
    if subject.lower() == "contested":
        return f"{what} contested{when}"
    return f"{subject} controls {what}{when}"


def _national(claims: pd.DataFrame) -> pd.DataFrame:
    if claims.empty:
        return claims.assign(_outlet=None, _cited=None, _pub=None)
    nat = claims[claims["scope"].eq("AFG") & ~claims["derived"].fillna(False).astype(bool)]
    return nat.assign(_outlet=outlet_label(nat["outlet"].astype(object)),
                      _cited=nat["attributed_to"].astype(object).fillna(""),
                      _pub=pd.to_datetime(nat["published"], errors="coerce"))


_CARD_KEYS = ["_pub", "_outlet", "_cited"]


def count_national_cards(claims: pd.DataFrame) -> int:
    nat = _national(claims)
    return 0 if nat.empty else len(nat[_CARD_KEYS].drop_duplicates())


def national_cards(claims: pd.DataFrame, limit: int | None = None) -> list[tuple[str, list[str]]]:
    """National claims grouped by (publication day, outlet, cited source), newest first
    (unknown days last): a heading and its lines, for the first ``limit`` groups. Derived
    complements are left out (they repeat the claim they come from)."""
    nat = _national(claims)
    if nat.empty:
        return []
    groups = nat[_CARD_KEYS].drop_duplicates().sort_values(
        _CARD_KEYS, ascending=[False, True, True], na_position="last", kind="stable")
    if limit is not None:
        groups = groups.head(limit)
    chosen = nat.merge(groups.assign(_order=range(len(groups))), on=_CARD_KEYS, how="inner")
    cards = []
    for (_, pub, outlet, cited), group in chosen.groupby(["_order"] + _CARD_KEYS, sort=True, dropna=False):
        when = f"{pub:%d %b %Y}" if pd.notna(pub) else "date unknown"
        head = f"{outlet}, {when}" + (f", citing {cited}" if cited else "")
        lines = list(dict.fromkeys(claim_phrase(r) for r in group.to_dict("records")))
        cards.append((head, lines))
    return cards


def claim_source(row) -> str:
    """'Al Jazeera citing Resolute Support, 12 Nov 2018'."""
    outlet = row.get("outlet")
    outlet = outlet if isinstance(outlet, str) and outlet else "(outlet not named)"
    cited = row.get("attributed_to")
    pub = _day(row.get("published"))
    text = outlet + (f" citing {cited}" if isinstance(cited, str) and cited else "")
    return text + (f", {pub:%d %b %Y}" if pub else "")


def _subject_colour(subject) -> str:
    return SUBJECT_COLOURS.get(str(subject).lower(), OTHER_SUBJECT)


def local_claims(claims: pd.DataFrame, provinces, districts):
    """Sub-national claims joined to their polygons: the latest claim per place."""
    if claims.empty:
        return claims.assign(geometry=None), claims
    local = claims[claims["scope"].ne("AFG") & ~claims["derived"].fillna(False).astype(bool)]
    local = local.sort_values(["scope", "published", "claim_id"], na_position="first").groupby("scope").tail(1)
    is_district = local["scope"].str.contains("/", regex=False)
    d = local[is_district].merge(districts[["code", "geometry"]], left_on="scope", right_on="code", how="left")
    p = local[~is_district].merge(provinces[["code", "geometry"]], left_on="scope", right_on="code", how="left")
    both = pd.concat([p.assign(_level="province"), d.assign(_level="district")], ignore_index=True)
    return both[both["geometry"].notna()], both[both["geometry"].isna()]


def _control(ax, side, data: SnapshotData, provinces, districts, placer, fontsize, legend_size, wrap_width,
             portrait):
    from matplotlib.patches import Patch

    claims = data.claims
    names = dict(zip(provinces["code"], provinces["label"]))
    local, unmatched = local_claims(claims, provinces, districts)
    subjects = []
    if len(local):
        g = _gdf(local, provinces.crs)
        for level in ("province", "district"):
            part = g[g["_level"].eq(level)]
            if not len(part):
                continue
            part.plot(ax=ax, color=[_subject_colour(s) for s in part["subject"]], alpha=0.55 if level == "district" else 0.35,
                      edgecolor="#333333", linewidth=0.5, hatch=None if level == "district" else "\\\\", zorder=4)
        # label the places when they are few enough to read; else the legend and the note
        few = len(g) <= MAX_CLAIM_LABELS
        if not few:
            data.notes.append(f"{len(g):,} places carry a sub-national claim; they are too many to label "
                              "here (the dashboard's table lists them, with sources).")
        for _, row in (g.sort_values(["_level", "scope"]) if few else g.iloc[:0]).iterrows():
            pt = row["geometry"].representative_point()
            v = f" {row['value']:g}%" if pd.notna(row["value"]) and row["metric"] != "qualitative" else ""
            place = row["scope"].split("/")[-1] if row["_level"] == "district" else names.get(row["scope"], row["scope"])
            placer.place(pt.x, pt.y, f"{place}: {row['subject']}{v}\n{claim_source(row)}",
                         offsets=((0, 0), (0, 8), (0, -8)), fontsize=fontsize - 0.5, color=TEXT, zorder=12,
                         halo=2.2, linespacing=1.1, fontweight="bold")
        subjects = sorted(set(local["subject"].astype(str)))
    if len(unmatched):
        data.notes.append(f"{len(unmatched)} sub-national claim(s) name a place missing from the boundary layer: "
                          + ", ".join(sorted(set(unmatched["scope"].astype(str)))[:5]) + ".")
    handles = [Patch(facecolor=_subject_colour(s), alpha=0.55, edgecolor="#333333",
                     label=f"{s[:1].upper() + s[1:]}") for s in subjects]
    if len(local) and local["_level"].eq("province").any():
        handles.append(Patch(facecolor="#bbbbbb", edgecolor="#333333", hatch="\\\\", label="Hatched: the claim is about a whole province"))
    handles.append(Patch(facecolor=LAND, edgecolor="#333333", label="No claim about the place"))
    leg = _legend(side, handles, "Who controls the place, per the latest claim", legend_size,
                  loc="upper left" if not portrait else "upper left")
    return leg


def _draw_cards(side, cards, top_y, size, wrap_width, x=0.0, width=1.0, floor=None, total=None):
    """National claim cards stacked from ``top_y`` (axes fraction) downwards; the ones
    that do not fit are counted in a final line."""
    fig = side.figure
    renderer = fig.canvas.get_renderer()
    frame = side.get_window_extent(renderer)
    y = top_y
    side.text(x, y, "National claims (one card per source and publication day)", transform=side.transAxes,
              fontsize=size + 1, fontweight="bold", va="top", color=TEXT)
    y -= (size + 6) / 72 * fig.dpi / frame.height
    if not cards:
        side.text(x, y, "None match the filters.", transform=side.transAxes, fontsize=size, va="top", color=MUTED)
        return
    shown = 0
    for head, lines in cards:
        body = carto.wrap(head, wrap_width) + "\n" + "\n".join(carto.wrap("– " + ln, wrap_width) for ln in lines)
        t = side.text(x + 0.01, y, body, transform=side.transAxes, fontsize=size, va="top", ha="left", color=TEXT,
                      linespacing=1.3, bbox=dict(boxstyle="round,pad=0.4", fc="#f3f1ec", ec="#c9c5bb", lw=0.6))
        ext = t.get_window_extent(renderer)
        if ext.y0 < (floor if floor is not None else frame.y0) + 14:
            t.remove()
            break
        shown += 1
        y -= (ext.height + 10) / frame.height
    total = len(cards) if total is None else total
    if shown < total:
        side.text(x, max(y, 0.0), f"… and {total - shown:,} more cards (narrow the filters to see them)",
                  transform=side.transAxes, fontsize=size, va="top", color=MUTED)


def _main_bounds(provinces, filters: Filters):
    sel = provinces[provinces["code"].isin(filters.provinces)] if filters.provinces else provinces
    if not len(sel):
        sel = provinces
    x0, y0, x1, y1 = sel.total_bounds
    pad = 0.04 * max(x1 - x0, y1 - y0) + 15000
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def _static(data: SnapshotData, fmt: str, figsize, dpi: int) -> bytes:
    import matplotlib

    # thin hatching reads better in print (read when each hatched artist is made)
    with matplotlib.rc_context({"hatch.linewidth": 0.6}):
        return _static_page(data, fmt, figsize, dpi)


def _static_page(data: SnapshotData, fmt: str, figsize, dpi: int) -> bytes:
    cache_key = _cache_key()
    provinces = layer("provinces", crs=carto.AFG_CRS)
    districts = layer("districts", crs=carto.AFG_CRS)
    lonlat = (55.0, 24.0, 79.0, 42.0)
    countries = _projected_neighbours(lonlat, cache_key)
    fig = carto.new_figure(figsize, dpi)
    layout = _layout(figsize, data.map_name)
    portrait = figsize[0] < figsize[1]
    base = 7.0 if not portrait else 6.8
    limit = 52 if portrait else 80  # characters that fit at 17 pt
    fig.text(0.015 if not portrait else 0.03, layout.title_y, data.title,
             fontsize=max(11.0, min(17.0, 17.0 * limit / max(len(data.title), 1))), fontweight="bold",
             va="top", ha="left", color=TEXT)
    fig.text(0.015 if not portrait else 0.03, layout.title_y - 0.038 * (8.27 / figsize[1]),
             carto.wrap(data.subtitle, layout.wrap - 40), fontsize=9.5, va="top", ha="left", color="#444444")
    ax = fig.add_axes(layout.main)
    side = fig.add_axes(layout.side)
    side.set_axis_off()
    inset = fig.add_axes(layout.inset) if layout.inset else None

    # districts drawn where they matter: where events or claims are, or in the chosen provinces
    show = set()
    if len(data.places):
        show |= set(data.places["place_key"][data.places["level"].eq("district")])
        show |= set(districts["code"][districts["province"].isin(data.places["adm1"].dropna())])
    if len(data.claims):
        show |= set(districts["code"][districts["province"].isin(data.claims["scope"].str.slice(0, 6))])
    if data.filters.provinces:
        show |= set(districts["code"][districts["province"].isin(data.filters.provinces)])
    bounds = _main_bounds(provinces, data.filters)
    _draw_base(ax, bounds, provinces, districts, countries, show, data.filters.provinces)
    renderer = fig.canvas.get_renderer()
    placer = carto.LabelPlacer(ax, renderer)
    km = carto.draw_scale_bar(ax, 1000.0, loc=(0.035, 0.045), fontsize=base - 0.5)
    carto.draw_north_arrow(ax)
    # keep scale bar and north arrow corners free of labels
    w = ax.get_window_extent(renderer)
    from matplotlib.transforms import Bbox

    placer.block(Bbox.from_bounds(w.x0, w.y0, 0.30 * w.width, 0.12 * w.height))
    placer.block(Bbox.from_bounds(w.x0 + 0.92 * w.width, w.y0 + 0.84 * w.height, 0.08 * w.width, 0.16 * w.height))
    label_size = base
    if data.map_name == "violence":
        _violence(ax, side, data, provinces, districts, placer, label_size, base + 0.5)
    elif data.map_name == "venues":
        _venues(ax, side, inset, data, provinces, districts, placer, label_size, base + 0.5,
                layout.wrap // (2 if portrait else 3), cache_key)
    else:
        leg = _control(ax, side, data, provinces, districts, placer, label_size, base + 0.5, 60, portrait)
    _province_labels(ax, provinces, placer, base)
    # district names where districts are drawn and the view is zoomed to provinces
    if data.filters.provinces:
        sel = districts[districts["province"].isin(data.filters.provinces)]
        for _, row in sel.sort_values("code").iterrows():
            pt = row.geometry.representative_point()
            placer.place(pt.x, pt.y, row["label"], fontsize=base - 1.5, color="#8a8a8a", zorder=8,
                         halo=1.6)
    _neighbour_labels(ax, countries, placer, cache_key)

    # side panel: notes under the legend (and control cards)
    leg = side.get_legend()
    side_frame = side.get_window_extent(renderer)
    if leg is not None:
        lb = leg.get_window_extent(renderer)
        below = (lb.y0 - side_frame.y0) / side_frame.height - 0.03
    else:
        below = 1.0
    wrap_width = int(side_frame.width / (base * 0.55 * dpi / 72))
    if data.map_name == "control":
        cards = national_cards(data.claims, limit=40)
        n_cards = count_national_cards(data.claims)
        if portrait:
            # legend on the left half, cards on the right half
            _draw_cards(side, cards, 1.0, base, int(wrap_width * 0.5), x=0.5, width=0.5, total=n_cards)
            _notes_text(side, data, below, base + 0.5, int(wrap_width * 0.45))
        else:
            floor = None
            if data.notes:
                body = "\n".join(carto.wrap("• " + n, wrap_width) for n in data.notes)
                t = side.text(0.0, 0.0, body, transform=side.transAxes, va="bottom", ha="left", fontsize=base,
                              color=MUTED, linespacing=1.35)
                floor = t.get_window_extent(renderer).y1 + 8
            _draw_cards(side, cards, below, base, wrap_width, floor=floor, total=n_cards)
    else:
        _notes_text(side, data, below, base + 0.5, wrap_width)
    for a in (ax, inset):
        if a is not None:
            a.set_xlabel("")
            a.set_ylabel("")
    if data.empty_note:
        ax.text(0.5, 0.5, carto.wrap(data.empty_note, 60), transform=ax.transAxes, ha="center", va="center",
                fontsize=10, color=TEXT, zorder=40,
                bbox=dict(boxstyle="round,pad=0.6", fc="white", ec="#999999", lw=0.8, alpha=0.95))
    fig.text(0.015 if not portrait else 0.03, layout.attrib_y, carto.wrap(attribution(data), layout.wrap),
             fontsize=6.2, color=MUTED, va="bottom", ha="left", linespacing=1.3)
    return _save(fig, fmt, dpi)




@functools.lru_cache(maxsize=4)
def _projected_neighbours(lonlat: tuple, cache_key: str):
    return _countries_near(lonlat, cache_key).to_crs(carto.AFG_CRS)


def _save(fig, fmt: str, dpi: int) -> bytes:
    import matplotlib

    buf = io.BytesIO()
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": "naqsha"},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": "naqsha", "Producer": "naqsha"},
    }[fmt]
    with matplotlib.rc_context({"svg.hashsalt": "naqsha", "svg.fonttype": "none", "pdf.fonttype": 42,
                                "svg.id": "naqsha-snapshot"}):
        extra = {"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white", **extra)
    return buf.getvalue()


# --------------------------------------------------------------------------- HTML
_EXTERNAL = re.compile(r"<script[^>]*\bsrc=['\"]?https?:[^>]*>\s*</script>\s*|<link[^>]*href=['\"]?https?:[^>]*>\s*",
                       re.IGNORECASE)


def _rings(geom):
    """Exterior rings of a (multi)polygon as lists of [lon, lat] (rounded)."""
    polys = getattr(geom, "geoms", [geom])
    return [[[round(x, 4), round(y, 4)] for x, y in p.exterior.coords] for p in polys if p.geom_type == "Polygon"]


def _polygon_rows(frame, geom_col="geometry", **fields):
    rows = []
    for _, r in frame.iterrows():
        for ring in _rings(r[geom_col]):
            rows.append({"polygon": ring, **{k: f(r) for k, f in fields.items()}})
    return rows


def _esc(value) -> str:
    return html.escape("" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value))


def _html(data: SnapshotData, reader) -> bytes:
    import pydeck as pdk

    provinces = layer("provinces", web=True)
    districts = layer("districts", web=True)
    layers = [pdk.Layer("PolygonLayer", _polygon_rows(provinces, name=lambda r: _esc(r["label"]),
                                                      detail=lambda r: "province"),
                        id="provinces", get_polygon="polygon", get_fill_color=[251, 250, 247],
                        get_line_color=[110, 110, 110], line_width_min_pixels=1, pickable=True)]
    view = {"latitude": 33.9, "longitude": 66.0, "zoom": 5.3}
    evidence = _evidence(reader, data)
    if data.map_name in ("violence", "venues"):
        colour = [178, 24, 43] if data.map_name == "violence" else [40, 87, 164]
        places = data.places
        if data.map_name == "venues" and len(places):
            abroad = places["adm0"].notna() & places["adm0"].ne("AFG")
            if abroad.any():
                x0, y0, x1, y1 = region_bounds(places[abroad])
                layers.insert(0, pdk.Layer("PolygonLayer", _polygon_rows(
                    _countries_near((round(x0 - 5), round(y0 - 5), round(x1 + 5), round(y1 + 5)), _cache_key()),
                    name=lambda r: _esc(r["label"]), detail=lambda r: "country"), id="countries",
                    get_polygon="polygon", get_fill_color=[230, 228, 223], get_line_color=[170, 170, 170],
                    line_width_min_pixels=1, pickable=True))
                span = max(x1 - x0, (y1 - y0) * 1.4)
                view = {"latitude": round((y0 + y1) / 2, 3), "longitude": round((x0 + x1) / 2 - 0.08 * span, 3),
                        "zoom": round(max(1.0, math.log2(1000 * 360 / (512 * span)) - 0.2), 2)}
        split = _split_by_precision(places, layer("provinces", web=True), districts) if len(places) else None
        if split is not None:
            pts, dist, prov, rest, lost = split
            if data.map_name == "venues":
                pts = pd.concat([pts, rest[rest["level"].ne("country") & rest["lat"].notna()
                                           & rest["adm0"].ne("AFG")]])

            def detail(r):
                return _place_detail(r, data.map_name, evidence)

            areas = pd.concat([dist, prov])
            if len(areas):
                layers.append(pdk.Layer("PolygonLayer", _polygon_rows(areas, name=lambda r: _esc(r["name"]),
                                                                      detail=detail),
                                        id="areas", get_polygon="polygon", get_fill_color=colour + [50],
                                        get_line_color=colour, line_width_min_pixels=2, pickable=True))
            if len(pts):
                rows = []
                for _, r in pts.iterrows():
                    weight = r["fatalities"] if data.map_name == "violence" else r["n_docs"]
                    weight = 0 if pd.isna(weight) else float(weight)
                    rows.append({"lon": float(r["lon"]), "lat": float(r["lat"]), "name": _esc(r["name"]),
                                 "detail": detail(r), "radius": 4000 + 3000 * math.sqrt(weight)})
                layers.append(pdk.Layer("ScatterplotLayer", rows, id="points", get_position=["lon", "lat"],
                                        get_radius="radius", radius_min_pixels=4, get_fill_color=colour + [150],
                                        get_line_color=colour, stroked=True, line_width_min_pixels=1,
                                        pickable=True))
    else:
        local, _ = local_claims(data.claims, layer("provinces", web=True), districts)
        if len(local):
            def fill(r):
                c = _subject_colour(r["subject"]).lstrip("#")
                return [int(c[i:i + 2], 16) for i in (0, 2, 4)] + [150]

            rows = _polygon_rows(local, name=lambda r: _esc(r["scope"]),
                                 detail=lambda r: _esc(claim_phrase(r)) + "<br/>" + _esc(claim_source(r)),
                                 fill=fill)
            layers.append(pdk.Layer("PolygonLayer", rows, id="claims", get_polygon="polygon", get_fill_color="fill",
                                    get_line_color=[40, 40, 40], line_width_min_pixels=1, pickable=True))
    deck = pdk.Deck(layers=layers, map_provider=None, initial_view_state=pdk.ViewState(**view),
                    tooltip={"html": "<b>{name}</b><br/>{detail}",
                             "style": {"maxWidth": "360px", "fontSize": "12px"}})
    page = deck.to_html(as_string=True, offline=True, notebook_display=False)
    page = _EXTERNAL.sub("", page)
    # no basemap at all: the province polygons are the map (a style would be fetched)
    page = re.sub(r'"mapStyle": "__MAP_STYLE__",\s*', "", page, count=1)
    page = page.replace("<title>pydeck</title>", f"<title>{_esc(data.title)}</title>", 1)
    page = page.replace('<div id="deck-container">', _html_panel(data) + '<div id="deck-container">', 1)
    if re.search(r"<script[^>]*src=['\"]?https?:", page, re.IGNORECASE):  # pragma: no cover - guard
        raise SnapshotError("internal error: the HTML snapshot would load a script from the network")
    return page.encode("utf-8")


def _evidence(reader, data: SnapshotData) -> dict:
    """First evidence sentence and article title per place (for tooltips)."""
    if data.map_name == "control" or data.places.empty:
        return {}
    ev = _read(reader, "events", ["doc_id", "role", "place_key", "evidence", "event_id"])
    ev = ev[ev["role"].eq(ROLE_OF_MAP[data.map_name]) & ev["place_key"].isin(data.places["place_key"])]
    docs = _read(reader, "documents", ["doc_id", "title"])
    ev = ev.merge(docs, on="doc_id", how="left").sort_values(["place_key", "doc_id", "event_id"])
    return {k: (g["evidence"].iloc[0], g["title"].iloc[0]) for k, g in ev.groupby("place_key")}


def _place_detail(r, map_name, evidence) -> str:
    parts = []
    level = {1: "town or city", 2: "near a town", 3: "district", 4: "province"}.get(int(r["precision"]), str(r["level"]))
    parts.append(f"Precision: {_esc(level)}")
    parts.append(f"{int(r['n_events'])} report(s) in {int(r['n_docs'])} article(s), {_esc(_date_phrase(r['first'], r['last']))}")
    if map_name == "violence" and pd.notna(r["fatalities"]):
        parts.append(f"Fatalities reported: {int(r['fatalities'])}{'+' if r['approx'] else ''}")
    parts.append("Outlets: " + _esc(", ".join(r["outlets"])))
    if r["place_key"] in evidence:
        sentence, title = evidence[r["place_key"]]
        sentence = str(sentence)
        sentence = sentence[:240] + "…" if len(sentence) > 240 else sentence
        parts.append(f"<i>{_esc(sentence)}</i>")
        if title is not None and not pd.isna(title):
            parts.append(f"Article: {_esc(title)}")
    return "<br/>".join(parts)


def _html_panel(data: SnapshotData) -> str:
    cards = ""
    if data.map_name == "control":
        items = "".join(f"<li><b>{_esc(h)}</b><br/>" + "<br/>".join(_esc(x) for x in lines) + "</li>"
                        for h, lines in national_cards(data.claims, limit=200))
        more = count_national_cards(data.claims) - 200
        if more > 0:
            items += f"<li>… and {more:,} more (narrow the filters)</li>"
        cards = f"<h3>National claims, newest first</h3><ul>{items or '<li>None match the filters.</li>'}</ul>"
    legend = {
        "violence": "Circles: towns or cities, sized by deaths reported. Filled polygons: events known only "
                    "to their district or province. Hover for the evidence.",
        "venues": "Circles: venues, sized by the number of articles reporting talks there. Hover for details.",
        "control": "Coloured districts/provinces: the latest sub-national claim (blue government, red Taliban, "
                   "orange contested).",
    }[data.map_name]
    notes = "".join(f"<p>{_esc(n)}</p>" for n in data.notes)
    empty = f"<p class='empty'>{_esc(data.empty_note)}</p>" if data.empty_note else ""
    return (
        "<style>#naqsha-panel{position:absolute;z-index:10;" + ("bottom" if data.map_name == "venues" else "top")
        + ":8px;left:8px;max-width:380px;max-height:90vh;"
        "overflow:auto;background:rgba(255,255,255,.94);padding:8px 12px;font:13px sans-serif;"
        "border:1px solid #bbb;border-radius:4px}#naqsha-panel h1{font-size:17px;margin:2px 0}"
        "#naqsha-panel h3{font-size:14px;margin:8px 0 2px}#naqsha-panel ul{padding-left:16px;margin:0}"
        "#naqsha-panel .empty{font-weight:bold;color:#8a1020}#naqsha-panel small{color:#555}</style>"
        f"<div id='naqsha-panel'><h1>{_esc(data.title)}</h1><div>{_esc(data.subtitle)}</div>"
        f"{empty}<p>{_esc(legend)}</p>{cards}{notes}<small>{_esc(attribution(data))}</small></div>"
    )


# --------------------------------------------------------------------------- entry points
def render_snapshot(reader, map_name: str, filters: Filters | None = None, fmt: str = "png", page: str = "A4",
                    orientation: str = "landscape", dpi: int = 200) -> bytes:
    """Render one map of the store as a file's bytes.

    ``reader`` is a :class:`naqsha.store.StoreReader`; ``map_name`` one of :data:`MAPS`
    (violence, venues, control); ``filters`` the dashboard's current
    :class:`naqsha.filters.Filters` (default: none); ``fmt`` one of png, svg, pdf, html;
    ``page`` A4 or letter; ``orientation`` landscape or portrait; ``dpi`` (PNG, 50-600).

    A filter that matches nothing gives the base map with a note saying so (not an
    error). Raises SnapshotError for an unknown map/format/page/orientation, StoreMissing
    when there is no store, and the layers module's error when the boundaries have not
    been built (``naqsha boundaries``).
    """
    filters = filters or Filters()
    fmt = _check(map_name, fmt, dpi)
    figsize = carto.page_size(page, orientation)
    data = prepare(reader, map_name, filters)
    if fmt == "html":
        return _html(data, reader)
    # matplotlib's rcParams are process-global: one static render at a time, so that a
    # dashboard serving several users still gives identical bytes for identical requests
    with _RENDER_LOCK:
        return _static(data, fmt, figsize, dpi)


def write_snapshot(path: str | Path, reader, map_name: str, filters: Filters | None = None, **options) -> Path:
    """Render and write a snapshot; the format comes from the extension of ``path``.
    The file is written whole or not at all."""
    path = Path(path)
    fmt = format_for_path(path)
    return write_bytes_atomic(path, render_snapshot(reader, map_name, filters, fmt, **options))


def download_name(map_name: str, filters: Filters, fmt: str) -> str:
    """A file name for the dashboard's download button: naqsha-violence-AF-KAN-2018-01-01.png"""
    parts = ["naqsha", map_name, *filters.provinces[:3]]
    if filters.date_from:
        parts.append(filters.date_from.isoformat())
    if filters.date_to:
        parts.append("to-" + filters.date_to.isoformat())
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts)).strip("-")
    return f"{safe}.{fmt}"


MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}
