"""Plain functions that turn filtered store rows into pydeck layers and decks.

Nothing here imports Streamlit, so every function is tested on its own. The maps are
offline: ``map_provider=None`` and no ``map_style``; the province and district polygons
(or, for the regional view, the country polygons) are the base map.

Drawing is honest about precision (UCDP ``where_prec``):

- a place known to a point (a city or town, precision 1-2) is a circle at that point,
  sized by the deaths stated in the text (hollow when no figure is given);
- a place known only to its district (3) is that district's polygon, outlined and
  tinted: the report says "somewhere in this district", not at its centre;
- a place known only to its province (4) is the province polygon, outlined with a wide
  translucent band and a faint tint;
- a report known only at country or region level (5-6) is not drawn; the caller counts
  it in a note.

Reports are aggregated per place (one circle or polygon per place, with the number of
reports); clicking it lists every report behind it.

Safety: article text never reaches a tooltip as HTML. Tooltips use deck.gl's ``text``
mode (the browser sets ``innerText``, whatever Streamlit version interpolates the
fields), so an article containing ``<img src=x onerror=...>`` shows those characters
and runs nothing. (Escaping the values with ``html.escape`` as well would make the
tooltip show ``&lt;img`` instead of the text.)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pydeck as pdk

# --- colours (RGBA) -------------------------------------------------------------------
ROLE_COLORS = {
    "violence": (217, 72, 1),       # deep orange
    "negotiation": (27, 120, 180),  # blue
    "control": (117, 80, 170),      # purple
}
SUBJECT_COLORS = {
    "government": (33, 102, 172),
    "taliban": (178, 24, 43),
    "contested": (230, 150, 30),
}
OTHER_SUBJECT = (120, 120, 120)
BASE_FILL = (246, 244, 238, 255)
BASE_DISTRICT_LINE = (170, 170, 170, 160)
BASE_PROVINCE_LINE = (90, 90, 90, 255)
FOREIGN_FILL = (232, 232, 228, 255)

PRECISION_LABELS = {
    1: "exact place",
    2: "within about 25 km",
    3: "district only",
    4: "province only",
    5: "part of the country / region",
    6: "country only",
    7: "international waters or airspace",
}

AFG_VIEW = pdk.ViewState(latitude=33.9, longitude=66.9, zoom=4.85, min_zoom=3, max_zoom=12)
REGION_VIEW = pdk.ViewState(latitude=40.0, longitude=77.0, zoom=2.2, min_zoom=1, max_zoom=9)
# Bounding box of the regional view (lon_min, lat_min, lon_max, lat_max): from the Gulf
# to Beijing and Moscow.
REGION_BBOX = (20.0, 5.0, 130.0, 65.0)

TOOLTIP = {
    # ``text`` mode: deck.gl sets innerText, so nothing in the data is parsed as HTML.
    "text": "{title}\n{detail}",
    "style": {
        "backgroundColor": "#1f2430",
        "color": "#f4f4f4",
        "fontSize": "12px",
        "maxWidth": "360px",
        "whiteSpace": "pre-line",
        "padding": "8px 10px",
        "borderRadius": "4px",
    },
}

LAYER_IDS = {
    "provinces": "provinces",
    "districts": "districts",
    "points": "points",
    "countries": "countries",
    "labels": "labels",
}


def precision_label(value) -> str:
    try:
        return PRECISION_LABELS.get(int(value), f"precision {int(value)}")
    except (TypeError, ValueError):
        return "precision unknown"


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


# --- geometry -> GeoJSON dicts ---------------------------------------------------------

def _simplified(gdf, tolerance: float):
    import shapely

    geoms = np.asarray(gdf.geometry.values)
    if not tolerance:
        return geoms
    try:  # keeps shared edges shared (no slivers between districts)
        return shapely.coverage_simplify(geoms, tolerance)
    except Exception:  # not a valid coverage: simplify each polygon on its own
        return shapely.simplify(geoms, tolerance, preserve_topology=True)


def edge_paths(gdf, tolerance: float, nd: int = 3) -> list[list[list[float]]]:
    """The boundaries of a polygon coverage as merged paths, each shared edge once: half
    the vertices of outlining every polygon, and far cheaper for the browser to draw
    than polygon strokes (about 3 s less on a first draw under software WebGL)."""
    import shapely

    geoms = [g for g in _simplified(gdf, tolerance) if g is not None and not g.is_empty]
    if not geoms:
        return []
    merged = shapely.line_merge(shapely.unary_union(shapely.boundary(np.asarray(geoms))))
    lines = getattr(merged, "geoms", [merged])
    return [np.round(shapely.get_coordinates(line), nd).tolist() for line in lines if not line.is_empty]


def geometry_dicts(gdf, tolerance: float = 0.0, nd: int = 4) -> list[dict]:
    """GeoJSON geometry dicts for a GeoDataFrame, optionally simplified (degrees) and
    with coordinates rounded to ``nd`` decimals (4 is about 10 m): the browser gets a
    few hundred kilobytes instead of megabytes."""
    import shapely

    geoms = shapely.transform(_simplified(gdf, tolerance), lambda xy: np.round(xy, nd))
    return [None if g is None or g.is_empty else json.loads(shapely.to_geojson(g)) for g in geoms]


@dataclass
class Basemap:
    """Boundary geometry prepared once for the browser (see :func:`prepare_basemap`)."""

    provinces: pd.DataFrame            # adm1, name, lon, lat, geometry (GeoJSON dict)
    districts: pd.DataFrame            # district_id, adm2, adm1, province, lon, lat, geometry
    countries: pd.DataFrame = field(default_factory=pd.DataFrame)  # iso_a3, name, geometry
    province_edges: list = field(default_factory=list)  # shared edges drawn once, as paths
    district_edges: list = field(default_factory=list)

    def province_names(self) -> dict[str, str]:
        return dict(zip(self.provinces["adm1"], self.provinces["name"]))


#: Simplification for the browser, in degrees, and decimals kept. At the country view one
#: pixel is about 0.02 degrees, so these are barely visible there (zoomed in, district
#: edges get angular: the snapshots use the full geometry). Every coordinate costs the
#: browser time on first draw (about 3 s for 20,000 district coordinates under software
#: WebGL here), see benchmarks/bench_dashboard.py.
DISTRICT_TOLERANCE, PROVINCE_TOLERANCE, DECIMALS = 0.02, 0.01, 3


def prepare_basemap(provinces, districts, countries=None, district_tolerance: float | None = None,
                    province_tolerance: float | None = None, decimals: int | None = None) -> Basemap:
    """Simplify and convert the boundary layers to GeoJSON dicts, once per process."""
    dt = DISTRICT_TOLERANCE if district_tolerance is None else district_tolerance
    pt = PROVINCE_TOLERANCE if province_tolerance is None else province_tolerance
    nd = DECIMALS if decimals is None else decimals
    prov = pd.DataFrame({
        "adm1": provinces["adm1"].astype(str).values,
        "name": provinces["name"].astype(str).values,
        "lon": provinces["lon"].astype(float).values,
        "lat": provinces["lat"].astype(float).values,
        "geometry": geometry_dicts(provinces, tolerance=pt, nd=nd),
    })
    dist = pd.DataFrame({
        "district_id": districts["district_id"].astype(str).values,
        "adm2": districts["adm2"].astype(str).values,
        "adm1": districts["adm1"].astype(str).values,
        "province": districts["province"].astype(str).values,
        "lon": districts["lon"].astype(float).values,
        "lat": districts["lat"].astype(float).values,
        "geometry": geometry_dicts(districts, tolerance=dt, nd=nd),
    })
    ctry = pd.DataFrame(columns=["iso_a3", "name", "geometry"])
    if countries is not None and len(countries):
        import shapely

        xmin, ymin, xmax, ymax = REGION_BBOX
        box = shapely.box(xmin, ymin, xmax, ymax)
        c = countries[countries.geometry.notna() & countries.geometry.intersects(box)]
        clipped = c.copy()
        clipped["geometry"] = c.geometry.intersection(box)
        code = "iso_a3" if "iso_a3" in c.columns else c.columns[0]
        ctry = pd.DataFrame({
            "iso_a3": c[code].astype(str).values,
            "name": c["name"].astype(str).values if "name" in c.columns else c[code].astype(str).values,
            "geometry": geometry_dicts(clipped, tolerance=0.05, nd=3),
        })
    prov = prov[prov["geometry"].notna()].reset_index(drop=True)
    dist = dist[dist["geometry"].notna()].reset_index(drop=True)
    ctry = ctry[ctry["geometry"].notna()].reset_index(drop=True)
    return Basemap(prov, dist, ctry, province_edges=edge_paths(provinces, pt, nd),
                   district_edges=edge_paths(districts, dt, nd))


# --- aggregation -------------------------------------------------------------------------

def _when(events: pd.DataFrame) -> pd.Series:
    """The event's own date where the text gives one, else the publication day."""
    ev = pd.to_datetime(events["event_date"], errors="coerce")
    pub = pd.to_datetime(events["published"], errors="coerce")
    return ev.fillna(pub)


def _date_span(lo, hi=None) -> str:
    hi = lo if hi is None else hi
    if pd.isna(lo) or pd.isna(hi):
        lo = hi if pd.isna(lo) else lo
        hi = lo if pd.isna(hi) else hi
    if pd.isna(lo):
        return "dates not stated"
    if lo == hi:
        return f"{lo:%d %b %Y}"
    return f"{lo:%d %b %Y} to {hi:%d %b %Y}"


def split_by_precision(events: pd.DataFrame, basemap: Basemap) -> dict[str, pd.DataFrame]:
    """Split events into what is drawn as a point, a district, a province, and what is
    not drawn (country/region level, or a district/province key the boundaries lack)."""
    level = events["level"].astype(str)
    has_point = events["lat"].notna() & events["lon"].notna()
    is_point = level.eq("city") & has_point
    is_district = level.eq("district") & events["place_key"].isin(set(basemap.districts["district_id"]))
    is_province = level.eq("province") & events["place_key"].isin(set(basemap.provinces["adm1"]))
    drawn = is_point | is_district | is_province
    return {
        "points": events[is_point],
        "districts": events[is_district],
        "provinces": events[is_province],
        "undrawn": events[~drawn],
    }


def aggregate_places(events: pd.DataFrame, with_dates: bool = False) -> pd.DataFrame:
    """One row per place: number of reports and articles, deaths stated (sum where given;
    NaN when no report states a figure), first and last date, and (``with_dates``) the
    sorted list of distinct dates."""
    cols = ["place_key", "name", "level", "precision", "lon", "lat", "adm0", "n", "n_docs",
            "fatalities", "approx", "first", "last", "dates"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    when = events["when"] if "when" in events.columns else _when(events)
    fat = pd.to_numeric(events["fatalities"], errors="coerce").astype(float)
    approx = events["fatalities_approx"].astype("boolean").fillna(False).astype(bool) & fat.notna()
    ev = pd.DataFrame({"place_key": events["place_key"].values, "doc_id": events["doc_id"].values,
                       "when": pd.to_datetime(when).values, "fat": fat.values, "approx": approx.values})
    g = ev.groupby("place_key", sort=False)
    first_rows = events.drop_duplicates("place_key").set_index("place_key")
    out = pd.DataFrame({
        "n": g.size(), "n_docs": g["doc_id"].nunique(), "fatalities": g["fat"].sum(min_count=1),
        "approx": g["approx"].any(), "first": g["when"].min(), "last": g["when"].max(),
    })
    for c in ("name", "level", "precision", "lon", "lat", "adm0"):
        out[c] = first_rows[c].reindex(out.index)
    out = out.reset_index()
    if with_dates:
        days = ev.dropna(subset=["when"]).assign(day=lambda d: d["when"].dt.strftime("%Y-%m-%d"))
        dates = days.drop_duplicates(["place_key", "day"]).sort_values("day").groupby("place_key")["day"].agg(list)
        out["dates"] = [dates.get(k, []) for k in out["place_key"]]
    else:
        out["dates"] = [[] for _ in range(len(out))]
    return out[cols]


def _area_detail(agg, what: str, unit: str, role: str) -> str:
    """Tooltip text for reports known only to a whole district or province."""
    detail = (f"{plural(int(agg['n']), what)} known only to the {unit} (not a point)\n"
              f"{_date_span(agg['first'], agg['last'])}")
    if role == "violence":
        detail += "\n" + _fatality_text(agg["fatalities"], agg["approx"])
    return detail

def _fatality_text(fat, approx) -> str:
    if fat is None or (isinstance(fat, float) and math.isnan(fat)):
        return "deaths not stated"
    n = int(fat)
    return f"{'about ' if approx else ''}{n:,} {'death' if n == 1 else 'deaths'} stated"


MIN_RADIUS, MAX_RADIUS = 5.0, 30.0


def point_radius(value, largest=None) -> float:
    """Circle radius in pixels: area proportional to ``value`` (deaths stated, or reports)
    relative to the ``largest`` on the map, so small and large stores both read well.
    Without a figure: the smallest circle."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or not value or value <= 0:
        return MIN_RADIUS
    top = float(largest) if largest and not (isinstance(largest, float) and math.isnan(largest)) else float(value)
    top = max(top, 1.0)
    return float(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(min(float(value), top) / top))


def _rgba(rgb, alpha) -> list[int]:
    return [int(rgb[0]), int(rgb[1]), int(rgb[2]), int(alpha)]


# --- layers --------------------------------------------------------------------------------

def _feature(geometry: dict, props: dict) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _tint(n: int, n_max: int, lo: int = 70, hi: int = 190) -> int:
    if n_max <= 0:
        return lo
    return int(lo + (hi - lo) * math.log1p(n) / math.log1p(n_max))


def province_layer(basemap: Basemap, agg: pd.DataFrame | None = None, role: str = "violence",
                   what: str = "report", layer_id: str = "provinces") -> pdk.Layer:
    """All provinces as the base map; those with province-only reports outlined with a
    wide translucent band and a faint tint."""
    rgb = ROLE_COLORS.get(role, (90, 90, 90))
    by_key = {} if agg is None or agg.empty else agg.set_index("place_key").to_dict("index")
    features = []
    for row in basemap.provinces.itertuples(index=False):
        a = by_key.get(row.adm1)
        if a:
            n = int(a["n"])
            detail = _area_detail(a, what, "province", role)
            props = dict(title=f"{row.name} province", detail=detail, key=f"province:{row.adm1}",
                         n=n, fill=_rgba(rgb, 45), line=_rgba(rgb, 150), lw=5)
        else:
            props = dict(title=f"{row.name} province", detail="", key=f"province:{row.adm1}",
                         n=0, fill=list(BASE_FILL), line=list(BASE_PROVINCE_LINE), lw=0)
        features.append(_feature(row.geometry, props))
    return fill_layer(features, layer_id)


def fill_layer(features: list[dict], layer_id: str) -> pdk.Layer:
    """Polygons filled, not stroked (outlines are :func:`outline_layer`), pickable for
    tooltips and selection."""
    return pdk.Layer(
        "GeoJsonLayer", id=layer_id, data={"type": "FeatureCollection", "features": features},
        pickable=True, stroked=False, filled=True, get_fill_color="properties.fill",
        auto_highlight=True, highlight_color=[255, 255, 255, 70],
    )


def _rings(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"][:1]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


#: Beyond this many districts with reports, their outlines are not drawn (the tint shows
#: them, and the base edges separate them): drawing hundreds of polygon outlines is what
#: makes a first draw slow.
MAX_OUTLINED_DISTRICTS = 120


def _segments(path: list, color: list, width: float) -> list[dict]:
    return [{"s": a, "t": b, "c": color, "w": width} for a, b in zip(path[:-1], path[1:])]


def outline_layer(basemap: Basemap, layers: list[pdk.Layer], layer_id: str = "outlines") -> pdk.Layer:
    """One LineLayer for every line on the map: district edges (thin), province edges,
    then the outlines of the features given a line width in ``layers`` (places with
    reports), each shared edge drawn once for the base.

    Straight segments, not a PathLayer: under software WebGL (no GPU, as on the machines
    this runs on) the PathLayer's shaders alone cost about 2 s before the first frame,
    whatever the number of paths (one path or 1,300: the same); a LineLayer's are cheap.
    At these widths (0.5 to 5 pixels) the missing joints do not show."""
    segs = []
    for e in basemap.district_edges:
        segs += _segments(e, list(BASE_DISTRICT_LINE), 0.5)
    for e in basemap.province_edges:
        segs += _segments(e, list(BASE_PROVINCE_LINE), 1.1)
    for layer in layers:
        data = layer.data if isinstance(layer.data, dict) else {"features": []}
        marked = [f for f in data.get("features", []) if f["properties"].get("lw")]
        if layer.id == "districts" and len(marked) > MAX_OUTLINED_DISTRICTS:
            continue
        for f in marked:
            for ring in _rings(f["geometry"]):
                segs += _segments(ring, f["properties"]["line"], f["properties"]["lw"])
    return pdk.Layer("LineLayer", id=layer_id, data=segs, get_source_position="s", get_target_position="t",
                     get_color="c", get_width="w", width_units='"pixels"', pickable=False)


def n_base_segments(basemap: Basemap) -> int:
    """How many segments of :func:`outline_layer` are the base edges (they come first)."""
    return sum(max(len(e) - 1, 0) for e in (*basemap.district_edges, *basemap.province_edges))


def district_layer(basemap: Basemap, agg: pd.DataFrame | None = None, role: str = "violence",
                   what: str = "report", layer_id: str = "districts",
                   provinces: tuple[str, ...] = ()) -> pdk.Layer:
    """All districts as thin lines; those with district-only reports outlined in the role
    colour and tinted by the number of reports (log scale)."""
    rgb = ROLE_COLORS.get(role, (90, 90, 90))
    by_key = {} if agg is None or agg.empty else agg.set_index("place_key").to_dict("index")
    n_max = int(agg["n"].max()) if agg is not None and len(agg) else 0
    features = []
    dist = basemap.districts
    if provinces:
        dist = dist[dist["adm1"].isin(provinces)]
    for row in dist.itertuples(index=False):
        a = by_key.get(row.district_id)
        title = f"{row.adm2} district, {row.province}"
        if a:
            n = int(a["n"])
            detail = _area_detail(a, what, "district", role)
            props = dict(title=title, detail=detail, key=f"district:{row.district_id}", n=n,
                         fill=_rgba(rgb, _tint(n, n_max, 50, 170)), line=_rgba(rgb, 255), lw=2)
        else:
            props = dict(title=title, detail="", key=f"district:{row.district_id}", n=0,
                         fill=[0, 0, 0, 0], line=list(BASE_DISTRICT_LINE), lw=0)
        features.append(_feature(row.geometry, props))
    return fill_layer(features, layer_id)


def point_records(agg: pd.DataFrame, role: str, what: str = "report") -> list[dict]:
    """Records for the point layer: one per place, sized by deaths stated (violence) or by
    the number of reports (other roles)."""
    rgb = ROLE_COLORS.get(role, (90, 90, 90))
    records = []
    # the scale tops out at the largest figure on the map, but never below a floor, so that
    # a map whose largest place has 2 reports does not draw it as big as one with 2,000
    top_fat = max(pd.to_numeric(agg["fatalities"], errors="coerce").max(), 50) if len(agg) else None
    top_n = max(agg["n"].max(), 20) if len(agg) else None
    for a in agg.itertuples(index=False):
        n = int(a.n)
        detail = f"{plural(n, what)} ({plural(int(a.n_docs), 'article')})\n{_date_span(a.first, a.last)}"
        if role == "violence":
            detail += "\n" + _fatality_text(a.fatalities, a.approx)
            radius = point_radius(a.fatalities, top_fat)
            stated = not (a.fatalities is None or (isinstance(a.fatalities, float) and math.isnan(a.fatalities)))
            fill = _rgba(rgb, 190) if stated else _rgba(rgb, 25)
        else:
            radius = point_radius(n, top_n)
            fill = _rgba(rgb, 200)
        records.append(dict(
            title=f"{a.name}", detail=detail + f"\n{precision_label(a.precision)}",
            key=f"place:{a.place_key}", lon=float(a.lon), lat=float(a.lat), radius=radius,
            fill=fill, line=_rgba(rgb, 255), n=n,
        ))
    return records


def point_layer(records: list[dict], layer_id: str = "points") -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer", id=layer_id, data=records, pickable=True, stroked=True, filled=True,
        get_position=["lon", "lat"], get_radius="radius", radius_units='"pixels"',
        get_fill_color="fill", get_line_color="line", line_width_min_pixels=1.5,
        auto_highlight=True, highlight_color=[255, 255, 255, 90],
    )


def label_layer(records: list[dict], layer_id: str = "labels") -> pdk.Layer:
    """Place names beside the circles (plain text drawn on the canvas)."""
    return pdk.Layer(
        "TextLayer", id=layer_id, data=records, pickable=False, get_position=["lon", "lat"],
        get_text="label", get_size=12, size_units='"pixels"', get_color=[30, 30, 30, 255],
        get_text_anchor='"start"', get_alignment_baseline='"center"', get_pixel_offset="offset",
        font_family='"sans-serif"', font_weight='"bold"', outline_width=3,
        outline_color=[255, 255, 255, 230], font_settings={"sdf": True},
    )


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation: pydeck indents every coordinate on its own
    line, which makes the district polygons ten times larger on the wire."""

    def to_json(self):
        from pydeck.bindings.json_tools import default_serialize

        return json.dumps(self, default=default_serialize, separators=(",", ":"))


def make_deck(layers: list[pdk.Layer], view: pdk.ViewState = AFG_VIEW) -> pdk.Deck:
    return CompactDeck(layers=layers, initial_view_state=view, map_provider=None, tooltip=TOOLTIP)


# --- the three maps -------------------------------------------------------------------------

@dataclass
class MapResult:
    deck: pdk.Deck | None
    n_drawn: int
    undrawn: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


MAP_COLUMNS = ["event_id", "doc_id", "role", "place_key", "level", "adm0", "adm1", "name",
               "precision", "lon", "lat", "fatalities", "fatalities_approx", "event_date", "published", "when"]


def map_columns(events: pd.DataFrame) -> pd.DataFrame:
    """Only the columns a map needs (row selection over 100,000 events is much faster
    without the sentences)."""
    return events[[c for c in MAP_COLUMNS if c in events.columns]]


def precision_map(events: pd.DataFrame, basemap: Basemap, role: str, what: str = "report",
                  provinces: tuple[str, ...] = ()) -> MapResult:
    """A map of one role's events drawn by precision (the violence map, and the Afghan view
    of the venues map). Events outside Afghanistan's boundaries are left to the caller."""
    parts = split_by_precision(map_columns(events), basemap)
    prov_agg = aggregate_places(parts["provinces"])
    dist_agg = aggregate_places(parts["districts"])
    pt_agg = aggregate_places(parts["points"])
    fills = [province_layer(basemap, prov_agg, role, what), district_layer(basemap, dist_agg, role, what)]
    layers = [*fills, outline_layer(basemap, fills), point_layer(point_records(pt_agg, role, what))]
    n_drawn = len(parts["points"]) + len(parts["districts"]) + len(parts["provinces"])
    notes = []
    if len(dist_agg) > MAX_OUTLINED_DISTRICTS:
        notes.append(f"{len(dist_agg):,} districts have district-only reports: shown by their tint "
                     f"(outlines are drawn for up to {MAX_OUTLINED_DISTRICTS}).")
    undrawn = parts["undrawn"]
    if len(undrawn):
        levels = undrawn["level"].value_counts()
        bits = ", ".join(f"{plural(int(n), 'report')} at {lvl} level" for lvl, n in levels.items())
        notes.append(f"Not drawn (no place finer than a {'/'.join(levels.index)}): {bits}. They are in the table.")
    return MapResult(make_deck(layers), n_drawn, undrawn, notes,
                     extra={"points": len(pt_agg), "districts": len(dist_agg), "provinces": len(prov_agg),
                            "choices": place_choices(pt_agg, dist_agg, prov_agg, basemap)})


def place_choices(pt_agg, dist_agg, prov_agg, basemap: Basemap) -> list[tuple[str, str, int]]:
    """(selection key, label, number of reports) for every drawn place, most reports
    first: the keyboard alternative to clicking the map."""
    names = basemap.province_names()
    dnames = dict(zip(basemap.districts["district_id"], basemap.districts["adm2"] + " district, " + basemap.districts["province"]))
    out = []
    for a in pt_agg.itertuples(index=False):
        out.append((f"place:{a.place_key}", f"{a.name} ({precision_label(a.precision)})", int(a.n)))
    for a in dist_agg.itertuples(index=False):
        out.append((f"district:{a.place_key}", f"{dnames.get(a.place_key, a.place_key)} (district only)", int(a.n)))
    for a in prov_agg.itertuples(index=False):
        out.append((f"province:{a.place_key}", f"{names.get(a.place_key, a.place_key)} province (province only)", int(a.n)))
    out.sort(key=lambda t: (-t[2], t[1]))
    return out


def violence_map(events: pd.DataFrame, basemap: Basemap) -> MapResult:
    ev = map_columns(events)
    ev = ev[ev["role"] == "violence"]
    return precision_map(ev, basemap, "violence")


def venue_table(events: pd.DataFrame) -> pd.DataFrame:
    """One row per negotiation venue: name, country, talks reported, their dates."""
    ev = map_columns(events)
    ev = ev[ev["role"] == "negotiation"]
    agg = aggregate_places(ev, with_dates=True)
    if agg.empty:
        return agg.assign(abroad=pd.Series(dtype=bool))
    agg["abroad"] = agg["adm0"].fillna("") != "AFG"
    return agg.sort_values(["n", "name"], ascending=[False, True]).reset_index(drop=True)


def _date_list(dates: list[str], limit: int = 6) -> str:
    if not dates:
        return "dates not stated"
    shown = ", ".join(dates[:limit])
    return shown + (f" and {len(dates) - limit} more" if len(dates) > limit else "")


def venues_maps(events: pd.DataFrame, basemap: Basemap) -> tuple[MapResult, MapResult]:
    """(Afghan venues on the country map, venues abroad on the regional view)."""
    ev = map_columns(events)
    ev = ev[ev["role"] == "negotiation"]
    home = ev[ev["adm0"].fillna("AFG") == "AFG"]
    abroad = ev[ev["adm0"].fillna("AFG") != "AFG"]
    afg = precision_map(home, basemap, "negotiation", what="report of talks")

    rgb = ROLE_COLORS["negotiation"]
    pts = abroad[abroad["lat"].notna() & abroad["lon"].notna() & abroad["level"].isin(["city"])]
    agg = aggregate_places(pts, with_dates=True)
    top_venue = max(agg["n"].max(), 20) if len(agg) else None
    records = []
    for a in agg.itertuples(index=False):
        n = int(a.n)
        records.append(dict(
            title=f"{a.name}", label=f"{a.name} ({n})",
            detail=f"{plural(n, 'report')} of talks in {plural(int(a.n_docs), 'article')}\n"
                   f"dated: {_date_list(a.dates)}\n{precision_label(a.precision)}",
            key=f"place:{a.place_key}", lon=float(a.lon), lat=float(a.lat),
            radius=point_radius(n, top_venue), fill=_rgba(rgb, 200),
            line=_rgba(rgb, 255), n=n,
        ))
        records[-1]["offset"] = [int(records[-1]["radius"]) + 4, 0]
    countries_hit = abroad[abroad["level"].eq("country")]
    c_counts = countries_hit.groupby("adm0").size().to_dict() if len(countries_hit) else {}
    features = []
    for row in basemap.countries.itertuples(index=False):
        n = int(c_counts.get(row.iso_a3, 0))
        is_afg = row.iso_a3 == "AFG"
        fill = [255, 236, 200, 255] if is_afg else list(FOREIGN_FILL)
        line, lw = [120, 120, 120, 255], 0.8
        detail = ""
        if n:
            fill, line, lw = _rgba(rgb, 30), _rgba(rgb, 160), 1.5
            detail = f"{plural(n, 'report')} of talks known only to the country"
        features.append(_feature(row.geometry, dict(title=row.name, detail=detail,
                                                    key=f"country:{row.iso_a3}", n=n,
                                                    fill=fill, line=line, lw=lw)))
    layers = [
        pdk.Layer("GeoJsonLayer", id="countries", data={"type": "FeatureCollection", "features": features},
                  pickable=True, stroked=True, filled=True, get_fill_color="properties.fill",
                  get_line_color="properties.line", get_line_width="properties.lw",
                  line_width_units='"pixels"'),
        point_layer(records, layer_id="venues"),
        label_layer(records, layer_id="venue-labels"),
    ]
    undrawn = abroad[~abroad.index.isin(pts.index) & ~abroad.index.isin(countries_hit.index)]
    notes = []
    if len(undrawn):
        notes.append(f"Not drawn abroad: {plural(len(undrawn), 'report')} named only a region.")
    choices = [(f"place:{a.place_key}", f"{a.name} ({a.adm0})", int(a.n)) for a in agg.itertuples(index=False)]
    names = dict(zip(basemap.countries["iso_a3"], basemap.countries["name"])) if len(basemap.countries) else {}
    choices += [(f"country:{iso}", f"{names.get(iso, iso)} (country only)", int(n)) for iso, n in c_counts.items()]
    choices.sort(key=lambda t: (-t[2], t[1]))
    region = MapResult(make_deck(layers, REGION_VIEW), len(pts) + len(countries_hit), undrawn, notes,
                       extra={"venues": len(agg), "choices": choices})
    return afg, region


# --- control claims ---------------------------------------------------------------------------

def subject_color(subject: str) -> tuple[int, int, int]:
    return SUBJECT_COLORS.get(str(subject).lower(), OTHER_SUBJECT)


def claim_source(row) -> str:
    """'NYT, via an article by Al Jazeera' or the outlet itself when it cites no one."""
    outlet = row.get("outlet") or "an unnamed outlet"
    cited = row.get("attributed_to")
    if cited and not (isinstance(cited, float) and math.isnan(cited)):
        return f"{cited}, via {outlet}"
    return outlet


def _fmt_value(value, unit, metric, of_total) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    v = float(value)
    num = f"{v:.0f}" if v.is_integer() else f"{v:.1f}"
    total = None if of_total is None or pd.isna(of_total) else int(of_total)
    if metric == "district_share":
        return f"{num}% of {total} districts" if total else f"{num}% of districts"
    if metric == "population_share":
        return f"{num}% of the population"
    if metric == "territory_share":
        return f"{num}% of the territory"
    if metric == "district_count":
        return f"{num} of {total} districts" if total else f"{num} districts"
    return f"{num}{'%' if unit == 'percent' else ''}"


def national_claim_articles(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per (article, cited source, outlet) with national claims, newest first:
    the index of the figure cards (cheap: no per-card work)."""
    national = claims[claims["scope"].astype(str).str.len() == 3]
    keys = national[["doc_id", "attributed_to", "outlet"]].fillna("")
    keys = keys.assign(pubdate=pd.to_datetime(national["published"], errors="coerce"))
    groups = keys.groupby(["doc_id", "attributed_to", "outlet"], sort=False)["pubdate"].min()
    return groups.sort_values(ascending=False, na_position="last").reset_index()


def claim_cards(claims: pd.DataFrame, limit: int | None = None) -> list[dict]:
    """Figure cards for national claims, newest article first: one per (article, cited
    source), e.g. {'source': 'The New York Times', 'via': 'via Al Jazeera, article of
    Nov 2018', 'lines': ['government controls 55% of 407 districts, 65% of the
    population']}. Plain text: the caller escapes it for display. ``limit`` builds only
    the first cards (a store may hold thousands)."""
    index = national_claim_articles(claims)
    if limit is not None:
        index = index.head(limit)
    if index.empty:
        return []
    national = claims[claims["scope"].astype(str).str.len() == 3]
    national = national[national["doc_id"].isin(set(index["doc_id"]))]
    national = national.assign(_cited=national["attributed_to"].fillna(""), _outlet=national["outlet"].fillna(""))
    grouped = dict(list(national.groupby(["doc_id", "_cited", "_outlet"], sort=False)))
    cards = []
    for doc_id, cited, outlet, pub in index.itertuples(index=False):
        grp = grouped.get((doc_id, cited, outlet))
        if grp is None:
            continue
        when = f"{pub:%b %Y}" if pd.notna(pub) else "an undated article"
        by_subject: dict[str, list[str]] = {}
        quotes = []
        for r in grp.sort_values(["derived", "metric"]).itertuples(index=False):
            text = _fmt_value(r.value, r.unit, r.metric, r.of_total)
            if text:
                by_subject.setdefault(str(r.subject), []).append(text + (" (derived)" if r.derived else ""))
            else:
                quotes.append(str(r.text))
        lines = [(f"{subj} controls " if subj in ("government", "taliban") else f"{subj}: ") + ", ".join(vals)
                 for subj, vals in by_subject.items()]
        as_of = sorted({str(a) for a in grp["as_of"].dropna()})
        cards.append(dict(
            source=cited or outlet or "an unnamed outlet",
            via=(f"via {outlet or 'an unnamed outlet'}, article of {when}" if cited
                 else f"article of {when}"),
            lines=lines, quotes=quotes, as_of=", ".join(as_of), doc_id=doc_id,
            published=pub, n=len(grp),
        ))
    return cards


def control_map(claims: pd.DataFrame, basemap: Basemap) -> MapResult:
    """Choropleth of district- and province-level claims, coloured by who is said to
    control the place (latest claim wins when a place has several; the tooltip counts)."""
    scoped = claims[claims["scope"].astype(str).str.len() > 3]
    scoped = scoped.assign(pubdate=pd.to_datetime(scoped["published"], errors="coerce")).sort_values("pubdate")
    latest = {}
    counts = scoped.groupby("scope").size().to_dict() if len(scoped) else {}
    for r in scoped.itertuples(index=False):
        latest[r.scope] = r

    def props_for(key, title, base_line, base_lw, base_fill):
        r = latest.get(key)
        if r is None:
            return dict(title=title, detail="", key=key, n=0, fill=base_fill, line=base_line, lw=base_lw)
        rgb = subject_color(r.subject)
        n = int(counts.get(key, 1))
        value = _fmt_value(r.value, r.unit, r.metric, r.of_total)
        src = claim_source(r._asdict())
        pub = f"{r.pubdate:%d %b %Y}" if pd.notna(r.pubdate) else "undated"
        detail = (f"{r.subject}{' ' + value if value else ''} — {src}, {pub}"
                  + (f"\n{plural(n, 'claim')} about this place; the latest is shown" if n > 1 else ""))
        return dict(title=title, detail=detail, key=f"claim:{key}", n=n,
                    fill=_rgba(rgb, 150), line=_rgba(rgb, 255), lw=2)

    pfeat = [_feature(row.geometry, props_for(row.adm1, f"{row.name} province",
                                              list(BASE_PROVINCE_LINE), 0, list(BASE_FILL)))
             for row in basemap.provinces.itertuples(index=False)]
    dfeat = [_feature(row.geometry, props_for(row.district_id, f"{row.adm2} district, {row.province}",
                                              list(BASE_DISTRICT_LINE), 0, [0, 0, 0, 0]))
             for row in basemap.districts.itertuples(index=False)]
    fills = [fill_layer(pfeat, "provinces"), fill_layer(dfeat, "districts")]
    layers = [*fills, outline_layer(basemap, fills)]
    known = set(basemap.provinces["adm1"]) | set(basemap.districts["district_id"])
    undrawn = scoped[~scoped["scope"].isin(known)]
    notes = []
    if len(undrawn):
        notes.append(f"{plural(len(undrawn), 'claim')} name a place the boundaries lack; see the table.")
    names = basemap.province_names()
    dnames = dict(zip(basemap.districts["district_id"], basemap.districts["adm2"] + " district, " + basemap.districts["province"]))
    choices = sorted(((f"claim:{k}", dnames.get(k) or (names.get(k, k) + " province"), int(n))
                      for k, n in counts.items() if k in known), key=lambda t: (-t[2], t[1]))
    return MapResult(make_deck(layers), len(scoped) - len(undrawn), undrawn, notes,
                     extra={"places": len(set(latest) & known), "choices": choices})
