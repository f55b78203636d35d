"""naqsha export: the JSON Lines contract field by field, and GeoJSON, CSV, GeoParquet."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from naqsha.errors import StoreMissing
from naqsha.etl import pipeline
from naqsha.etl.export import ExportError, export
from naqsha.store import StoreReader

_spec = importlib.util.spec_from_file_location("fake_stages", Path(__file__).with_name("fake_stages.py"))
fake = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("fake_stages", fake)
_spec.loader.exec_module(fake)

PLACE_KEYS = {"level", "adm0", "adm1", "adm2", "name", "geonames_id", "lat", "lon"}
CLAIM_KEYS = {"subject", "metric", "value", "unit", "of_total", "scope", "attributed_to", "as_of", "start",
              "end", "text"}


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "_stages", fake.stages)
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("An attack in Jaghori, Ghazni. Jaghori again. Talks in Doha.\n\n"
                                  "The government holds 55% of districts, SIGAR said. Afghanistan.")
    (corpus / "b.md").write_text("---\noutlet: Desk\ndate: 2020-02-29\n---\nTalks opened in Moscow.")
    pipeline.run_etl(corpus, tmp_path / "s", progress=False)
    return tmp_path / "s"


def jsonl(store, tmp_path):
    out = tmp_path / "out.jsonl"
    export("jsonl", store=store, out=out)
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_jsonl_contract(store, tmp_path):
    lines = jsonl(store, tmp_path)
    texts = dict(zip(*StoreReader(store).read("documents", columns=["doc_id", "text"]).to_dict("list").values()))
    place_lines = [l for l in lines if "place" in l]
    claim_lines = [l for l in lines if "claim" in l]
    assert len(place_lines) + len(claim_lines) == len(lines)
    pairs = [(l["doc_id"], l["place"]["key"]) for l in place_lines]
    assert len(pairs) == len(set(pairs))  # one line per (document, place)
    for line in place_lines:
        assert PLACE_KEYS <= set(line["place"]) and isinstance(line["precision"], int)
        assert set(line["roles"]) <= {"violence", "negotiation", "control"}
        for m in line["mentions"]:
            assert {"start", "end", "text"} <= set(m)
            assert texts[line["doc_id"]][m["start"]:m["end"]] == m["text"]
    jag = next(l for l in place_lines if l["place"]["adm2"] == "Jaghuri")
    assert jag["place"]["level"] == "district" and jag["place"]["adm1"] == "AF-GHA" and jag["precision"] == 3
    assert jag["roles"] == ["violence"] and len(jag["mentions"]) == 2
    doha = next(l for l in place_lines if l["place"]["name"] == "Doha")
    assert doha["place"]["geonames_id"] == 290030 and doha["place"]["adm0"] == "QAT"
    (claim,) = claim_lines
    assert claim["doc_id"] == "a" and CLAIM_KEYS <= set(claim["claim"])
    assert claim["claim"]["value"] == 55 and claim["claim"]["of_total"] == 407
    assert claim["claim"]["attributed_to"] == "SIGAR" and claim["claim"]["as_of"] is None
    c = claim["claim"]
    assert texts["a"][c["start"]:c["end"]] == c["text"]


def test_jsonl_to_stdout(store):
    buf = io.StringIO()
    n = export("jsonl", store=store, stdout=buf)
    assert n == len(buf.getvalue().splitlines()) > 0


def test_geojson(store, tmp_path):
    out = tmp_path / "x.geojson"
    export("geojson", store=store, out=out)
    obj = json.loads(out.read_text())
    kinds = {f["properties"]["feature_type"] for f in obj["features"]}
    assert kinds == {"event", "place"}
    gdf = gpd.read_file(out)
    assert len(gdf) == len(obj["features"])
    export("geojson", store=store, out=out, table="events")
    assert {f["properties"]["feature_type"] for f in json.loads(out.read_text())["features"]} == {"event"}


def test_csv(store, tmp_path):
    out = tmp_path / "x.csv"
    n = export("csv", store=store, out=out, table="events")
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == n and {"event_id", "role", "place_key", "evidence", "outlet"} <= set(rows[0])
    export("csv", store=store, out=out, table="documents")
    assert "text" not in next(csv.DictReader(out.open()))


def test_geoparquet(store, tmp_path):
    out = tmp_path / "x.parquet"
    export("geoparquet", store=store, out=out, table="events")
    gdf = gpd.read_parquet(out)
    assert gdf.crs.to_epsg() == 4326 and len(gdf) > 0 and gdf.geometry.geom_type.eq("Point").all()
    with pytest.raises(ExportError, match="--out"):
        export("geoparquet", store=store)
    with pytest.raises(ExportError, match="no geometry"):
        export("geoparquet", store=store, out=out, table="claims")


def test_errors(tmp_path, store):
    with pytest.raises(ExportError, match="unknown export format"):
        export("xml", store=store)
    with pytest.raises(StoreMissing):
        export("jsonl", store=tmp_path / "none")
