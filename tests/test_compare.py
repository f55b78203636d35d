"""The comparison view's data functions, its layers, and the tab under AppTest."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from naqsha import store
from naqsha.dashboard import compare as C
from naqsha.etl.assessments import import_assessments, import_national
from naqsha.etl.reconcile import Reconciler
from naqsha.filters import Filters

FIXTURES = Path(__file__).parent / "fixtures" / "assessments"


@pytest.fixture(scope="module")
def rec():
    return Reconciler(pd.read_csv(FIXTURES / "districts_layer.csv", comment="#"))


@pytest.fixture()
def filled(tmp_path, rec):
    root = tmp_path / "store"
    import_assessments(FIXTURES / "rs_style_2018.csv", "Fixture RS", "2018-07-31", "rs", root, rec)
    import_assessments(FIXTURES / "lwj_style_2018.csv", "Fixture LWJ", "2018-08-15", "lwj", root, rec)
    import_national(FIXTURES / "national_format.csv", root)
    claims = pd.DataFrame([dict(claim_id="c1", doc_id="d1", subject="government", metric="district_share",
                                value=55.0, of_total=407, scope="AFG", attributed_to="the New York Times",
                                start=0, end=5, text="55% of <b>407</b> districts", derived=False,
                                outlet="Example Daily", published=date(2018, 11, 20))])
    store.write_tables({"claims": claims}, root)
    return store.StoreReader(root)


def test_choices_and_district_values(filled):
    a = C.read_assessments(filled)
    labels = [c[0] for c in C.assessment_choices(a)]
    assert labels == ["Fixture LWJ · 2018-08-15", "Fixture RS · 2018-07-31"]
    v = C.district_values(a, "Fixture RS", date(2018, 7, 31)).set_index("place_key")
    # the split district: two source rows, one value, flagged
    lg = v.loc["AF-HEL/Lashkar Gah"]
    assert lg["n_rows"] == 2 and lg["relation"] == "split" and lg["score"] == 2
    assert v.loc["AF-GHA/Dih Yak", "relation"] == "merge"
    assert "AF-PAN" not in v.index  # province rows are not district values
    only_ghazni = C.district_values(a, "Fixture RS", date(2018, 7, 31), provinces=("AF-GHA",))
    assert set(only_ghazni["adm1"]) == {"AF-GHA"}


def test_split_parts_that_differ_are_mixed_and_population_weighted():
    a = pd.DataFrame([
        dict(source="S", as_of=date(2019, 1, 1), level="district", place_key="AF-X/A", adm1="AF-X", name="A",
             score=2, category_common="government_control", category_original="G", name_original="A1",
             population=300.0, relation="split"),
        dict(source="S", as_of=date(2019, 1, 1), level="district", place_key="AF-X/A", adm1="AF-X", name="A",
             score=-2, category_common="insurgent_control", category_original="I", name_original="A2",
             population=100.0, relation="split"),
    ])
    v = C.district_values(a, "S", date(2019, 1, 1)).iloc[0]
    assert v["category_common"] == "mixed" and v["score"] == 1.0 and v["category_original"] == "G / I"


def test_divergence(filled):
    a = C.read_assessments(filled)
    rs = C.district_values(a, "Fixture RS", date(2018, 7, 31))
    lwj = C.district_values(a, "Fixture LWJ", date(2018, 8, 15))
    div = C.divergence(rs, lwj).set_index("place_key")
    assert div.loc["AF-GHA/Jaghuri", "difference"] == -1  # government influence -> contested
    assert div.loc["AF-HEL/Nad Ali", "difference"] == -2  # contested -> Taliban controlled
    assert div.loc["AF-GHA/Malistan", "status"] == "agree"
    assert div.loc["AF-HEL/Musa Qala", "status"] == "only b"  # unmatched in RS (wrong province)
    assert div.loc["AF-KAN/Zhari", "status"] == "only a"
    s = C.divergence_summary(div.reset_index())
    assert s["both"] == s["agree"] + s["differ"] and s["only_b"] == 1
    assert s["differ_2_or_more"] >= 1 and s["mean_apart"] > 0
    # sorted with the largest disagreements first
    assert C.divergence(rs, lwj)["apart"].iloc[0] == div["apart"].max()


def test_national_series_and_claims(filled):
    series = C.national_series(filled)
    a = series[(series["source"] == "Test Assessor A") & (series["metric"] == "government districts %")]
    assert list(a["value"]) == [56.5, 55.5, 53.8]
    assert "Fixture RS (district file)" in set(series["source"])
    dated = C.national_series(filled, Filters(date_from=date(2018, 7, 1)))
    assert dated["as_of"].min() >= date(2018, 7, 1)
    pts = C.claim_points(filled.read("claims"), Filters())
    assert list(pts["value"]) == [55.0] and pts["metric"].iloc[0] == "government districts %"
    assert C.claim_points(filled.read("claims"), Filters(outlets=("Other",))).empty
    chart = C.timeline_chart(series, pts, "government districts %")
    assert chart.to_dict()["layer"][1]["mark"]["shape"] == "diamond"


def test_layers_colour_by_score_and_divergence(filled):
    import shapely

    a = C.read_assessments(filled)
    rs = C.district_values(a, "Fixture RS", date(2018, 7, 31))
    lwj = C.district_values(a, "Fixture LWJ", date(2018, 8, 15))
    box = shapely.box(0, 0, 1, 1)
    districts = pd.DataFrame([
        dict(district_id="AF-GHA/Jaghuri", adm2="Jaghuri", adm1="AF-GHA", province="Ghazni", geometry=box),
        dict(district_id="AF-HEL/Nad Ali", adm2="Nad Ali", adm1="AF-HEL", province="Helmand", geometry=box),
        dict(district_id="AF-BAL/Balkh", adm2="Balkh", adm1="AF-BAL", province="Balkh", geometry=box),
    ])
    layer = C.choropleth_layer(districts, rs, "Fixture RS", "a")
    feats = {f["properties"]["title"]: f["properties"] for f in layer.data["features"]}
    assert feats["Jaghuri district, Ghazni"]["fill"][:3] == list(C.SCORE_COLORS[1])
    assert "Government influence" in feats["Jaghuri district, Ghazni"]["detail"]
    assert "not assessed" in feats["Balkh district, Balkh"]["detail"]
    div = C.divergence(rs, lwj)
    dl = C.divergence_layer(districts, div, "RS", "LWJ")
    feats = {f["properties"]["title"]: f["properties"] for f in dl.data["features"]}
    assert feats["Nad Ali district, Helmand"]["fill"][:3] == list(C.DIVERGENCE_COLORS[2])
    assert "more insurgent control" in feats["Nad Ali district, Helmand"]["detail"]
    deck = C.make_deck([dl])
    assert deck.map_provider is None and "html" not in C.TOOLTIP
    # a quoted literal: unquoted, pydeck sends the expression "@@=pixels" and the browser
    # falls back to metre units (every district drawn as a thick grey smear)
    assert '"lineWidthUnits": "pixels"' in deck.to_json()


def test_summaries_for_the_list_command(filled, tmp_path):
    s = C.assessment_summary(filled)
    assert set(s["source"]) == {"Fixture RS", "Fixture LWJ"}
    assert "unmatched" in s.set_index("source").loc["Fixture RS", "how"]
    assert "226 government" in " ".join(C.national_table(filled)["figures"])
    empty = store.StoreReader(tmp_path / "none")
    assert C.assessment_summary(empty).empty and C.national_table(empty).empty


def _tab_script():
    import os

    from naqsha.dashboard.compare import render_compare_tab
    from naqsha.filters import Filters
    from naqsha.store import StoreReader

    render_compare_tab(StoreReader(os.environ["COMPARE_STORE"]), Filters())


def test_tab_runs_under_apptest(filled, geodata, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("COMPARE_STORE", str(filled.root))
    at = AppTest.from_function(_tab_script, default_timeout=60).run()
    assert not at.exception
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 3
    assert "Jaghuri" in decks[0].proto.json
    assert any("Divergence" in m.value for m in at.markdown)
    before = decks[2].proto.json
    at.selectbox(key="compare_b").set_value("Fixture LWJ · 2018-08-15").run()
    assert not at.exception and at.get("deck_gl_json_chart")[2].proto.json != before
    # corroboration lines are plain st.text, never markdown/HTML
    assert any("31 July 2018 had 226 of 407" in t.value for t in at.text)


def test_tab_without_assessments(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    store.write_tables({"claims": store.empty("claims")}, tmp_path / "s")
    monkeypatch.setenv("COMPARE_STORE", str(tmp_path / "s"))
    at = AppTest.from_function(_tab_script, default_timeout=60).run()
    assert not at.exception
    assert any("naqsha assessments import" in i.value for i in at.info)


# --- snapshots of the comparison ---------------------------------------------------------
def test_compare_snapshot_formats(filled, geodata, tmp_path):
    import io

    from PIL import Image

    png = C.render_compare_snapshot(filled, "Fixture RS", "Fixture LWJ · 2018-08-15", fmt="png", dpi=60)
    img = Image.open(io.BytesIO(png))
    assert abs(img.size[0] - 297 / 25.4 * 60) <= 1 and abs(img.size[1] - 210 / 25.4 * 60) <= 1
    import numpy as np

    assert len(np.unique(np.asarray(img.convert("RGB")).reshape(-1, 3), axis=0)) > 20  # not blank
    svg = C.render_compare_snapshot(filled, "Fixture RS", "Fixture LWJ", fmt="svg").decode()
    for text in ("Control assessments compared", "government influence", "steps apart", "geoBoundaries",
                 "rs_style_2018.csv"):
        assert text in svg
    assert svg == C.render_compare_snapshot(filled, "Fixture RS", "Fixture LWJ", fmt="svg").decode()
    html = C.render_compare_snapshot(filled, "Fixture RS", "Fixture LWJ", Filters(provinces=("AF-HEL",)), fmt="html")
    import re

    assert not re.search(rb"<script[^>]*src=['\"]?https?:", html)
    assert b"Lashkar Gah" in html and b"Jaghuri" not in html


def test_compare_snapshot_errors(filled):
    from naqsha.errors import SnapshotError

    with pytest.raises(SnapshotError, match="no district-level assessment 'Nope'"):
        C.render_compare_snapshot(filled, "Nope", "Fixture LWJ")
    with pytest.raises(SnapshotError, match="unknown snapshot format"):
        C.render_compare_snapshot(filled, "Fixture RS", "Fixture LWJ", fmt="gif")


def test_compare_snapshot_cli(filled, geodata, tmp_path):
    from naqsha.cli import main

    out = tmp_path / "cmp.pdf"
    assert main(["assessments", "snapshot", "--a", "Fixture RS", "--b", "Fixture LWJ", "--out", str(out),
                 "--store", str(filled.root), "--orientation", "portrait"]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert main(["assessments", "snapshot", "--a", "Fixture RS", "--b", "Fixture LWJ", "--out",
                 str(tmp_path / "x.gif"), "--store", str(filled.root)]) == 2


def test_source_names_are_shown_literally_in_markdown():
    assert C._md("[x](http://e) <img src=x onerror=alert(1)>") == \
        r"\[x\]\(http\://e\) \<img src=x onerror=alert\(1\)\>"


def test_naqsha_snapshot_draws_the_comparison_like_the_other_maps(filled, geodata, tmp_path):
    from naqsha.cli import main

    out = tmp_path / "cmp.svg"
    assert main(["snapshot", "--map", "compare", "--a", "Fixture RS", "--b", "Fixture LWJ", "--out", str(out),
                 "--store", str(filled.root)]) == 0
    svg = out.read_text()
    assert "Fixture RS" in svg and "Fixture LWJ" in svg
    # the same bytes as the dedicated command, since both use one renderer
    again = tmp_path / "again.svg"
    assert main(["assessments", "snapshot", "--a", "Fixture RS", "--b", "Fixture LWJ", "--out", str(again),
                 "--store", str(filled.root)]) == 0
    assert again.read_bytes() == out.read_bytes()
    # without the two sources, a clear error instead of a picture
    assert main(["snapshot", "--map", "compare", "--out", str(tmp_path / "y.png"), "--store", str(filled.root)]) == 2
