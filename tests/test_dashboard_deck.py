"""The dashboard's plain functions (loading, filtering, layers, escaping), no Streamlit."""

from __future__ import annotations

import json
import math
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from naqsha.dashboard import data as DATA
from naqsha.dashboard import deck as D
from naqsha.dashboard.safe import csv_safe, md
from naqsha.filters import Filters

sys.path.insert(0, str(Path(__file__).resolve().parent))
from factories import HOSTILE, HOSTILE_SCRIPT, small_store  # noqa: E402

KABUL = "geonames:1138958"


@pytest.fixture(scope="module")
def basemap(geodata):
    # module scope runs outside the per-test environment: point at the cache just here
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NAQSHA_GEODATA_CACHE", str(geodata))
        return DATA.load_basemap()


@pytest.fixture()
def sd(tmp_path, basemap):
    from naqsha.etl.layers import load_layer

    root = tmp_path / "store"
    small_store(root, load_layer("districts", web=True), load_layer("provinces", web=True))
    return DATA.load_store_data(root)


def _layer(deck, layer_id):
    return next(l for l in json.loads(deck.to_json())["layers"] if l["id"] == layer_id)


def _features_with_reports(layer):
    return {f["properties"]["key"]: f["properties"] for f in layer["data"]["features"] if f["properties"]["n"]}


def test_outlines_are_capped_for_many_districts(basemap):
    feats = [D._feature(g, dict(title="", detail="", key=str(i), n=1, fill=[0, 0, 0, 0], line=[1, 2, 3, 255], lw=2))
             for i, g in enumerate(basemap.districts["geometry"])]
    layer = D.outline_layer(basemap, [D.fill_layer(feats, "districts")])
    assert len(layer.data) == D.n_base_segments(basemap)


def test_basemap_is_light_and_complete(basemap):
    assert len(basemap.provinces) == 34 and len(basemap.districts) == 398
    size = len(json.dumps(list(basemap.districts["geometry"]), separators=(",", ":")))
    assert size < 600_000, "district polygons for the browser should stay well under a megabyte"
    ring = basemap.districts["geometry"][0]["coordinates"][0]
    flat = ring[0] if isinstance(ring[0][0], (int, float)) else ring[0][0]
    assert all(len(str(v).split(".")[-1]) <= 3 for v in flat)


def test_load_adds_dates_titles_and_resolution(sd):
    ev = sd.events.set_index("place_key")
    jag = ev.loc["AF-GHA/Jaghuri"]
    assert jag["when"] == pd.Timestamp("2018-11-09") and jag["date_basis"] == "event date"
    assert jag["resolution"] == "contained" and jag["precision_label"] == "district only"
    assert jag["title"] == "Taliban attack Hazara districts in Ghazni"
    uru = ev.loc["AF-URU"]  # no event date: publication day
    assert uru["when"] == pd.Timestamp("2018-11-12") and uru["date_basis"] == "publication day"
    assert "text" not in sd.documents.columns  # article text is never loaded


def test_precision_split(sd, basemap):
    parts = D.split_by_precision(sd.events, basemap)
    assert set(parts["points"]["level"]) == {"city"}
    assert "AF-GHA/Jaghuri" in set(parts["districts"]["place_key"])
    assert {"AF-URU", "AF-HEL"} <= set(parts["provinces"]["place_key"])
    assert set(parts["undrawn"]["place_key"]) == {"AFG"}


def test_unknown_district_key_is_not_drawn_anywhere(sd, basemap):
    ev = sd.events.copy()
    ev.loc[ev["place_key"] == "AF-GHA/Jaghuri", "place_key"] = "AF-GHA/Nowhere"
    parts = D.split_by_precision(ev, basemap)
    assert "AF-GHA/Nowhere" in set(parts["undrawn"]["place_key"])


def test_aggregate_keeps_unstated_deaths_unknown(sd):
    agg = D.aggregate_places(sd.events[sd.events["role"] == "violence"]).set_index("place_key")
    assert agg.loc[KABUL, "n"] == 2 and agg.loc[KABUL, "fatalities"] == 42
    assert math.isnan(agg.loc["AF-GHA/Malistan", "fatalities"])  # not zero: not stated
    assert bool(agg.loc["AF-GHA/Jaghuri", "approx"])


def test_violence_map_draws_by_precision(sd, basemap):
    result = D.violence_map(sd.events, basemap)
    deck = json.loads(result.deck.to_json())
    # offline: no basemap provider; pydeck's "no style given" sentinel, which Streamlit
    # reads as "no basemap" (a real style URL would make the page fetch tiles)
    assert deck.get("mapProvider") is None and deck.get("mapStyle") in (None, "__MAP_STYLE__")
    assert [l["id"] for l in deck["layers"]] == ["provinces", "districts", "outlines", "points"]
    outlines = _layer(result.deck, "outlines")["data"]
    n_base = D.n_base_segments(basemap)
    # base edges once, then the outlines of the 2 districts and 2 provinces with reports
    assert len(outlines) >= n_base + 4 and all(o["w"] < 2 for o in outlines[:n_base])
    districts = _features_with_reports(_layer(result.deck, "districts"))
    assert set(districts) == {"district:AF-GHA/Jaghuri", "district:AF-GHA/Malistan"}
    assert "about 12 deaths stated" in districts["district:AF-GHA/Jaghuri"]["detail"]
    provinces = _features_with_reports(_layer(result.deck, "provinces"))
    assert set(provinces) == {"province:AF-URU", "province:AF-HEL"}
    points = {p["key"]: p for p in _layer(result.deck, "points")["data"]}
    assert points[f"place:{KABUL}"]["radius"] > points["place:geonames:1141540"]["radius"]  # 42 vs 4 deaths
    assert result.notes and "country level" in result.notes[0]
    keys = [c[0] for c in result.extra["choices"]]
    assert keys[0] == f"place:{KABUL}" and "district:AF-GHA/Jaghuri" in keys


def test_every_pickable_object_has_the_tooltip_fields(sd, basemap):
    for result in (D.violence_map(sd.events, basemap), *D.venues_maps(sd.events, basemap),
                   D.control_map(sd.claims, basemap)):
        for layer in json.loads(result.deck.to_json())["layers"]:
            if not layer.get("pickable"):
                continue
            data = layer["data"]["features"] if isinstance(layer["data"], dict) else layer["data"]
            for obj in data:
                props = obj.get("properties", obj)
                assert {"title", "detail", "key"} <= set(props), layer["id"]


def test_tooltips_are_text_not_html(sd, basemap):
    deck = D.violence_map(sd.events, basemap).deck
    assert "html" not in deck._tooltip and "{title}" in deck._tooltip["text"]


def test_filter_changes_layer_data(sd, basemap):
    all_ev, _ = DATA.apply_filters(sd, Filters())
    reuters, _ = DATA.apply_filters(sd, Filters(outlets=("Reuters",)))
    a = D.violence_map(all_ev, basemap).deck.to_json()
    b = D.violence_map(reuters, basemap).deck.to_json()
    assert a != b
    assert not _features_with_reports(_layer(D.violence_map(reuters, basemap).deck, "districts"))


def test_filters_apply_to_claims(sd):
    _, claims = DATA.apply_filters(sd, Filters(cited=("The New York Times",)))
    assert set(claims["cited_label"]) == {"The New York Times"}
    ev, claims = DATA.apply_filters(sd, Filters(roles=("violence",)))
    assert claims.empty and set(ev["role"]) == {"violence"}
    ev, _ = DATA.apply_filters(sd, Filters(date_from=date(2019, 1, 1), date_to=date(2019, 12, 31)))
    assert ev["when"].dt.year.eq(2019).all() and len(ev)


def test_options(sd, basemap):
    opts = DATA.options(sd, basemap.province_names())
    assert opts.outlets[0] == "Al Jazeera"  # most frequent first
    assert "(outlet not named)" in opts.outlets and "(article's own claim)" in opts.cited
    assert opts.date_min == date(2017, 4, 18) and opts.date_max == date(2020, 9, 12)
    assert "AF-GHA" in opts.provinces


def test_venues_abroad_count_talks_and_dates(sd, basemap):
    afg, region = D.venues_maps(sd.events, basemap)
    venues = {r["key"]: r for r in _layer(region.deck, "venues")["data"]}
    doha = venues["place:geonames:290030"]
    assert doha["n"] == 3 and doha["label"] == "Doha (3)"
    assert "2019-02-25" in doha["detail"] and "2020-09-12" in doha["detail"]
    assert f"place:{KABUL}" in {p["key"] for p in _layer(afg.deck, "points")["data"]}
    assert f"place:{KABUL}" not in venues
    table = D.venue_table(sd.events)
    assert table.loc[table["name"] == "Doha", "abroad"].item()


def test_national_claim_cards(sd):
    cards = D.claim_cards(sd.claims)
    nyt = next(c for c in cards if c["source"] == "The New York Times")
    assert nyt["via"] == "via Al Jazeera, article of Nov 2018"
    assert nyt["lines"][0] == "government controls 55% of 407 districts, 65% of the population"
    assert "taliban controls 45% of 407 districts (derived)" in nyt["lines"]
    own = next(c for c in cards if c["source"] == "Mehr News Agency")
    assert own["via"] == "article of Nov 2018"


def test_control_choropleth(sd, basemap):
    result = D.control_map(sd.claims, basemap)
    colored = {**_features_with_reports(_layer(result.deck, "districts")),
               **_features_with_reports(_layer(result.deck, "provinces"))}
    assert set(colored) == {"claim:AF-GHA/Jaghuri", "claim:AF-KAB", "claim:AF-HEL"}
    assert colored["claim:AF-GHA/Jaghuri"]["fill"][:3] == list(D.SUBJECT_COLORS["taliban"])
    assert "Resolute Support, via Reuters" in colored["claim:AF-KAB"]["detail"]


def test_markdown_escaping():
    out = md(f"Hostile {HOSTILE} {HOSTILE_SCRIPT} [x](javascript:alert(1)) :red[big] $x$ **b**")
    assert "<" not in out and "&lt;img src=x onerror=alert\\(1\\)&gt;" in out
    assert "](" not in out and ":red[" not in out and "**" not in out
    assert md(None) == "" and md(float("nan")) == ""


def test_csv_cells_cannot_be_formulas():
    frame = pd.DataFrame({"a": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "ok"], "n": [1, 2, 3, 4, 5]})
    out = csv_safe(frame)
    assert list(out["a"]) == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "ok"]
    assert list(out["n"]) == [1, 2, 3, 4, 5]


def test_geojson_download(sd):
    from naqsha.dashboard.views import events_geojson, timeline_frame

    fc = json.loads(events_geojson(sd.events))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == len(sd.events)
    kabul = next(f for f in fc["features"] if f["properties"]["place_key"] == KABUL)
    assert kabul["geometry"]["coordinates"] == [69.1723, 34.5281]
    assert any(HOSTILE in f["properties"]["evidence"] for f in fc["features"])  # data, kept verbatim
    tl = timeline_frame(sd.events)
    assert tl["reports"].sum() == sd.events["when"].notna().sum()
    assert set(tl["role"]) == {"violence", "negotiation", "control"}


def test_circle_area_is_relative_to_the_largest():
    assert D.point_radius(None) == D.MIN_RADIUS == D.point_radius(float("nan"), 10)
    assert D.point_radius(100, 100) == D.MAX_RADIUS
    small, big = D.point_radius(25, 100), D.point_radius(100, 100)
    # area ratio 1:4 above the minimum circle
    assert (small - D.MIN_RADIUS) / (big - D.MIN_RADIUS) == pytest.approx(0.5)
    assert D.point_radius(10_000, 20_000) < D.MAX_RADIUS  # large stores stay readable
