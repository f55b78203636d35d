"""The HTML snapshot: a self-contained interactive pydeck page (no basemap, no script
from the network) with a panel holding the title, legend, notes and attribution."""

from __future__ import annotations

import html
import math
import re

import pandas as pd

from naqsha.errors import SnapshotError

from .snapshot_boundaries import boundary_cache_key, countries_near, layer
from .snapshot_control import claim_phrase, claim_source, count_national_cards, local_claims, national_cards, subject_colour
from .snapshot_data import ROLE_OF_MAP, SnapshotData, attribution, date_phrase, read_table, split_by_precision
from .snapshot_venues import region_bounds


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


def render_html(data: SnapshotData, reader) -> bytes:
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
                    countries_near((round(x0 - 5), round(y0 - 5), round(x1 + 5), round(y1 + 5)), boundary_cache_key()),
                    name=lambda r: _esc(r["label"]), detail=lambda r: "country"), id="countries",
                    get_polygon="polygon", get_fill_color=[230, 228, 223], get_line_color=[170, 170, 170],
                    line_width_min_pixels=1, pickable=True))
                span = max(x1 - x0, (y1 - y0) * 1.4)
                view = {"latitude": round((y0 + y1) / 2, 3), "longitude": round((x0 + x1) / 2 - 0.08 * span, 3),
                        "zoom": round(max(1.0, math.log2(1000 * 360 / (512 * span)) - 0.2), 2)}
        split = split_by_precision(places, layer("provinces", web=True), districts) if len(places) else None
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
                c = subject_colour(r["subject"]).lstrip("#")
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
    ev = read_table(reader, "events", ["doc_id", "role", "place_key", "evidence", "event_id"])
    ev = ev[ev["role"].eq(ROLE_OF_MAP[data.map_name]) & ev["place_key"].isin(data.places["place_key"])]
    docs = read_table(reader, "documents", ["doc_id", "title"])
    ev = ev.merge(docs, on="doc_id", how="left").sort_values(["place_key", "doc_id", "event_id"])
    return {k: (g["evidence"].iloc[0], g["title"].iloc[0]) for k, g in ev.groupby("place_key")}


def _place_detail(r, map_name, evidence) -> str:
    parts = []
    level = {1: "town or city", 2: "near a town", 3: "district", 4: "province"}.get(int(r["precision"]), str(r["level"]))
    parts.append(f"Precision: {_esc(level)}")
    parts.append(f"{int(r['n_events'])} report(s) in {int(r['n_docs'])} article(s), {_esc(date_phrase(r['first'], r['last']))}")
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
