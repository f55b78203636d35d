"""The comparison's colours and pydeck layers: a source's districts filled by score
(:func:`choropleth_layer`), two sources' divergence (:func:`divergence_layer`), province
outlines, the deck, and the district and province geometry they are drawn on."""

from __future__ import annotations

import math

import pandas as pd

from .compare_data import COMMON_LABELS


# Diverging palette (ColorBrewer RdBu, colour-blind safe): blue government, red insurgent.
# Contested is amber, not RdBu's near-white, so that it never reads as "not assessed".
SCORE_COLORS = {2: (33, 102, 172), 1: (146, 197, 222), 0: (253, 208, 100), -1: (244, 165, 130), -2: (178, 24, 43)}
MIXED_LINE = (90, 90, 90)
# Divergence: 0 white-ish, then a sequential purple by points apart on the common scale.
DIVERGENCE_COLORS = {0: (199, 233, 192), 1: (203, 201, 226), 2: (158, 154, 200), 3: (117, 107, 177), 4: (84, 39, 143)}
ONE_SIDE_COLOR = (255, 255, 255)
NOT_ASSESSED = (250, 249, 245, 255)


def _geometry(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    import shapely.geometry

    return shapely.geometry.mapping(value)


def _rgba(rgb, alpha=220):
    return [int(rgb[0]), int(rgb[1]), int(rgb[2]), alpha]


def score_color(score: float | None) -> list[int]:
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return list(NOT_ASSESSED)
    return _rgba(SCORE_COLORS[int(max(-2, min(2, round(score))))])


def _features(districts: pd.DataFrame, props_for) -> list[dict]:
    feats = []
    for row in districts.itertuples(index=False):
        props = props_for(row)
        if props is None:
            continue
        feats.append({"type": "Feature", "geometry": _geometry(row.geometry), "properties": props})
    return feats


def _district_title(row) -> str:
    return f"{' '.join(str(row.adm2).split())} district, {row.province}"


def choropleth_layer(districts: pd.DataFrame, values: pd.DataFrame, source_label: str, layer_id: str):
    """Every district (``districts``: district_id, adm2, province, geometry), filled by the
    source's score; unassessed districts pale; split districts with mixed parts outlined."""
    import pydeck as pdk

    by_key = values.set_index("place_key").to_dict("index") if len(values) else {}

    def props(row):
        v = by_key.get(row.district_id)
        if v is None:
            return dict(title=_district_title(row), detail=f"{source_label}: not assessed", fill=list(NOT_ASSESSED),
                        line=[170, 170, 170, 160], lw=0.5)
        label = COMMON_LABELS.get(v["category_common"], v["category_common"])
        detail = (f"{source_label}: {v['category_original']} ({label}, score {v['score']:+.1f})\n"
                  f"source's name: {v['name_original']}")
        if v["relation"]:
            detail += f"\n{v['relation']}: {v['n_rows']} source row(s)"
        mixed = v["category_common"] == "mixed"
        return dict(title=_district_title(row), detail=detail, fill=score_color(v["score"]),
                    line=_rgba(MIXED_LINE, 255) if mixed else [120, 120, 120, 200], lw=2 if mixed else 0.6)

    return pdk.Layer("GeoJsonLayer", id=layer_id,
                     data={"type": "FeatureCollection", "features": _features(districts, props)},
                     pickable=True, stroked=True, filled=True, get_fill_color="properties.fill",
                     get_line_color="properties.line", get_line_width="properties.lw", line_width_units='"pixels"',
                     auto_highlight=True, highlight_color=[255, 255, 255, 70])


def divergence_layer(districts: pd.DataFrame, div: pd.DataFrame, label_a: str, label_b: str, layer_id="divergence"):
    import pydeck as pdk

    by_key = div.set_index("place_key").to_dict("index") if len(div) else {}

    def props(row):
        v = by_key.get(row.district_id)
        if v is None:
            return dict(title=_district_title(row), detail="assessed by neither", fill=list(NOT_ASSESSED),
                        line=[170, 170, 170, 160], lw=0.5)
        if v["status"] in ("only a", "only b"):
            who, cat = (label_a, v["category_original_a"]) if v["status"] == "only a" else (label_b, v["category_original_b"])
            return dict(title=_district_title(row), detail=f"only {who} assessed it ({cat})",
                        fill=_rgba(ONE_SIDE_COLOR, 255), line=[120, 120, 120, 255], lw=1.2)
        apart = int(round(v["apart"]))
        detail = (f"{label_a}: {v['category_original_a']} ({v['score_a']:+.1f})\n"
                  f"{label_b}: {v['category_original_b']} ({v['score_b']:+.1f})\n"
                  + ("agree" if apart == 0 else f"{v['apart']:.1f} step(s) apart on the common scale; "
                     + ("B sees more government control" if v["difference"] > 0 else "B sees more insurgent control")))
        return dict(title=_district_title(row), detail=detail, fill=_rgba(DIVERGENCE_COLORS[min(apart, 4)]),
                    line=[110, 110, 110, 200], lw=0.6)

    return pdk.Layer("GeoJsonLayer", id=layer_id,
                     data={"type": "FeatureCollection", "features": _features(districts, props)},
                     pickable=True, stroked=True, filled=True, get_fill_color="properties.fill",
                     get_line_color="properties.line", get_line_width="properties.lw", line_width_units='"pixels"',
                     auto_highlight=True, highlight_color=[255, 255, 255, 70])


TOOLTIP = {"text": "{title}\n{detail}",
           "style": {"backgroundColor": "#1f2430", "color": "#f4f4f4", "fontSize": "12px", "maxWidth": "360px",
                     "whiteSpace": "pre-line", "padding": "8px 10px", "borderRadius": "4px"}}


def make_deck(layers):
    import pydeck as pdk

    view = pdk.ViewState(latitude=34.0, longitude=66.2, zoom=4.6, min_zoom=3, max_zoom=12)
    # text tooltips: the browser sets innerText, so source labels are never parsed as HTML
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None, tooltip=TOOLTIP)


def districts_for_map(provinces: tuple[str, ...] = (), cached: bool = True) -> pd.DataFrame:
    """district_id, adm2, adm1, province, geometry: the dashboard's prepared basemap when
    it is there (inside the app), else the web layer."""
    d = None
    if cached:
        try:
            from naqsha.dashboard.data import cached_basemap

            d = cached_basemap().districts
        except Exception:  # noqa: BLE001 - fall back to the layer itself
            d = None
    if d is None:
        from naqsha.etl.layers import load_layer

        d = pd.DataFrame(load_layer("districts", web=True))
    if provinces:
        d = d[d["adm1"].isin(provinces)]
    return d


def province_outline_layer(provinces: pd.DataFrame | None):
    """Province boundaries over the districts (``provinces``: geometry as GeoJSON dicts or shapely)."""
    import pydeck as pdk

    if provinces is None or not len(provinces):
        return None
    feats = [{"type": "Feature", "geometry": _geometry(g), "properties": {}} for g in provinces["geometry"]]
    return pdk.Layer("GeoJsonLayer", id="compare-provinces", data={"type": "FeatureCollection", "features": feats},
                     pickable=False, stroked=True, filled=False, get_line_color=[70, 70, 70, 255],
                     get_line_width=1.2, line_width_units='"pixels"')


def provinces_for_map(provinces: tuple[str, ...] = ()):
    try:
        from naqsha.dashboard.data import cached_basemap

        p = cached_basemap().provinces
    except Exception:  # noqa: BLE001 - outlines are a help, not a requirement
        return None
    return p[p["adm1"].isin(provinces)] if provinces else p
