"""The invariants users rely on in the normalised boundary layers, checked on layers built
from the real source files (the session's ``geodata`` fixture, from the mirror)."""

from __future__ import annotations

import time

import pytest
import shapely

from naqsha.errors import BoundariesMissing
from naqsha.etl import layers
from naqsha.etl.layers import AFG_EQUAL_AREA, load_layer


def test_34_provinces_with_34_distinct_iso_codes(geodata):
    prov = load_layer("provinces")
    assert len(prov) == 34
    assert prov["adm1"].nunique() == 34
    assert prov["adm1"].str.fullmatch(r"AF-[A-Z]{3}").all()
    assert list(prov.columns) == [
        "adm1", "name", "source_name", "source_iso", "area_km2", "lon", "lat", "geometry"
    ]


def test_province_names_are_canonical_english(geodata):
    names = dict(zip(*load_layer("provinces")[["adm1", "name"]].T.values))
    assert names["AF-GHA"] == "Ghazni"  # the source says "Ghanzi"
    assert names["AF-KAN"] == "Kandahar"  # the source's code is AF_KAN
    assert names["AF-BDS"] == "Badakhshan"  # the source's code is AF-BDN
    for code, name in {
        "AF-HEL": "Helmand", "AF-URU": "Uruzgan", "AF-NAN": "Nangarhar", "AF-PIA": "Paktia",
        "AF-DAY": "Daykundi", "AF-SAR": "Sar-e Pul", "AF-PAN": "Panjshir", "AF-BAM": "Bamyan",
        "AF-KNR": "Kunar", "AF-NIM": "Nimroz", "AF-HER": "Herat", "AF-KAB": "Kabul",
    }.items():
        assert names[code] == name
    assert all(name.isascii() for name in names.values())


def test_398_districts_each_in_exactly_one_province(geodata):
    dist = load_layer("districts")
    prov = load_layer("provinces")
    assert len(dist) == 398
    assert dist["district_id"].is_unique
    assert dist["adm1"].notna().all()
    assert set(dist["adm1"]) == set(prov["adm1"])
    assert (dist["district_id"] == dist["adm1"] + "/" + dist["adm2"]).all()
    canonical = dict(zip(prov["adm1"], prov["name"]))
    assert (dist["province"] == dist["adm1"].map(canonical)).all()


def test_district_names_have_no_stray_whitespace(geodata):
    """The source has 'Warduj\\n', 'Zanda  Jan\\n', 'Shekh  Ali'; ids must not carry that."""
    dist = load_layer("districts")
    for column in ("adm2", "name", "district_id"):
        assert (dist[column] == dist[column].str.split().str.join(" ")).all()
    assert {"Warduj", "Zanda Jan", "Shekh Ali"} <= set(dist["adm2"])


def test_jaghuri_and_malistan_are_in_ghazni(geodata):
    dist = load_layer("districts").set_index("adm2")
    assert dist.loc["Jaghuri", "adm1"] == "AF-GHA"
    assert dist.loc["Malistan", "adm1"] == "AF-GHA"
    assert dist.loc["Jaghuri", "district_id"] == "AF-GHA/Jaghuri"
    assert dist.loc["Jaghuri", "province"] == "Ghazni"


def test_districts_are_assigned_by_largest_overlap_not_by_point(geodata):
    """At least one district's representative point lies outside its own province (the
    sliver case the source README warns about); it is still assigned where most of it is."""
    dist = load_layer("districts")
    prov = load_layer("provinces").set_index("adm1")
    points = shapely.points(dist["lon"], dist["lat"])
    own = prov.geometry.loc[dist["adm1"]].values
    outside = ~shapely.contains(own, points)
    assert outside.any()
    d_ea = dist.geometry.to_crs(AFG_EQUAL_AREA)
    p_ea = prov.geometry.to_crs(AFG_EQUAL_AREA)
    for i in outside.nonzero()[0]:
        shares = p_ea.intersection(d_ea.iloc[i]).area
        assert shares.idxmax() == dist["adm1"].iloc[i]


def test_district_union_covers_the_outline_within_one_percent(geodata):
    outline = load_layer("outline").to_crs(AFG_EQUAL_AREA).geometry.union_all()
    union = load_layer("districts").to_crs(AFG_EQUAL_AREA).geometry.union_all()
    assert outline.symmetric_difference(union).area / outline.area < 0.01


@pytest.mark.parametrize("name", layers.LAYERS)
@pytest.mark.parametrize("web", [False, True])
def test_every_geometry_valid_in_wgs84(geodata, name, web):
    gdf = load_layer(name, web=web)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.notna().all()
    assert gdf.geometry.is_valid.all()
    assert not gdf.geometry.is_empty.any()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    if not web:  # lon/lat is a point inside the full geometry
        assert shapely.intersects(gdf.geometry.values, shapely.points(gdf["lon"], gdf["lat"])).all()


def test_web_layers_are_lighter_and_keep_the_rows(geodata):
    for name in layers.LAYERS:
        full, web = load_layer(name), load_layer(name, web=True)
        assert len(full) == len(web)
        assert shapely.get_num_coordinates(web.geometry.values).sum() <= shapely.get_num_coordinates(
            full.geometry.values
        ).sum()


def test_countries_codes_and_skipped_features(geodata):
    countries = load_layer("countries")
    assert len(countries) == 241 - 18  # 18 Natural Earth features have no geometry
    by_a3 = countries.set_index("iso_a3")
    assert "-99" not in by_a3.index
    assert {"FRA", "NOR", "KOS", "AFG", "PAK", "IRN"} <= set(by_a3.index)
    assert by_a3.loc["FRA", "iso_a2"] == "FR"  # ISO_A2 is -99 in the source too
    assert by_a3.loc["AFG", "name"] == "Afghanistan"
    for col in ("iso_a2", "name", "name_long", "formal_name", "continent", "subregion", "lon", "lat"):
        assert col in countries.columns


def test_outline_is_afghanistan(geodata):
    outline = load_layer("outline")
    assert len(outline) == 1
    assert outline["iso_a3"].iloc[0] == "AFG"
    assert 640_000 < outline["area_km2"].iloc[0] < 660_000


def test_load_is_cached_and_returns_copies(geodata):
    first = load_layer("districts")
    first["name"] = "changed"
    started = time.perf_counter()
    again = load_layer("districts")
    assert time.perf_counter() - started < 0.1
    assert (again["name"] != "changed").all()


def test_missing_cache_names_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(tmp_path / "empty"))
    with pytest.raises(BoundariesMissing) as err:
        load_layer("provinces")
    assert "naqsha boundaries" in str(err.value)
    assert "NAQSHA_GEODATA_MIRROR" in str(err.value)


def test_manifest_and_citation():
    spec = layers.manifest()["layers"]
    assert set(spec) == set(layers.LAYERS)
    for entry in spec.values():
        assert len(entry["sha256"]) == 64
        assert entry["url"].startswith("https://")
        assert entry["licence"] and entry["citation"]
    assert "9469f09" in spec["provinces"]["url"]
    assert "e0231866" in layers.citation()
    assert "Natural Earth" in layers.citation()
    assert "AIMS" in layers.citation()


def test_province_code_handles_the_source_quirks():
    assert layers.province_code("Kandahar", "AF_KAN") == "AF-KAN"  # underscore
    assert layers.province_code("Ghanzi", "AF-GHA") == "AF-GHA"  # misspelt name, good code
    assert layers.province_code("Badakhshan", "AF-BDN") == "AF-BDS"  # not an ISO code
    assert layers.province_code("Sar-e Pol", None) == "AF-SAR"
    assert layers.province_code("Atlantis", "XX") is None


def test_invalid_geometries_are_made_valid_never_dropped():
    import geopandas as gpd

    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    spike = shapely.Polygon([(0, 0), (2, 0), (2, 2), (1, 2), (1, 3), (1, 2), (0, 2), (0, 0)])
    fine = shapely.box(5, 5, 6, 6)
    geoms = gpd.GeoSeries([bowtie, spike, fine], crs=4326)
    assert not geoms.is_valid.all()
    notes = layers.Notes()
    fixed = layers.make_valid(geoms, "provinces", notes)
    assert len(fixed) == 3
    assert fixed.is_valid.all()
    assert set(fixed.geom_type) <= {"Polygon", "MultiPolygon"}
    assert fixed.iloc[0].area == pytest.approx(0.5)
    assert fixed.iloc[1].area == pytest.approx(4)
    assert fixed.iloc[2].equals(fine)
    assert notes.by_layer["provinces"] == ["2 invalid geometries made valid"]
