"""Snapshots (issue 6): every format is written, PNGs are page-sized and not blank, SVGs
carry their title, legend and attribution, output is deterministic, HTML needs no
network and escapes article text, and bad arguments give clear errors."""

from __future__ import annotations

import io
import re
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from naqsha.cli import main  # noqa: E402
from naqsha.errors import SnapshotError  # noqa: E402
from naqsha.filters import Filters  # noqa: E402
from naqsha.store import StoreReader  # noqa: E402

snapshot = pytest.importorskip("naqsha.dashboard.snapshot")

DPI = 60  # small pictures keep the suite fast; the size check is exact at any dpi


@pytest.fixture(scope="module")
def small_store(geodata, tmp_path_factory):
    """A small store (every precision, venues abroad, national and district claims, one
    hostile article), written once for the module through naqsha.store.write_tables."""
    import factories
    from naqsha.etl.layers import load_layer

    root = tmp_path_factory.mktemp("snapshot-store")
    with pytest.MonkeyPatch.context() as mp:  # the autouse home fixture is per test
        mp.setenv("NAQSHA_GEODATA_CACHE", str(geodata))
        factories.small_store(root, load_layer("districts"), load_layer("provinces"))
    return root


@pytest.fixture
def reader(small_store, geodata, monkeypatch):
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(geodata))
    return StoreReader(small_store)


def png_array(data: bytes) -> np.ndarray:
    import matplotlib.image as mpimg

    return mpimg.imread(io.BytesIO(data), format="png")


@pytest.mark.parametrize("map_name", snapshot.MAPS)
def test_png_is_page_sized_and_not_blank(reader, map_name):
    data = snapshot.render_snapshot(reader, map_name, Filters(), "png", page="A4", orientation="landscape", dpi=DPI)
    img = png_array(data)
    w, h = snapshot.carto.page_size("A4", "landscape")
    assert img.shape[1] == int(w * DPI) and img.shape[0] == int(h * DPI)
    rgb = img[..., :3]
    assert (rgb < 0.95).mean() > 0.2, "mostly white: nothing drawn"
    assert len(np.unique(rgb.reshape(-1, 3).round(2), axis=0)) > 50, "too few colours: not a map"


@pytest.mark.parametrize("page,orientation", [("A4", "portrait"), ("letter", "landscape"), ("letter", "portrait")])
def test_page_sizes(reader, page, orientation):
    img = png_array(snapshot.render_snapshot(reader, "violence", Filters(), "png", page, orientation, DPI))
    w, h = snapshot.carto.page_size(page, orientation)
    assert (img.shape[1], img.shape[0]) == (int(w * DPI), int(h * DPI))
    assert (w > h) == (orientation == "landscape")


def test_letter_and_a4_differ():
    assert snapshot.carto.page_size("letter", "portrait") == (8.5, 11.0)
    a4 = snapshot.carto.page_size("A4", "portrait")
    assert a4 == pytest.approx((8.27, 11.69), abs=0.01)


def test_svg_has_title_legend_and_attribution(reader):
    svg = snapshot.render_snapshot(reader, "violence", Filters(), "svg").decode("utf-8")
    assert "Violence reported in Afghanistan" in svg
    assert "all sources, all dates" in svg  # the subtitle states the filters
    for entry in ("Known only to its district", "Known only to its province", "fatalities not stated",
                  "Province boundary"):
        assert entry in svg, entry
    assert "geoBoundaries" in svg and "Natural Earth" in svg
    assert "Al Jazeera" in svg and "Reuters" in svg  # the outlets
    assert "km" in svg  # scale bar


def test_svg_states_filters_and_dates(reader):
    f = Filters(outlets=("Al Jazeera",), date_from=date(2018, 1, 1), date_to=date(2018, 12, 31))
    svg = snapshot.render_snapshot(reader, "violence", f, "svg").decode("utf-8")
    assert "outlet: Al Jazeera" in svg and "2018-01-01" in svg and "2018-12-31" in svg


def test_venues_map_has_regional_panel(reader):
    svg = snapshot.render_snapshot(reader, "venues", Filters(), "svg").decode("utf-8")
    assert "Venues abroad" in svg
    for city in ("Doha", "Moscow", "Islamabad", "Tashkent"):
        assert city in svg, city


def test_control_map_has_cards_and_choropleth(reader):
    svg = snapshot.render_snapshot(reader, "control", Filters(), "svg").decode("utf-8")
    assert "National claims" in svg
    assert "55% of 407 districts" in svg
    assert "The New York Times" in svg
    # the district claim is on the choropleth (map labels are outlined paths, not text)
    from naqsha.dashboard.snapshot import layer, local_claims

    local, unmatched = local_claims(reader.read("claims"), layer("provinces"), layer("districts"))
    assert "AF-GHA/Jaghuri" in set(local["scope"]) and unmatched.empty
    # an article's hostile text is drawn as text in static output, never as SVG markup
    assert "<script>window" not in svg


def test_cards_group_national_claims():
    import pandas as pd

    claims = pd.DataFrame([
        dict(scope="AFG", derived=False, outlet="A", attributed_to="NYT", published=date(2018, 11, 1),
             subject="government", metric="district_share", value=55.0, of_total=407, as_of=None, text="x"),
        dict(scope="AFG", derived=False, outlet="A", attributed_to="NYT", published=date(2018, 11, 1),
             subject="government", metric="population_share", value=65.0, of_total=None, as_of=None, text="x"),
        dict(scope="AFG", derived=True, outlet="A", attributed_to="NYT", published=date(2018, 11, 1),
             subject="taliban", metric="district_share", value=45.0, of_total=407, as_of=None, text="x"),
    ])
    cards = snapshot.national_cards(claims)
    assert cards == [("A, 01 Nov 2018, citing NYT",
                      ["government controls 55% of 407 districts", "government controls 65% of the population"])]


@pytest.mark.parametrize("fmt", ["svg", "pdf", "html"])
def test_same_arguments_same_bytes(reader, fmt):
    a = snapshot.render_snapshot(reader, "venues", Filters(), fmt, dpi=DPI)
    b = snapshot.render_snapshot(reader, "venues", Filters(), fmt, dpi=DPI)
    assert a == b


def test_same_arguments_same_pixels(reader):
    a = snapshot.render_snapshot(reader, "violence", Filters(), "png", dpi=DPI)
    b = snapshot.render_snapshot(reader, "violence", Filters(), "png", dpi=DPI)
    assert np.array_equal(png_array(a), png_array(b))
    assert b"tIME" not in a  # no timestamp chunk


def test_no_timestamps_in_svg_and_pdf(reader):
    svg = snapshot.render_snapshot(reader, "control", Filters(), "svg")
    assert b"<dc:date>" not in svg
    pdf = snapshot.render_snapshot(reader, "control", Filters(), "pdf")
    assert pdf.startswith(b"%PDF") and b"/CreationDate" not in pdf


def test_html_is_offline_and_escaped(reader):
    page = snapshot.render_snapshot(reader, "violence", Filters(), "html").decode("utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*['\"]?https?:", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*href\s*=\s*['\"]?https?:", page, re.IGNORECASE)
    assert "Violence reported in Afghanistan" in page
    # the hostile article's sentence reaches the tooltip data escaped, never as markup
    assert "<img src=x onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>window.__naqsha_pwned" not in page
    deck_json = page.split("const jsonInput = ", 1)[1].split("const tooltip", 1)[0]
    assert "mapStyle" not in deck_json and "mapProvider" not in deck_json  # no basemap to fetch
    assert '"@@type": "PolygonLayer"' in deck_json and '"@@type": "ScatterplotLayer"' in deck_json


def test_html_control_escapes_cited_source(reader):
    page = snapshot.render_snapshot(reader, "control", Filters(), "html").decode("utf-8")
    assert "<script>window.__naqsha_pwned" not in page
    assert "&lt;script&gt;window.__naqsha_pwned" in page
    assert "National claims" in page


def test_empty_filter_gives_a_map_with_a_note(reader):
    f = Filters(provinces=("AF-BAM",))
    svg = snapshot.render_snapshot(reader, "violence", f, "svg").decode("utf-8")
    assert "Nothing to show" in svg and "AF-BAM" in svg and "Widen the filters" in svg
    img = png_array(snapshot.render_snapshot(reader, "violence", f, "png", dpi=DPI))
    assert (img[..., :3] < 0.95).mean() > 0.2
    page = snapshot.render_snapshot(reader, "control", Filters(outlets=("Nobody",)), "html").decode()
    assert "Nothing to show" in page


@pytest.mark.parametrize("kwargs,message", [
    (dict(map_name="heatmap"), "unknown map 'heatmap'"),
    (dict(fmt="jpg"), "unknown snapshot format 'jpg'"),
    (dict(page="A3"), "unknown page size 'A3'"),
    (dict(orientation="sideways"), "unknown orientation 'sideways'"),
    (dict(dpi=5000), "dpi must be"),
])
def test_bad_arguments(reader, kwargs, message):
    args = dict(map_name="violence", filters=Filters(), fmt="png", page="A4", orientation="landscape", dpi=DPI)
    args.update(kwargs)
    with pytest.raises(SnapshotError, match=re.escape(message)):
        snapshot.render_snapshot(reader, **args)


def test_format_from_extension():
    assert snapshot.format_for_path("a/b.PNG") == "png"
    assert snapshot.format_for_path("x.htm") == "html"
    with pytest.raises(SnapshotError, match=r"\.png, \.svg, \.pdf, \.html"):
        snapshot.format_for_path("x.jpeg")


def test_download_name():
    f = Filters(provinces=("AF-GHA",), date_from=date(2018, 1, 1))
    assert snapshot.download_name("violence", f, "png") == "naqsha-violence-AF-GHA-2018-01-01.png"


@pytest.mark.parametrize("ext", ["png", "svg", "pdf", "html"])
def test_cli_writes_each_format(small_store, geodata, tmp_path, ext, capsys):
    out = tmp_path / f"map.{ext}"
    rc = main(["snapshot", "--map", "venues", "--store", str(small_store), "--dpi", str(DPI),
               "--page", "letter", "--orientation", "portrait", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    assert out.is_file() and out.stat().st_size > 1000
    assert "wrote" in capsys.readouterr().out


def test_cli_filters_and_errors(small_store, geodata, tmp_path, capsys):
    out = tmp_path / "v.svg"
    rc = main(["snapshot", "--map", "violence", "--store", str(small_store), "--source", "Reuters",
               "--from", "2019-01-01", "--to", "2019-12-31", "--province", "af-kab", "--out", str(out)])
    assert rc == 0
    text = out.read_text()
    assert "outlet: Reuters" in text and "province: AF-KAB" in text and "Kabul" in text
    assert main(["snapshot", "--map", "nope", "--store", str(small_store), "--out", str(out)]) == 2
    assert "unknown map" in capsys.readouterr().err
    assert main(["snapshot", "--map", "violence", "--store", str(small_store), "--out", str(tmp_path / "x.gif")]) == 2
    assert "extensions" in capsys.readouterr().err
    assert main(["snapshot", "--map", "violence", "--store", str(small_store), "--from", "2019-13-01",
                 "--out", str(out)]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["snapshot", "--map", "violence", "--store", str(tmp_path / "none"), "--out", str(out)]) == 2
    assert "no naqsha store" in capsys.readouterr().err


def test_cli_help_has_examples(capsys):
    assert main(["snapshot", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Examples" in out and "--map" in out and "nothing" in out.lower()


def test_missing_boundaries_say_what_to_run(small_store, tmp_path, monkeypatch):
    from naqsha.errors import BoundariesMissing

    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(tmp_path / "no-geodata"))
    with pytest.raises(BoundariesMissing, match="naqsha boundaries"):
        snapshot.render_snapshot(StoreReader(small_store), "violence", Filters(), "png", dpi=DPI)


def test_venues_html_frames_the_region(reader):
    page = snapshot.render_snapshot(reader, "venues", Filters(), "html").decode("utf-8")
    deck_json = page.split("const jsonInput = ", 1)[1].split("const tooltip", 1)[0]
    assert '"id": "countries"' in deck_json and "Doha" in deck_json


def test_titles_name_the_selection(geodata):
    assert snapshot.map_title("violence", Filters()) == "Violence reported in Afghanistan"
    assert snapshot.map_title("violence", Filters(provinces=("AF-GHA",))) == "Violence reported in Ghazni province"
    assert snapshot.map_title("control", Filters(cited=("SIGAR",))) == "Territorial control claims citing SIGAR"
    assert snapshot.map_title("control", Filters()) == "Territorial control claims, by source"


@pytest.mark.parametrize("top,expected", [
    (1, [(1, 1)]),
    (3, [(1, 1), (2, 2), (3, 3)]),
    (250, [(1, 1), (2, 5), (6, 25), (26, float("inf"))]),
])
def test_count_classes(top, expected):
    import pandas as pd

    classes = snapshot.count_classes(pd.Series([1, top]))
    assert [(lo, hi) for lo, hi, _ in classes] == expected
    alphas = [a for _, _, a in classes]
    assert alphas == sorted(alphas)  # darker for more reports


def test_end_to_end_from_sample_articles(geodata, tmp_path):
    """The built-in sample articles through the ETL, then every map in every format."""
    from naqsha.etl.pipeline import run_etl

    corpus = Path(__file__).resolve().parents[1] / "etl" / "sample_corpus"
    if not corpus.is_dir():
        pytest.skip("no built-in sample corpus in this checkout")
    store = tmp_path / "store"
    run_etl(corpus, store, progress=False)
    reader = StoreReader(store)
    outlets = set(reader.read("documents")["outlet"].dropna())
    for map_name in snapshot.MAPS:
        svg = snapshot.render_snapshot(reader, map_name, Filters(), "svg").decode("utf-8")
        assert "extracted by naqsha" in svg and "geoBoundaries" in svg
        assert any(o in svg for o in outlets) or "Nothing to show" in svg
        img = png_array(snapshot.render_snapshot(reader, map_name, Filters(), "png", dpi=DPI))
        assert (img[..., :3] < 0.95).mean() > 0.2
        page = snapshot.render_snapshot(reader, map_name, Filters(), "html").decode("utf-8")
        assert not re.search(r"<script[^>]*\bsrc\s*=\s*['\"]?https?:", page, re.IGNORECASE)


def test_identical_bytes_across_processes(small_store, geodata, tmp_path):
    """Two separate runs (different hash seeds) write the same SVG bytes."""
    import os
    import subprocess

    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"run{seed}.svg"
        env = dict(os.environ, PYTHONHASHSEED=seed, NAQSHA_GEODATA_CACHE=str(geodata))
        subprocess.run([sys.executable, "-m", "naqsha.cli", "snapshot", "--map", "venues", "--store",
                        str(small_store), "--out", str(out)], env=env, check=True, capture_output=True)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
